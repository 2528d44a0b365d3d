// The support center for staff in Chromium: a client's tickets, opened through the API, show in Tools →
// Tickets, whose filters narrow the list and stay in the URL; staff open one, reply with a file (the client
// then reads the reply and downloads the file through the API), add an internal note the client never sees,
// move the ticket to another department, take it there and close it. The client page lists the client's
// tickets; a department's answer times are edited on its form. axe-core finds no serious or critical
// violation; the ticket page speaks Russian; nothing scrolls sideways at 390 px.
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { ApiClient } from '../support/http.js';
import type { TestBillrelay } from '../support/billrelay.js';
import { axeViolations, hasChromium, shotDir, skipNote, startUi, type Ui } from './browser.js';

const pageWidth = async (page: Page) => Number(await page.evaluate('document.documentElement.scrollWidth'));

describe.skipIf(!hasChromium)(`Tools → Tickets in Chromium${skipNote}`, () => {
  let ui: Ui;
  let server: TestBillrelay;
  let page: Page;
  let customer: ApiClient;
  let clientId: number;
  let technical: number;
  let billing: number;
  let keyTicket: number;
  let invoiceTicket: number;

  const main = () => page.getByRole('main');
  const table = () => main().getByRole('table', { name: 'Tickets' });
  const subjects = async () => (await table().locator('tbody tr td:first-child a').allInnerTexts()).sort();
  const asClient = async (id: number) => {
    const answer = await customer.get(`/api/v1/tickets/${id}`);
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    return answer.body;
  };

  beforeAll(async () => {
    // A small attachment limit, so a too-large file is quick to make.
    ui = await startUi({ env: { BILLRELAY_SCHEDULER: 'off', BILLRELAY_ATTACHMENT_MAX_BYTES: '4096' } }, { bypassCSP: true });
    ({ server, page } = ui);
    const department = async (name: string) => {
      const created = await server.admin.post('/api/v1/departments', { name: { en: name }, showInSupportCenter: true, providerIds: [1], taskLocale: 'en' });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      return created.body.id as number;
    };
    technical = await department('Technical support');
    billing = await department('Billing');
    const created = await server.admin.post('/api/v1/clients', { name: 'Olga Petrova', email: 'olga@example.test', password: 'client-password', language: 'en', providerId: 1 });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    clientId = created.body.id;
    customer = await server.loginAs('olga@example.test', 'client-password');
    const open = async (departmentId: number, subject: string, body: string) => {
      const ticket = await customer.post('/api/v1/tickets', { departmentId, subject, body });
      expect(ticket.status, JSON.stringify(ticket.body)).toBe(201);
      return ticket.body.id as number;
    };
    keyTicket = await open(technical, 'License key does not work', 'Hello, the key says it is invalid on my server.');
    invoiceTicket = await open(billing, 'Invoice question', 'Could you send me the invoice for March?');
    // The invoice question's answer was due yesterday: it is overdue.
    await server.billrelay.db.kysely
      .updateTable('tickets')
      .set({ dueAt: new Date(server.clock.now().getTime() - 86_400_000).toISOString() })
      .where('id', '=', invoiceTicket)
      .execute();
    await ui.login();
  }, 180_000);

  afterAll(async () => {
    await ui?.close();
  });

  test("the client's tickets show in the list; the filters narrow it and stay in the URL", async () => {
    await page.getByRole('link', { name: 'Tickets' }).click();
    await page.getByRole('heading', { name: 'Tickets', level: 1 }).waitFor();
    await table().getByRole('link', { name: 'License key does not work' }).waitFor();
    expect(await subjects()).toEqual(['Invoice question', 'License key does not work']);
    const overdueRow = table().getByRole('row', { name: /Invoice question/ });
    // Overdue says so in words, not only in colour.
    expect(await overdueRow.innerText()).toContain('overdue');
    expect(await table().getByRole('row', { name: /License key does not work/ }).innerText()).not.toContain('overdue');
    expect(await overdueRow.getByRole('link', { name: 'Olga Petrova' }).getAttribute('href')).toBe(`/billmgr/clients/${clientId}`);
    expect(await axeViolations(page)).toEqual([]);

    await main().getByLabel('Department').selectOption(String(billing));
    await page.waitForURL(new RegExp(`department=${billing}`));
    await expect.poll(subjects).toEqual(['Invoice question']);
    await main().getByLabel('Department').selectOption('');
    await page.waitForURL((url) => !url.searchParams.has('department'));
    // The box follows the URL (a controlled filter): click, then wait for the URL rather than the box.
    await main().getByLabel('Overdue only').click();
    await page.waitForURL(/overdue=true/);
    await expect.poll(subjects).toEqual(['Invoice question']);
    await main().getByLabel('Overdue only').click();
    await page.waitForURL((url) => !url.searchParams.has('overdue'));
    await main().getByLabel('Subject', { exact: true }).fill('license key');
    await main().getByRole('button', { name: 'Find' }).click();
    await page.waitForURL(/q=license/);
    await expect.poll(subjects).toEqual(['License key does not work']);
    await main().getByLabel('Performer').selectOption('me');
    await page.waitForURL(/performer=me/);
    await table().getByText('No ticket matches these filters.').waitFor();
    // A reload keeps the filters.
    await page.reload();
    await table().getByText('No ticket matches these filters.').waitFor();
    expect(await main().getByLabel('Performer').inputValue()).toBe('me');
    await main().getByLabel('Performer').selectOption('none');
    await main().getByLabel('Status').selectOption('new');
    await expect.poll(subjects).toEqual(['License key does not work']);
    await main().getByLabel('Status').selectOption('closed');
    await table().getByText('No ticket matches these filters.').waitFor();
  }, 90_000);

  test('staff open the ticket and reply with a file; the client reads the reply and downloads the file', async () => {
    await page.goto(`${server.url}/billmgr/tickets`);
    await table().getByRole('link', { name: 'License key does not work' }).click();
    await page.getByRole('heading', { name: 'License key does not work', level: 1 }).waitFor();
    await main().getByText('Hello, the key says it is invalid on my server.').waitFor();
    expect(await main().getByRole('link', { name: 'Olga Petrova' }).first().getAttribute('href')).toBe(`/billmgr/clients/${clientId}`);
    expect(await axeViolations(page)).toEqual([]);

    const form = main().getByRole('form', { name: 'Reply to the client' });
    await form.getByRole('button', { name: 'Send reply' }).click();
    await form.getByText('Write the message.').waitFor();

    const files = form.getByLabel('Attach files');
    // A type the server does not take: its words, not a code, say why.
    await files.setInputFiles({ name: 'setup.exe', mimeType: 'application/x-msdownload', buffer: Buffer.from('MZ not really a program') });
    const refused = form.getByRole('alert').filter({ hasText: 'setup.exe was not attached' });
    await refused.waitFor();
    expect(await refused.innerText()).toContain('Files of type "application/x-msdownload" cannot be attached; allowed: image/png');
    await files.setInputFiles({ name: 'scan.pdf', mimeType: 'application/pdf', buffer: Buffer.alloc(5000, 1) });
    await form.getByRole('alert').filter({ hasText: 'scan.pdf was not attached: The file is larger than the limit of 4 KB' }).waitFor();
    await files.setInputFiles({ name: 'steps.txt', mimeType: 'text/plain', buffer: Buffer.from('1. Open the panel\n2. Enter the new key\n') });
    await form.getByText('steps.txt', { exact: false }).first().waitFor();
    await form.getByRole('button', { name: 'Remove steps.txt' }).waitFor();

    await form.getByLabel('Message *').fill('Please enter the new key from the attached steps.');
    await form.getByLabel('Status after the reply').selectOption('waiting_for_client');
    await form.getByRole('button', { name: 'Send reply' }).click();
    await page.getByText('Reply sent to the client.').waitFor();
    await main().locator('.ticket-thread').getByText('Please enter the new key from the attached steps.').waitFor();
    await main().locator('.ticket-thread').getByRole('link', { name: 'Download steps.txt' }).waitFor();
    await main().getByText('waiting for client').first().waitFor();

    const seen = await asClient(keyTicket);
    expect(seen.status).toBe('waiting_for_client');
    const reply = seen.messages.find((m: { body: string }) => m.body === 'Please enter the new key from the attached steps.');
    expect(reply).toMatchObject({ authorKind: 'employee', internal: false });
    expect(reply.attachments.map((a: { fileName: string }) => a.fileName)).toEqual(['steps.txt']);
    const file = await customer.get(`/api/v1/attachments/${reply.attachments[0].id}`);
    expect(file.status).toBe(200);
    expect(file.body).toContain('Enter the new key');
  }, 90_000);

  test('an internal note is marked as such and the client never sees it', async () => {
    const form = main().getByRole('form', { name: 'Reply to the client' });
    await form.getByLabel('Internal note (only staff see it; the status stays)').check();
    const note = main().getByRole('form', { name: 'Internal note' });
    await note.getByLabel('Message *').fill('Checked upstream: the key was regenerated yesterday.');
    expect(await note.getByLabel('Status after the reply').count()).toBe(0);
    await note.getByRole('button', { name: 'Add note' }).click();
    await page.getByText('Internal note added.').waitFor();
    const marked = main().getByRole('article', { name: 'Internal note — the client does not see it' });
    await marked.getByText('Checked upstream: the key was regenerated yesterday.').waitFor();
    expect(await marked.innerText()).toContain('Internal note — the client does not see it');
    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: path.join(shotDir, 'billrelay-ticket.png'), fullPage: true });

    const seen = await asClient(keyTicket);
    expect(JSON.stringify(seen)).not.toContain('regenerated yesterday');
    expect(seen.status).toBe('waiting_for_client');
  }, 60_000);

  test('staff move the ticket to another department, take it there and close it', async () => {
    const actions = main().getByRole('group', { name: 'Ticket actions' });
    const admin = (await server.admin.get('/api/v1/auth/me')).body;
    // Answering made the admin its performer: no Take for one's own ticket.
    await main().getByText('(you)').waitFor();
    expect(await actions.getByRole('button', { name: 'Take' }).count()).toBe(0);

    await actions.getByRole('button', { name: 'Move to another department' }).click();
    const dialog = page.getByRole('dialog', { name: `Move ticket #${keyTicket}` });
    await dialog.getByRole('button', { name: 'Move' }).click();
    await dialog.getByText('Choose the department.').waitFor();
    await dialog.getByLabel('Department *').selectOption(String(billing));
    expect(await axeViolations(page)).toEqual([]);
    await dialog.getByRole('button', { name: 'Move' }).click();
    await page.getByText(`Ticket #${keyTicket} moved to Billing.`).waitFor();
    await dialog.waitFor({ state: 'hidden' });
    expect((await server.admin.get(`/api/v1/tickets/${keyTicket}`)).body).toMatchObject({ departmentId: billing, performerId: null });
    await main().locator('.facts').getByText('Billing').waitFor();

    await actions.getByRole('button', { name: 'Take' }).click();
    await page.getByText(`Ticket #${keyTicket} is yours now.`).waitFor();
    await main().getByText('(you)').waitFor();
    expect((await server.admin.get(`/api/v1/tickets/${keyTicket}`)).body.performerId).toBe(admin.id);

    await actions.getByRole('button', { name: 'Close' }).click();
    const confirm = page.getByRole('dialog', { name: `Close ticket #${keyTicket}?` });
    await confirm.getByText('Close “License key does not work”?').waitFor();
    await confirm.getByRole('button', { name: 'Close ticket' }).click();
    await page.getByText(`Ticket #${keyTicket} closed.`).waitFor();
    await main().locator('.facts').getByText('closed', { exact: true }).waitFor();
    expect((await asClient(keyTicket)).status).toBe('closed');
    expect(await actions.getByRole('button', { name: 'Close' }).count()).toBe(0);
  }, 60_000);

  test("the client page lists the client's tickets with links to them", async () => {
    await page.goto(`${server.url}/billmgr/clients/${clientId}?tab=tickets`);
    const list = main().getByRole('table', { name: 'Tickets' });
    await list.getByRole('link', { name: 'Invoice question' }).waitFor();
    await list.getByRole('link', { name: 'License key does not work' }).click();
    await page.getByRole('heading', { name: 'License key does not work', level: 1 }).waitFor();
    expect(page.url()).toContain(`/billmgr/tickets/${keyTicket}`);
  }, 60_000);

  test("a department's answer times are edited on its form", async () => {
    await page.goto(`${server.url}/billmgr/departments`);
    await main().getByRole('button', { name: 'Edit Billing' }).click();
    const dialog = page.getByRole('dialog', { name: 'Department Billing' });
    const first = dialog.getByLabel('First answer within (working hours)');
    expect(await first.inputValue()).toBe('4');
    expect(await dialog.getByLabel('Next answer within (working hours)').inputValue()).toBe('8');
    await first.fill('0');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.getByText('Enter a whole number of hours from 1 to 720.').waitFor();
    await first.fill('6');
    await dialog.getByLabel('Next answer within (working hours)').fill('12');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Department Billing saved').waitFor();
    expect((await server.admin.get(`/api/v1/departments/${billing}`)).body).toMatchObject({ firstAnswerHours: 6, nextAnswerHours: 12 });
  }, 60_000);

  test('the ticket page in Russian', async () => {
    await page.goto(`${server.url}/billmgr/tickets/${keyTicket}`);
    await page.getByRole('heading', { name: 'License key does not work', level: 1 }).waitFor();
    await page.getByLabel('Language').selectOption('ru');
    try {
      await main().getByRole('heading', { name: 'Переписка' }).waitFor();
      await main().getByText('Внутренняя заметка — клиент её не видит').first().waitFor();
      await main().getByRole('heading', { name: 'Ответ клиенту' }).waitFor();
      await main().getByLabel('Статус после ответа').waitFor();
      await main().getByRole('button', { name: 'Отправить ответ' }).waitFor();
      await main().locator('.facts').getByText('закрыт', { exact: true }).waitFor();
      await main().getByRole('button', { name: 'Передать в другой отдел' }).waitFor();
      expect(await axeViolations(page)).toEqual([]);
    } finally {
      await page.getByLabel('Язык').selectOption('en');
      await main().getByRole('heading', { name: 'Conversation' }).waitFor();
    }
  }, 60_000);

  test('at 390 px neither the list nor a ticket scrolls sideways', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      const wide: string[] = [];
      for (const [route, ready] of [
        ['tickets', 'Invoice question'],
        [`tickets/${keyTicket}`, 'Please enter the new key from the attached steps.'],
        [`clients/${clientId}?tab=tickets`, 'Invoice question'],
      ] as const) {
        await page.goto(`${server.url}/billmgr/${route}`);
        await main().getByText(ready).first().waitFor();
        await page.screenshot({ path: path.join(shotDir, `billrelay-${route.replace(/\W+/g, '-')}-390.png`), fullPage: true });
        const width = await pageWidth(page);
        if (width > 390) wide.push(`${route}: ${width}px`);
      }
      expect(wide).toEqual([]);
    } finally {
      await page.setViewportSize({ width: 1200, height: 760 });
    }
  }, 60_000);
});
