// The partner guide's whole setup done only in the browser, as a new administrator would: a data center, a
// department with business hours, the processing module through the wizard, a tariff imported with a markup and
// put on sale, a client with money, and a license ordered for that client that becomes active on screen. The API
// is read only to check what the screens claim. Needs Debian's Chromium; skipped without it.
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Sandbox } from '../../src/sandbox/index.js';
import type { TestBillrelay } from '../support/billrelay.js';
import { startUpstream } from '../support/upstream.js';
import { hasChromium, shotDir, skipNote, startUi, type Ui } from './browser.js';

const PASSWORD = 'partner-password';

describe.skipIf(!hasChromium)(`the partner guide's setup through the UI only${skipNote}`, () => {
  let ui: Ui;
  let server: TestBillrelay;
  let page: Page;
  let upstream: Sandbox;

  beforeAll(async () => {
    ui = await startUi();
    ({ server, page } = ui);
    upstream = await startUpstream(server);
    upstream.control.upsertAccount({ username: 'partner', password: PASSWORD, balance: '500.00' });
    await ui.login();
  }, 120_000);

  afterAll(async () => {
    await ui?.close();
    await upstream?.close();
  });

  const menu = (name: string) => page.getByRole('navigation', { name: 'Main menu' }).getByRole('link', { name, exact: true }).click();
  const notice = (text: string) => page.getByText(text).first().waitFor();

  test('data center → department → module → tariff → client → license, and the license becomes active', async () => {
    // Integration → Data centers → Add.
    await menu('Data centers');
    const addDc = page.getByRole('region', { name: 'Add data center' });
    await addDc.getByLabel('Name (en) *').fill('Frankfurt');
    await addDc.getByLabel('External id').fill('FRA-1');
    await addDc.getByRole('button', { name: 'Add' }).click();
    await notice('Data center "Frankfurt" added');

    // Provider → Departments → New department, with the standard business hours and the tasks in Russian.
    await menu('Departments');
    await page.getByRole('button', { name: 'New department' }).click();
    const dept = page.getByRole('form', { name: 'New department' });
    await dept.getByLabel('Name (en) *').fill('Service processing department');
    await dept.getByLabel('Business hours', { exact: true }).selectOption({ label: 'Standard business hours' });
    await dept.getByLabel('Language of its tasks', { exact: true }).selectOption('ru');
    await dept.getByRole('button', { name: 'Add' }).click();
    await notice('Department Service processing department created');
    // The dialog stays open on the new department, for its members: none yet, closed.
    await page.getByRole('heading', { name: 'Members' }).waitFor();
    await page.getByRole('dialog').getByRole('button', { name: 'Close' }).click();
    await page.getByRole('dialog').waitFor({ state: 'hidden' });

    // Integration → Processing modules → Add: Licenses, BILLmanager, the account, then the parameters.
    await menu('Processing modules');
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    const wizard = page.getByRole('region', { name: 'Add processing module' });
    await wizard.getByRole('radio', { name: 'Licenses' }).check();
    await wizard.getByRole('button', { name: 'Next' }).click();
    await wizard.getByRole('radio', { name: 'BILLmanager' }).check();
    await wizard.getByRole('button', { name: 'Next' }).click();
    await wizard.getByLabel('URL *').fill(upstream.url);
    await wizard.getByLabel('Username *').fill('partner');
    await wizard.getByLabel('Password *').fill(PASSWORD);
    await wizard.getByRole('button', { name: 'Check connection' }).click();
    await expect.poll(() => wizard.getByRole('status').innerText()).toContain('Connection works');
    await wizard.getByRole('button', { name: 'Next' }).click();
    await wizard.getByLabel('Data center').selectOption({ label: 'Frankfurt' });
    await wizard.getByLabel('Department').selectOption({ label: 'Service processing department' });
    await wizard.getByLabel('Name (en) *').fill('ispmanager EU');
    await wizard.getByRole('button', { name: 'Finish' }).click();
    await notice('Processing module "ispmanager EU" added');

    // Products → Tariff plans → Import: ispmanager 6 lite with the default 20 % markup, then on sale.
    await menu('Tariff plans');
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    const importDialog = page.getByRole('dialog', { name: 'Import tariff plan from a processing module' });
    await importDialog.getByRole('radio', { name: 'ispmanager 6 lite (55227)' }).check();
    const preview = () => importDialog.locator('table[aria-label="Prices, upstream costs and margins"] tbody tr').allInnerTexts();
    await expect.poll(preview).toEqual(['1 month\t€6.00\t€7.20\t€1.20\tyes', '12 months\t€60.00\t€72.00\t€12.00\tyes']);
    await importDialog.getByRole('button', { name: 'Import', exact: true }).click();
    await notice('Tariff plan "ispmanager 6 lite" imported');
    await page.getByRole('button', { name: 'Put on sale' }).click();
    await notice('Tariff plan "ispmanager 6 lite" enabled');

    // Clients → Add client, then a bank transfer on the client's balance.
    await menu('Clients');
    await page.getByRole('button', { name: 'Add client' }).click();
    const newClient = page.getByRole('dialog', { name: 'New client' });
    await newClient.getByLabel('Name *').fill('Web Studio');
    await newClient.getByLabel('E-mail *').fill('studio@example.test');
    await newClient.getByLabel('Password *').fill('client-password');
    await newClient.getByRole('button', { name: 'Create client' }).click();
    await notice('Client "Web Studio" created');
    await page.getByRole('tab', { name: 'Balance and payments' }).click();
    const payment = page.getByRole('form', { name: 'Record a payment' });
    await payment.getByLabel('Amount (EUR) *').fill('100.00');
    await payment.getByRole('button', { name: 'Record payment' }).click();
    await notice('Payment of 100.00 EUR recorded; balance 100.00 EUR');

    // The client's licenses → Order a license: the catalog's price shown, the balance charged once.
    await page.getByRole('tab', { name: 'Licenses' }).click();
    await page.getByRole('button', { name: 'Order a license' }).click();
    const order = page.getByRole('form', { name: 'Order a license' });
    await order.getByRole('button', { name: 'Order and charge the balance' }).click();
    await expect.poll(() => order.getByRole('alert').allInnerTexts()).toEqual(['Choose a tariff plan', 'Choose a period', 'Enter a license name', 'Enter an IPv4 address such as 203.0.113.10']);
    await order.getByLabel('Tariff plan *').selectOption({ label: 'ispmanager 6 lite' });
    await order.getByLabel('Period *').selectOption({ label: '12 months — 72.00 EUR' });
    await order.getByLabel('License name *').fill('studio-web');
    await order.getByLabel('Server IP address *').fill('203.0.113.77');
    await expect.poll(() => order.innerText()).toContain('Price: €72.00');
    await order.getByRole('button', { name: 'Order and charge the balance' }).click();
    await notice('License "studio-web" ordered');

    // The license page: processing, then active by itself once the upstream confirmed, with its key.
    await page.getByRole('heading', { name: 'studio-web' }).waitFor();
    const licenseId = Number(new URL(page.url()).pathname.split('/').pop());
    await expect.poll(() => page.getByRole('main').innerText(), { timeout: 30_000 }).toContain('active');
    const stored = (await server.admin.get(`/api/v1/licenses/${licenseId}`)).body;
    expect(stored).toMatchObject({ status: 'active', licenseName: 'studio-web', ip: '203.0.113.77', period: 12, price: '72.00' });
    expect(stored.licenseKey).toBeTruthy();
    await expect.poll(() => page.getByRole('main').innerText()).toContain(stored.licenseKey);
    // Bought once upstream, charged once here.
    expect(upstream.control.licenses().filter((l) => l.ip === '203.0.113.77')).toHaveLength(1);
    const clientId = stored.clientId as number;
    expect((await server.admin.get(`/api/v1/clients/${clientId}`)).body.balance).toBe('28.00');
    await page.mouse.move(0, 0);
    await page.screenshot({ path: path.join(shotDir, 'billrelay-ui-guide-license.png'), fullPage: true });

    // What was set up is what the guide asks for: the module uses the data center and the department.
    const [module] = (await server.admin.get('/api/v1/processing-modules')).body.items;
    const [department] = (await server.admin.get('/api/v1/departments?perPage=500')).body.items.filter((d: { displayName: string }) => d.displayName === 'Service processing department');
    expect(department).toMatchObject({ taskLocale: 'ru' });
    expect(department.businessHoursId).not.toBeNull();
    expect(module).toMatchObject({ departmentId: department.id, connection: { username: 'partner' } });
  }, 180_000);
});
