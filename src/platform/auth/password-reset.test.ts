// Password reset and e-mail confirmation through the outbox and a real SMTP server: what arrives,
// that its link's token sets a password or confirms the address exactly once and only in time, and
// that no answer tells whether an address is known.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { ManualClock } from '../clock.js';
import { startBillrelay, type TestBillrelay } from '../../../test/support/billrelay.js';
import { startSmtp, type TestSmtp } from '../../../test/support/smtp.js';
import { PASSWORD_RESET_ACCEPTED } from './schemas.js';
import { REGISTER_ACCEPTED } from '../../clients/clients/schemas.js';

let smtp: TestSmtp;
let t: TestBillrelay;
const logs: string[] = [];
let unique = 0;

beforeAll(async () => {
  smtp = await startSmtp();
  // No background sender: the test sends what is due (mailer.runOnce) and then reads what arrived.
  t = await startBillrelay({ env: { BILLRELAY_WORKER: 'off', BILLRELAY_SMTP_URL: smtp.url, BILLRELAY_MAIL_FROM: 'Billing <billing@reseller.test>' }, logSink: logs });
});
afterAll(async () => {
  await t?.close();
  await smtp?.close();
});

const address = (what: string) => `${what}-${Date.now().toString(36)}-${++unique}@example.test`;
const mailsTo = (email: string) => smtp.received.filter((m) => m.to.includes(email));
const send = () => t.billrelay.mailer.runOnce();

async function newClient(language: 'en' | 'ru' = 'en') {
  const email = address('client');
  const created = await t.admin.post('/api/v1/clients', { name: 'Anna Berg', email, password: 'client-password', language, providerId: 1 });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return { id: created.body.id as number, email };
}

/** Asks for a reset anonymously and returns the token from the link in the e-mail that arrived. */
async function askReset(email: string): Promise<{ token: string; link: string }> {
  const before = mailsTo(email).length;
  const asked = await t.anonymous().post('/api/v1/auth/password-reset', { email });
  expect(asked.status).toBe(202);
  expect(asked.body).toEqual(PASSWORD_RESET_ACCEPTED);
  await send();
  const mails = mailsTo(email);
  expect(mails).toHaveLength(before + 1);
  const mail = mails.at(-1)!;
  const link = mail.text.match(/(\S+\/billmgr\/reset-password\?token=([A-Za-z0-9_-]+))/);
  expect(link, mail.text).toBeTruthy();
  return { link: link![1]!, token: link![2]! };
}

describe('password reset', () => {
  test('a client resets the password from the mailed link: the old password and sessions end, the link works once', async () => {
    const c = await newClient('ru');
    const oldSession = await t.loginAs(c.email, 'client-password');
    expect((await oldSession.get('/api/v1/auth/me')).status).toBe(200);

    const { token, link } = await askReset(c.email);
    expect(link).toBe(`${t.url}/billmgr/reset-password?token=${token}`);
    const mail = mailsTo(c.email).at(-1)!;
    // In the client's language, signed by their provider.
    expect(mail.subject).toBe('Сброс пароля');
    expect(mail.headers['content-language']).toBe('ru');
    expect(mail.html).toContain(token);

    // Staff reading the outbox see the e-mail without its token.
    const listed = (await t.admin.get(`/api/v1/messages?clientId=${c.id}`)).body.items as Array<{ id: number; event: string }>;
    const message = listed.find((m) => m.event === 'password_reset')!;
    const shown = await t.admin.get(`/api/v1/messages/${message.id}`);
    expect(shown.status).toBe(200);
    expect(shown.body.text).toContain('/billmgr/reset-password?token=…');
    expect(JSON.stringify(shown.body)).not.toContain(token);

    // The password policy holds here too; a refused password leaves the token usable.
    const weak = await t.anonymous().post('/api/v1/auth/password-reset/confirm', { token, password: 'password' });
    expect(weak.status).toBe(400);
    expect(weak.body.error.field).toBe('password');

    const done = await t.anonymous().post('/api/v1/auth/password-reset/confirm', { token, password: 'new-client-password-7' });
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    expect(JSON.stringify(done.body)).not.toContain(token);

    expect((await oldSession.get('/api/v1/auth/me')).status).toBe(401);
    expect((await t.anonymous().login(c.email, 'client-password')).status).toBe(401);
    const fresh = await t.loginAs(c.email, 'new-client-password-7');
    expect((await fresh.get('/api/v1/auth/me')).body.email).toBe(c.email);

    const again = await t.anonymous().post('/api/v1/auth/password-reset/confirm', { token, password: 'another-client-password-9' });
    expect(again.status).toBe(400);
    expect(again.body.error.field).toBe('token');
    expect(again.body.error.message).toMatch(/already used/);
    expect((await t.anonymous().login(c.email, 'new-client-password-7')).status).toBe(200);

    // Audited, without the password.
    const audit = await t.admin.get(`/api/v1/audit?action=client.password_reset&entityId=${c.id}`);
    expect(audit.body.items).toHaveLength(1);
    expect(JSON.stringify(audit.body)).not.toContain('new-client-password-7');
  });

  test('an employee resets the password the same way, in English', async () => {
    const email = address('staff');
    const created = await t.admin.post('/api/v1/employees', { email, name: 'Sam Staff', password: 'staff-password-1', language: 'en' });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    await send(); // the new employee's confirmation link goes first
    const { token } = await askReset(email);
    expect(mailsTo(email).at(-1)!.subject).toBe('Resetting your password');
    const done = await t.anonymous().post('/api/v1/auth/password-reset/confirm', { token, password: 'staff-password-new-2' });
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    expect((await t.anonymous().login(email, 'staff-password-new-2')).status).toBe(200);
  });

  test('a link older than an hour is refused as expired', async () => {
    const c = await newClient();
    const { token } = await askReset(c.email);
    (t.clock as ManualClock).advance(61 * 60_000);
    const late = await t.anonymous().post('/api/v1/auth/password-reset/confirm', { token, password: 'new-client-password-7' });
    expect(late.status).toBe(400);
    expect(late.body.error.field).toBe('token');
    expect(late.body.error.message).toMatch(/expired/);
    expect((await t.anonymous().login(c.email, 'client-password')).status).toBe(200);
  });

  test('an unknown token is refused on the field token, in the asker\'s language', async () => {
    const answer = await t.anonymous().post('/api/v1/auth/password-reset/confirm', { token: 'not-a-token', password: 'new-client-password-7' }, { 'accept-language': 'ru' });
    expect(answer.status).toBe(400);
    expect(answer.body.error.field).toBe('token');
    expect(answer.body.error.message).toBe('Ссылка недействительна; запросите новую');
  });

  test('an unknown address gets the same answer and no e-mail', async () => {
    const email = address('nobody');
    const asked = await t.anonymous().post('/api/v1/auth/password-reset', { email });
    expect(asked.status).toBe(202);
    expect(asked.body).toEqual(PASSWORD_RESET_ACCEPTED);
    await send();
    expect(mailsTo(email)).toHaveLength(0);
    const written = await t.billrelay.db.kysely.selectFrom('messages').select('id').where('recipientAddress', '=', email).execute();
    expect(written).toHaveLength(0);
  });
});

describe('registration and e-mail confirmation', () => {
  const register = (email: string, language = 'en') =>
    t.anonymous().post('/api/v1/auth/register', { name: 'New Client', email, password: 'client-password', passwordConfirmation: 'client-password', country: 'DE', language });

  test('a new client is mailed a confirmation link that confirms the address once', async () => {
    const email = address('fresh');
    const answer = await register(email, 'ru');
    expect(answer.status, JSON.stringify(answer.body)).toBe(202);
    expect(answer.body).toEqual(REGISTER_ACCEPTED);
    await send();
    const mails = mailsTo(email);
    expect(mails).toHaveLength(1);
    expect(mails[0]!.subject).toBe('Подтвердите адрес e-mail');
    const token = mails[0]!.text.match(/\/billmgr\/confirm-email\?token=([A-Za-z0-9_-]+)/)?.[1];
    expect(token, mails[0]!.text).toBeTruthy();

    const client = await t.loginAs(email, 'client-password');
    const me = (await client.get('/api/v1/auth/me')).body;
    expect((await client.get(`/api/v1/clients/${me.id}`)).body.emailConfirmed).toBe(false);

    const confirmed = await t.anonymous().post('/api/v1/auth/confirm-email', { token });
    expect(confirmed.status, JSON.stringify(confirmed.body)).toBe(200);
    expect((await client.get(`/api/v1/clients/${me.id}`)).body.emailConfirmed).toBe(true);
    expect((await t.admin.get(`/api/v1/clients/${me.id}`)).body.emailConfirmed).toBe(true);

    const again = await t.anonymous().post('/api/v1/auth/confirm-email', { token });
    expect(again.status).toBe(400);
    expect(again.body.error.field).toBe('token');
    // A confirmation token is no reset token.
    const asReset = await t.anonymous().post('/api/v1/auth/password-reset/confirm', { token, password: 'new-client-password-7' });
    expect(asReset.status).toBe(400);
    expect(asReset.body.error.field).toBe('token');
  });

  test('registering a taken address answers alike, creates nothing, and tells the owner', async () => {
    const owner = await newClient();
    const answer = await register(owner.email);
    expect(answer.status).toBe(202);
    expect(answer.body).toEqual(REGISTER_ACCEPTED);
    await send();
    const mails = mailsTo(owner.email);
    expect(mails).toHaveLength(1);
    expect(mails[0]!.subject).toBe('Someone tried to register with your address');
    expect(mails[0]!.text).toContain(`${t.url}/billmgr/forgot-password`);
    expect(mails[0]!.text).not.toMatch(/token=/);
    const rows = await t.billrelay.db.kysely.selectFrom('clients').select(['id', 'name']).where('email', '=', owner.email).execute();
    expect(rows).toEqual([{ id: owner.id, name: 'Anna Berg' }]);
    // The owner's password still works.
    expect((await t.anonymous().login(owner.email, 'client-password')).status).toBe(200);
  });
});

test('no mailed token ever reaches the logs, and tokens are stored only hashed', async () => {
  // Opening the mailed link (the page) logs the request without the token.
  const c = await newClient();
  const { link, token: opened } = await askReset(c.email);
  await fetch(link.replace(/^https?:\/\/[^/]+/, t.url));
  expect(logs.join('\n')).toContain('/billmgr/reset-password?token=[redacted]');
  expect(logs.join('\n')).not.toContain(opened);
  const tokens = smtp.received.flatMap((m) => [...m.text.matchAll(/token=([A-Za-z0-9_-]+)/g)].map((x) => x[1]!));
  expect(tokens.length).toBeGreaterThan(3);
  const stored = await t.billrelay.db.kysely.selectFrom('authTokens').select('tokenHash').execute();
  const log = logs.join('\n');
  for (const token of tokens) {
    expect(log).not.toContain(token);
    expect(stored.map((s) => s.tokenHash)).not.toContain(token);
  }
});
