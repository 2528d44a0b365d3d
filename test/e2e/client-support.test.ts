// The client's support center in Chromium: from the overview's open-tickets link a client opens a ticket on
// the support page (the departments offered to them with their category descriptions, one of their licenses), attaches a file (a
// too-big one is refused under the field in words); staff answer through the API and add an internal note;
// the client reads the answer on the page (never the note), gets the "ticket answered" e-mail (a real SMTP
// server), sees "waiting for your answer" in the list, replies and closes the ticket behind a confirmation.
// Another client's ticket is not found. axe-core finds no serious or critical violation on both pages, neither
// scrolls sideways at 390 px, and both speak Russian.
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import type { TestBillrelay } from '../support/billrelay.js';
import type { Sandbox } from '../../src/sandbox/index.js';
import { insertLicense } from '../support/licenses.js';
import { connectModule, createClient, importTariff, type TestClient } from '../support/scenario.js';
import { startSmtp, type TestSmtp } from '../support/smtp.js';
import { startUpstream } from '../support/upstream.js';
import { axeViolations, hasChromium, shotDir, skipNote, startUi, type Ui } from './browser.js';

async function until<T>(what: () => Promise<T>, ok: (value: T) => boolean, label: string): Promise<T> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const value = await what();
    if (ok(value)) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${label}: ${JSON.stringify(await what())}`);
}

describe.skipIf(!hasChromium)(`the client's support center in Chromium${skipNote}`, () => {
  let ui: Ui;
  let server: TestBillrelay;
  let page: Page;
  let smtp: TestSmtp;
  let upstream: Sandbox;
  let licenseId: number;
  let customer: TestClient;
  let technical: number;
  let ticketId: number;
  let othersTicket: number;
  const subject = 'The panel does not accept my key';

  const main = () => page.getByRole('main');
  const thread = () => main().locator('.ticket-thread');
  const asClient = async () => (await customer.api.get(`/api/v1/tickets/${ticketId}`)).body;

  beforeAll(async () => {
    smtp = await startSmtp();
    // A small attachment limit, so a too-big file is quick to make.
    ui = await startUi(
      { env: { BILLRELAY_SCHEDULER: 'off', BILLRELAY_SMTP_URL: smtp.url, BILLRELAY_MAIL_FROM: 'Support <support@reseller.test>', BILLRELAY_ATTACHMENT_MAX_BYTES: '4096' } },
      { bypassCSP: true },
    );
    ({ server, page } = ui);
    const department = async (name: { en: string; ru: string }, description: { en: string; ru: string }, showInSupportCenter = true) => {
      const created = await server.admin.post('/api/v1/departments', { name, showInSupportCenter, providerIds: [1], taskLocale: 'en', ticketCategoryDescription: description });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      return created.body.id as number;
    };
    technical = await department({ en: 'License keys', ru: 'Ключи лицензий' }, { en: 'Problems with the panel or a license key', ru: 'Проблемы с панелью или ключом лицензии' });
    await department({ en: 'Invoices', ru: 'Счета' }, { en: 'Payments, invoices and refunds', ru: 'Платежи, счета и возвраты' });
    await department({ en: 'Back office', ru: 'Бэк-офис' }, { en: 'Not for clients', ru: 'Не для клиентов' }, false);
    customer = await createClient(server);
    // A license of theirs, for "the license it concerns".
    upstream = await startUpstream(server);
    const module = await connectModule(server, upstream);
    const tariff = await importTariff(server, module.id, '55227', { markupPercent: '20' });
    ({ licenseId } = await insertLicense(server, { clientId: customer.id, tariffId: tariff.id, licenseName: 'shop-server', ip: '203.0.113.77', withoutOpen: true, columns: { status: 'active' } }));
    const other = await createClient(server);
    const theirs = await other.api.post('/api/v1/tickets', { departmentId: technical, subject: 'Somebody else’s secret question', body: 'Private words.' });
    expect(theirs.status, JSON.stringify(theirs.body)).toBe(201);
    othersTicket = theirs.body.id;
  }, 180_000);

  // A failed step leaves a screenshot and the page's text behind, for whoever looks into it.
  afterEach(async ({ task }) => {
    if (task.result?.state !== 'fail' || !page) return;
    const file = path.join(shotDir, `client-support-${task.name.slice(0, 40).replace(/\W+/g, '-')}.png`);
    await page.screenshot({ path: file, fullPage: true }).catch(() => undefined);
    console.error(`screenshot: ${file}\n${await page.locator('body').innerText().catch(() => '')}`);
  });

  afterAll(async () => {
    await ui?.close();
    await upstream?.close();
    await smtp?.close();
  });

  test('the client opens a ticket from the support page with a file; a too-big file is refused under the field', async () => {
    await page.goto(`${server.url}/billmgr/`);
    await page.getByLabel('E-mail').fill(customer.email);
    await page.getByLabel('Password').fill('client-password');
    await page.getByRole('button', { name: 'Log in' }).click();
    await main().getByRole('link', { name: '0 open tickets' }).click();
    await main().getByRole('heading', { name: 'Support', level: 1 }).waitFor();
    await main().getByText('You have no tickets.', { exact: false }).waitFor();

    await main().getByRole('button', { name: 'New ticket' }).click();
    const form = main().getByRole('form', { name: 'New ticket' });
    // The departments offered to this client, each with its ticket category's description; not the back office.
    await form.getByRole('radio', { name: 'License keys' }).waitFor();
    await form.getByText('Problems with the panel or a license key').waitFor();
    await form.getByText('Payments, invoices and refunds').waitFor();
    expect(await form.getByText('Back office').count()).toBe(0);
    expect(await axeViolations(page)).toEqual([]);

    await form.getByRole('button', { name: 'Open the ticket' }).click();
    await form.getByText('Choose the department.').waitFor();
    await form.getByText('Write the subject.').waitFor();
    await form.getByText('Write the message.').waitFor();

    await form.getByRole('radio', { name: 'License keys' }).check();
    await form.getByLabel('Subject *').fill(subject);
    await form.getByLabel('Message *').fill('It says the key is invalid. The error is attached.');
    await form.getByLabel('License it concerns').selectOption({ label: 'shop-server (203.0.113.77)' });
    const files = form.getByLabel('Attach files');
    await files.setInputFiles({ name: 'screen.png', mimeType: 'image/png', buffer: Buffer.alloc(5000, 1) });
    await form.getByRole('alert').filter({ hasText: 'screen.png was not attached: The file is larger than the limit of 4 KB' }).waitFor();
    await files.setInputFiles({ name: 'error.txt', mimeType: 'text/plain', buffer: Buffer.from('License key is invalid (code 17)\n') });
    await form.getByRole('button', { name: 'Remove error.txt' }).waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await form.getByRole('button', { name: 'Open the ticket' }).click();

    await page.getByRole('heading', { name: subject, level: 1 }).waitFor();
    ticketId = Number(new URL(page.url()).pathname.split('/').pop());
    expect(new URL(page.url()).pathname).toBe(`/billmgr/support/${ticketId}`);
    await thread().getByText('It says the key is invalid. The error is attached.').waitFor();
    await thread().getByRole('link', { name: 'Download error.txt' }).waitFor();
    await main().locator('dl.facts').getByText('waiting for support').waitFor();
    await main().locator('dl.facts').getByText('License keys', { exact: true }).waitFor();
    expect(await main().locator('dl.facts').getByRole('link', { name: 'shop-server' }).getAttribute('href')).toBe(`/billmgr/licenses/${licenseId}`);
    const saved = await asClient();
    expect(saved).toMatchObject({ subject, departmentId: technical, status: 'new', licenseId });
    expect(saved.messages[0].attachments.map((a: { fileName: string }) => a.fileName)).toEqual(['error.txt']);
  }, 120_000);

  test('staff answer (and note); the client reads the answer, never the note, and is e-mailed', async () => {
    const answer = await server.admin.post(`/api/v1/tickets/${ticketId}/messages`, { body: 'Please enter the key again without spaces, then tell us what the panel says.', status: 'waiting_for_client' });
    expect(answer.status, JSON.stringify(answer.body)).toBe(201);
    const note = await server.admin.post(`/api/v1/tickets/${ticketId}/messages`, { body: 'Checked upstream: the key was regenerated.', internal: true });
    expect(note.status, JSON.stringify(note.body)).toBe(201);

    await page.reload();
    await thread().getByText('Please enter the key again without spaces', { exact: false }).waitFor();
    await thread().getByRole('article', { name: /Support$/ }).waitFor();
    expect(await main().innerText()).not.toContain('regenerated');
    expect(await main().getByText('Internal note', { exact: false }).count()).toBe(0);
    await main().locator('dl.facts').getByText('waiting for your answer').waitFor();
    expect(await axeViolations(page)).toEqual([]);

    await server.billrelay.mailer.runOnce();
    const mail = await until(async () => smtp.received.find((m) => m.to.includes(customer.email)), Boolean, 'the "ticket answered" e-mail');
    expect(mail!.subject).toBe(`Answer to your ticket #${ticketId}: ${subject}`);
    expect(mail!.text).toContain('Please enter the key again without spaces');
    expect(mail!.text).not.toContain('regenerated');

    // The list says so too, in words.
    await page.getByRole('navigation', { name: 'Client menu' }).getByRole('link', { name: 'Support' }).click();
    const list = main().getByRole('table', { name: 'My tickets' });
    const row = list.getByRole('row', { name: new RegExp(subject) });
    await row.waitFor();
    expect(await row.innerText()).toContain('waiting for your answer');
    expect(await row.innerText()).toContain('License keys');
    expect(await row.innerText()).toContain('by support');
    await main().getByText('1 ticket is waiting for your answer.').waitFor();
    expect(await list.getByText('Somebody else’s secret question').count()).toBe(0);
    expect(await axeViolations(page)).toEqual([]);
  }, 90_000);

  test('the client replies, then closes the ticket behind a confirmation; the form says a reply reopens it', async () => {
    await main().getByRole('link', { name: subject }).click();
    const form = main().getByRole('form', { name: 'Your reply' });
    await form.getByRole('button', { name: 'Send' }).click();
    await form.getByText('Write the message.').waitFor();
    await form.getByLabel('Message *').fill('Without spaces it works. Thank you!');
    await form.getByRole('button', { name: 'Send' }).click();
    await page.getByText('Reply sent to support.').waitFor();
    await thread().getByText('Without spaces it works. Thank you!').waitFor();
    await main().locator('dl.facts').getByText('waiting for support').waitFor();
    expect((await asClient()).status).toBe('new');

    await main().getByRole('button', { name: 'Close the ticket' }).click();
    const confirm = page.getByRole('dialog', { name: `Close ticket #${ticketId}?` });
    await confirm.getByText(`Close “${subject}”?`, { exact: false }).waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await confirm.getByRole('button', { name: 'Close ticket' }).click();
    await page.getByText(`Ticket #${ticketId} closed.`).waitFor();
    await main().locator('dl.facts').getByText('closed', { exact: true }).waitFor();
    expect((await asClient()).status).toBe('closed');
    expect(await main().getByRole('button', { name: 'Close the ticket' }).count()).toBe(0);
    await form.getByText('This ticket is closed. A reply opens it again.').waitFor();
    expect(await axeViolations(page)).toEqual([]);
  }, 90_000);

  test("another client's ticket is not found", async () => {
    await page.goto(`${server.url}/billmgr/support/${othersTicket}`);
    await main().getByRole('alert').first().waitFor();
    expect(await main().getByRole('alert').first().innerText()).toContain('does not exist');
    expect(await main().innerText()).not.toContain('secret question');
    expect(await main().innerText()).not.toContain('Private words');
    expect((await customer.api.get(`/api/v1/tickets/${othersTicket}`)).status).toBe(404);
  }, 60_000);

  test('at 390 px neither page scrolls sideways', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      for (const [route, ready] of [
        ['support', subject],
        [`support/${ticketId}`, 'Without spaces it works. Thank you!'],
      ] as const) {
        await page.goto(`${server.url}/billmgr/${route}`);
        await main().getByText(ready).first().waitFor();
        await page.screenshot({ path: path.join(shotDir, `billrelay-client-${route.replace(/\W+/g, '-')}-390.png`), fullPage: true });
        expect(Number(await page.evaluate('document.documentElement.scrollWidth')), route).toBeLessThanOrEqual(390);
      }
    } finally {
      await page.setViewportSize({ width: 1200, height: 760 });
    }
  }, 60_000);

  test('both pages in Russian', async () => {
    await page.goto(`${server.url}/billmgr/support/${ticketId}`);
    await page.getByRole('heading', { name: subject, level: 1 }).waitFor();
    await page.getByLabel('Language').selectOption('ru');
    try {
      await main().getByRole('heading', { name: 'Переписка' }).waitFor();
      await main().getByRole('heading', { name: 'Ваш ответ' }).waitFor();
      await main().getByText('Запрос закрыт. Ваш ответ откроет его снова.').waitFor();
      await main().locator('dl.facts').getByText('закрыт', { exact: true }).waitFor();
      await main().getByRole('form', { name: 'Ваш ответ' }).getByRole('button', { name: 'Отправить', exact: true }).waitFor();
      expect(await axeViolations(page)).toEqual([]);
      await page.locator('#client-menu').getByRole('link', { name: 'Поддержка' }).click();
      await main().getByRole('button', { name: 'Новый запрос' }).click();
      const form = main().getByRole('form', { name: 'Новый запрос' });
      await form.getByRole('radio', { name: 'Ключи лицензий' }).waitFor();
      await form.getByText('Проблемы с панелью или ключом лицензии').waitFor();
      await form.getByLabel('Приложить файлы').waitFor();
      await form.getByRole('button', { name: 'Отправить запрос' }).click();
      await form.getByText('Выберите отдел.').waitFor();
      const list = main().getByRole('table', { name: 'Мои запросы' });
      expect(await list.getByRole('row', { name: new RegExp(subject) }).innerText()).toContain('закрыт');
      expect(await axeViolations(page)).toEqual([]);
    } finally {
      await page.getByLabel('Язык').selectOption('en');
      await page.getByLabel('Language').waitFor();
    }
  }, 60_000);
});
