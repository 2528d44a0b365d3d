// The Content-Security-Policy in a real browser: the SPA and Swagger UI load and work under it, and
// the browser reports no violation. Needs Debian's Chromium (apt-get install -y chromium); skipped without it.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { hasChromium, skipNote, startUi, type Ui } from './browser.js';

describe.skipIf(!hasChromium)(`Content-Security-Policy in Chromium${skipNote}`, () => {
  let ui: Ui;
  const violations: string[] = [];

  beforeAll(async () => {
    ui = await startUi();
    // Registered before any page script runs, on every page the test opens.
    await ui.page.addInitScript(
      "document.addEventListener('securitypolicyviolation', (e) => console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI))",
    );
    ui.page.on('console', (message) => {
      const text = message.text();
      if (/CSP violation|Content Security Policy|Refused to/i.test(text)) violations.push(text);
    });
  }, 120_000);

  afterAll(async () => {
    await ui?.close();
  });

  test('the SPA logs in and shows its pages with no violation', async () => {
    await ui.login();
    await ui.page.getByRole('heading', { name: 'What needs attention' }).waitFor();
    await ui.page.getByRole('link', { name: 'Data centers' }).click();
    await ui.page.getByRole('heading', { name: 'Data centers' }).waitFor();
    expect(violations).toEqual([]);
  }, 60_000);

  test('the tariff plans and client pages (dialogs, radios, tabs, checkboxes) cause no violation', async () => {
    const { page, server } = ui;
    const created = await server.admin.post('/api/v1/clients', { name: 'CSP', email: 'csp@example.test', password: 'client-password', providerId: 1 });
    await page.getByRole('link', { name: 'Tariff plans' }).click();
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    await page.getByRole('dialog').getByLabel('Processing module *').waitFor();
    await page.keyboard.press('Escape');
    await page.goto(`${server.url}/billmgr/clients/${created.body.id}`);
    await page.getByRole('heading', { name: 'CSP' }).waitFor();
    await page.getByRole('form', { name: 'Profile' }).getByLabel('Enabled').waitFor();
    await page.getByRole('tab', { name: 'Balance and payments' }).click();
    await page.getByRole('button', { name: 'Record payment' }).waitFor();
    await page.getByRole('link', { name: 'Clients' }).first().click();
    await page.getByRole('button', { name: 'Add client' }).click();
    await page.getByRole('dialog').getByLabel('Name *').waitFor();
    await page.keyboard.press('Escape');
    expect(violations).toEqual([]);
  }, 60_000);

  test('Swagger UI at /api/docs renders the operations with no violation', async () => {
    const { page, server } = ui;
    await page.goto(`${server.url}/api/docs`);
    await page.locator('.swagger-ui .opblock').first().waitFor();
    expect(await page.locator('.swagger-ui .info .title').innerText()).toContain('billrelay API');
    // Its stylesheet applied: an operation's summary is laid out as a flex row.
    const display = (el: unknown) => (globalThis as unknown as { getComputedStyle(e: unknown): { display: string } }).getComputedStyle(el).display;
    expect(await page.locator('.opblock-summary').first().evaluate(display)).toBe('flex');
    await page.locator('.opblock-summary').first().click();
    await page.locator('.opblock-body').first().waitFor();
    expect(violations).toEqual([]);
  }, 60_000);
});
