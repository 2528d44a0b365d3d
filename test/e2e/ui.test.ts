// The web UI in a real browser against a real billrelay: log in, the menu, the Data centers page, log out.
// Needs Debian's Chromium at /usr/bin/chromium (apt-get install -y chromium); skipped without it.
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ADMIN_EMAIL, ADMIN_PASSWORD, type TestBillrelay } from '../support/billrelay.js';
import { hasChromium, shotDir, skipNote, startUi, type Ui } from './browser.js';

describe.skipIf(!hasChromium)(`web UI in Chromium${skipNote}`, () => {
  let ui: Ui;
  let server: TestBillrelay;
  let page: Page;

  beforeAll(async () => {
    ui = await startUi();
    ({ server, page } = ui);
  }, 120_000);

  afterAll(async () => {
    await ui?.close();
  });

  const rows = () => page.locator('table[aria-label="Data centers"] tbody tr').allInnerTexts();
  const names = async () => (await rows()).map((r) => r.split('\t')[1]?.trim());

  test('an administrator logs in, manages data centers and logs out', async () => {
    // Logged out, any page under /billmgr shows the login form.
    await page.goto(`${server.url}/billmgr/`);
    await page.getByLabel('E-mail').fill(ADMIN_EMAIL);
    await page.getByLabel('Password').fill('wrong-password');
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect.poll(() => page.getByRole('alert').innerText()).toContain('Wrong e-mail or password');
    await page.screenshot({ path: path.join(shotDir, 'billrelay-ui-login.png') });

    await page.getByLabel('Password').fill(ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('button', { name: 'Log out' }).waitFor();
    expect(await page.locator('.topbar .user').innerText()).toContain('admin');
    // The landing page is the dashboard.
    await page.getByRole('heading', { name: 'What needs attention' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/billmgr/dashboard');

    // The menu keeps BILLmanager's words.
    const menu = await page.getByRole('navigation', { name: 'Main menu' }).innerText();
    for (const word of ['Integration', 'Processing modules', 'Data centers', 'Provider', 'Providers', 'Departments',
      'Business hours', 'Employees', 'Settings', 'Localizations', 'Products', 'Tariff plans', 'Clients', 'Services',
      'Licenses', 'Tools', 'Running operations', 'Tasks']) {
      expect(menu.toLowerCase()).toContain(word.toLowerCase());
    }

    await page.getByRole('link', { name: 'Data centers' }).click();
    await page.getByRole('heading', { name: 'Data centers' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/billmgr/datacenters');
    await page.getByText('No data centers yet').waitFor();

    // Add two; the names are per locale, the English one shows for an English browser.
    const form = page.getByRole('form', { name: 'Add data center' });
    await form.getByLabel('Name (en)').fill('Frankfurt');
    await form.getByLabel('Name (ru)').fill('Франкфурт');
    await form.getByLabel('External id').fill('FRA-1');
    await form.getByRole('button', { name: 'Add' }).click();
    await expect.poll(names).toEqual(['Frankfurt']);
    await form.getByLabel('Name (en)').fill('Amsterdam');
    await form.getByLabel('External id').fill('AMS-1');
    await form.getByRole('button', { name: 'Add' }).click();
    await expect.poll(names).toEqual(['Frankfurt', 'Amsterdam']);
    expect(await rows()).toEqual(['1\tFrankfurt\tFRA-1\tEdit▲▼Delete', '2\tAmsterdam\tAMS-1\tEdit▲▼Delete']);
    expect((await server.admin.get('/api/v1/datacenters')).body.items.map((d: { name: unknown }) => d.name)).toEqual([
      { en: 'Frankfurt', ru: 'Франкфурт' },
      { en: 'Amsterdam' },
    ]);

    // Move Amsterdam up: the page and the API agree on the new order.
    await page.getByRole('button', { name: 'Move Amsterdam up' }).click();
    await expect.poll(names).toEqual(['Amsterdam', 'Frankfurt']);
    expect((await server.admin.get('/api/v1/datacenters')).body.items.map((d: { externalId: string }) => d.externalId)).toEqual([
      'AMS-1',
      'FRA-1',
    ]);
    expect(await page.getByRole('button', { name: 'Move Amsterdam up' }).isDisabled()).toBe(true);
    expect(await page.getByRole('button', { name: 'Move Frankfurt down' }).isDisabled()).toBe(true);

    // A delete the API refuses shows the API's own message and keeps the row.
    const frankfurt = (await server.admin.get('/api/v1/datacenters')).body.items[1].id as number;
    server.billrelay.services.datacenters.addReferrer(async (_db, id) => (id === frankfurt ? 'processing module "Test"' : undefined));
    await page.getByRole('button', { name: 'Delete Frankfurt' }).click();
    // The confirmation says what is deleted; Escape changes nothing, the dialog's button deletes.
    const confirm = page.getByRole('dialog', { name: 'Delete data center?' });
    expect(await confirm.innerText()).toContain('Delete data center "Frankfurt"?');
    await page.keyboard.press('Escape');
    await confirm.waitFor({ state: 'hidden' });
    expect(await names()).toEqual(['Amsterdam', 'Frankfurt']);
    await page.getByRole('button', { name: 'Delete Frankfurt' }).click();
    await confirm.getByRole('button', { name: 'Delete' }).click();
    await expect.poll(() => page.getByRole('alert').innerText()).toContain('Data center "Frankfurt" is still used by processing module "Test"');
    expect(await names()).toEqual(['Amsterdam', 'Frankfurt']);

    await page.mouse.move(0, 0); // no hover highlight in the picture
    const shot = path.join(shotDir, 'billrelay-ui-datacenters.png');
    await page.screenshot({ path: shot, fullPage: true });
    console.log(`screenshot: ${shot}`);

    // A delete that works.
    await page.getByRole('button', { name: 'Delete Amsterdam' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
    await expect.poll(names).toEqual(['Frankfurt']);
    await page.getByText('Data center "Amsterdam" deleted').waitFor();

    // Other pages: the localizations list (the default one offers no change) and the tariff plans.
    await page.getByRole('link', { name: 'Localizations' }).click();
    await expect.poll(() => page.locator('table tbody tr').allInnerTexts()).toEqual(['en\tEnglish\tyes\tdefault\t', 'ru\tРусский\tyes\t\tDisableMake defaultDelete']);
    await page.getByRole('link', { name: 'Tariff plans' }).click();
    await page.getByText('No tariff plans yet — import them from a processing module.').waitFor();

    // A reload keeps the session and the route; writes still carry the CSRF token.
    await page.goto(`${server.url}/billmgr/datacenters`);
    await expect.poll(names).toEqual(['Frankfurt']);
    await page.getByRole('button', { name: 'Move Frankfurt up' }).waitFor();
    await form.getByLabel('Name (en)').fill('Paris');
    await form.getByRole('button', { name: 'Add' }).click();
    await expect.poll(names).toEqual(['Frankfurt', 'Paris']);

    // A server error that names a field is shown under that field, in its words, and nothing typed is lost.
    await page.route('**/api/v1/datacenters', (route) =>
      route.request().method() === 'POST'
        ? route.fulfill({ status: 409, contentType: 'application/json', body: JSON.stringify({ error: { code: 'conflict', message: 'External id BER-1 is taken', field: 'externalId' } }) })
        : route.fallback(),
    );
    await form.getByLabel('Name (en)').fill('Berlin');
    await form.getByLabel('External id').fill('BER-1');
    await form.getByRole('button', { name: 'Add' }).click();
    const externalId = form.getByLabel('External id');
    await expect.poll(() => externalId.getAttribute('aria-invalid')).toBe('true');
    const described = (await externalId.getAttribute('aria-describedby')) ?? '';
    expect(await form.locator(described.split(' ').map((id) => `#${id}`).join(', ')).allInnerTexts()).toContain('External id BER-1 is taken');
    expect(await form.getByLabel('Name (en)').inputValue()).toBe('Berlin');
    await page.unroute('**/api/v1/datacenters');

    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('button', { name: 'Log in' }).waitFor();
    await page.goto(`${server.url}/billmgr/datacenters`);
    await page.getByRole('button', { name: 'Log in' }).waitFor();
  }, 60_000);
});
