// The processing-module wizard, the dashboard, tasks and operations in a real browser, against the upstream simulator.
// Needs Debian's Chromium at /usr/bin/chromium (apt-get install -y chromium); skipped without it.
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import type { TestBillrelay } from '../support/billrelay.js';
import { connectSandboxModule, enqueue, insertLicense, licenseRow, operationRow, tariffAndClient } from '../support/licenses.js';
import { hasChromium, shotDir, skipNote, startUi, type Ui } from './browser.js';

const PASSWORD = 'Upstream-Secret-7q2w';

describe.skipIf(!hasChromium)(`processing modules and the dashboard in Chromium${skipNote}`, () => {
  let ui: Ui;
  let server: TestBillrelay;
  let page: Page;
  let upstream: Sandbox;

  beforeAll(async () => {
    upstream = await startSandbox({
      accounts: [
        { username: 'partner', password: PASSWORD, balance: '250.00', currency: 'EUR' },
        { username: 'two-factor', password: PASSWORD, twoFactor: true },
      ],
    });
    ui = await startUi();
    ({ server, page } = ui);
  }, 120_000);

  afterAll(async () => {
    await ui?.close();
    await upstream?.close();
  });

  const moduleRows = () => page.locator('table[aria-label="Processing modules"] tbody tr').allInnerTexts();
  const card = (name: string) => page.getByRole('article', { name });
  /** An order the upstream account cannot pay (its open waits for a person), shown on the operations page filtered to manual. */
  async function manualOpenOnPage(licenseName: string, ip: string) {
    const module = await connectSandboxModule(server, upstream, { balance: '0.00' });
    const { tariffId, clientId } = await tariffAndClient(server, module.id);
    const license = await insertLicense(server, { clientId, tariffId, licenseName, ip });
    const id = license.operationId!;
    await expect.poll(async () => (await operationRow(server, id)).status, { timeout: 5_000, interval: 50 }).toBe('manual');
    await page.getByRole('link', { name: 'Running operations' }).click();
    await page.getByRole('heading', { name: 'Running operations' }).waitFor();
    await page.getByLabel('Status').selectOption('manual');
    const row = page.locator(`tr[data-id="${id}"]`);
    await row.waitFor();
    return { id, row, license, tariffId, clientId };
  }

  test('an administrator adds a module with the wizard, sees its balance on the dashboard and works a task', async () => {
    await server.admin.post('/api/v1/datacenters', { name: { en: 'Frankfurt' } });
    await ui.login();
    await page.getByRole('heading', { name: 'What needs attention' }).waitFor();
    await page.getByText('No processing modules yet').waitFor();

    await page.getByRole('navigation', { name: 'Main menu' }).getByRole('link', { name: 'Processing modules' }).click();
    await page.getByText('No processing modules yet.').waitFor();
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    const wizard = page.getByRole('region', { name: 'Add processing module' });

    // 1. Product type, 2. module type.
    await wizard.getByRole('radio', { name: 'Licenses' }).waitFor();
    expect(await wizard.getByRole('radio', { name: 'Licenses' }).isChecked()).toBe(true);
    await wizard.getByRole('button', { name: 'Next' }).click();
    expect(await wizard.getByRole('radio').count()).toBe(2);
    await wizard.getByRole('radio', { name: 'BILLmanager' }).check();
    await wizard.getByRole('button', { name: 'Next' }).click();

    // 3. Integration settings: the default URL, a two-factor account's error in the API's words, then a good account.
    const url = wizard.getByLabel('URL *');
    expect(await url.inputValue()).toBe('https://api-eu.ispmanager.com');
    await url.fill(upstream.url);
    await wizard.getByLabel('Username *').fill('two-factor');
    await wizard.getByLabel('Password *').fill(PASSWORD);
    expect(await wizard.getByRole('button', { name: 'Next' }).isDisabled()).toBe(true);
    await wizard.getByRole('button', { name: 'Check connection' }).click();
    await expect.poll(() => wizard.getByRole('alert').innerText()).toMatch(/two-factor/i);
    expect(await wizard.getByRole('button', { name: 'Next' }).isDisabled()).toBe(true);

    // An upstream that does not tell the account currency: the wizard asks for it.
    upstream.control.configure({ quirks: { currencyIn: 'none' } });
    await wizard.getByLabel('Username *').fill('partner');
    await wizard.getByRole('button', { name: 'Check connection' }).click();
    await expect.poll(() => wizard.getByRole('alert').innerText()).toMatch(/choose the currency/);
    await wizard.getByLabel('Currency *').fill('eur');
    await wizard.getByRole('button', { name: 'Check connection' }).click();
    await expect.poll(() => wizard.getByRole('status').innerText()).toContain('Connection works: balance €250.00');
    upstream.control.configure({ profile: 'realistic' });
    // The address without a path became the one that answered.
    expect(await url.inputValue()).toBe(`${upstream.url}/billmgr`);
    expect(await wizard.getByLabel('Password *').getAttribute('type')).toBe('password');
    expect(await page.content()).not.toContain(PASSWORD);
    await page.mouse.move(0, 0);
    await page.screenshot({ path: path.join(shotDir, 'billrelay-ui-wizard.png'), fullPage: true });
    await wizard.getByRole('button', { name: 'Next' }).click();

    // Back to the settings and forward again: the password is kept, not shown.
    await wizard.getByRole('button', { name: 'Back' }).click();
    expect(await wizard.getByLabel('Password *').inputValue()).toBe('');
    expect(await wizard.getByLabel('Password *').getAttribute('placeholder')).toBe('kept; type to change');
    await wizard.getByRole('button', { name: 'Next' }).click();

    // 4. Parameters, then Finish.
    await wizard.getByLabel('Data center').selectOption({ label: 'Frankfurt' });
    await wizard.getByLabel('Name (en) *').fill('ispmanager EU');
    await wizard.getByLabel('Name (ru)').fill('ispmanager ЕС');
    await wizard.getByLabel('Minimal balance (EUR)').fill('100.00');
    await wizard.getByRole('button', { name: 'Finish' }).click();
    await page.getByText('Processing module "ispmanager EU" added').waitFor();
    // The notice comes first; the list reloads right after it.
    await expect.poll(moduleRows).toEqual(['1\tispmanager EU\tBILLmanager\tenabled\t€250.00\t€100.00\tFrankfurt\t—\t▲▼Disable']);
    expect(await page.content()).not.toContain(PASSWORD);
    const [stored] = (await server.admin.get('/api/v1/processing-modules')).body.items;
    expect(stored).toMatchObject({ name: { en: 'ispmanager EU', ru: 'ispmanager ЕС' }, connection: { url: `${upstream.url}/billmgr`, username: 'partner', currency: 'EUR' } });

    // Disable and enable again; a second (manual) module moves above it.
    await page.getByRole('button', { name: 'Disable ispmanager EU' }).click();
    await expect.poll(moduleRows).toEqual(['1\tispmanager EU\tBILLmanager\tdisabled\t€250.00\t€100.00\tFrankfurt\t—\t▲▼Enable']);
    await page.getByRole('button', { name: 'Enable ispmanager EU' }).click();
    await page.getByText('"ispmanager EU" enabled').waitFor();
    await server.admin.post('/api/v1/processing-modules', { productType: 'licenses', moduleType: 'manual', name: { en: 'By hand' } });
    await page.reload();
    await expect.poll(async () => (await moduleRows()).length).toBe(2);
    await page.getByRole('button', { name: 'Move By hand up' }).click();
    await expect.poll(async () => (await moduleRows()).map((r) => r.split('\t')[1])).toEqual(['By hand', 'ispmanager EU']);
    await page.mouse.move(0, 0);
    await page.screenshot({ path: path.join(shotDir, 'billrelay-ui-modules.png'), fullPage: true });

    // The dashboard: the balance and currency, and no warning while it is above the minimal balance.
    await page.getByRole('link', { name: 'What needs attention' }).click();
    const eu = card('ispmanager EU');
    // Money in the locale's format (en-US here), from the API's decimal strings.
    await expect.poll(() => eu.innerText()).toContain('€250.00');
    expect(await eu.innerText()).toContain('€100.00');
    expect(await eu.locator('.warning').count()).toBe(0);
    expect(await card('By hand').innerText()).toContain('no upstream balance');

    // The upstream balance drops: "Check balance" reads it and the card warns.
    upstream.control.upsertAccount({ username: 'partner', balance: '40.00' });
    await page.getByRole('button', { name: 'Check balance of ispmanager EU' }).click();
    await expect.poll(() => eu.locator('.balance').innerText()).toBe('€40.00');
    expect(await eu.locator('.warning').innerText()).toContain('below the minimal balance');

    // A module whose last upstream call failed shows the error message.
    upstream.control.upsertAccount({ username: 'partner', password: 'changed-elsewhere' });
    await page.getByRole('button', { name: 'Check balance of ispmanager EU' }).click();
    await expect.poll(() => eu.innerText()).toMatch(/Error: .*two-factor/i);
    await expect.poll(() => page.getByRole('alert').innerText()).toMatch(/two-factor/i);
    upstream.control.upsertAccount({ username: 'partner', password: PASSWORD });

    // The balance read below the minimum opened the module's low-balance task at once: it is counted, with a link to the list.
    await page.reload();
    const counters = page.getByRole('region', { name: 'Work waiting' });
    await expect.poll(() => counters.innerText()).toContain('1 open task');
    expect(await counters.innerText()).toContain('0 operations waiting for a person');
    await page.mouse.move(0, 0);
    const shot = path.join(shotDir, 'billrelay-ui-dashboard.png');
    await page.screenshot({ path: shot, fullPage: true });
    console.log(`screenshot: ${shot}`);

    // Tasks: its text is on the page; take it, assign it to a member of its department, then close it.
    await counters.getByRole('link', { name: /open task/ }).click();
    await page.getByRole('heading', { name: 'Tasks' }).waitFor();
    const taskRows = () => page.locator('table[aria-label="Tasks"] tbody tr').allInnerTexts();
    await expect.poll(taskRows).toHaveLength(1);
    const [row] = await taskRows();
    expect(row).toContain('Top up the upstream balance of ispmanager EU');
    expect(row).toContain('low balance\tnew');
    const text = page.getByText('Renewals through this module wait until the balance is topped up.');
    expect(await text.isVisible()).toBe(true);
    expect(row).toContain('is 40.00 EUR, below its minimal balance of 100.00 EUR');
    const [task] = (await server.admin.get('/api/v1/tasks?status=open')).body.items;
    const me = (await server.admin.get('/api/v1/auth/me')).body as { id: number; name: string };
    await page.getByRole('button', { name: `Take task ${task.id}` }).click();
    await page.getByText(`Task "${task.title}" taken`).waitFor();
    await expect.poll(async () => (await taskRows())[0]).toContain('in progress');
    expect((await taskRows())[0]).toContain(`${me.name}\ntook it`);
    expect(await page.getByRole('button', { name: `Take task ${task.id}` }).count()).toBe(0);
    expect(await server.admin.get(`/api/v1/tasks/${task.id}`)).toMatchObject({ body: { performer: { id: me.id }, assignedBy: { id: me.id } } });
    expect(await page.getByRole('button', { name: /^Restart operation/ }).count()).toBe(0);

    // Assign: the form offers the members of the task's department.
    const dana = await server.admin.post('/api/v1/employees', {
      email: 'dana@example.test', name: 'Dana Ops', password: 'dana-password-1', language: 'en', departmentIds: [task.departmentId],
    });
    expect(dana.status, JSON.stringify(dana.body)).toBe(201);
    await page.getByRole('button', { name: `Assign task ${task.id}` }).click();
    const assign = page.getByRole('form', { name: `Assign task ${task.id}` });
    await expect.poll(() => assign.getByLabel('Performer *').locator('option').allInnerTexts()).toEqual(['Dana Ops (dana@example.test)']);
    // Escape closes it and gives the focus back to the button.
    await page.keyboard.press('Escape');
    await assign.waitFor({ state: 'detached' });
    await expect.poll(() => page.locator(':focus').getAttribute('aria-label')).toBe(`Assign task ${task.id}`);
    await page.getByRole('button', { name: `Assign task ${task.id}` }).click();
    await assign.getByLabel('Performer *').selectOption({ label: 'Dana Ops (dana@example.test)' });
    await assign.getByRole('button', { name: 'Assign' }).click();
    await page.getByText(`Task "${task.title}" assigned to Dana Ops`).waitFor();
    await expect.poll(async () => (await taskRows())[0]).toContain(`Dana Ops\nassigned by ${me.name}`);
    expect((await taskRows())[0]).toContain('in progress');
    await page.getByRole('button', { name: /^Done task/ }).click();
    await page.getByText('Nothing to do.').waitFor();
    await page.getByLabel('Show').selectOption('done');
    await expect.poll(async () => (await taskRows())[0]).toContain('done');

    // Running operations and licenses: empty lists, no errors.
    await page.getByRole('link', { name: 'Running operations' }).click();
    await page.getByText('No operations.').waitFor();
    await page.getByRole('link', { name: 'Licenses' }).click();
    await page.getByText('No licenses yet.').waitFor();
    expect(await page.getByRole('alert').count()).toBe(0);
  }, 90_000);
  test('purchases the upstream refused wait for a person: counted, restarted from the pages, then listed as licenses', async () => {
    // No upstream money: both orders stop in status manual, each with a setup task.
    const module = await connectSandboxModule(server, upstream, { balance: '0.00' });
    const { tariffId, clientId } = await tariffAndClient(server, module.id);
    const a = await insertLicense(server, { clientId, tariffId, licenseName: 'shop-a', ip: '203.0.113.61' });
    const b = await insertLicense(server, { clientId, tariffId, licenseName: 'shop-b', ip: '203.0.113.62' });
    for (const id of [a.operationId!, b.operationId!]) {
      await expect.poll(async () => (await operationRow(server, id)).status, { timeout: 5_000, interval: 50 }).toBe('manual');
    }

    await page.getByRole('link', { name: 'What needs attention' }).click();
    const counters = page.getByRole('region', { name: 'Work waiting' });
    await expect.poll(() => counters.innerText()).toContain('2 operations waiting for a person');
    expect(await counters.innerText()).toContain('2 open tasks');

    await counters.getByRole('link', { name: /waiting for a person/ }).click();
    await page.getByRole('heading', { name: 'Running operations' }).waitFor();
    await page.getByLabel('Status').selectOption('manual');
    const opRows = () => page.locator('table[aria-label="Running operations"] tbody tr').allInnerTexts();
    await expect.poll(async () => (await opRows()).length).toBe(2);
    const opRow = page.locator(`tr[data-id="${a.operationId}"]`);
    expect(await opRow.innerText()).toMatch(new RegExp(`^${a.operationId}\topen\tmanual\t#${a.licenseId}\t`));
    expect(await opRow.locator('td').nth(6).innerText()).not.toBe('—');

    // Money arrives upstream; one is restarted here, the other from its task.
    upstream.control.upsertAccount({ username: module.username, balance: '1000.00' });
    await page.getByRole('button', { name: `Restart operation ${a.operationId}` }).click();
    await page.getByText(`Operation #${a.operationId} restarted`).waitFor();
    await expect.poll(async () => (await licenseRow(server, a.licenseId)).status, { timeout: 5_000, interval: 50 }).toBe('active');

    await page.getByRole('link', { name: 'Tasks' }).click();
    const taskB = page.locator('table[aria-label="Tasks"] tbody tr', { hasText: 'Set up license shop-b' });
    await taskB.waitFor();
    // Its text says what failed; its operation waits for a person, so the operation's actions are offered, not Done.
    expect(await taskB.innerText()).toMatch(/Last error: .*(balance|funds)/i);
    expect(await taskB.innerText()).toContain(`#${b.operationId} open manual`);
    expect(await taskB.getByRole('button', { name: /^Done task/ }).count()).toBe(0);
    expect(await taskB.getByRole('button', { name: /done by hand$/ }).count()).toBe(1);
    await page.mouse.move(0, 0);
    await page.screenshot({ path: path.join(shotDir, 'billrelay-ui-tasks.png'), fullPage: true });
    await taskB.getByRole('button', { name: /^Restart operation/ }).click();
    await page.getByText(`Operation #${b.operationId} restarted`).waitFor();
    await expect.poll(async () => (await licenseRow(server, b.licenseId)).status, { timeout: 5_000, interval: 50 }).toBe('active');

    // The licenses list shows both, active, with their keys.
    await page.getByRole('link', { name: 'Licenses' }).click();
    const licenseRows = () => page.locator('table[aria-label="Licenses"] tbody tr').allInnerTexts();
    await expect.poll(async () => (await licenseRows()).length).toBe(2);
    for (const [name, ip] of [['shop-a', '203.0.113.61'], ['shop-b', '203.0.113.62']]) {
      // Name, client, tariff, period, status, expires, IP, key, price.
      const cells = (await page.locator('table[aria-label="Licenses"] tbody tr', { hasText: name }).innerText()).split('\t');
      expect([cells[0], cells[4], cells[6]]).toEqual([name, 'active', ip]);
      expect(cells[5]).toMatch(/^[A-Z][a-z]{2} \d{1,2}, \d{4}$/); // the expiry, as en-US writes a date
      expect(cells[7]).not.toBe('—'); // the key
    }
    await page.mouse.move(0, 0);
    await page.screenshot({ path: path.join(shotDir, 'billrelay-ui-licenses.png'), fullPage: true });
  }, 90_000);

  test('an operation waiting for a person is abandoned from the operations page, with a reason', async () => {
    const { id, row } = await manualOpenOnPage('shop-c', '203.0.113.63');
    const abandon = row.getByRole('button', { name: `Abandon operation ${id}` });

    // The dialog says what happens to the money; cancelling it changes nothing.
    await abandon.click();
    const dialog = page.getByRole('dialog');
    expect(await dialog.innerText()).toContain('the client is refunded and the license deleted');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
    expect((await operationRow(server, id)).status).toBe('manual');

    // A reason is needed: without one the field says so and nothing is sent.
    await abandon.click();
    await dialog.getByRole('button', { name: 'Abandon operation' }).click();
    await expect.poll(() => dialog.getByRole('alert').innerText()).toContain('Say why the operation is given up');
    expect((await operationRow(server, id)).status).toBe('manual');
    await dialog.getByLabel('Reason').fill('Ordered by hand upstream');
    await dialog.getByRole('button', { name: 'Abandon operation' }).click();
    await page.getByText(`Operation #${id} abandoned`).waitFor();
    expect(await operationRow(server, id)).toMatchObject({ status: 'failed', lastError: 'Ordered by hand upstream' });

    // Abandoned is ended for good: neither restarted nor recorded nor abandoned again (the API refuses a restart too).
    await page.getByLabel('Status').selectOption('failed');
    const failed = page.locator(`tr[data-id="${id}"]`);
    await expect.poll(() => failed.innerText()).toContain('Ordered by hand upstream');
    expect(await failed.getByRole('button').count()).toBe(0);
    expect((await server.admin.post(`/api/v1/operations/${id}/restart`)).status).toBe(409);
    expect(await page.getByRole('alert').count()).toBe(0);
    // Its task is done, and the done list offers nothing for it either.
    await page.getByRole('link', { name: 'Tasks' }).click();
    await page.getByLabel('Show').selectOption('done');
    const task = page.locator('table[aria-label="Tasks"] tbody tr', { hasText: 'shop-c' });
    await expect.poll(() => task.innerText()).toContain(`#${id} open failed`);
    expect(await task.getByRole('button').count()).toBe(0);
  }, 60_000);

  test('an open the upstream could not pay for is bought by hand and recorded in one form, from the operations page and from its task', async () => {
    const { id, row, license: d, tariffId, clientId } = await manualOpenOnPage('shop-d', '203.0.113.64');
    // One dialog with the fields the kind needs, named after the operation.
    const form = (o: number, kind: string) => page.getByRole('dialog', { name: `Operation #${o} (${kind}) done by hand` });
    const labels = (f: ReturnType<typeof form>) => f.locator('label').allInnerTexts();
    // No more questions one at a time in the browser's own prompts.
    const prompts: string[] = [];
    const onDialog = (dialog: import('playwright-core').Dialog) => {
      prompts.push(dialog.message());
      void dialog.dismiss();
    };
    page.on('dialog', onDialog);
    try {
      await row.getByRole('button', { name: `Operation ${id} done by hand` }).click();
      const open = form(id, 'open');
      await open.waitFor();
      // Exactly what an open needs, and a note; the first field has the focus.
      expect(await labels(open)).toEqual(['Upstream license id *', 'License key *', 'Expiry date *', 'What was done']);
      expect(await open.getByLabel('Expiry date *').getAttribute('type')).toBe('date');
      await expect.poll(() => page.locator(':focus').getAttribute('name')).toBe('upstreamId');

      // A value the API refuses: its sentence under the field, nothing typed is lost.
      await open.getByLabel('Upstream license id *').fill('3188 001');
      await open.getByLabel('License key *').fill('KEY-SHOP-D');
      await open.getByLabel('Expiry date *').fill('2027-12-01');
      await open.getByLabel('What was done').fill('Bought in the upstream panel');
      await open.getByRole('button', { name: 'Record as done' }).click();
      await expect.poll(() => open.locator('.mantine-InputWrapper-error').allInnerTexts()).toEqual([expect.stringMatching(/letters, digits/)]);
      expect(await open.getByLabel('Upstream license id *').getAttribute('aria-invalid')).toBe('true');
      expect(await open.getByLabel('License key *').inputValue()).toBe('KEY-SHOP-D');
      expect((await operationRow(server, id)).status).toBe('manual');

      await open.getByLabel('Upstream license id *').fill('3188001');
      await open.getByRole('button', { name: 'Record as done' }).click();
      await page.getByText(`Operation #${id} recorded as done by hand`).waitFor();
      await open.waitFor({ state: 'detached' });
      expect(await operationRow(server, id)).toMatchObject({ status: 'succeeded' });
      expect(await licenseRow(server, d.licenseId)).toMatchObject({ status: 'active', upstreamId: '3188001', licenseKey: 'KEY-SHOP-D', expiresOn: '2027-12-01' });
      const history = (await server.admin.get(`/api/v1/licenses/${d.licenseId}/history`)).body.items as { message: string | null }[];
      expect(history.some((h) => h.message === 'Operation "open" done by hand: Bought in the upstream panel')).toBe(true);
      expect(await page.getByRole('alert').count()).toBe(0);

      // The same from the task the department works from (the note left empty).
      const e = await insertLicense(server, { clientId, tariffId, licenseName: 'shop-e', ip: '203.0.113.65' });
      await expect.poll(async () => (await operationRow(server, e.operationId!)).status, { timeout: 5_000, interval: 50 }).toBe('manual');
      await page.getByRole('link', { name: 'Tasks' }).click();
      const task = page.locator('table[aria-label="Tasks"] tbody tr', { hasText: 'shop-e' });
      await task.waitFor();
      await task.getByRole('button', { name: /^Operation of task \d+ done by hand$/ }).click();
      const fromTask = form(e.operationId!, 'open');
      await fromTask.getByLabel('Upstream license id *').fill('3188002');
      await fromTask.getByLabel('License key *').fill('KEY-SHOP-E');
      await fromTask.getByLabel('Expiry date *').fill('2027-12-02');
      await fromTask.getByRole('button', { name: 'Record as done' }).click();
      await page.getByText(`Operation #${e.operationId} recorded as done by hand`).waitFor();
      expect(await licenseRow(server, e.licenseId)).toMatchObject({ status: 'active', upstreamId: '3188002', licenseKey: 'KEY-SHOP-E', expiresOn: '2027-12-02' });
      // Its task is done: the open tasks no longer show it.
      await expect.poll(() => page.locator('table[aria-label="Tasks"] tbody tr', { hasText: 'shop-e' }).count()).toBe(0);

      // Other kinds ask for what they need: a renewal its new expiry, a suspension a note only. (The
      // upstream does not know 3188001, so both go to a person; that refusal is about the license: the
      // module keeps the error of its last call about the account, its empty balance.)
      const prolong = await enqueue(server, d.licenseId, 'prolong', { months: 12, upstreamPeriod: 12, periodStart: '2027-12-01', expectedExpiry: '2028-12-01' });
      await expect.poll(async () => (await operationRow(server, prolong.id)).status, { timeout: 5_000, interval: 50 }).toBe('manual');
      const suspend = await enqueue(server, d.licenseId, 'suspend', {});
      await expect.poll(async () => (await operationRow(server, suspend.id)).status, { timeout: 5_000, interval: 50 }).toBe('manual');
      const moduleId = (await operationRow(server, prolong.id)).moduleId;
      expect((await server.admin.get(`/api/v1/processing-modules/${moduleId}`)).body).toMatchObject({ status: 'error', lastError: { code: 'upstream_insufficient_funds' } });
      expect((await operationRow(server, prolong.id)).lastErrorCode).not.toBe('upstream_insufficient_funds');

      await page.getByRole('link', { name: 'Running operations' }).click();
      await page.getByLabel('Status').selectOption('manual');
      await page.locator(`tr[data-id="${prolong.id}"]`).getByRole('button', { name: `Operation ${prolong.id} done by hand` }).click();
      const renewal = form(prolong.id, 'prolong');
      expect(await labels(renewal)).toEqual(['New expiry date *', 'What was done']);
      await renewal.getByLabel('New expiry date *').fill('2028-12-01');
      await page.mouse.move(0, 0);
      await page.screenshot({ path: path.join(shotDir, 'billrelay-ui-done-by-hand.png'), fullPage: true });
      await renewal.getByRole('button', { name: 'Record as done' }).click();
      await page.getByText(`Operation #${prolong.id} recorded as done by hand`).waitFor();
      expect((await licenseRow(server, d.licenseId)).expiresOn).toBe('2028-12-01');

      await page.locator(`tr[data-id="${suspend.id}"]`).getByRole('button', { name: `Operation ${suspend.id} done by hand` }).click();
      const suspension = form(suspend.id, 'suspend');
      expect(await labels(suspension)).toEqual(['What was done']);
      // Escape closes it; the focus goes back to its button.
      await page.keyboard.press('Escape');
      await suspension.waitFor({ state: 'detached' });
      await expect.poll(() => page.locator(':focus').getAttribute('aria-label')).toBe(`Operation ${suspend.id} done by hand`);
      await page.keyboard.press('Enter');
      await suspension.getByLabel('What was done').fill('Suspended in the upstream panel');
      await suspension.getByRole('button', { name: 'Record as done' }).click();
      await page.getByText(`Operation #${suspend.id} recorded as done by hand`).waitFor();
      expect((await licenseRow(server, d.licenseId)).status).toBe('suspended');
    } finally {
      page.off('dialog', onDialog);
    }
    expect(prompts).toEqual([]);
  }, 60_000);
});
