// The client area in Chromium: a client logs in at /billmgr and gets their own menu and pages (never a staff
// one, not even by URL), sees the balance and their license on the overview, watches the license become
// active without reloading, copies the key, toggles auto-renewal, renews (charged once) and changes the IP.
// Staff "log in as client" opens the same area with a banner and the way back. axe-core finds no serious or
// critical violation on the client pages, none scrolls sideways at 390 px, and the area speaks Russian.
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { addDays, isoDate } from '../../src/platform/dates.js';
import type { Sandbox } from '../../src/sandbox/index.js';
import type { TestBillrelay } from '../support/billrelay.js';
import { insertLicense } from '../support/licenses.js';
import { connectModule, createClient, importTariff, nextIp, type TestClient } from '../support/scenario.js';
import { startUpstream } from '../support/upstream.js';
import { axeViolations, hasChromium, shotDir, skipNote, startUi, type Ui } from './browser.js';

/** What the UI shows for a date and an amount (en-US, as the browser here is). */
const day = (iso: string) => new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeZone: 'UTC' }).format(new Date(`${iso}T00:00:00Z`));
const euros = (amount: string, locale = 'en-US') => new Intl.NumberFormat(locale, { style: 'currency', currency: 'EUR', maximumFractionDigits: 20 }).format(amount as Intl.StringNumericLiteral);

async function until<T>(what: () => Promise<T>, ok: (value: T) => boolean, label: string): Promise<T> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const value = await what();
    if (ok(value)) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${label}: ${JSON.stringify(await what())}`);
}

describe.skipIf(!hasChromium)(`the client area in Chromium${skipNote}`, () => {
  let ui: Ui;
  let server: TestBillrelay;
  let page: Page;
  let upstream: Sandbox;
  let customer: TestClient;
  let liteId: number;
  let licenseId: number;
  /** Client pages visited, for the 390 px check. */
  const seen: { route: string; ready: string }[] = [];

  const main = () => page.getByRole('main');
  const menu = () => page.getByRole('navigation', { name: 'Client menu' });
  const license = async () => (await server.admin.get(`/api/v1/licenses/${licenseId}`)).body;
  const balance = async (clientId = customer.id) => (await server.admin.get(`/api/v1/clients/${clientId}`)).body.balance as string;

  beforeAll(async () => {
    ui = await startUi({ env: { BILLRELAY_SCHEDULER: 'off' } }, { bypassCSP: true });
    ({ server, page } = ui);
    upstream = await startUpstream(server);
    const module = await connectModule(server, upstream);
    liteId = (await importTariff(server, module.id, '55227', { markupPercent: '20' })).id;
    await importTariff(server, module.id, '55228', { markupPercent: '20' });
    customer = await createClient(server, { balance: '500.00' });
  }, 180_000);

  afterAll(async () => {
    await ui?.close();
    await upstream?.close();
  });

  /** Logs in through the login form, after whoever was logged in (the tests can run one by one). */
  async function logIn(email: string) {
    await page.context().clearCookies();
    await page.goto(`${server.url}/billmgr/`);
    await page.getByLabel('E-mail').fill(email);
    await page.getByLabel('Password').fill('client-password');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('button', { name: 'Log out' }).waitFor();
  }
  async function logOut() {
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('button', { name: 'Log in' }).waitFor();
  }

  test('a client gets the client menu and the overview with the balance, never a staff page, not even by URL', async () => {
    await logIn(customer.email);
    await main().getByRole('heading', { name: 'Overview' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/billmgr/dashboard');
    expect(await menu().getByRole('link').allInnerTexts()).toEqual(['Overview', 'My licenses', 'Order a license', 'Balance', 'Support', 'Profile']);
    await main().getByText(euros('500.00')).waitFor();
    // The provider's name is the brand in the top bar.
    const provider = (await server.admin.get('/api/v1/providers/1')).body.name as string;
    await until(() => page.locator('header .brand').innerText(), (brand) => brand === provider, 'the provider as the brand');
    await main().getByText('You have no licenses yet.').waitFor();
    await main().getByRole('link', { name: '0 open tickets' }).waitFor();
    expect(await main().getByRole('link', { name: 'Top up' }).getAttribute('href')).toBe('/billmgr/balance');
    expect(await axeViolations(page)).toEqual([]);
    seen.push({ route: 'dashboard', ready: 'Top up' });
    for (const staff of ['tariffs', 'clients', `clients/${customer.id}`, 'operations', 'processing-modules/new', 'audit']) {
      await page.goto(`${server.url}/billmgr/${staff}`);
      await main().getByRole('heading', { name: 'Page not found' }).waitFor();
      expect(await page.getByText('Only employees may do this').count()).toBe(0);
      expect(await menu().getByRole('link').count()).toBe(6);
    }
    expect(await axeViolations(page)).toEqual([]);
    seen.push({ route: 'audit', ready: 'Page not found' });
  }, 90_000);

  test('the license ordered shows processing, then active with its key without a reload', async () => {
    // The upstream takes its time with the purchase: the page is there to see it processing.
    upstream.control.inject({ func: 'soft.order.param', fault: 'latency', latencyMs: 8_000, count: 1 });
    const ordered = await customer.api.post('/api/v1/licenses', { tariffId: liteId, period: 12, licenseName: 'my-shop', ip: nextIp() });
    expect(ordered.status, JSON.stringify(ordered.body)).toBe(201);
    licenseId = ordered.body.id;
    await menu().getByRole('link', { name: 'My licenses' }).click();
    const table = main().getByRole('table', { name: 'My licenses' });
    await table.getByRole('link', { name: 'my-shop' }).waitFor();
    expect(await table.locator('tbody tr').first().innerText()).toContain('processing');
    expect(await axeViolations(page)).toEqual([]);
    seen.push({ route: 'licenses', ready: 'shop' }); // (renamed my-web-shop further on)

    await table.getByRole('link', { name: 'my-shop' }).click();
    await main().getByRole('heading', { name: 'my-shop' }).waitFor();
    const facts = main().locator('dl.facts');
    await facts.getByText('processing').waitFor();
    await facts.getByText('being set up').waitFor();
    expect(await facts.innerText()).toContain('The key appears here once the license is set up.');
    expect(await axeViolations(page)).toEqual([]);
    const navigations: string[] = [];
    page.on('framenavigated', (frame) => frame === page.mainFrame() && navigations.push(frame.url()));

    await facts.getByText('active', { exact: true }).waitFor({ timeout: 30_000 });
    const active = await until(license, (l) => l.status === 'active' && l.licenseKey !== null && l.pendingOperations.length === 0, 'the license to become active');
    await facts.getByText(active.licenseKey).waitFor();
    await facts.getByText(day(active.expiresAt)).waitFor();
    expect(navigations).toEqual([]);
    // (the key, the IP and the name change further on)
    seen.push({ route: `licenses/${licenseId}`, ready: 'Renew automatically from the balance' });

    // The key is copied with its button.
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
    await facts.getByRole('button', { name: 'Copy the license key' }).click();
    await page.getByText('Copied').waitFor();
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe(active.licenseKey);
  }, 90_000);

  test('auto-renewal is switched on from the license page', async () => {
    expect((await license()).autoRenew).toBe(false);
    const toggle = main().getByRole('switch', { name: 'Renew automatically from the balance' });
    expect(await toggle.isChecked()).toBe(false);
    await main().getByText('Renew automatically from the balance').click();
    await page.getByText('Auto-renewal of my-shop is on').waitFor();
    await until(() => toggle.isChecked(), (on) => on, 'the switch to show it on');
    expect((await license()).autoRenew).toBe(true);
  }, 60_000);

  test('renew now: the period with its price, charged once, the new expiry shown without a reload', async () => {
    const before = await license();
    const balanceBefore = await balance();
    const catalog = (await customer.api.get('/api/v1/catalog')).body;
    const yearly = catalog.items.find((x: { id: number }) => x.id === liteId).periods.find((p: { period: number }) => p.period === 12).price as string;
    await main().getByRole('button', { name: 'Renew' }).click();
    const dialog = page.getByRole('dialog', { name: 'Renew my-shop' });
    await dialog.getByText(`Your balance: ${euros(balanceBefore)}`).waitFor();
    await dialog.getByLabel('Period *').selectOption('12');
    expect(await dialog.getByLabel('Period *').locator('option:checked').innerText()).toBe(`12 months — ${yearly} EUR`.replace(`${yearly} EUR`, euros(yearly)));
    expect(await axeViolations(page)).toEqual([]);
    await dialog.getByRole('button', { name: 'Renew' }).dblclick();
    await page.getByText('Renewal of my-shop asked').first().waitFor();
    await dialog.waitFor({ state: 'hidden' });
    const renewed = await until(license, (l) => l.expiresAt !== before.expiresAt && l.pendingOperations.length === 0, 'the renewal');
    await main().locator('dl.facts').getByText(day(renewed.expiresAt)).waitFor();
    const cents = (a: string) => BigInt(a.replace('.', ''));
    expect(cents(await balance())).toBe(cents(balanceBefore) - cents(yearly));
  }, 60_000);

  test('the IP is changed: a private one is refused under the field, a public one shows once the upstream has it', async () => {
    await main().getByRole('button', { name: 'Change IP or name' }).click();
    const dialog = page.getByRole('dialog');
    const ip = dialog.getByLabel('IP *');
    await ip.fill('10.0.0.1');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.getByRole('alert').first().waitFor();
    expect(await dialog.getByRole('alert').first().innerText()).toMatch(/ip|address/i);
    const fresh = nextIp();
    await ip.fill(fresh);
    await dialog.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Change of my-shop asked').waitFor();
    await main().locator('dl.facts').getByText(fresh, { exact: true }).waitFor();
    expect((await until(license, (l) => l.pendingOperations.length === 0, 'the change')).ip).toBe(fresh);
    // The history tells who did it, in the client's words.
    const history = main().getByRole('table', { name: 'History' });
    await until(() => history.innerText(), (text) => text.includes(`→ ${fresh}`), 'the IP change in the history');
    expect(await history.innerText()).toContain('you');
    expect(await axeViolations(page)).toEqual([]);
  }, 60_000);

  test('the name is changed: the new one is the page heading once the upstream has it', async () => {
    await main().getByRole('button', { name: 'Change IP or name' }).click();
    const dialog = page.getByRole('dialog', { name: 'IP and name of my-shop' });
    await dialog.getByLabel('Name *').fill('my-web-shop');
    await dialog.getByRole('button', { name: 'Save' }).click();
    // (the IP change's notice may still be up: the same words)
    await dialog.waitFor({ state: 'hidden' });
    await main().getByRole('heading', { name: 'my-web-shop', level: 1 }).waitFor();
    expect((await until(license, (l) => l.pendingOperations.length === 0, 'the change')).licenseName).toBe('my-web-shop');
  }, 60_000);

  test('a new key: asked behind a confirmation, the new key shown without a reload', async () => {
    const before = await license();
    await main().getByRole('button', { name: 'New key' }).click();
    const confirm = page.getByRole('dialog', { name: 'Issue a new key' });
    await confirm.getByText('Issue a new key for my-web-shop?', { exact: false }).waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await confirm.getByRole('button', { name: 'New key' }).click();
    await page.getByText('A new key for my-web-shop asked.').waitFor();
    await confirm.waitFor({ state: 'hidden' });
    const after = await until(license, (l) => l.licenseKey !== before.licenseKey && l.pendingOperations.length === 0, 'the new key');
    expect(after.licenseKey).toBeTruthy();
    await main().locator('dl.facts').getByText(after.licenseKey).waitFor();
    expect(await main().locator('dl.facts').innerText()).not.toContain(before.licenseKey);
  }, 60_000);

  test('the tariff change shows the price difference before confirming, and the balance is charged that', async () => {
    const balanceBefore = await balance();
    await main().getByRole('button', { name: 'Change tariff' }).click();
    const dialog = page.getByRole('dialog');
    const confirm = dialog.getByRole('button', { name: 'Change tariff' });
    expect(await confirm.isDisabled()).toBe(true);
    const choice = dialog.getByLabel('New tariff plan *');
    const options = await choice.locator('option').allInnerTexts();
    expect(options.length).toBe(2);
    await choice.selectOption({ index: 1 });
    const shown = dialog.locator('.price-difference dt', { hasText: 'Charged now' }).locator('xpath=following-sibling::dd[1]');
    await shown.waitFor();
    const quoted = (await shown.innerText()).trim();
    expect(await confirm.isDisabled()).toBe(false);
    expect(await axeViolations(page)).toEqual([]);
    await confirm.click();
    await page.getByText('Tariff change of my-web-shop asked', { exact: false }).waitFor();
    await dialog.waitFor({ state: 'hidden' });
    const changed = await until(license, (l) => l.tariffId !== liteId && l.pendingOperations.length === 0, 'the tariff change');
    const cents = (a: string) => BigInt(a.replace('.', ''));
    const charged = cents(balanceBefore) - cents(await balance());
    expect(charged > 0n).toBe(true);
    // What the dialog quoted is what the balance lost.
    expect(quoted).toBe(euros(`${charged / 100n}.${String(charged % 100n).padStart(2, '0')}`));
    const tariffs = (await customer.api.get('/api/v1/catalog')).body.items as { id: number; displayName: string }[];
    await main().locator('dl.facts').getByText(tariffs.find((x) => x.id === changed.tariffId)!.displayName).waitFor();
  }, 60_000);

  test('in Russian the history says what happened in Russian: statuses and the kinds of entries', async () => {
    await page.getByLabel('Language').selectOption('ru');
    try {
      const history = main().getByRole('table', { name: 'История' });
      await until(() => history.innerText(), (text) => text.includes('Запрошена смена тарифа'), 'the Russian history');
      const text = await history.innerText();
      for (const words of ['в обработке → активна', 'выключено → включено', 'Заказана за', 'Вышестоящий биллинг выдал лицензию', 'Запрошен новый ключ лицензии', 'Выдан новый ключ лицензии', 'Запрошено изменение: имя my-shop → my-web-shop', 'Продление на 12 месяцев']) {
        expect(text).toContain(words);
      }
      for (const english of ['processing', 'active', 'Upstream license', 'requested', 'Ordered', 'Renewal', 'true', 'false']) expect(text).not.toContain(english);
      expect(await axeViolations(page)).toEqual([]);
    } finally {
      await page.getByLabel('Язык').selectOption('en');
      await main().getByRole('table', { name: 'History' }).waitFor();
    }
  }, 60_000);

  test('another client’s license is not found for this client', async () => {
    const other = await createClient(server, { balance: '0' });
    const theirs = await insertLicense(server, { clientId: other.id, tariffId: liteId, licenseName: 'not-yours', withoutOpen: true, columns: { status: 'active' } });
    await page.goto(`${server.url}/billmgr/licenses/${theirs.licenseId}`);
    await main().getByRole('alert').first().waitFor();
    expect(await main().getByRole('alert').first().innerText()).toContain('does not exist');
    expect(await main().innerText()).not.toContain('not-yours');
    expect((await customer.api.get(`/api/v1/licenses/${theirs.licenseId}`)).status).toBe(404);
  }, 60_000);

  test('the overview says which renewals the balance covers', async () => {
    const tight = await createClient(server, { balance: '15.00' });
    const today = isoDate(server.clock.now());
    // Two licenses at 10.00 each, expiring in 5 and 9 days: the balance pays the first, not both.
    for (const [name, days] of [['first-to-end', 5], ['second-to-end', 9]] as const) {
      await insertLicense(server, { clientId: tight.id, tariffId: liteId, licenseName: name, withoutOpen: true, columns: { status: 'active', expiresOn: addDays(today, days) } });
    }
    // A question to support, open: the overview counts it.
    const desk = await server.admin.post('/api/v1/departments', { name: { en: 'Support desk', ru: 'Поддержка' }, taskLocale: 'en', showInSupportCenter: true, providerIds: [1] });
    expect(desk.status, JSON.stringify(desk.body)).toBe(201);
    const ticket = await tight.api.post('/api/v1/tickets', { departmentId: desk.body.id, subject: 'Renewal question', body: 'Which license renews first?' });
    expect(ticket.status, JSON.stringify(ticket.body)).toBe(201);
    await logIn(tight.email);
    await main().getByRole('link', { name: '1 open ticket' }).waitFor();
    const soon = main().getByRole('table', { name: 'Expiring within 30 days' });
    await soon.getByRole('link', { name: 'second-to-end' }).waitFor();
    expect(await soon.locator('tbody tr').allInnerTexts()).toEqual([
      expect.stringContaining('Covered by the balance'),
      expect.stringContaining(`Top up ${euros('5.00')}`),
    ]);
    expect((await soon.locator('tbody tr').allInnerTexts())[0]).toContain('first-to-end');
    expect(await axeViolations(page)).toEqual([]);

    // In Russian: the language switch in the top bar.
    await page.getByLabel('Language').selectOption('ru');
    const menuRu = page.getByRole('navigation', { name: 'Меню клиента' });
    await menuRu.getByRole('link', { name: 'Мои лицензии' }).waitFor();
    await main().getByRole('heading', { name: 'Обзор' }).waitFor();
    const soonRu = main().getByRole('table', { name: 'Истекают в ближайшие 30 дней' });
    await soonRu.getByText('Баланса хватает').waitFor();
    await soonRu.getByText(`Пополните на ${euros('5.00', 'ru')}`).waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await menuRu.getByRole('link', { name: 'Мои лицензии' }).click();
    await main().getByRole('heading', { name: 'Мои лицензии' }).waitFor();
    await main().getByRole('table', { name: 'Мои лицензии' }).getByText('активна').first().waitFor();
    await page.getByLabel('Язык').selectOption('en');
    await menu().getByRole('link', { name: 'My licenses' }).waitFor();
    await logOut();
  }, 90_000);

  test('staff "log in as client" shows the client area with a banner and the way back', async () => {
    await page.context().clearCookies();
    await ui.login();
    await page.goto(`${server.url}/billmgr/clients/${customer.id}`);
    await page.getByRole('button', { name: 'Log in as client' }).click();
    await page.getByRole('dialog', { name: 'Log in as Client?' }).getByRole('button', { name: 'Log in as client' }).click();
    await page.getByText(`You see billrelay as the client Client (${customer.email}) sees it.`).waitFor();
    await main().getByRole('heading', { name: 'Overview' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/billmgr/dashboard');
    expect(await menu().getByRole('link').count()).toBe(6);
    // The client's own overview: their balance.
    await main().getByText(euros(await balance())).waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Back to the staff panel' }).click();
    await page.getByRole('heading', { name: 'Client', exact: true }).waitFor();
    expect(new URL(page.url()).pathname).toBe(`/billmgr/clients/${customer.id}`);
    await page.getByRole('navigation', { name: 'Main menu' }).waitFor();
    await logOut();
  }, 90_000);

  test('no client page scrolls sideways at 390 px', async () => {
    await logIn(customer.email);
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      const wide: string[] = [];
      for (const { route, ready } of seen) {
        await page.goto(`${server.url}/billmgr/${route}`);
        await main().getByText(ready).first().waitFor();
        const width = Number(await page.evaluate('document.documentElement.scrollWidth'));
        if (width > 390) wide.push(`${route}: ${width}px`);
        await page.screenshot({ path: path.join(shotDir, `billrelay-client-${route.replace(/\//g, '-')}-390.png`), fullPage: true });
      }
      expect(wide).toEqual([]);
      // The menu is behind its button there.
      await page.getByRole('button', { name: 'Toggle navigation' }).click();
      await menu().getByRole('link', { name: 'My licenses' }).click();
      await main().getByRole('heading', { name: 'My licenses' }).waitFor();
    } finally {
      await page.setViewportSize({ width: 1200, height: 760 });
    }
  }, 90_000);
});
