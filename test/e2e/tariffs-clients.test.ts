// Products → Tariff plans and Clients in a real browser against the upstream simulator: an import with a
// markup (cost, price and margin side by side, a loss flagged), enabling it, and a client's money (payment,
// correction with its reason, credit limit, the ledger), "log in as client" and back; no serious or critical
// axe violation on these pages and no sideways scrolling at 390 px. Needs Debian's Chromium; skipped without it.
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import type { TestBillrelay } from '../support/billrelay.js';
import { connectSandboxModule } from '../support/licenses.js';
import { axeViolations, hasChromium, shotDir, skipNote, startUi, type Ui } from './browser.js';


const pageWidth = async (page: Page) => Number(await page.evaluate('document.documentElement.scrollWidth'));

describe.skipIf(!hasChromium)(`tariff plans and clients in Chromium${skipNote}`, () => {
  let ui: Ui;
  let server: TestBillrelay;
  let page: Page;
  let upstream: Sandbox;
  let moduleName: string;
  let tariffId: number;
  let clientId: number;
  /** Routes seen by the tests, for the 390 px check; each with text that shows it loaded. */
  const seen: Array<{ route: string; ready: string }> = [];
  const found: string[] = [];
  const axe = async (label: string) => found.push(...(await axeViolations(page)).map((v) => `${label}: ${v}`));

  beforeAll(async () => {
    upstream = await startSandbox({});
    // Only axe's own script needs the CSP bypassed; csp.test.ts proves the pages need nothing inline.
    ui = await startUi({}, { bypassCSP: true });
    ({ server, page } = ui);
    const module = await connectSandboxModule(server, upstream);
    moduleName = `ispmanager ${module.username}`;
    await ui.login();
  }, 120_000);

  afterAll(async () => {
    await ui?.close();
    await upstream?.close();
  });

  const main = () => page.getByRole('main');
  const tariffRows = () => page.locator('table[aria-label="Tariff plans"] tbody tr').allInnerTexts();
  const previewRows = () => page.locator('table[aria-label="Prices, upstream costs and margins"] tbody tr').allInnerTexts();

  test('an administrator imports a tariff with a markup, sees cost, price and margin, and puts it on sale', async () => {
    await page.getByRole('navigation', { name: 'Main menu' }).getByRole('link', { name: 'Tariff plans' }).click();
    await main().getByText('No tariff plans yet — import them from a processing module.').waitFor();
    await axe('tariffs (empty)');

    await page.getByRole('button', { name: 'Import', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Import tariff plan from a processing module' });
    // The only upstream module and the default provider are chosen already; the module's price list is offered.
    expect(await dialog.getByLabel('Processing module *').inputValue()).not.toBe('');
    await dialog.getByRole('radio', { name: 'ispmanager 6 lite (55227)' }).check();
    // A markup of 20 % (the default): 6.00 → 7.20, 60.00 → 72.00, the margin beside each.
    expect(await dialog.getByLabel('Markup, %').inputValue()).toBe('20');
    await expect.poll(previewRows).toEqual(['1 month\t€6.00\t€7.20\t€1.20\tyes', '12 months\t€60.00\t€72.00\t€12.00\tyes']);
    await axe('import dialog');

    // Explicit prices, one below the cost: the loss is flagged in the row and in words.
    await dialog.getByRole('radio', { name: 'Prices per period' }).check();
    await dialog.getByLabel('Price for 1 month (EUR)').fill('5.00');
    await dialog.getByLabel('Price for 12 months (EUR)').fill('66.00');
    await expect.poll(previewRows).toEqual(['1 month\t€6.00\t€5.00\t-€1.00 (loss)\tyes', '12 months\t€60.00\t€66.00\t€6.00\tyes']);
    await expect.poll(() => dialog.getByRole('alert').innerText()).toContain('Sold at a loss: 1 month.');
    expect(await dialog.locator('tr.loss-row').count()).toBe(1);
    await page.mouse.move(0, 0);
    await page.screenshot({ path: path.join(shotDir, 'billrelay-ui-tariff-import.png'), fullPage: true });

    // Back to a markup of 25 %, and import.
    await dialog.getByRole('radio', { name: 'Markup on the upstream cost' }).check();
    await dialog.getByLabel('Markup, %').fill('25');
    await expect.poll(previewRows).toEqual(['1 month\t€6.00\t€7.50\t€1.50\tyes', '12 months\t€60.00\t€75.00\t€15.00\tyes']);
    await dialog.getByRole('button', { name: 'Import', exact: true }).click();
    await page.getByText('Tariff plan "ispmanager 6 lite" imported').waitFor();
    await page.getByRole('heading', { name: 'ispmanager 6 lite' }).waitFor();
    tariffId = Number(new URL(page.url()).pathname.split('/').pop());
    const stored = (await server.admin.get(`/api/v1/tariffs/${tariffId}`)).body;
    expect(stored).toMatchObject({ status: 'disabled', upstreamTariffId: '55227', periods: [{ period: 1, price: '7.50' }, { period: 12, price: '75.00' }] });
    seen.push({ route: `tariffs/${tariffId}`, ready: 'Prices per period' });

    // The tariff page: prices with cost and margin; a price typed below the cost shows the loss before saving.
    const prices = page.getByRole('form', { name: 'Prices per period' });
    await prices.getByLabel('Price for 1 month (EUR)').fill('5.50');
    await expect.poll(() => prices.locator('tbody tr').first().innerText()).toContain('-€0.50 (loss)');
    await prices.getByLabel('Price for 1 month (EUR)').fill('7.50');
    await axe('tariff page');

    // Put on sale.
    await page.getByRole('button', { name: 'Put on sale' }).click();
    await page.getByText('Tariff plan "ispmanager 6 lite" enabled').waitFor();
    await page.getByRole('button', { name: 'Take off sale' }).waitFor();

    // An enabled tariff cannot be priced at a loss: the API's refusal shows under the price.
    await prices.getByLabel('Price for 12 months (EUR)').fill('59.00');
    await prices.getByRole('button', { name: 'Save prices' }).click();
    await expect.poll(() => prices.getByRole('alert').first().innerText()).toContain('below its upstream cost of 60.00 EUR');
    expect((await server.admin.get(`/api/v1/tariffs/${tariffId}`)).body.periods[1].price).toBe('75.00');
    await axe('tariff page with an error');

    // The list: the tariff on sale with its periods, costs and margins; filters stay in the URL.
    await page.getByRole('link', { name: 'Tariff plans' }).first().click();
    // The list may show what it cached before the tariff went on sale until its refetch lands.
    await expect.poll(async () => (await tariffRows()).map((r) => r.split('\t')[5])).toEqual(['enabled']);
    const row = (await tariffRows())[0]!.split('\t');
    expect(row.slice(0, 3)).toEqual(['1', 'ispmanager 6 lite', 'ispmanager 6 lite (55227)']);
    expect(row[3]!.split('\n').filter(Boolean)).toEqual(['1 month: €7.50 · cost €6.00 · margin €1.50', '12 months: €75.00 · cost €60.00 · margin €15.00']);
    expect(row.slice(4, 6)).toEqual([moduleName, 'enabled']);
    await page.getByLabel('Status').selectOption('disabled');
    await main().getByText('No tariff plan matches the search and filters.').waitFor();
    expect(new URL(page.url()).searchParams.get('status')).toBe('disabled');
    await page.getByLabel('Status').selectOption('');
    await page.getByLabel('Search').fill('lite');
    await expect.poll(() => new URL(page.url()).searchParams.get('search')).toBe('lite');
    await expect.poll(async () => (await tariffRows()).length).toBe(1);
    await page.getByRole('button', { name: 'Sync ispmanager 6 lite with the upstream' }).click();
    await page.getByText('the upstream costs did not change').waitFor();
    await axe('tariffs');
    seen.push({ route: 'tariffs', ready: 'ispmanager 6 lite (55227)' });
    await page.mouse.move(0, 0);
    await page.screenshot({ path: path.join(shotDir, 'billrelay-ui-tariffs.png'), fullPage: true });
  }, 120_000);

  test('an administrator creates a client, records a payment and a correction, sets a credit limit and reads the ledger', async () => {
    await page.getByRole('navigation', { name: 'Main menu' }).getByRole('link', { name: 'Clients' }).click();
    await main().getByText('No clients yet.').waitFor();
    await page.getByRole('button', { name: 'Add client' }).click();
    const dialog = page.getByRole('dialog', { name: 'New client' });
    await dialog.getByRole('button', { name: 'Create client' }).click();
    await expect.poll(() => dialog.getByRole('alert').allInnerTexts()).toEqual(['Enter the client’s name.', 'Enter an e-mail address such as name@example.com.', 'Use at least 8 characters.']);
    await dialog.getByLabel('Name *').fill('Web Studio');
    await dialog.getByLabel('E-mail *').fill('studio@example.test');
    await dialog.getByLabel('Password *').fill('client-password');
    await axe('new client dialog');
    await dialog.getByRole('button', { name: 'Create client' }).click();
    await page.getByText('Client "Web Studio" created').waitFor();
    await page.getByRole('heading', { name: 'Web Studio' }).waitFor();
    clientId = Number(new URL(page.url()).pathname.split('/').pop());
    await axe('client profile');
    seen.push({ route: `clients/${clientId}`, ready: 'Log in as client' });

    // Money: a payment, a correction (its reason is required), the ledger with the balance after each entry.
    await page.getByRole('tab', { name: 'Balance and payments' }).click();
    const payment = page.getByRole('form', { name: 'Record a payment' });
    await payment.getByLabel('Amount (EUR) *').fill('100.00');
    await payment.getByLabel('Payment reference').fill('BANK-1');
    await payment.getByRole('button', { name: 'Record payment' }).click();
    await page.getByText('Payment of 100.00 EUR recorded; balance 100.00 EUR').waitFor();
    const correction = page.getByRole('form', { name: 'Correct the balance' });
    await correction.getByLabel('Amount (EUR) *').fill('-5.00');
    await correction.getByRole('button', { name: 'Record correction' }).click();
    await expect.poll(() => correction.getByRole('alert').innerText()).toBe('Say why the balance is corrected.');
    await correction.getByLabel('Reason *').fill('Goodwill fee reversal');
    await correction.getByRole('button', { name: 'Record correction' }).click();
    await page.getByText('Correction of -5.00 EUR recorded; balance 95.00 EUR').waitFor();
    const ledger = () => page.locator('table[aria-label="Ledger"] tbody tr').allInnerTexts();
    await expect.poll(async () => (await ledger()).map((r) => r.split('\t').slice(1, 6).join(' | '))).toEqual([
      'correction | -€5.00 | €95.00 | — | Goodwill fee reversal',
      'payment | €100.00 | €100.00 | bank transfer | —',
    ]);
    await expect.poll(() => page.locator('.facts').first().innerText()).toContain('€95.00');
    expect((await server.admin.get(`/api/v1/clients/${clientId}`)).body.balance).toBe('95.00');
    await axe('client ledger');
    seen.push({ route: `clients/${clientId}?tab=ledger`, ready: 'Record payment' });
    await page.mouse.move(0, 0);
    await page.screenshot({ path: path.join(shotDir, 'billrelay-ui-client-ledger.png'), fullPage: true });

    // The credit limit, on the profile.
    await page.getByRole('tab', { name: 'Profile' }).click();
    const credit = page.getByRole('form', { name: 'Credit limit' });
    await credit.getByLabel('Credit limit (EUR)').fill('50.5.0');
    await credit.getByRole('button', { name: 'Set credit limit' }).click();
    await expect.poll(() => credit.getByRole('alert').innerText()).toBe('Enter an amount such as 25.00.');
    await credit.getByLabel('Credit limit (EUR)').fill('50.00');
    await credit.getByRole('button', { name: 'Set credit limit' }).click();
    await page.getByText('Credit limit of Web Studio set to 50.00 EUR').waitFor();
    expect((await server.admin.get(`/api/v1/clients/${clientId}`)).body.creditLimit).toBe('50.00');

    // The list finds the client by e-mail and shows the balance.
    await page.getByRole('link', { name: 'Clients' }).first().click();
    await page.getByLabel('Search').fill('STUDIO@');
    await expect.poll(() => page.locator('table[aria-label="Clients"] tbody tr').allInnerTexts()).toEqual([`${clientId}\tWeb Studio\tstudio@example.test\tDefault provider\t€95.00\tenabled`.replace('Default provider', (await server.admin.get('/api/v1/providers')).body.items[0].name)]);
    await page.getByLabel('Search').fill('nobody-like-this');
    await main().getByText('No client matches the search.').waitFor();
    await axe('clients');
    seen.push({ route: 'clients', ready: 'Add client' });
  }, 120_000);

  test('"log in as client" shows the client’s view, is audited, and leads back to the client page', async () => {
    await page.goto(`${server.url}/billmgr/clients/${clientId}`);
    await page.getByRole('button', { name: 'Log in as client' }).click();
    await page.getByRole('dialog', { name: 'Log in as Web Studio?' }).getByRole('button', { name: 'Log in as client' }).click();
    await page.getByText('You see billrelay as the client Web Studio (studio@example.test) sees it.').waitFor();
    await axe('client area (impersonated)');
    const audit = (await server.admin.get(`/api/v1/audit?entity=client&entityId=${clientId}&action=client.impersonate`)).body;
    expect(audit.items).toHaveLength(1);
    await page.getByRole('button', { name: 'Back to the staff panel' }).click();
    await page.getByRole('heading', { name: 'Web Studio' }).waitFor();
    expect(new URL(page.url()).pathname).toBe(`/billmgr/clients/${clientId}`);
    // The staff session works again (writes carry the new CSRF token).
    await page.getByRole('form', { name: 'Profile' }).getByLabel('Name *').fill('Web Studio GmbH');
    await page.getByRole('form', { name: 'Profile' }).getByRole('button', { name: 'Save' }).click();
    await page.getByText('Client "Web Studio GmbH" saved').waitFor();
  }, 120_000);

  test('no serious or critical axe violation on these pages, and none scrolls sideways at 390 px', async () => {
    expect(found).toEqual([]);
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      const wide: string[] = [];
      for (const { route, ready } of seen) {
        await page.goto(`${server.url}/billmgr/${route}`);
        await main().getByText(ready).first().waitFor();
        const width = await pageWidth(page);
        if (width > 390) wide.push(`${route}: ${width}px`);
      }
      expect(wide).toEqual([]);
      await page.screenshot({ path: path.join(shotDir, 'billrelay-ui-phone-client.png'), fullPage: true });
    } finally {
      await page.setViewportSize({ width: 1200, height: 760 });
    }
  }, 120_000);
});
