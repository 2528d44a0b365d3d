// Settings → Notification templates, the provider's own sender and a new confirmation link, through the
// outbox and a real SMTP server: what staff save is what the next e-mail says (escaped in its HTML),
// resetting brings the shipped words back, bad placeholders are refused, the preview renders.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { ManualClock } from '../../platform/clock.js';
import { startBillrelay, type TestBillrelay } from '../../../test/support/billrelay.js';
import { startSmtp, type TestSmtp } from '../../../test/support/smtp.js';
import { MESSAGE_EVENTS } from '../../tools/messages/templates/index.js';

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

async function newClient(name: string, language: 'en' | 'ru' | 'de' = 'en', providerId = 1) {
  const email = address('client');
  const created = await t.admin.post('/api/v1/clients', { name, email, password: 'client-password', language, providerId });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return { id: created.body.id as number, email };
}

/** Asks for a password reset and returns the e-mail that arrived. */
async function resetMail(email: string) {
  const before = mailsTo(email).length;
  expect((await t.anonymous().post('/api/v1/auth/password-reset', { email })).status).toBe(202);
  await send();
  const mails = mailsTo(email);
  expect(mails).toHaveLength(before + 1);
  return mails.at(-1)!;
}

describe('notification templates', () => {
  test('every event in English and Russian, with its placeholders and the shipped words', async () => {
    const list = await t.admin.get('/api/v1/notification-templates');
    expect(list.status, JSON.stringify(list.body)).toBe(200);
    expect(list.body.locales).toEqual(expect.arrayContaining(['en', 'ru']));
    for (const event of MESSAGE_EVENTS) {
      for (const locale of ['en', 'ru']) expect(list.body.items.find((i: { event: string; locale: string }) => i.event === event && i.locale === locale), `${event}/${locale}`).toBeTruthy();
    }
    const one = await t.admin.get('/api/v1/notification-templates/license_active/ru');
    expect(one.body).toMatchObject({ event: 'license_active', locale: 'ru', customized: false, subject: 'Лицензия {licenseName} активна' });
    expect(one.body.placeholders).toEqual(expect.arrayContaining(['name', 'provider', 'licenseName', 'ip', 'expiresOn', 'licenseKey']));
    expect(one.body.default.body).toContain('Здравствуйте, {name}!\n\nВаша лицензия ispmanager {licenseName}');
    expect(one.body.current).toEqual(one.body.default);
    expect((await t.admin.get('/api/v1/notification-templates/no_such_event/en')).status).toBe(400);
    expect((await t.admin.get('/api/v1/notification-templates/license_active/xx')).status).toBe(404);
  });

  test('a saved version is what the next e-mail says, the client-typed name stays escaped; reset brings the default back', async () => {
    const client = await newClient('Eve <script>alert(1)</script>');
    const saved = await t.admin.put('/api/v1/notification-templates/password_reset/en', {
      subject: 'New password for {email} at {provider}',
      body: 'Dear {name},\n\nchoose a new password here\n(within an hour):\n\n{link}\n\nThe <b>{provider}</b> team',
    });
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    expect(saved.body).toMatchObject({ customized: true, current: { subject: 'New password for {email} at {provider}' } });

    const mail = await resetMail(client.email);
    expect(mail.subject).toBe(`New password for ${client.email} at Default provider`);
    expect(mail.text.replace(/\r\n/g, '\n')).toContain('Dear Eve <script>alert(1)</script>,\n\nchoose a new password here\n(within an hour):');
    expect(mail.text).toMatch(/\/billmgr\/reset-password\?token=[A-Za-z0-9_-]+/);
    expect(mail.html).toContain('<p>Dear Eve &lt;script&gt;alert(1)&lt;/script&gt;,</p>');
    expect(mail.html).toContain('<p>choose a new password here<br>(within an hour):</p>');
    expect(mail.html).toMatch(/<pre>https?:\/\/[^<]+\/billmgr\/reset-password\?token=[A-Za-z0-9_-]+<\/pre>/);
    expect(mail.html).toContain('<p>The &lt;b&gt;Default provider&lt;/b&gt; team</p>');
    expect(mail.html).not.toContain('<script>');

    // Russian clients keep the Russian words: the version was written for English.
    const ru = await newClient('Иван', 'ru');
    expect((await resetMail(ru.email)).subject).toBe('Сброс пароля');

    const reset = await t.admin.delete('/api/v1/notification-templates/password_reset/en');
    expect(reset.status).toBe(200);
    expect(reset.body.customized).toBe(false);
    expect(reset.body.current).toEqual(reset.body.default);
    const after = await resetMail(client.email);
    expect(after.subject).toBe('Resetting your password');
    expect(after.html).toContain('Hello, Eve &lt;script&gt;alert(1)&lt;/script&gt;!');

    const audit = (await t.admin.get('/api/v1/audit?entity=notification_template')).body.items;
    expect(audit.slice(0, 2)).toMatchObject([
      { action: 'notification_template.reset', before: { subject: 'New password for {email} at {provider}' }, after: null },
      { action: 'notification_template.update', before: null, after: { subject: 'New password for {email} at {provider}' } },
    ]);
  });

  test('an enabled localization without its own words gets the English version; with its own, that', async () => {
    expect((await t.admin.post('/api/v1/localizations', { code: 'de', name: 'Deutsch' })).status).toBe(201);
    expect((await t.admin.get('/api/v1/notification-templates')).body.locales).toContain('de');
    const de = await newClient('Dieter', 'de');
    expect((await resetMail(de.email)).subject).toBe('Resetting your password');
    expect((await t.admin.put('/api/v1/notification-templates/password_reset/de', { subject: 'Passwort zurücksetzen', body: 'Hallo {name}!\n\n{link}' })).status).toBe(200);
    const mail = await resetMail(de.email);
    expect(mail.subject).toBe('Passwort zurücksetzen');
    expect(mail.headers['content-language']).toBe('de');
    await t.admin.delete('/api/v1/notification-templates/password_reset/de');
  });

  test('an unknown placeholder is a 422 naming the field and the placeholder; the subject is one line', async () => {
    const badBody = await t.admin.put('/api/v1/notification-templates/license_deleted/en', { subject: 'Deleted: {licenseName}', body: 'Hello {name}, {licenceName} is gone' });
    expect(badBody.status).toBe(422);
    expect(badBody.body.error).toMatchObject({ field: 'body', details: { placeholder: 'licenceName' } });
    expect(badBody.body.error.message).toContain('{licenceName}');
    expect(badBody.body.error.message).toContain('{licenseName}');
    const badSubject = await t.admin.put('/api/v1/notification-templates/license_deleted/en', { subject: 'Deleted {link}', body: 'Gone' }, { 'accept-language': 'ru' });
    expect(badSubject.status).toBe(422);
    expect(badSubject.body.error).toMatchObject({ field: 'subject', details: { placeholder: 'link' } });
    expect(badSubject.body.error.message).toContain('не подстановка');
    const twoLines = await t.admin.put('/api/v1/notification-templates/license_deleted/en', { subject: 'Deleted\nBcc: x@example.test', body: 'Gone' });
    expect(twoLines.status).toBe(422);
    expect(twoLines.body.error.field).toBe('subject');
    expect((await t.admin.post('/api/v1/notification-templates/license_deleted/en/preview', { subject: 'x', body: '{nope}' })).status).toBe(422);
    expect((await t.admin.get('/api/v1/notification-templates/license_deleted/en')).body.customized).toBe(false);
  });

  test('the preview renders the given words with sample values and saves nothing', async () => {
    const preview = await t.admin.post('/api/v1/notification-templates/license_active/en/preview', {
      subject: '{licenseName} is ready',
      body: 'Hi {name} <img src=x>\n\nKey:\n\n{licenseKey}',
    });
    expect(preview.status, JSON.stringify(preview.body)).toBe(200);
    const { values } = preview.body;
    expect(preview.body.subject).toBe(`${values.licenseName} is ready`);
    expect(preview.body.text).toBe(`Hi ${values.name} <img src=x>\n\nKey:\n\n${values.licenseKey}\n`);
    expect(preview.body.html).toContain(`<p>Hi ${values.name} &lt;img src=x&gt;</p><p>Key:</p><pre>${values.licenseKey}</pre>`);
    expect((await t.admin.get('/api/v1/notification-templates/license_active/en')).body.customized).toBe(false);
  });

  test('reading needs notification-templates.read, changing .change', async () => {
    const email = address('staff');
    expect((await t.admin.post('/api/v1/employees', { email, name: 'Reader', password: 'staff-password-1', rights: ['notification-templates.read'] })).status).toBe(201);
    const reader = await t.loginAs(email, 'staff-password-1');
    expect((await reader.get('/api/v1/notification-templates')).status).toBe(200);
    expect((await reader.post('/api/v1/notification-templates/license_deleted/en/preview', { subject: 'x', body: 'y' })).status).toBe(200);
    const refused = await reader.put('/api/v1/notification-templates/license_deleted/en', { subject: 'x', body: 'y' });
    expect(refused.status).toBe(403);
    expect(refused.body.error.details).toEqual({ right: 'notification-templates.change' });
  });
});

describe("the provider's sender", () => {
  test("a provider's own name and address are the From of its clients' e-mails; Reply-To stays the support address", async () => {
    const created = await t.admin.post('/api/v1/providers', { name: 'Own Sender Hosting', currency: 'EUR', supportEmail: 'help@own-sender.test', mailFromName: 'Own Sender Billing', mailFromAddress: 'billing@own-sender.test' });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({ mailFromName: 'Own Sender Billing', mailFromAddress: 'billing@own-sender.test' });
    const client = await newClient('Olga', 'en', created.body.id);
    const mail = await resetMail(client.email);
    expect(mail.from).toBe('billing@own-sender.test');
    expect(mail.headers.from).toBe('"Own Sender Billing" <billing@own-sender.test>');
    expect(mail.headers['reply-to']).toBe('help@own-sender.test');

    // Without them: BILLRELAY_MAIL_FROM's address under the provider's name.
    const cleared = await t.admin.patch(`/api/v1/providers/${created.body.id}`, { mailFromName: null, mailFromAddress: null });
    expect(cleared.body).toMatchObject({ mailFromName: null, mailFromAddress: null });
    const plain = await resetMail(client.email);
    expect(plain.from).toBe('billing@reseller.test');
    expect(plain.headers.from).toBe('"Own Sender Hosting" <billing@reseller.test>');

    const bad = await t.admin.patch(`/api/v1/providers/${created.body.id}`, { mailFromAddress: 'not an address' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe('mailFromAddress');
  });
});

describe('a new confirmation link', () => {
  test('a client with an unconfirmed address asks for a new link at most every 5 minutes; it confirms the address', async () => {
    const email = address('fresh');
    const registered = await t.anonymous().post('/api/v1/auth/register', { name: 'New Client', email, password: 'client-password', passwordConfirmation: 'client-password', country: 'DE', language: 'en' });
    expect(registered.status, JSON.stringify(registered.body)).toBe(202);
    await send();
    expect(mailsTo(email)).toHaveLength(1);
    const client = await t.loginAs(email, 'client-password');

    const tooSoon = await client.post('/api/v1/auth/confirm-email/resend', {});
    expect(tooSoon.status).toBe(429);
    expect(tooSoon.body.error.code).toBe('rate_limited');
    (t.clock as ManualClock).advance(5 * 60_000 + 1000);
    const asked = await client.post('/api/v1/auth/confirm-email/resend', {});
    expect(asked.status, JSON.stringify(asked.body)).toBe(202);
    expect(asked.body).toEqual({ status: 'confirmation_sent', email });
    expect((await client.post('/api/v1/auth/confirm-email/resend', {})).status).toBe(429);
    await send();
    const mails = mailsTo(email);
    expect(mails).toHaveLength(2);
    expect(mails[1]!.subject).toBe('Confirm your e-mail address');
    const token = mails[1]!.text.match(/\/billmgr\/confirm-email\?token=([A-Za-z0-9_-]+)/)?.[1];
    expect(token).toBeTruthy();
    expect((await t.anonymous().post('/api/v1/auth/confirm-email', { token })).status).toBe(200);
    const me = (await client.get('/api/v1/auth/me')).body;
    expect((await client.get(`/api/v1/clients/${me.id}`)).body.emailConfirmed).toBe(true);

    (t.clock as ManualClock).advance(5 * 60_000 + 1000);
    const confirmed = await client.post('/api/v1/auth/confirm-email/resend', {});
    expect(confirmed.status).toBe(409);
    expect(confirmed.body.error.field).toBe('email');
    // Employees have no address to confirm here.
    expect((await t.admin.post('/api/v1/auth/confirm-email/resend', {})).status).toBe(403);
  });

  test('staff with clients.change send it from the client page (audited), limited the same way', async () => {
    const client = await newClient('Paula');
    expect((await t.admin.get(`/api/v1/clients/${client.id}`)).body.emailConfirmed).toBe(false);
    const sent = await t.admin.post(`/api/v1/clients/${client.id}/confirm-email/resend`, {});
    expect(sent.status, JSON.stringify(sent.body)).toBe(202);
    expect((await t.admin.post(`/api/v1/clients/${client.id}/confirm-email/resend`, {})).status).toBe(429);
    await send();
    expect(mailsTo(client.email).map((m) => m.subject)).toEqual(['Confirm your e-mail address']);
    const audit = (await t.admin.get(`/api/v1/audit?entity=client&entityId=${client.id}`)).body.items;
    expect(audit[0]).toMatchObject({ action: 'client.email_confirmation_resend', after: { email: client.email } });

    const email = address('reader');
    await t.admin.post('/api/v1/employees', { email, name: 'Reader', password: 'staff-password-1', rights: ['clients.read'] });
    const reader = await t.loginAs(email, 'staff-password-1');
    expect((await reader.post(`/api/v1/clients/${client.id}/confirm-email/resend`, {})).body.error.details).toEqual({ right: 'clients.change' });
    expect((await t.admin.post('/api/v1/clients/999999/confirm-email/resend', {})).status).toBe(404);
  });
});
