// The support center through its HTTP API, on a real database and a real SMTP server: who sees which
// ticket, how statuses and due times follow who wrote (on the department's business hours, with a
// manual clock), the head of department told once about an overdue ticket, and attached files.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ManualClock } from '../../platform/clock.js';
import { ADMIN_EMAIL, ADMIN_PASSWORD, startBillrelay, type TestBillrelay } from '../../../test/support/billrelay.js';
import type { ApiClient } from '../../../test/support/http.js';
import { createClient, type TestClient } from '../../../test/support/scenario.js';
import { newEmployee, officeHours } from '../../../test/support/scheduling.js';
import { startSmtp, type TestSmtp } from '../../../test/support/smtp.js';

// A Monday, 10:00 UTC; the office works Monday to Friday 09:00–18:00 UTC.
const MONDAY_10 = '2026-03-02T10:00:00.000Z';
const clock = new ManualClock(MONDAY_10);
const MAX_BYTES = 2048;
const STAFF_RIGHTS = ['tickets.change'];

let smtp: TestSmtp;
let t: TestBillrelay;
let support: { id: number };
let billing: { id: number };
let hidden: { id: number };
let head: { id: number; api: ApiClient; email: string };
let member: { id: number; api: ApiClient; email: string };
let outsider: { id: number; api: ApiClient; email: string };
let client: TestClient;
let otherClient: TestClient;
let unique = 0;

async function department(body: Record<string, unknown>) {
  unique += 1;
  const answer = await t.admin.post('/api/v1/departments', { name: { en: `Desk ${unique}`, ru: `Отдел ${unique}` }, taskLocale: 'en', ...body });
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  return answer.body as { id: number; firstAnswerHours: number; nextAnswerHours: number };
}

async function staff(departmentIds: number[]) {
  const e = await newEmployee(t, departmentIds, STAFF_RIGHTS);
  const { email } = (await t.admin.get(`/api/v1/employees/${e.id}`)).body as { email: string };
  return { ...e, email };
}

/** Moves the clock on by more than a session lives (12 hours): everyone logs in again. */
async function later(at: string) {
  clock.set(at);
  for (const e of [head, member, outsider]) e.api = await t.loginAs(e.email, 'staff-password-1');
  for (const c of [client, otherClient]) c.api = await t.loginAs(c.email, 'client-password');
}

const ids = (answer: { body: { items: Array<{ id: number }> } }) => answer.body.items.map((x) => x.id);

async function open(api: ApiClient, body: Record<string, unknown> = {}) {
  unique += 1;
  const answer = await api.post('/api/v1/tickets', { departmentId: support.id, subject: `Cannot log in ${unique}`, body: 'The panel says the license is invalid.', ...body });
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  return answer.body as { id: number; status: string; dueAt: string | null; messages: Array<{ id: number; attachments: Array<{ id: number }> }> };
}

function upload(api: ApiClient, content: string, type: string, name = 'notes.txt') {
  return api.request('POST', `/api/v1/attachments?name=${encodeURIComponent(name)}`, content, { 'content-type': type });
}

async function messagesOf(ticketId: number, event: string) {
  return t.billrelay.db.kysely
    .selectFrom('messages')
    .select(['recipientAddress', 'subject', 'textBody', 'locale'])
    .where('entityType', '=', 'ticket')
    .where('entityId', '=', ticketId)
    .where('event', '=', event)
    .orderBy('id')
    .execute();
}

beforeAll(async () => {
  smtp = await startSmtp();
  t = await startBillrelay({
    clock,
    env: {
      BILLRELAY_WORKER: 'off',
      BILLRELAY_SMTP_URL: smtp.url,
      BILLRELAY_MAIL_FROM: 'Billing <billing@reseller.test>',
      BILLRELAY_ATTACHMENT_MAX_BYTES: String(MAX_BYTES),
    },
  });
  const hours = await officeHours(t);
  support = await department({ businessHoursId: hours.id, showInSupportCenter: true, providerIds: [1], firstAnswerHours: 4, nextAnswerHours: 8 });
  billing = await department({ businessHoursId: null, showInSupportCenter: true, providerIds: [1], firstAnswerHours: 2, nextAnswerHours: 3 });
  hidden = await department({ showInSupportCenter: false, providerIds: [1] });
  head = await staff([support.id]);
  member = await staff([support.id]);
  outsider = await staff([billing.id]);
  expect((await t.admin.patch(`/api/v1/departments/${support.id}`, { headEmployeeId: head.id })).status).toBe(200);
  client = await createClient(t);
  otherClient = await createClient(t);
});

afterAll(async () => {
  await t?.close();
  await smtp?.close();
});

describe("a department's answer times", () => {
  test('4 and 8 working hours unless set; 1 to 720 hours', async () => {
    const plain = await department({});
    expect(plain).toMatchObject({ firstAnswerHours: 4, nextAnswerHours: 8 });
    const changed = await t.admin.patch(`/api/v1/departments/${plain.id}`, { firstAnswerHours: 1, nextAnswerHours: 720 });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ firstAnswerHours: 1, nextAnswerHours: 720 });
    expect((await t.admin.get(`/api/v1/departments/${plain.id}`)).body).toMatchObject({ firstAnswerHours: 1, nextAnswerHours: 720 });
    const zero = await t.admin.patch(`/api/v1/departments/${plain.id}`, { firstAnswerHours: 0 });
    expect(zero.status).toBe(400);
    expect(zero.body.error.field).toBe('firstAnswerHours');
    expect((await t.admin.patch(`/api/v1/departments/${plain.id}`, { nextAnswerHours: 721 })).body.error.field).toBe('nextAnswerHours');
    expect((await t.admin.patch(`/api/v1/departments/${plain.id}`, { nextAnswerHours: 2.5 })).status).toBe(400);
  });
});

describe('opening a ticket', () => {
  test('a client sees the departments offered to them and opens a ticket, due after the first-answer hours; the members are told', async () => {
    clock.set(MONDAY_10);
    const offered = await client.api.get('/api/v1/tickets/departments');
    expect(offered.status).toBe(200);
    expect(ids(offered)).toEqual(expect.arrayContaining([support.id, billing.id]));
    expect(ids(offered)).not.toContain(hidden.id);
    expect(offered.body.items.find((d: { id: number }) => d.id === support.id)).toMatchObject({ name: expect.stringMatching(/^Desk /), description: null });
    // Staff name the client whose support center they look at, or see every department in the support center.
    const all = await member.api.get('/api/v1/tickets/departments');
    expect(ids(all)).toEqual(expect.arrayContaining([support.id, billing.id]));
    expect(ids(all)).not.toContain(hidden.id);
    expect(ids(await member.api.get(`/api/v1/tickets/departments?clientId=${client.id}`))).toContain(support.id);

    const ticket = await open(client.api);
    expect(ticket).toMatchObject({ status: 'new', overdue: false, clientId: client.id, departmentId: support.id, performerId: null, lastMessageBy: 'client' });
    // 4 working hours from Monday 10:00.
    expect(ticket.dueAt).toBe('2026-03-02T14:00:00.000Z');
    expect(ticket.messages).toHaveLength(1);

    const told = await messagesOf(ticket.id, 'ticket_new');
    expect(told.map((m) => m.recipientAddress).sort()).toEqual([head.email, member.email].sort());
    expect(told[0]!.subject).toContain(`New ticket #${ticket.id}`);
    expect(told[0]!.textBody).toContain('The panel says the license is invalid.');
    // What arrives through SMTP: one e-mail to each member, in the department's English.
    await t.billrelay.mailer.runOnce();
    const arrived = smtp.received.filter((m) => m.subject.startsWith(`New ticket #${ticket.id}:`));
    expect(arrived.map((m) => m.to).sort()).toEqual([[head.email], [member.email]].sort());
    expect(arrived.map((m) => m.headers['content-language'])).toEqual(['en', 'en']);
  });

  test('not to a department that is not offered to the client (422), nor about a license that is not theirs', async () => {
    const refused = await client.api.post('/api/v1/tickets', { departmentId: hidden.id, subject: 'Hi', body: 'Hello' });
    expect(refused.status).toBe(422);
    expect(refused.body.error).toMatchObject({ code: 'unprocessable', field: 'departmentId' });
    const inRussian = await client.api.post('/api/v1/tickets', { departmentId: hidden.id, subject: 'Hi', body: 'Hello' }, { 'accept-language': 'ru' });
    expect(inRussian.body.error.message).toMatch(/не принимает запросы/);
    const license = await client.api.post('/api/v1/tickets', { departmentId: support.id, subject: 'Hi', body: 'Hello', licenseId: 999_999 });
    expect(license.status).toBe(422);
    expect(license.body.error.field).toBe('licenseId');
    // Only staff open tickets on someone's behalf; staff must say for whom.
    expect((await client.api.post('/api/v1/tickets', { departmentId: support.id, subject: 'Hi', body: 'Hello', clientId: otherClient.id })).status).toBe(403);
    expect((await member.api.post('/api/v1/tickets', { departmentId: support.id, subject: 'Hi', body: 'Hello' })).body.error.field).toBe('clientId');
    const onBehalf = await member.api.post('/api/v1/tickets', { departmentId: support.id, subject: 'Phoned in', body: 'Asked by phone', clientId: otherClient.id });
    expect(onBehalf.status, JSON.stringify(onBehalf.body)).toBe(201);
    expect((await otherClient.api.get(`/api/v1/tickets/${onBehalf.body.id}`)).status).toBe(200);
    expect((await t.anonymous().get('/api/v1/tickets')).status).toBe(401);
  });
});

describe('the departments offered to a client', () => {
  test("exactly those shown in the support center and available to clients of the client's provider, in department sort order, with their descriptions", async () => {
    clock.set(MONDAY_10);
    const provider = async (name: string) => {
      const answer = await t.admin.post('/api/v1/providers', { name: `${name} ${unique}`, currency: 'EUR' });
      expect(answer.status, JSON.stringify(answer.body)).toBe(201);
      return answer.body.id as number;
    };
    const mine = await provider('Mine');
    const theirs = await provider('Theirs');
    const desk = (body: Record<string, unknown>) => department({ showInSupportCenter: true, ...body });
    const sales = await desk({ providerIds: [mine], ticketCategoryDescription: { en: 'Prices and orders', ru: 'Цены и заказы' } });
    const abuse = await desk({ providerIds: [mine] });
    const shared = await desk({ providerIds: [theirs, mine] });
    const theirsOnly = await desk({ providerIds: [theirs] });
    const hiddenMine = await desk({ providerIds: [mine], showInSupportCenter: false });
    const nobodys = await desk({ providerIds: [] });
    // Created last, then moved: the shared one first among all departments, abuse right after it.
    expect((await t.admin.patch(`/api/v1/departments/${shared.id}`, { sort: 1 })).status).toBe(200);
    expect((await t.admin.patch(`/api/v1/departments/${abuse.id}`, { sort: 2 })).status).toBe(200);
    expect((await t.admin.patch(`/api/v1/departments/${hiddenMine.id}`, { sort: 1 })).status).toBe(200);

    const ours = await createClient(t, { providerId: mine });
    const offered = await ours.api.get('/api/v1/tickets/departments');
    expect(offered.status).toBe(200);
    const nameOf = async (id: number) => ((await t.admin.get(`/api/v1/departments/${id}`)).body.name as { en: string }).en;
    const sortOf = async (id: number) => (await t.admin.get(`/api/v1/departments/${id}`)).body.sort as number;
    const expected = [];
    for (const d of [shared, abuse, sales]) expected.push({ id: d.id, name: await nameOf(d.id), description: d === sales ? 'Prices and orders' : null, sort: await sortOf(d.id) });
    expect(offered.body.items).toEqual(expected);
    expect(expected.map((d) => d.sort)).toEqual([...expected.map((d) => d.sort)].sort((a, b) => a - b));
    // Staff looking at that client's support center see the same list.
    expect(ids(await member.api.get(`/api/v1/tickets/departments?clientId=${ours.id}`))).toEqual([shared.id, abuse.id, sales.id]);
    // The other provider's client: its own department and the shared one, in order.
    const other = await createClient(t, { providerId: theirs });
    expect(ids(await other.api.get('/api/v1/tickets/departments'))).toEqual([shared.id, theirsOnly.id]);

    // What is not offered cannot be written to either.
    for (const d of [theirsOnly, hiddenMine, nobodys]) {
      const refused = await ours.api.post('/api/v1/tickets', { departmentId: d.id, subject: 'Hi', body: 'Hello' });
      expect(refused.status, String(d.id)).toBe(422);
      expect(refused.body.error.field).toBe('departmentId');
    }
    expect((await ours.api.post('/api/v1/tickets', { departmentId: sales.id, subject: 'Hi', body: 'Hello' })).status).toBe(201);
  });
});

describe("e-mails to the department's staff (through SMTP)", () => {
  test('a new ticket reaches every member in the department\'s task language (Russian); once taken, the client\'s replies reach the performer only', async () => {
    clock.set(MONDAY_10);
    const anna = await staff([]);
    const boris = await staff([]);
    const desk = await department({ taskLocale: 'ru', businessHoursId: null, showInSupportCenter: true, providerIds: [1], memberIds: [anna.id, boris.id], firstAnswerHours: 2, nextAnswerHours: 3 });
    const deskName = ((await t.admin.get(`/api/v1/departments/${desk.id}`)).body.name as { ru: string }).ru;
    const writer = await createClient(t);
    const mailsAbout = async (ticketId: number) => {
      await t.billrelay.mailer.runOnce();
      await t.billrelay.mailer.runOnce();
      return smtp.received.filter((m) => m.subject.includes(`#${ticketId}`));
    };

    const ticket = await open(writer.api, { departmentId: desk.id, subject: 'Не открывается панель', body: 'Панель пишет «лицензия недействительна».' });
    const opened = await mailsAbout(ticket.id);
    expect(opened.map((m) => m.to).sort()).toEqual([[anna.email], [boris.email]].sort());
    for (const mail of opened) {
      expect(mail.subject).toBe(`Новый запрос #${ticket.id}: Не открывается панель`);
      expect(mail.headers['content-language']).toBe('ru');
      expect(mail.text).toContain(`Client <${writer.email}> открыл запрос #${ticket.id} «Не открывается панель» в отделе «${deskName}». Ответить нужно до 2026-03-02 12:00 UTC.`);
      expect(mail.text).toContain('Панель пишет «лицензия недействительна».');
    }

    // Boris takes it: the client's reply is his alone to hear of, still in Russian.
    expect((await boris.api.post(`/api/v1/tickets/${ticket.id}/take`)).status).toBe(200);
    clock.set('2026-03-02T10:30:00.000Z');
    expect((await writer.api.post(`/api/v1/tickets/${ticket.id}/messages`, { body: 'Адрес сервера 203.0.113.9' })).status).toBe(201);
    const replied = (await mailsAbout(ticket.id)).filter((m) => m.subject.startsWith('Ответ клиента'));
    expect(replied.map((m) => m.to)).toEqual([[boris.email]]);
    expect(replied[0]!.subject).toBe(`Ответ клиента в запросе #${ticket.id}: Не открывается панель`);
    expect(replied[0]!.headers['content-language']).toBe('ru');
    expect(replied[0]!.text).toContain(`(отдел «${deskName}»). Ответить нужно до 2026-03-02 13:30 UTC.`);
    expect(replied[0]!.text).toContain('Адрес сервера 203.0.113.9');

    // His answer mails the client (in the client's English), no staff; the next reply is his again.
    expect((await boris.api.post(`/api/v1/tickets/${ticket.id}/messages`, { body: 'Попробуйте ещё раз' })).status).toBe(201);
    expect((await writer.api.post(`/api/v1/tickets/${ticket.id}/messages`, { body: 'Заработало' })).status).toBe(201);
    const all = await mailsAbout(ticket.id);
    expect(all.filter((m) => m.to.includes(anna.email)).map((m) => m.subject)).toEqual([`Новый запрос #${ticket.id}: Не открывается панель`]);
    expect(all.filter((m) => m.to.includes(boris.email)).map((m) => m.subject)).toEqual([
      `Новый запрос #${ticket.id}: Не открывается панель`,
      `Ответ клиента в запросе #${ticket.id}: Не открывается панель`,
      `Ответ клиента в запросе #${ticket.id}: Не открывается панель`,
    ]);
    expect(all.filter((m) => m.to.includes(writer.email)).map((m) => m.subject)).toEqual([`Answer to your ticket #${ticket.id}: Не открывается панель`]);
    // Nobody outside the department hears of it.
    expect(all.filter((m) => [head.email, member.email, outsider.email, 'admin@example.test'].some((a) => m.to.includes(a)))).toEqual([]);
  });
});

describe('working a ticket', () => {
  test('staff of the department see, take, note, answer, move and close it; others get 404; statuses and due times follow who wrote', async () => {
    clock.set(MONDAY_10);
    const ticket = await open(client.api);

    // Who sees it.
    expect(ids(await member.api.get(`/api/v1/tickets?departmentId=${support.id}`))).toContain(ticket.id);
    expect(ids(await t.admin.get('/api/v1/tickets?status=new'))).toContain(ticket.id);
    expect(ids(await outsider.api.get('/api/v1/tickets'))).not.toContain(ticket.id);
    expect((await outsider.api.get(`/api/v1/tickets/${ticket.id}`)).status).toBe(404);
    expect((await outsider.api.post(`/api/v1/tickets/${ticket.id}/take`)).status).toBe(404);
    expect((await outsider.api.post(`/api/v1/tickets/${ticket.id}/messages`, { body: 'x' })).status).toBe(404);
    expect((await otherClient.api.get(`/api/v1/tickets/${ticket.id}`)).status).toBe(404);
    expect((await otherClient.api.post(`/api/v1/tickets/${ticket.id}/messages`, { body: 'x' })).status).toBe(404);
    expect((await otherClient.api.post(`/api/v1/tickets/${ticket.id}/close`)).status).toBe(404);
    expect(ids(await otherClient.api.get('/api/v1/tickets'))).not.toContain(ticket.id);
    expect(ids(await client.api.get('/api/v1/tickets'))).toContain(ticket.id);
    const subject = (await client.api.get(`/api/v1/tickets/${ticket.id}`)).body.subject as string;
    expect(ids(await member.api.get(`/api/v1/tickets?q=${encodeURIComponent(subject.toUpperCase())}`))).toEqual([ticket.id]);
    expect(ids(await member.api.get(`/api/v1/tickets?q=${ticket.id}`))).toContain(ticket.id);
    expect(ids(await member.api.get(`/api/v1/tickets?q=${encodeURIComponent('100%_')}`))).toEqual([]);
    expect(ids(await member.api.get(`/api/v1/tickets?clientId=${otherClient.id}`))).not.toContain(ticket.id);
    // An employee without the right: 403 naming it.
    const noRight = await newEmployee(t, [support.id], []);
    expect((await noRight.api.get(`/api/v1/tickets/${ticket.id}`)).body.error.details).toEqual({ right: 'tickets.read' });

    const taken = await member.api.post(`/api/v1/tickets/${ticket.id}/take`);
    expect(taken.status).toBe(200);
    expect(taken.body).toMatchObject({ performerId: member.id, status: 'new' });
    expect(ids(await member.api.get('/api/v1/tickets?performer=me'))).toContain(ticket.id);
    expect(ids(await member.api.get('/api/v1/tickets?performer=none'))).not.toContain(ticket.id);

    // An internal note changes nothing for the client, who never sees it.
    const note = await member.api.post(`/api/v1/tickets/${ticket.id}/messages`, { body: 'Looks like a wrong IP', internal: true });
    expect(note.status).toBe(201);
    expect(note.body).toMatchObject({ status: 'new', dueAt: '2026-03-02T14:00:00.000Z' });
    expect(note.body.messages.map((m: { internal: boolean }) => m.internal)).toEqual([false, true]);
    const seen = await client.api.get(`/api/v1/tickets/${ticket.id}`);
    expect(seen.body.messages).toHaveLength(1);
    expect(JSON.stringify(seen.body)).not.toContain('wrong IP');
    expect((await client.api.post(`/api/v1/tickets/${ticket.id}/messages`, { body: 'x', internal: true })).status).toBe(403);
    expect((await client.api.post(`/api/v1/tickets/${ticket.id}/messages`, { body: 'x', status: 'closed' })).status).toBe(403);

    // A staff reply asking the client for something: nothing is due; the client gets an e-mail.
    clock.set('2026-03-02T11:00:00.000Z');
    const asked = await member.api.post(`/api/v1/tickets/${ticket.id}/messages`, { body: 'Which IP does the server have?', status: 'waiting_for_client' });
    expect(asked.status).toBe(201);
    expect(asked.body).toMatchObject({ status: 'waiting_for_client', dueAt: null, overdue: false, lastMessageBy: 'employee' });
    const answered = await messagesOf(ticket.id, 'ticket_answered');
    expect(answered.map((m) => m.recipientAddress)).toEqual([client.email]);
    expect(answered[0]!.textBody).toContain('Which IP does the server have?');
    expect(answered[0]!.textBody).not.toContain('wrong IP');

    // The client replies on Friday at 16:00: new again, due 8 working hours later (2 on Friday, 6 on Monday).
    await later('2026-03-06T16:00:00.000Z');
    const replied = await client.api.post(`/api/v1/tickets/${ticket.id}/messages`, { body: 'It is 203.0.113.9' });
    expect(replied.status).toBe(201);
    expect(replied.body).toMatchObject({ status: 'new', dueAt: '2026-03-09T15:00:00.000Z', lastMessageBy: 'client' });
    // The performer hears of it, not the whole department.
    expect((await messagesOf(ticket.id, 'ticket_reply')).map((m) => m.recipientAddress)).toEqual([member.email]);

    // A staff public reply: answered by default.
    const plain = await member.api.post(`/api/v1/tickets/${ticket.id}/messages`, { body: 'Fixed, try again' });
    expect(plain.body).toMatchObject({ status: 'answered', dueAt: null });
    const back = await client.api.post(`/api/v1/tickets/${ticket.id}/messages`, { body: 'Still broken' });
    expect(back.body.status).toBe('new');

    // Moved to billing (no business hours: round the clock): nobody works it there yet, due 3 hours from now.
    const moved = await member.api.post(`/api/v1/tickets/${ticket.id}/move`, { departmentId: billing.id });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ departmentId: billing.id, performerId: null, status: 'new', dueAt: '2026-03-06T19:00:00.000Z' });
    expect((await member.api.get(`/api/v1/tickets/${ticket.id}`)).status).toBe(404);
    expect((await outsider.api.get(`/api/v1/tickets/${ticket.id}`)).status).toBe(200);
    expect((await outsider.api.post(`/api/v1/tickets/${ticket.id}/move`, { departmentId: 999_999 })).body.error.field).toBe('departmentId');

    const closed = await outsider.api.post(`/api/v1/tickets/${ticket.id}/close`);
    expect(closed.status).toBe(200);
    expect(closed.body).toMatchObject({ status: 'closed', dueAt: null });
    expect(ids(await client.api.get('/api/v1/tickets?status=closed'))).toContain(ticket.id);
    // A client's reply reopens it.
    expect((await client.api.post(`/api/v1/tickets/${ticket.id}/messages`, { body: 'Once more' })).body.status).toBe('new');
    // The client may close their own ticket too.
    expect((await client.api.post(`/api/v1/tickets/${ticket.id}/close`)).body.status).toBe('closed');
  });
});

describe('overdue tickets', () => {
  test('the head of department gets one e-mail per overdue stretch', async () => {
    clock.set(MONDAY_10);
    const ticket = await open(client.api);
    expect(ticket.dueAt).toBe('2026-03-02T14:00:00.000Z');

    clock.set('2026-03-02T13:59:00.000Z');
    await t.billrelay.scheduler.tick();
    expect(await messagesOf(ticket.id, 'ticket_overdue')).toHaveLength(0);

    clock.set('2026-03-02T14:30:00.000Z');
    await t.billrelay.scheduler.tick();
    expect((await member.api.get(`/api/v1/tickets/${ticket.id}`)).body.overdue).toBe(true);
    expect(ids(await member.api.get('/api/v1/tickets?overdue=true'))).toContain(ticket.id);
    clock.set('2026-03-02T15:30:00.000Z');
    await t.billrelay.scheduler.tick();
    const told = await messagesOf(ticket.id, 'ticket_overdue');
    expect(told.map((m) => m.recipientAddress)).toEqual([head.email]);

    smtp.received.length = 0;
    await t.billrelay.mailer.runOnce();
    const mail = smtp.received.filter((m) => m.to.includes(head.email) && m.subject.startsWith(`Ticket #${ticket.id} is overdue`));
    expect(mail).toHaveLength(1);
    expect(mail[0]!.subject).toBe(`Ticket #${ticket.id} is overdue: ${(await member.api.get(`/api/v1/tickets/${ticket.id}`)).body.subject}`);
    expect(mail[0]!.text).toContain('2026-03-02 14:00 UTC');

    // Answered, then the client writes again and it is late again: a new stretch, a new e-mail.
    expect((await member.api.post(`/api/v1/tickets/${ticket.id}/messages`, { body: 'On it' })).body.overdue).toBe(false);
    expect((await client.api.post(`/api/v1/tickets/${ticket.id}/messages`, { body: 'Any news?' })).body.dueAt).toBe('2026-03-03T14:30:00.000Z');
    await later('2026-03-03T15:00:00.000Z');
    await t.billrelay.scheduler.tick();
    expect(await messagesOf(ticket.id, 'ticket_overdue')).toHaveLength(2);
  });
});

describe('attachments', () => {
  test('upload and download round trip; bound to a message, the ticket\'s readers get it and nobody else', async () => {
    clock.set(MONDAY_10);
    const content = 'log line 1\nlog line 2\n';
    const up = await upload(client.api, content, 'text/plain; charset=utf-8', 'server log.txt');
    expect(up.status, JSON.stringify(up.body)).toBe(201);
    expect(up.body).toMatchObject({ fileName: 'server log.txt', contentType: 'text/plain', size: Buffer.byteLength(content) });
    const mine = await client.api.get(`/api/v1/attachments/${up.body.id}`);
    expect(mine.status).toBe(200);
    expect(mine.body).toBe(content);
    expect(mine.headers.get('content-disposition')).toBe(`attachment; filename="server log.txt"; filename*=UTF-8''server%20log.txt`);
    expect(mine.headers.get('x-content-type-options')).toBe('nosniff');
    // Before it is attached, it is the uploader's alone.
    expect((await member.api.get(`/api/v1/attachments/${up.body.id}`)).status).toBe(404);
    const stolen = await otherClient.api.post('/api/v1/tickets', { departmentId: support.id, subject: 'Mine', body: 'x', attachmentIds: [up.body.id] });
    expect(stolen.status).toBe(422);
    expect(stolen.body.error.field).toBe('attachmentIds');

    const ticket = await open(client.api, { attachmentIds: [up.body.id] });
    expect(ticket.messages[0]!.attachments).toEqual([{ id: up.body.id, fileName: 'server log.txt', contentType: 'text/plain', size: Buffer.byteLength(content) }]);
    const asStaff = await member.api.get(`/api/v1/attachments/${up.body.id}`);
    expect(asStaff.status).toBe(200);
    expect(asStaff.body).toBe(content);
    expect((await otherClient.api.get(`/api/v1/attachments/${up.body.id}`)).status).toBe(404);
    expect((await outsider.api.get(`/api/v1/attachments/${up.body.id}`)).status).toBe(404);
    // Attached once: not again.
    expect((await client.api.post(`/api/v1/tickets/${ticket.id}/messages`, { body: 'again', attachmentIds: [up.body.id] })).status).toBe(422);

    // A file on an internal note is staff's only.
    const staffFile = await upload(member.api, '{"ip":"203.0.113.9"}', 'application/json', 'lookup.json');
    expect(staffFile.status).toBe(201);
    const noted = await member.api.post(`/api/v1/tickets/${ticket.id}/messages`, { body: 'lookup', internal: true, attachmentIds: [staffFile.body.id] });
    expect(noted.status).toBe(201);
    expect((await member.api.get(`/api/v1/attachments/${staffFile.body.id}`)).status).toBe(200);
    expect((await client.api.get(`/api/v1/attachments/${staffFile.body.id}`)).status).toBe(404);
  });

  test('too large: 413 naming the limit; a type not accepted: 415', async () => {
    const big = await upload(client.api, 'x'.repeat(MAX_BYTES + 1), 'text/plain');
    expect(big.status).toBe(413);
    expect(big.body.error.code).toBe('payload_too_large');
    expect(big.body.error.message).toContain('2 KB');
    expect((await upload(client.api, 'x'.repeat(MAX_BYTES), 'text/plain')).status).toBe(201);
    const exe = await upload(client.api, 'MZ', 'application/x-msdownload', 'setup.exe');
    expect(exe.status).toBe(415);
    expect(exe.body.error.message).toContain('application/x-msdownload');
    expect(exe.body.error.message).toContain('image/png');
    const untyped = await upload(client.api, 'x', '');
    expect(untyped.status).toBe(415);
    expect(untyped.body.error).toMatchObject({ code: 'unsupported_media_type', details: { allowed: expect.arrayContaining(['application/pdf']) } });
    expect((await upload(client.api, 'x', 'text/plain', '')).status).toBe(400);
    expect((await upload(t.anonymous(), 'x', 'text/plain')).status).toBe(401);
  });

  test('an upload nobody attached is deleted after a day, its file too', async () => {
    clock.set(MONDAY_10);
    const up = await upload(client.api, 'forgotten', 'text/plain');
    expect(up.status).toBe(201);
    const row = await t.billrelay.db.kysely.selectFrom('ticketAttachments').select('storageKey').where('id', '=', up.body.id).executeTakeFirstOrThrow();
    const file = path.join(t.billrelay.services.tickets.files.dir, row.storageKey);
    expect(fs.existsSync(file)).toBe(true);
    clock.set('2026-03-02T20:00:00.000Z');
    await t.billrelay.services.tickets.deleteUnboundUploads();
    expect((await client.api.get(`/api/v1/attachments/${up.body.id}`)).status).toBe(200);
    await later('2026-03-03T10:30:00.000Z');
    await t.billrelay.services.tickets.deleteUnboundUploads();
    expect((await client.api.get(`/api/v1/attachments/${up.body.id}`)).status).toBe(404);
    expect(fs.existsSync(file)).toBe(false);
  });
});

describe('overdue tickets in a department without a head', () => {
  test('those the ticket concerns are told instead: its members while nobody works it, then its performer alone', async () => {
    clock.set('2026-03-10T10:00:00.000Z');
    await t.admin.login(ADMIN_EMAIL, ADMIN_PASSWORD);
    const kai = await staff([]);
    const lea = await staff([]);
    const desk = await department({ businessHoursId: null, showInSupportCenter: true, providerIds: [1], memberIds: [kai.id, lea.id], firstAnswerHours: 2, nextAnswerHours: 3 });
    const writer = await createClient(t);
    const ticket = await open(writer.api, { departmentId: desk.id });
    const overdueMails = async () => {
      await t.billrelay.mailer.runOnce();
      return smtp.received.filter((m) => m.subject.startsWith(`Ticket #${ticket.id} is overdue`)).map((m) => m.to);
    };

    clock.set('2026-03-10T12:30:00.000Z');
    await t.billrelay.scheduler.tick();
    clock.set('2026-03-10T13:30:00.000Z');
    await t.billrelay.scheduler.tick();
    expect((await overdueMails()).sort()).toEqual([[kai.email], [lea.email]].sort());

    // Lea takes and answers it; the client writes again and it is late again: Lea alone hears.
    expect((await lea.api.post(`/api/v1/tickets/${ticket.id}/messages`, { body: 'Looking into it' })).body.performerId).toBe(lea.id);
    expect((await writer.api.post(`/api/v1/tickets/${ticket.id}/messages`, { body: 'Any news?' })).body.dueAt).toBe('2026-03-10T16:30:00.000Z');
    clock.set('2026-03-10T17:00:00.000Z');
    await t.billrelay.scheduler.tick();
    clock.set('2026-03-10T18:00:00.000Z');
    await t.billrelay.scheduler.tick();
    expect((await overdueMails()).sort()).toEqual([[kai.email], [lea.email], [lea.email]].sort());
  });
});
