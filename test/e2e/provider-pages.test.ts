// The staff pages for providers, business hours (the week editor), a processing module, data centers and
// localizations in Chromium: each page's main journey (create, edit, an action) through the UI, checked
// against the API; no serious or critical axe-core violation; no sideways scroll at 390 px; Russian.
// One server and one SPA build for all of them. Needs Debian's Chromium; skipped without it.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import type { TestBillrelay } from '../support/billrelay.js';
import { connectSandboxModule } from '../support/licenses.js';
import { axeViolations, hasChromium, skipNote, startUi, type Ui } from './browser.js';


const pageWidth = async (page: Page) => Number(await page.evaluate('document.documentElement.scrollWidth'));

interface Schedule {
  id: number;
  name: string;
  timeZone: string;
  days: { active: boolean; allDay: boolean; begin: string; end: string; breaks: { begin: string; end: string }[] }[];
  holidays: string[];
}

describe.skipIf(!hasChromium)(`provider and settings pages in Chromium${skipNote}`, () => {
  let ui: Ui;
  let server: TestBillrelay;
  let page: Page;
  let upstream: Sandbox;
  let moduleId: number;

  beforeAll(async () => {
    upstream = await startSandbox({});
    // Only axe's own script needs the CSP bypassed; csp.test.ts proves the pages need nothing inline.
    ui = await startUi({}, { bypassCSP: true });
    ({ server, page } = ui);
    moduleId = (await connectSandboxModule(server, upstream)).id;
    await ui.login();
  }, 180_000);

  afterAll(async () => {
    await ui?.close();
    await upstream?.close();
  });

  const open = async (route: string, heading: string) => {
    await page.goto(`${server.url}/billmgr/${route}`);
    await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
  };
  const row = (text: string) => page.locator('table tbody tr', { hasText: text });
  const notice = (text: string) => page.getByRole('status').filter({ hasText: text }).first().waitFor();

  test('providers: add (a bad e-mail refused under its field), edit (the server’s currency error under the field), delete', async () => {
    await open('providers', 'Providers');
    await row('Default provider').waitFor();
    // The default provider cannot be deleted: no button offers it.
    expect(await page.getByRole('button', { name: 'Delete Default provider' }).count()).toBe(0);

    await page.getByRole('button', { name: 'Add provider' }).click();
    const add = page.getByRole('dialog', { name: 'Add provider' });
    await add.getByLabel('Name').fill('Hosting Ltd');
    await add.getByLabel('Currency').fill('usd');
    await add.getByLabel('Notification e-mail').fill('not-an-email');
    await add.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => add.getByRole('alert').innerText()).toContain('Enter an e-mail address');
    await add.getByLabel('Notification e-mail').fill('billing@hosting.example');
    await add.getByLabel('Website').fill('https://hosting.example');
    await add.getByRole('button', { name: 'Save' }).click();
    await notice('Provider "Hosting Ltd" added');
    await expect.poll(() => row('Hosting Ltd').innerText()).toContain('Hosting Ltd\tUSD\tbilling@hosting.example\t—\thttps://hosting.example');
    const created = ((await server.admin.get('/api/v1/providers?perPage=500')).body.items as { id: number; name: string }[]).find((p) => p.name === 'Hosting Ltd')!;

    await page.getByRole('button', { name: 'Edit Hosting Ltd' }).click();
    const edit = page.getByRole('dialog', { name: 'Edit provider' });
    expect(await edit.getByLabel('Notification e-mail').inputValue()).toBe('billing@hosting.example');
    await edit.getByLabel('Name').fill('Hosting GmbH');
    await edit.getByLabel('Currency').fill('XXX');
    await edit.getByRole('button', { name: 'Save' }).click();
    // Not a currency: the server's words, under the currency field.
    await expect.poll(() => edit.getByRole('alert').innerText()).toContain('ISO 4217');
    await edit.getByLabel('Currency').fill('CHF');
    await edit.getByLabel('Website').fill('');
    await edit.getByRole('button', { name: 'Save' }).click();
    await notice('Provider "Hosting GmbH" saved');
    expect((await server.admin.get(`/api/v1/providers/${created.id}`)).body).toMatchObject({ name: 'Hosting GmbH', currency: 'CHF', websiteUrl: null, notificationEmail: 'billing@hosting.example' });

    await page.getByRole('button', { name: 'Delete Hosting GmbH' }).click();
    await page.getByRole('dialog', { name: 'Delete provider?' }).getByRole('button', { name: 'Delete' }).click();
    await notice('Provider "Hosting GmbH" deleted');
    await row('Hosting GmbH').waitFor({ state: 'detached' });
    expect((await server.admin.get(`/api/v1/providers/${created.id}`)).status).toBe(404);
  }, 120_000);

  test('business hours: the week editor with breaks and holidays; edit; delete', async () => {
    await open('business-hours', 'Business hours');
    await expect.poll(() => row('Standard business hours').innerText()).toContain('Mon 09:00–18:00');

    await page.getByRole('button', { name: 'Add business hours' }).click();
    const add = page.getByRole('dialog', { name: 'Add business hours' });
    await add.getByLabel('Name').fill('Support desk');
    await add.getByLabel('Time zone').selectOption('Europe/Berlin');
    await add.getByRole('button', { name: 'Monday: add break' }).click();
    await add.getByLabel('Monday: break 1 from').fill('14:00');
    await add.getByLabel('Monday: break 1 until').fill('13:00');
    await add.getByLabel('Tuesday: closes').fill('08:00');
    await add.getByRole('button', { name: 'Add holiday' }).click();
    await add.getByLabel('Holiday 1', { exact: true }).fill('2026-12-31');
    await add.getByRole('button', { name: 'Add holiday' }).click();
    await add.getByLabel('Holiday 2', { exact: true }).fill('2026-12-31');
    await add.getByRole('button', { name: 'Save' }).click();
    // Each mistake under its own field, in words.
    const alerts = async () => (await add.getByRole('alert').allInnerTexts()).sort();
    await expect.poll(alerts).toEqual(['The break must end after it starts.', 'The closing time must be after the opening time.', 'This date is already listed.']);

    await add.getByLabel('Monday: break 1 until').fill('15:00');
    await add.getByLabel('Tuesday: closes').fill('18:00');
    await add.getByRole('button', { name: 'Remove holiday 2' }).click();
    // A second break on Monday, and Saturday a short day with a break.
    await add.getByRole('button', { name: 'Monday: add break' }).click();
    await add.getByLabel('Monday: break 2 from').fill('12:00');
    await add.getByLabel('Monday: break 2 until').fill('12:30');
    await add.getByRole('button', { name: 'Save' }).click();
    await expect.poll(alerts).toEqual(['This break overlaps the one before it; list breaks in order, without overlaps.']);
    await add.getByLabel('Monday: break 1 from').fill('12:00');
    await add.getByLabel('Monday: break 1 until').fill('12:30');
    await add.getByLabel('Monday: break 2 from').fill('14:00');
    await add.getByLabel('Monday: break 2 until').fill('15:00');
    const saturday = add.getByRole('group', { name: 'Saturday' });
    await saturday.getByLabel('Working day').check();
    await add.getByLabel('Saturday: opens').fill('10:00');
    await add.getByLabel('Saturday: closes').fill('14:00');
    await add.getByRole('button', { name: 'Save' }).click();
    await notice('Business hours "Support desk" added');
    await expect.poll(() => row('Support desk').innerText()).toContain('Mon 09:00–18:00 (12:00–12:30, 14:00–15:00)');

    const stored = ((await server.admin.get('/api/v1/business-hours?perPage=500')).body.items as Schedule[]).find((s) => s.name === 'Support desk')!;
    expect(stored).toMatchObject({ timeZone: 'Europe/Berlin', holidays: ['2026-12-31'] });
    expect(stored.days[0]).toEqual({ active: true, allDay: false, begin: '09:00', end: '18:00', breaks: [{ begin: '12:00', end: '12:30' }, { begin: '14:00', end: '15:00' }] });
    expect(stored.days[5]).toEqual({ active: true, allDay: false, begin: '10:00', end: '14:00', breaks: [] });
    expect(stored.days[6]!.active).toBe(false);

    // Edit: the editor shows what is stored; take the holiday and a break away, make Sunday around the clock.
    await page.getByRole('button', { name: 'Edit Support desk' }).click();
    const edit = page.getByRole('dialog', { name: 'Edit business hours' });
    expect(await edit.getByLabel('Holiday 1', { exact: true }).inputValue()).toBe('2026-12-31');
    expect(await edit.getByLabel('Monday: break 2 from').inputValue()).toBe('14:00');
    await edit.getByRole('button', { name: 'Remove holiday 1' }).click();
    await edit.getByRole('button', { name: 'Monday: remove break 1' }).click();
    const sunday = edit.getByRole('group', { name: 'Sunday' });
    await sunday.getByLabel('Working day').check();
    await sunday.getByLabel('Around the clock').check();
    await edit.getByRole('button', { name: 'Save' }).click();
    await notice('Business hours "Support desk" saved');
    const edited = (await server.admin.get(`/api/v1/business-hours/${stored.id}`)).body as Schedule;
    expect(edited.holidays).toEqual([]);
    expect(edited.days[0]!.breaks).toEqual([{ begin: '14:00', end: '15:00' }]);
    expect(edited.days[6]).toMatchObject({ active: true, allDay: true });

    await page.getByRole('button', { name: 'Delete Support desk' }).click();
    await page.getByRole('dialog', { name: 'Delete business hours?' }).getByRole('button', { name: 'Delete' }).click();
    await notice('Business hours "Support desk" deleted');
    expect((await server.admin.get(`/api/v1/business-hours/${stored.id}`)).status).toBe(404);
  }, 120_000);

  test('a processing module: edit with a password sent only when typed, check balance, disable, move, delete', async () => {
    const second = await connectSandboxModule(server, upstream);
    const before = (await server.admin.get(`/api/v1/processing-modules/${moduleId}`)).body;
    await open(`processing-modules/${moduleId}`, before.displayName);

    await page.getByRole('button', { name: 'Edit', exact: true }).click();
    const edit = page.getByRole('dialog', { name: 'Edit processing module' });
    // The password is never shown, not even as dots.
    expect(await edit.getByLabel('New password').inputValue()).toBe('');
    expect(await edit.getByLabel('Username').inputValue()).toBe(before.connection.username);
    await edit.getByLabel('Name (en)').fill('ispmanager Main');
    await edit.getByLabel(/Minimal balance/).fill('abc');
    await edit.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => edit.getByRole('alert').innerText()).toBe('Enter an amount such as 100.00.');
    await edit.getByLabel(/Minimal balance/).fill('50');
    await edit.getByLabel('Operations at once').fill('3');
    await edit.getByRole('button', { name: 'Save' }).click();
    await notice('Processing module "ispmanager Main" saved');
    await page.getByRole('heading', { name: 'ispmanager Main', level: 1 }).waitFor();
    const saved = (await server.admin.get(`/api/v1/processing-modules/${moduleId}`)).body;
    expect(saved).toMatchObject({ minimalBalance: expect.stringMatching(/^50(\.0+)?$/), operationLimit: 3, connection: before.connection });
    // No connection was sent, so the upstream was not asked again.
    expect(saved.balanceCheckedAt).toBe(before.balanceCheckedAt);

    // Another username without the password: refused, under the password field.
    await page.getByRole('button', { name: 'Edit', exact: true }).click();
    await edit.getByLabel('Username').fill('someone-else');
    await edit.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => edit.getByRole('alert').innerText()).toContain('enter the password again');
    // The same username and the password typed: it is checked live and kept.
    await edit.getByLabel('Username').fill(before.connection.username);
    await edit.getByLabel('New password').fill('partner-password');
    await edit.getByRole('button', { name: 'Save' }).click();
    await notice('Processing module "ispmanager Main" saved');

    await page.getByRole('button', { name: 'Check balance' }).click();
    await notice('Balance of "ispmanager Main" checked');
    await page.getByRole('button', { name: 'Disable' }).click();
    await notice('"ispmanager Main" disabled');
    await page.getByRole('main').getByText('disabled', { exact: true }).waitFor();
    await page.getByRole('button', { name: 'Enable' }).click();
    await notice('"ispmanager Main" enabled');
    expect((await server.admin.get(`/api/v1/processing-modules/${moduleId}`)).body.enabled).toBe(true);

    const sortOf = async (id: number) => (await server.admin.get(`/api/v1/processing-modules/${id}`)).body.sort as number;
    const [first, other] = [await sortOf(moduleId), await sortOf(second.id)];
    expect(first).toBeLessThan(other);
    await page.getByRole('button', { name: 'Move down' }).click();
    await notice('"ispmanager Main" moved');
    await expect.poll(() => sortOf(moduleId)).toBe(other);
    expect(await sortOf(second.id)).toBe(first);

    await page.getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('dialog', { name: 'Delete processing module?' }).getByRole('button', { name: 'Delete' }).click();
    await notice('Processing module "ispmanager Main" deleted');
    await page.waitForURL(/\/billmgr\/processing-modules$/);
    expect((await server.admin.get(`/api/v1/processing-modules/${moduleId}`)).status).toBe(404);
    moduleId = second.id;
  }, 120_000);

  test('data centers: edit every field; a duplicate external id is refused under the field', async () => {
    await server.admin.post('/api/v1/datacenters', { name: { en: 'Frankfurt' }, externalId: 'FRA-1' });
    const ams = (await server.admin.post('/api/v1/datacenters', { name: { en: 'Amsterdam' }, externalId: 'AMS-1' })).body as { id: number };
    await open('datacenters', 'Data centers');
    await page.getByRole('button', { name: 'Edit Amsterdam' }).click();
    const edit = page.getByRole('dialog', { name: 'Edit data center' });
    expect(await edit.getByLabel('External id').inputValue()).toBe('AMS-1');
    await edit.getByLabel('Name (ru)').fill('Амстердам');
    await edit.getByLabel('External id').fill('FRA-1');
    await edit.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => edit.getByRole('alert').innerText()).toContain('The external id "FRA-1" is already used by data center "Frankfurt"');
    await edit.getByLabel('External id').fill('AMS-2');
    await edit.getByLabel('Sort').fill('1');
    await edit.getByRole('button', { name: 'Save' }).click();
    await notice('Data center "Amsterdam" saved');
    expect((await server.admin.get(`/api/v1/datacenters/${ams.id}`)).body).toMatchObject({ name: { en: 'Amsterdam', ru: 'Амстердам' }, externalId: 'AMS-2', sort: 1 });
    await expect.poll(() => page.locator('table tbody tr').first().innerText()).toContain('Amsterdam\tAMS-2');
  }, 120_000);

  test('localizations: add one, refuse a duplicate, disable, enable, make default and back, delete', async () => {
    // A retried run (CI retries browser tests once) starts from English as the only localization again.
    await server.admin.patch('/api/v1/localizations/en', { isDefault: true });
    await server.admin.delete('/api/v1/localizations/de');
    await open('localizations', 'Localizations');
    const form = page.getByRole('form', { name: 'Add localization' });
    await form.getByLabel('Code').fill('DE');
    await form.getByLabel('Name').fill('Deutsch');
    await form.getByRole('button', { name: 'Add' }).click();
    await expect.poll(() => form.getByRole('alert').innerText()).toBe('Enter a language code such as de or pt-BR.');
    await form.getByLabel('Code').fill('de');
    await form.getByRole('button', { name: 'Add' }).click();
    await notice('Localization "Deutsch" added');
    await expect.poll(() => row('Deutsch').innerText()).toContain('de\tDeutsch\tyes');
    // The same code again: the server's 409, under the code.
    await form.getByLabel('Code').fill('de');
    await form.getByLabel('Name').fill('Deutsch 2');
    await form.getByRole('button', { name: 'Add' }).click();
    await expect.poll(() => form.getByRole('alert').innerText()).toContain('already exists');

    await page.getByRole('button', { name: 'Disable Deutsch' }).click();
    await expect.poll(() => row('Deutsch').innerText()).toContain('de\tDeutsch\tno');
    await page.getByRole('button', { name: 'Enable Deutsch' }).click();
    await expect.poll(() => row('Deutsch').innerText()).toContain('de\tDeutsch\tyes');
    await page.getByRole('button', { name: 'Make default: Deutsch' }).click();
    await notice('"Deutsch" is now the default localization');
    expect((await server.admin.get('/api/v1/localizations/de')).body).toMatchObject({ isDefault: true, enabled: true });
    // The default one offers neither disable nor delete.
    await expect.poll(() => page.getByRole('button', { name: 'Delete Deutsch' }).count()).toBe(0);
    await page.getByRole('button', { name: 'Make default: English' }).click();
    await expect.poll(async () => (await server.admin.get('/api/v1/localizations/en')).body.isDefault).toBe(true);
    await page.getByRole('button', { name: 'Delete Deutsch' }).click();
    await page.getByRole('dialog', { name: 'Delete localization?' }).getByRole('button', { name: 'Delete' }).click();
    await notice('Localization "Deutsch" deleted');
    expect((await server.admin.get('/api/v1/localizations/de')).status).toBe(404);
  }, 120_000);

  const pages = () => [
    { route: 'providers', heading: 'Providers' },
    { route: 'business-hours', heading: 'Business hours' },
    { route: `processing-modules/${moduleId}`, heading: 'ispmanager' },
    { route: 'datacenters', heading: 'Data centers' },
    { route: 'localizations', heading: 'Localizations' },
  ];
  const ready = async (route: string, heading: string) => {
    await page.goto(`${server.url}/billmgr/${route}`);
    await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
    await page.locator('table, .facts').first().waitFor();
  };
  /** The dialogs with the most in them: the week editor and the module's edit form. */
  const dialogs = async (check: (name: string) => Promise<void>) => {
    await ready('business-hours', 'Business hours');
    await page.getByRole('button', { name: 'Edit Standard business hours' }).click();
    await page.getByRole('dialog', { name: 'Edit business hours' }).getByLabel('Monday: opens').waitFor();
    await page.getByRole('button', { name: 'Monday: add break' }).click();
    await check('week editor');
    await page.keyboard.press('Escape');
    await ready(`processing-modules/${moduleId}`, 'ispmanager');
    await page.getByRole('button', { name: 'Edit', exact: true }).click();
    await page.getByRole('dialog', { name: 'Edit processing module' }).getByLabel('New password').waitFor();
    await check('module edit');
    await page.keyboard.press('Escape');
  };

  test('no serious or critical axe violation on each page and its dialogs', async () => {
    const found: string[] = [];
    for (const { route, heading } of pages()) {
      await ready(route, heading);
      found.push(...(await axeViolations(page)).map((v) => `${route}: ${v}`));
    }
    await dialogs(async (name) => void found.push(...(await axeViolations(page)).map((v) => `${name}: ${v}`)));
    expect(found).toEqual([]);
  }, 120_000);

  test('at 390 px no page and no dialog scrolls sideways', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      const wide: string[] = [];
      for (const { route, heading } of pages()) {
        await ready(route, heading);
        const width = await pageWidth(page);
        if (width > 390) wide.push(`${route}: ${width}px`);
      }
      await dialogs(async (name) => {
        const width = await pageWidth(page);
        if (width > 390) wide.push(`${name}: ${width}px`);
      });
      expect(wide).toEqual([]);
    } finally {
      await page.setViewportSize({ width: 1200, height: 760 });
    }
  }, 120_000);

  test('in Russian: the week editor’s words and weekdays, and a field error', async () => {
    await ready('business-hours', 'Business hours');
    await page.getByLabel('Language').selectOption('ru');
    await page.getByRole('heading', { name: 'Рабочее время', level: 1 }).waitFor();
    await page.getByRole('button', { name: 'Добавить рабочее время' }).click();
    const add = page.getByRole('dialog', { name: 'Добавить рабочее время' });
    await add.getByRole('group', { name: 'понедельник' }).waitFor();
    await add.getByRole('button', { name: 'понедельник: добавить перерыв' }).click();
    await add.getByLabel('понедельник: перерыв 1 с').fill('13:00');
    await add.getByLabel('понедельник: перерыв 1 до').fill('12:00');
    await add.getByRole('button', { name: 'Сохранить' }).click();
    await expect.poll(async () => (await add.getByRole('alert').allInnerTexts()).sort()).toEqual(['Введите название графика.', 'Перерыв должен заканчиваться позже, чем начинается.']);
    await page.keyboard.press('Escape');
    await page.getByLabel('Язык').selectOption('en');
    await page.getByRole('heading', { name: 'Business hours', level: 1 }).waitFor();
  }, 120_000);
});
