// Employees confirm their e-mail address as clients do: a new employee, or a new address, is mailed a
// link (through the outbox, delivered to a real SMTP server here) that confirms it once; staff may send
// it again, not more often than every 5 minutes.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { ManualClock } from '../../platform/clock.js';
import { ADMIN_EMAIL, startBillrelay, type TestBillrelay } from '../../../test/support/billrelay.js';
import { startSmtp, type TestSmtp } from '../../../test/support/smtp.js';

let smtp: TestSmtp;
let t: TestBillrelay;
let unique = 0;

beforeAll(async () => {
  smtp = await startSmtp();
  t = await startBillrelay({ env: { BILLRELAY_WORKER: 'off', BILLRELAY_SMTP_URL: smtp.url, BILLRELAY_MAIL_FROM: 'Billing <billing@reseller.test>' } });
});
afterAll(async () => {
  await t?.close();
  await smtp?.close();
});

const address = (what: string) => `${what}-${Date.now().toString(36)}-${++unique}@example.test`;
const mailsTo = (email: string) => smtp.received.filter((m) => m.to.includes(email));
const send = () => t.billrelay.mailer.runOnce();
const tokenIn = (text: string) => text.match(/\/billmgr\/confirm-email\?token=([A-Za-z0-9_-]+)/)?.[1];
const employee = async (id: number) => (await t.admin.get(`/api/v1/employees/${id}`)).body;

async function newEmployee(language: 'en' | 'ru' = 'en') {
  const email = address('staff');
  const created = await t.admin.post('/api/v1/employees', { email, name: 'Sam Staff', password: 'staff-password-1', language });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  expect(created.body.emailConfirmed).toBe(false);
  return { id: created.body.id as number, email };
}

/** The one new confirmation e-mail to `email` since `before` mails, and its token. */
async function confirmationMail(email: string, before: number) {
  await send();
  const mails = mailsTo(email);
  expect(mails).toHaveLength(before + 1);
  const mail = mails.at(-1)!;
  const token = tokenIn(mail.text);
  expect(token, mail.text).toBeTruthy();
  return { mail, token: token! };
}

describe('employees confirm their e-mail address', () => {
  test('the administrator and employees who existed before count as confirmed', async () => {
    const admins = (await t.admin.get('/api/v1/employees?perPage=500')).body.items as Array<{ email: string; emailConfirmed: boolean }>;
    expect(admins.find((e) => e.email === ADMIN_EMAIL)?.emailConfirmed).toBe(true);
  });

  test('a new employee is mailed a link, in their language, that confirms the address once', async () => {
    const e = await newEmployee('ru');
    const { mail, token } = await confirmationMail(e.email, 0);
    expect(mail.subject).toBe('Подтвердите адрес e-mail');
    expect(mail.text).toContain(`${t.url}/billmgr/confirm-email?token=${token}`);
    expect((await employee(e.id)).emailConfirmed).toBe(false);

    const confirmed = await t.anonymous().post('/api/v1/auth/confirm-email', { token });
    expect(confirmed.status, JSON.stringify(confirmed.body)).toBe(200);
    expect((await employee(e.id)).emailConfirmed).toBe(true);

    const again = await t.anonymous().post('/api/v1/auth/confirm-email', { token });
    expect(again.status).toBe(400);
    expect(again.body.error.field).toBe('token');
    expect(again.body.error.message).toMatch(/already used/);

    const audit = await t.admin.get(`/api/v1/audit?action=employee.email_confirm&entityId=${e.id}`);
    expect(audit.body.items).toHaveLength(1);
    expect(JSON.stringify(audit.body)).not.toContain(token);
    // Confirmed: nothing to send again.
    const resend = await t.admin.post(`/api/v1/employees/${e.id}/confirm-email/resend`, {});
    expect(resend.status).toBe(409);
    expect(resend.body.error.field).toBe('email');
  });

  test('a new address is unconfirmed and gets its own link; the old address\'s link no longer works', async () => {
    const e = await newEmployee();
    const first = await confirmationMail(e.email, 0);
    const newEmail = address('moved');
    const changed = await t.admin.patch(`/api/v1/employees/${e.id}`, { email: newEmail });
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    expect(changed.body.emailConfirmed).toBe(false);
    const second = await confirmationMail(newEmail, 0);
    expect(second.mail.subject).toBe('Confirm your e-mail address');
    expect(mailsTo(e.email)).toHaveLength(1);

    const stale = await t.anonymous().post('/api/v1/auth/confirm-email', { token: first.token });
    expect(stale.status).toBe(400);
    expect((await employee(e.id)).emailConfirmed).toBe(false);
    expect((await t.anonymous().post('/api/v1/auth/confirm-email', { token: second.token })).status).toBe(200);
    expect((await employee(e.id)).emailConfirmed).toBe(true);

    // Changing it again unconfirms it again; saving the same address changes nothing.
    expect((await t.admin.patch(`/api/v1/employees/${e.id}`, { email: newEmail, name: 'Sam Moved' })).body.emailConfirmed).toBe(true);
    const third = address('again');
    expect((await t.admin.patch(`/api/v1/employees/${e.id}`, { email: third })).body.emailConfirmed).toBe(false);
    await confirmationMail(third, 0);
    expect(mailsTo(newEmail)).toHaveLength(1);
  });

  test('staff send the link again at most every 5 minutes, with the employees.change right', async () => {
    const e = await newEmployee();
    await confirmationMail(e.email, 0);
    // The link mailed at creation counts.
    const tooSoon = await t.admin.post(`/api/v1/employees/${e.id}/confirm-email/resend`, {});
    expect(tooSoon.status).toBe(429);
    expect(Number(tooSoon.headers.get('retry-after'))).toBeGreaterThan(0);

    (t.clock as ManualClock).advance(5 * 60_000 + 1000);
    const resent = await t.admin.post(`/api/v1/employees/${e.id}/confirm-email/resend`, {});
    expect(resent.status, JSON.stringify(resent.body)).toBe(202);
    expect(resent.body).toEqual({ status: 'confirmation_sent', email: e.email });
    const { token } = await confirmationMail(e.email, 1);
    expect((await t.admin.post(`/api/v1/employees/${e.id}/confirm-email/resend`, {})).status).toBe(429);

    // Someone without the right may not.
    const reader = await newEmployee();
    await t.admin.patch(`/api/v1/employees/${reader.id}`, { rights: ['employees.read'] });
    const session = await t.loginAs(reader.email, 'staff-password-1');
    expect((await session.post(`/api/v1/employees/${e.id}/confirm-email/resend`, {})).status).toBe(403);
    expect((await t.admin.post('/api/v1/employees/999999/confirm-email/resend', {})).status).toBe(404);

    expect((await t.anonymous().post('/api/v1/auth/confirm-email', { token })).status).toBe(200);
    const audit = await t.admin.get(`/api/v1/audit?action=employee.email_confirmation_resend&entityId=${e.id}`);
    expect(audit.body.items).toHaveLength(1);
  });
});
