// Staff at work on licenses in Chromium: a license bought through the upstream simulator is renewed and
// gets a new IP from its page (the page updates by itself), the tariff change dialog shows the price
// difference before anything is charged, the audit log shows the change filtered by the license, and the
// dashboard shows the license expiring soon and today's revenue. axe-core finds no serious or critical
// violation on these pages, and one action is done with the keyboard alone.
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { addDays, isoDate } from '../../src/platform/dates.js';
import type { Sandbox } from '../../src/sandbox/index.js';
import type { TestBillrelay } from '../support/billrelay.js';
import { insertLicense } from '../support/licenses.js';
import { connectModule, createClient, importTariff, nextIp } from '../support/scenario.js';
import { startUpstream } from '../support/upstream.js';
import { axeViolations, hasChromium, shotDir, skipNote, startUi, type Ui } from './browser.js';


/** What the UI shows for a date and an amount (en-US, as the browser here is). */
const day = (iso: string) => new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeZone: 'UTC' }).format(new Date(`${iso}T00:00:00Z`));
const euros = (amount: string) => new Intl.NumberFormat('en-US', { style: 'currency', currency: 'EUR', maximumFractionDigits: 20 }).format(amount as Intl.StringNumericLiteral);

async function until<T>(what: () => Promise<T>, ok: (value: T) => boolean, label: string): Promise<T> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const value = await what();
    if (ok(value)) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${label}: ${JSON.stringify(await what())}`);
}

describe.skipIf(!hasChromium)(`licenses, the audit log and the dashboard in Chromium${skipNote}`, () => {
  let ui: Ui;
  let server: TestBillrelay;
  let page: Page;
  let upstream: Sandbox;
  let licenseId: number;
  let expiringId: number;
  let yearly: string;
  let proId: number;

  const license = async () => (await server.admin.get(`/api/v1/licenses/${licenseId}`)).body;
  const main = () => page.getByRole('main');
  const open = async (route: string, ready: string) => {
    await page.goto(`${server.url}/billmgr/${route}`);
    await main().getByText(ready).first().waitFor();
  };

  beforeAll(async () => {
    ui = await startUi({ env: { BILLRELAY_SCHEDULER: 'off' } }, { bypassCSP: true });
    ({ server, page } = ui);
    upstream = await startUpstream(server);
    const module = await connectModule(server, upstream);
    const lite = await importTariff(server, module.id, '55227', { markupPercent: '20' });
    proId = (await importTariff(server, module.id, '55228', { markupPercent: '20' })).id;
    yearly = lite.periods.find((p) => p.period === 12)!.price;
    const client = await createClient(server, { balance: '1000.00' });
    const ordered = await client.api.post('/api/v1/licenses', { tariffId: lite.id, period: 12, licenseName: 'shop-web', ip: nextIp() });
    expect(ordered.status, JSON.stringify(ordered.body)).toBe(201);
    licenseId = ordered.body.id;
    await until(license, (l) => l.status === 'active' && l.pendingOperations.length === 0, 'the license to become active');
    const today = isoDate(server.clock.now());
    expiringId = (await insertLicense(server, { clientId: client.id, tariffId: lite.id, licenseName: 'ends-soon', withoutOpen: true, columns: { status: 'active', expiresOn: addDays(today, 6) } })).licenseId;
    await ui.login();
  }, 180_000);

  afterAll(async () => {
    await ui?.close();
    await upstream?.close();
  });

  test('staff renew the license from its page and see the new expiry without reloading', async () => {
    const before = await license();
    await open(`licenses/${licenseId}`, before.ip);
    await main().locator('dl.facts').getByText(day(before.expiresAt)).waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await main().getByRole('button', { name: 'Renew' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Period *').selectOption('12');
    expect(await axeViolations(page)).toEqual([]);
    await dialog.getByRole('button', { name: 'Renew' }).click();
    await page.getByText('Renewal of shop-web asked').waitFor();
    await dialog.waitFor({ state: 'hidden' });
    const renewed = await until(license, (l) => l.expiresAt !== before.expiresAt && l.pendingOperations.length === 0, 'the renewal');
    // In the facts: the history says it too now (old date → new date).
    await main().locator('dl.facts').getByText(day(renewed.expiresAt)).waitFor();
    expect(renewed.expiresAt > before.expiresAt).toBe(true);
  }, 60_000);

  test('a wrong IP is refused under the field; a right one is shown once the upstream has it', async () => {
    const before = await license();
    await main().getByRole('button', { name: 'Change IP or name' }).click();
    const dialog = page.getByRole('dialog');
    const ip = dialog.getByLabel('IP *');
    await ip.fill('server.example');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.getByText('Enter an IPv4 address such as 203.0.113.10.').waitFor();
    // The server refuses a private address: its words land under the field too.
    await ip.fill('10.0.0.1');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.getByRole('alert').first().waitFor();
    expect(await dialog.getByRole('alert').first().innerText()).toMatch(/ip|address/i);
    const fresh = nextIp();
    await ip.fill(fresh);
    await dialog.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Change of shop-web asked').waitFor();
    await main().getByText(fresh, { exact: true }).first().waitFor();
    expect((await license()).ip).toBe(fresh);
    expect(fresh).not.toBe(before.ip);
  }, 60_000);

  test('the tariff change dialog shows the price difference before anything is charged', async () => {
    const preview = (await server.admin.get(`/api/v1/licenses/${licenseId}/change-tariff?tariffId=${proId}`)).body;
    expect(Number(preview.difference)).toBeGreaterThan(0);
    await main().getByRole('button', { name: 'Change tariff' }).click();
    const dialog = page.getByRole('dialog');
    const confirm = dialog.getByRole('button', { name: 'Change tariff' });
    expect(await confirm.isDisabled()).toBe(true);
    await dialog.getByLabel('New tariff plan *').selectOption(String(proId));
    await dialog.getByText('Charged now').waitFor();
    expect(await dialog.innerText()).toContain(euros(preview.difference));
    expect(await dialog.innerText()).toContain(euros(preview.newPrice));
    expect(await confirm.isDisabled()).toBe(false);
    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: path.join(shotDir, 'billrelay-license-tariff-dialog.png') });
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
    expect((await license()).tariffId).not.toBe(proId);
  }, 60_000);

  test('the audit log shows the IP change, filtered by the license', async () => {
    const ip = (await license()).ip;
    await open('audit', 'Entity');
    await main().getByLabel('Entity', { exact: true }).selectOption('license');
    await main().getByLabel('Entity id').fill(String(licenseId));
    await main().getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL(/entity=license&entityId=/);
    const table = main().getByRole('table', { name: 'Audit log' });
    // Only this license's entries once the filtered page is in.
    const rows = await until(() => table.locator('tbody tr').allInnerTexts(), (r) => r.length > 0 && r.every((line) => line.includes(`License #${licenseId}`)), 'the filtered log');
    expect(rows.some((r) => r.includes('license.update') && r.includes(`→ ${ip}`))).toBe(true);
    expect(rows.some((r) => r.includes('license.order'))).toBe(true);
    expect(await table.innerText()).not.toContain(`License #${expiringId}`);
    expect(await axeViolations(page)).toEqual([]);
  }, 60_000);

  test("the dashboard shows the license expiring soon and today's orders and revenue", async () => {
    await open('dashboard', 'Licenses expiring within 14 days');
    const expiring = main().getByRole('table', { name: 'Licenses expiring within 14 days' });
    await expiring.getByRole('link', { name: 'ends-soon' }).waitFor();
    expect(await expiring.getByRole('link', { name: 'shop-web' }).count()).toBe(0);
    // Today: the order and its renewal, each a year of the lite tariff; two licenses created.
    const revenue = ((Number(yearly.replace('.', '')) * 2) / 100).toFixed(2);
    const today = main().locator('.today-totals');
    await today.waitFor();
    expect(await today.innerText()).toContain('2 orders');
    expect(await today.innerText()).toContain(euros(revenue));
    await main().getByText(/Lasts/).first().waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: path.join(shotDir, 'billrelay-dashboard.png'), fullPage: true });
    await expiring.getByRole('link', { name: 'ends-soon' }).click();
    await page.getByRole('heading', { name: 'ends-soon' }).waitFor();
  }, 60_000);

  test('keyboard only: a new key asked for with Tab and Enter', async () => {
    const before = await license();
    await open(`licenses/${licenseId}`, before.ip);
    await page.locator('body').focus();
    let found = false;
    for (let i = 0; i < 80 && !found; i++) {
      await page.keyboard.press('Tab');
      found = (await page.evaluate('document.activeElement?.textContent?.trim()')) === 'New key';
    }
    expect(found).toBe(true);
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog');
    await dialog.getByText('Issue a new key for shop-web?').waitFor();
    // The confirm button has the focus; Space presses it.
    expect(await page.evaluate('document.activeElement?.textContent?.trim()')).toBe('New key');
    await page.keyboard.press('Space');
    await page.getByText('A new key for shop-web asked.').waitFor();
    const after = await until(license, (l) => l.licenseKey !== before.licenseKey && l.pendingOperations.length === 0, 'the new key');
    await main().getByText(after.licenseKey).first().waitFor();
  }, 60_000);

  test('the list finds the license by part of its IP and filters by expiry', async () => {
    const ip = (await license()).ip;
    await open('licenses', 'shop-web');
    await main().getByLabel('Search', { exact: true }).fill(ip.split('.').slice(2).join('.'));
    await main().getByRole('button', { name: 'Find' }).click();
    await page.waitForURL(/q=/);
    const table = main().getByRole('table', { name: 'Licenses' });
    await until(async () => table.getByText('ends-soon').count(), (n) => n === 0, 'the search');
    await table.getByText('shop-web').waitFor();
    await main().getByLabel('Search', { exact: true }).fill('');
    await main().getByRole('button', { name: 'Find' }).click();
    await page.waitForURL((url) => !url.searchParams.has('q'));
    await table.getByText('ends-soon').waitFor();
    await main().getByLabel('Expiring').selectOption('14');
    await page.waitForURL(/expiring=14/);
    await table.getByText('ends-soon').waitFor();
    await until(async () => table.getByText('shop-web').count(), (n) => n === 0, 'the filter');
    expect(await axeViolations(page)).toEqual([]);

    // Two filters changed in one go (before the list re-renders): both stay, in the URL and on screen.
    const ids = [await main().getByLabel('Status', { exact: true }).getAttribute('id'), await main().getByLabel('Expiring').getAttribute('id')];
    await page.evaluate(`(() => {
      const set = (id, value) => { const select = document.getElementById(id); select.value = value; select.dispatchEvent(new Event('change', { bubbles: true })); };
      set(${JSON.stringify(ids[0])}, 'active');
      set(${JSON.stringify(ids[1])}, '60');
    })()`);
    await expect.poll(() => { const url = new URL(page.url()); return [url.searchParams.get('status'), url.searchParams.get('expiring')]; }).toEqual(['active', '60']);
    // The selects follow the URL on the next render; read them once they have.
    await expect.poll(() => main().getByLabel('Status', { exact: true }).inputValue()).toBe('active');
    await expect.poll(() => main().getByLabel('Expiring').inputValue()).toBe('60');
    await table.getByText('ends-soon').waitFor();
  }, 60_000);

  test('at 390 px none of these pages scrolls sideways', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      const wide: string[] = [];
      for (const [route, ready] of [
        ['licenses', 'shop-web'],
        [`licenses/${licenseId}`, 'History'],
        ['audit', 'license.update'],
        ['dashboard', 'Licenses expiring within 14 days'],
      ] as const) {
        await open(route, ready);
        if (route === 'licenses') {
          // The key stays on one line inside the table (which scrolls), not a character per line.
          const key = main().getByRole('table', { name: 'Licenses' }).locator('.license-key code').first();
          const [height, fontSize] = await key.evaluate((el) => [el.getBoundingClientRect().height, parseFloat((globalThis as unknown as { getComputedStyle(e: unknown): { fontSize: string } }).getComputedStyle(el).fontSize)]);
          expect(height, 'the license key wraps in the list').toBeLessThan(fontSize * 2);
        }
        const width = Number(await page.evaluate('document.documentElement.scrollWidth'));
        if (width > 390) wide.push(`${route}: ${width}px`);
        await page.screenshot({ path: path.join(shotDir, `billrelay-${route.replace('/', '-')}-phone.png`), fullPage: true });
      }
      expect(wide).toEqual([]);
    } finally {
      await page.setViewportSize({ width: 1200, height: 760 });
    }
  }, 60_000);
});
