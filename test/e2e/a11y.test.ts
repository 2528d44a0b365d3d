// Every page of the web UI in Chromium: no serious or critical accessibility violation (axe-core), no
// sideways scrolling at a phone's 390 px, and one run in Russian. Needs Debian's Chromium; skipped without it.
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import type { TestBillrelay } from '../support/billrelay.js';
import { connectSandboxModule, insertLicense, operationRow, tariffAndClient } from '../support/licenses.js';
import { axeViolations, hasChromium, shotDir, skipNote, startUi, type Ui } from './browser.js';


/** How wide the page is laid out: over the viewport's width, it scrolls sideways. */
const pageWidth = async (page: Page) => Number(await page.evaluate('document.documentElement.scrollWidth'));

describe.skipIf(!hasChromium)(`accessibility, phone width and Russian in Chromium${skipNote}`, () => {
  let ui: Ui;
  let server: TestBillrelay;
  let page: Page;
  let upstream: Sandbox;
  let ids: { licenseId: number; operationId: number; moduleId: number };

  beforeAll(async () => {
    upstream = await startSandbox({});
    // Only axe's own script needs the CSP bypassed; csp.test.ts proves the pages need nothing inline.
    ui = await startUi({}, { bypassCSP: true });
    ({ server, page } = ui);
    // Something on every list: a data center, a module, a license whose purchase waits for a person (an
    // operation in status manual and its task).
    await server.admin.post('/api/v1/datacenters', { name: { en: 'Frankfurt', ru: 'Франкфурт' }, externalId: 'FRA-1' });
    const module = await connectSandboxModule(server, upstream, { balance: '0.00' });
    const { tariffId, clientId } = await tariffAndClient(server, module.id);
    const license = await insertLicense(server, { clientId, tariffId, licenseName: 'shop-a11y', ip: '203.0.113.90' });
    for (let i = 0; (await operationRow(server, license.operationId!)).status !== 'manual'; i++) {
      if (i > 100) throw new Error('the purchase did not stop for a person');
      await new Promise((r) => setTimeout(r, 50));
    }
    ids = { licenseId: license.licenseId, operationId: license.operationId!, moduleId: module.id };
  }, 120_000);

  afterAll(async () => {
    await ui?.close();
    await upstream?.close();
  });

  /** Each page with what shows it has loaded. */
  const pages = () => [
    { path: 'dashboard', ready: 'What needs attention' },
    { path: 'processing-modules', ready: 'Processing modules' },
    { path: 'processing-modules/new', ready: 'Add processing module' },
    { path: `processing-modules/${ids.moduleId}`, ready: 'Balance' },
    { path: 'datacenters', ready: 'Add data center' },
    { path: 'localizations', ready: 'Русский' },
    { path: 'licenses', ready: 'shop-a11y' },
    { path: `licenses/${ids.licenseId}`, ready: '203.0.113.90' },
    { path: 'operations', ready: 'Done by hand' },
    { path: `operations/${ids.operationId}`, ready: 'Attempts' },
    { path: 'tasks', ready: 'shop-a11y' },
    { path: 'messages', ready: 'No SMTP server is configured' },
    { path: 'tariffs', ready: 'ispmanager 6 lite (55227)' },
    { path: 'clients', ready: 'Add client' },
    { path: 'employees', ready: 'admin@example.test' },
    { path: 'departments', ready: 'Sales' },
  ];
  const open = async (route: string, ready: string) => {
    await page.goto(`${server.url}/billmgr/${route}`);
    await page.getByRole('main').getByText(ready).first().waitFor();
  };

  test('the login page and every page have no serious or critical axe violation', async () => {
    await page.goto(`${server.url}/billmgr/`);
    await page.getByRole('button', { name: 'Log in' }).waitFor();
    expect(await axeViolations(page), 'login').toEqual([]);
    // The pages a visitor reaches from the login page or from a mailed link.
    for (const [route, ready] of [
      ['forgot-password', 'Send the link'],
      ['reset-password', 'This link is incomplete'],
    ] as const) {
      await page.goto(`${server.url}/billmgr/${route}`);
      await page.getByText(ready).first().waitFor();
      expect(await axeViolations(page), route).toEqual([]);
    }
    await page.goto(`${server.url}/billmgr/`);
    await ui.login();
    const found: string[] = [];
    for (const { path: route, ready } of pages()) {
      await open(route, ready);
      found.push(...(await axeViolations(page)).map((v) => `${route}: ${v}`));
    }
    // A dialog open (focus trapped in it, the page behind inert).
    await open('operations', 'Done by hand');
    await page.getByRole('button', { name: `Abandon operation ${ids.operationId}` }).click();
    await page.getByRole('dialog').waitFor();
    found.push(...(await axeViolations(page)).map((v) => `abandon dialog: ${v}`));
    await page.keyboard.press('Escape');
    await page.getByRole('dialog').waitFor({ state: 'hidden' });
    expect(found).toEqual([]);
  }, 120_000);

  test('at 390 px no page scrolls sideways; the menu collapses behind a button', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      const wide: string[] = [];
      for (const { path: route, ready } of pages()) {
        await open(route, ready);
        const width = await pageWidth(page);
        if (width > 390) wide.push(`${route}: ${width}px`);
      }
      expect(wide).toEqual([]);
      expect(await axeViolations(page)).toEqual([]);

      // The menu is hidden until asked for; following a link closes it again.
      const menu = page.getByRole('navigation', { name: 'Main menu' });
      expect(await menu.isVisible()).toBe(false);
      await page.getByRole('button', { name: 'Toggle navigation' }).click();
      await menu.waitFor();
      expect(await pageWidth(page)).toBeLessThanOrEqual(390);
      await page.screenshot({ path: path.join(shotDir, 'billrelay-ui-phone-menu.png') });
      await menu.getByRole('link', { name: 'Data centers' }).click();
      await page.getByRole('heading', { name: 'Data centers' }).waitFor();
      await menu.waitFor({ state: 'hidden' });
      await page.screenshot({ path: path.join(shotDir, 'billrelay-ui-phone-datacenters.png'), fullPage: true });
    } finally {
      await page.setViewportSize({ width: 1200, height: 760 });
    }
  }, 120_000);

  test('in Russian: the menu, the pages, dates and money, and the server’s errors', async () => {
    await open('dashboard', 'What needs attention');
    await page.getByLabel('Language').selectOption('ru');
    await page.getByRole('heading', { name: 'Что требует внимания' }).waitFor();
    expect(await page.evaluate('document.documentElement.lang')).toBe('ru');
    const menu = await page.getByRole('navigation', { name: 'Главное меню' }).innerText();
    for (const word of ['Интеграция', 'Модули обработки', 'Дата-центры', 'Инструменты', 'Задачи']) expect(menu.toLowerCase()).toContain(word.toLowerCase());
    const counters = page.getByRole('region', { name: 'Ожидающая работа' });
    await expect.poll(() => counters.innerText()).toContain('1 операция ждёт человека');
    expect(await page.getByRole('button', { name: 'Выйти' }).count()).toBe(1);

    // Localized names come from the API in the UI's language.
    await page.getByRole('link', { name: 'Дата-центры' }).click();
    await page.getByRole('heading', { name: 'Дата-центры' }).waitFor();
    await expect.poll(() => page.locator('table tbody tr').first().innerText()).toBe('1\tФранкфурт\tFRA-1\tИзменить▲▼Удалить');
    // A form's field error in Russian, under the field.
    const form = page.getByRole('form', { name: 'Добавление дата-центра' });
    await form.getByRole('button', { name: 'Добавить' }).click();
    await expect.poll(() => form.getByRole('alert').innerText()).toBe('Введите название на языке по умолчанию (en).');

    // Statuses, money and dates as Russian writes them.
    await page.getByRole('link', { name: 'Выполняемые операции' }).click();
    const row = page.locator(`tr[data-id="${ids.operationId}"]`);
    await expect.poll(() => row.innerText()).toContain('открытие\tждёт человека');
    expect(await row.locator('td').nth(5).innerText()).toMatch(/\d{4} г\./);
    await page.getByRole('link', { name: 'Модули обработки' }).click();
    await expect.poll(() => page.locator('table tbody tr').first().innerText()).toMatch(/0,00\s€/);

    // The server's error: its own Russian sentence (what still uses the data center comes from this test's
    // referrer, as it gives it) and the code.
    server.billrelay.services.datacenters.addReferrer(async () => 'processing module "Test"');
    await page.getByRole('link', { name: 'Дата-центры' }).click();
    await page.getByRole('button', { name: 'Удалить Франкфурт' }).click();
    await page.getByRole('dialog', { name: 'Удалить дата-центр?' }).getByRole('button', { name: 'Удалить' }).click();
    await expect.poll(() => page.getByRole('alert').innerText()).toContain('Дата-центр «Франкфурт» ещё используется: processing module "Test"');
    expect(await page.getByRole('alert').innerText()).toContain('[conflict]');
    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: path.join(shotDir, 'billrelay-ui-russian.png'), fullPage: true });

    // The choice stays on this browser: a reload keeps Russian; English again for whatever runs next.
    await page.reload();
    await page.getByRole('heading', { name: 'Дата-центры' }).waitFor();
    // Switching back reads the data again: the name follows without leaving the page.
    await expect.poll(() => page.locator('table tbody tr').first().innerText()).toBe('1\tФранкфурт\tFRA-1\tИзменить▲▼Удалить');
    await page.getByLabel('Язык').selectOption('en');
    await page.getByRole('heading', { name: 'Data centers' }).waitFor();
    await expect.poll(() => page.locator('table tbody tr').first().innerText()).toBe('1\tFrankfurt\tFRA-1\tEdit▲▼Delete');
  }, 120_000);
});
