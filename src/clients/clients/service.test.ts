import { describe, expect, test } from 'vitest';
import { signWebhook } from '../payments/gateway.js';
import { ADMIN_EMAIL, useBillrelay } from '../../../test/support/billrelay.js';
import { signedInEmployee } from '../../../test/support/staff.js';

const t = useBillrelay();

async function register(email: string, extra: Record<string, unknown> = {}) {
  const browser = t().anonymous();
  const answer = await browser.post('/api/v1/auth/register', {
    name: 'Ivan', email, password: 'client-password', passwordConfirmation: 'client-password', country: 'DE', language: 'ru', ...extra,
  });
  return { browser, answer };
}

/** Registers and logs in, as a new client does; the client's id comes from who it is. */
async function registered(email: string) {
  const { browser, answer } = await register(email);
  expect(answer.status, JSON.stringify(answer.body)).toBe(202);
  const login = await browser.login(email, 'client-password');
  expect(login.status, JSON.stringify(login.body)).toBe(200);
  return { browser, id: login.body.user.id as number };
}

describe('Clients', () => {
  test('a client registers, logs in with the role client, and sees its own data', async () => {
    const { browser, answer } = await register('ivan@example.test');
    expect(answer.status, JSON.stringify(answer.body)).toBe(202);
    expect(answer.headers.getSetCookie()).toEqual([]);
    const login = await browser.login('ivan@example.test', 'client-password');
    expect(login.body.user).toMatchObject({ kind: 'client', email: 'ivan@example.test', isAdmin: false });
    const me = await browser.get('/api/v1/auth/me');
    expect(me.body.kind).toBe('client');
    const own = await browser.get(`/api/v1/clients/${me.body.id}`);
    expect(own.status).toBe(200);
    expect(own.body).toMatchObject({ providerId: 1, currency: 'EUR', balance: '0.00', country: 'DE', language: 'ru' });
    // A client is not staff.
    expect((await browser.get('/api/v1/clients')).status).toBe(403);
    expect((await browser.get('/api/v1/datacenters')).status).toBe(403);
  });

  test('registration checks its input, naming the field', async () => {
    const mismatch = await register('petr@example.test', { passwordConfirmation: 'other-password' });
    expect(mismatch.answer.status).toBe(400);
    expect(mismatch.answer.body.error.field).toBe('passwordConfirmation');
    expect((await register('petr@example.test', { country: 'Germany' })).answer.body.error.field).toBe('country');
    expect((await register('petr@example.test', { password: 'short', passwordConfirmation: 'short' })).answer.body.error.field).toBe('password');
  });

  test('registration answers alike whether or not the e-mail is taken, and creates nothing for a taken one', async () => {
    const first = await register('petr@example.test');
    const clients = async () => (await t().admin.get('/api/v1/clients?perPage=500')).body.total;
    const before = await clients();
    const taken = await register('PETR@example.test', { password: 'another-password-9', passwordConfirmation: 'another-password-9' });
    const staff = await register(ADMIN_EMAIL);
    for (const answer of [taken.answer, staff.answer]) {
      expect(answer.status).toBe(first.answer.status);
      expect(answer.body).toEqual(first.answer.body);
      expect(answer.headers.getSetCookie()).toEqual([]);
    }
    expect(await clients()).toBe(before);
    // The owner's password stays; the one given in the second registration opens nothing.
    expect((await t().anonymous().login('petr@example.test', 'client-password')).status).toBe(200);
    expect((await t().anonymous().login('petr@example.test', 'another-password-9')).status).toBe(401);
  });

  test('client A can neither read nor change client B (404 everywhere)', async () => {
    const a = await registered('a@example.test');
    const b = await registered('b@example.test');
    const bId = b.id;
    const client = a.browser;
    expect((await client.get(`/api/v1/clients/${bId}`)).status).toBe(404);
    expect((await client.patch(`/api/v1/clients/${bId}`, { name: 'hacked' })).status).toBe(404);
    expect((await client.get(`/api/v1/clients/${bId}/ledger`)).status).toBe(404);
    expect((await client.post(`/api/v1/clients/${bId}/payments/start`, { amount: '5.00' })).status).toBe(404);
    expect((await client.post(`/api/v1/clients/${bId}/payments`, { amount: '5.00' })).status).toBe(403);
    expect((await client.post(`/api/v1/clients/${bId}/impersonate`)).status).toBe(403);
    expect((await t().admin.get(`/api/v1/clients/${bId}`)).body.name).toBe('Ivan');
  });

  test('a client changes its own name and password but not its balance limit or status', async () => {
    const { browser, id } = await registered('self@example.test');
    expect((await browser.patch(`/api/v1/clients/${id}`, { name: 'New name' })).body.name).toBe('New name');
    const limit = await browser.patch(`/api/v1/clients/${id}`, { creditLimit: '1000.00' });
    expect(limit.status).toBe(403);
    expect(limit.body.error.field).toBe('creditLimit');
    expect((await browser.patch(`/api/v1/clients/${id}`, { enabled: false })).status).toBe(403);
  });

  test('staff create, edit and disable clients; a disabled client is logged out and cannot log in', async () => {
    const created = await t().admin.post('/api/v1/clients', { name: 'Shop', email: 'shop@example.test', password: 'shop-password-42', language: 'en', providerId: 1 });
    expect(created.status).toBe(201);
    const shop = await t().loginAs('shop@example.test', 'shop-password-42');
    expect((await shop.get(`/api/v1/clients/${created.body.id}`)).status).toBe(200);
    const disabled = await t().admin.patch(`/api/v1/clients/${created.body.id}`, { enabled: false });
    expect(disabled.body.enabled).toBe(false);
    expect((await shop.get(`/api/v1/clients/${created.body.id}`)).status).toBe(401);
    expect((await t().anonymous().login('shop@example.test', 'shop-password-42')).status).toBe(401);
    expect((await t().admin.post('/api/v1/clients', { name: 'X', email: 'x@example.test', password: 'client-password', providerId: 999 })).body.error.field).toBe('providerId');
    expect((await t().admin.post('/api/v1/clients', { name: 'X', email: 'x@example.test', password: 'client-password', providerId: 1, language: 'zz' })).body.error.field).toBe('language');
    const list = await t().admin.get('/api/v1/clients?search=shop');
    expect(list.body.items.map((c: { email: string }) => c.email)).toEqual(['shop@example.test']);
  });

  test('the search finds names in any case, Cyrillic too', async () => {
    for (const [name, email] of [['ООО Ромашка', 'romashka@example.test'], ['Shop Müller', 'muller@example.test']]) {
      expect((await t().admin.post('/api/v1/clients', { name, email, password: 'client-password', providerId: 1 })).status).toBe(201);
    }
    const found = async (search: string) =>
      (await t().admin.get(`/api/v1/clients?search=${encodeURIComponent(search)}`)).body.items.map((c: { email: string }) => c.email);
    expect(await found('ромашка')).toEqual(['romashka@example.test']);
    expect(await found('РОМАШКА')).toEqual(['romashka@example.test']);
    expect(await found('MÜLLER')).toEqual(['muller@example.test']);
  });

  test('an administrator opens the client area as the client; it is audited', async () => {
    const { id } = await registered('impersonated@example.test');
    const admin = await t().loginAs(ADMIN_EMAIL, 'admin-password-1');
    const as = await admin.post(`/api/v1/clients/${id}/impersonate`);
    expect(as.status).toBe(200);
    expect(as.body.user).toMatchObject({ kind: 'client', id, impersonatedBy: 1 });
    expect((await admin.get('/api/v1/auth/me')).body).toMatchObject({ kind: 'client', impersonatedBy: 1 });
    expect((await admin.get(`/api/v1/clients/${id}`)).status).toBe(200);
    const audit = await t().admin.get(`/api/v1/audit?entity=client&entityId=${id}&action=client.impersonate`);
    expect(audit.body.items[0].actor.label).toBe(ADMIN_EMAIL);
  });

  test('back from "log in as": the session as the client ends and the administrator is logged in again; audited', async () => {
    const { id } = await registered('returning@example.test');
    const admin = await t().loginAs(ADMIN_EMAIL, 'admin-password-1');
    // Not logged in as anyone: nothing to go back from.
    const notAs = await admin.post('/api/v1/auth/impersonation/end');
    expect(notAs.status).toBe(409);
    expect((await admin.get('/api/v1/auth/me')).body).toMatchObject({ kind: 'employee', id: 1 });

    expect((await admin.post(`/api/v1/clients/${id}/impersonate`)).status).toBe(200);
    const clientSession = admin.copySession();
    const back = await admin.post('/api/v1/auth/impersonation/end');
    expect(back.status, JSON.stringify(back.body)).toBe(200);
    expect(back.body.user).toMatchObject({ kind: 'employee', id: 1, impersonatedBy: null });
    expect((await admin.get('/api/v1/auth/me')).body).toMatchObject({ kind: 'employee', id: 1, impersonatedBy: null });
    // Writes work with the new session's CSRF token; the session as the client is gone.
    expect((await admin.patch(`/api/v1/clients/${id}`, { name: 'Returned' })).status).toBe(200);
    expect((await clientSession.get('/api/v1/auth/me')).status).toBe(401);
    const audit = await t().admin.get(`/api/v1/audit?entity=client&entityId=${id}&action=client.impersonate_end`);
    expect(audit.body.items).toHaveLength(1);
    expect(audit.body.items[0].actor.label).toBe(ADMIN_EMAIL);

    // A client's own session cannot become anyone else's.
    const { browser } = await registered('plain@example.test');
    expect((await browser.post('/api/v1/auth/impersonation/end')).status).toBe(409);
    expect((await browser.get('/api/v1/auth/me')).body.kind).toBe('client');
    expect((await t().anonymous().post('/api/v1/auth/impersonation/end')).status).toBe(401);
  });

  test('a top-up through the manual gateway: started by the client, booked once by a signed notification', async () => {
    const { browser, id } = await registered('payer@example.test');
    const started = await browser.post(`/api/v1/clients/${id}/payments/start`, { amount: '20.00' });
    expect(started.status).toBe(200);
    expect(started.body.instructions).toContain(started.body.gatewayPaymentId);

    const key = t().billrelay.services.secrets.deriveKey('payment-webhook:manual');
    const body = JSON.stringify({ transactionId: started.body.gatewayPaymentId, clientId: id, amount: '20.00', currency: 'EUR', status: 'paid' });
    const notify = (raw: string, signature: string) =>
      t().anonymous().request('POST', '/api/v1/payments/webhooks/manual', raw, { 'content-type': 'application/json', 'x-billrelay-signature': signature });
    const first = await notify(body, signWebhook(key, body));
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ booked: true, created: true, entry: { amount: '20.00' } });
    const again = await notify(body, signWebhook(key, body));
    expect(again.body).toMatchObject({ booked: true, created: false });
    const forged = await notify(body.replace('20.00', '2000.00'), signWebhook(key, body));
    expect(forged.status).toBe(401);
    expect((await browser.get(`/api/v1/clients/${id}`)).body.balance).toBe('20.00');
    expect((await t().anonymous().request('POST', '/api/v1/payments/webhooks/paypal', body, { 'x-billrelay-signature': 'x' })).status).toBe(404);
  });
});

describe('what only administrators may do with a client', () => {
  test('an employee with clients.change but no money right can neither set the password, log in as, give credit nor record a payment', async () => {
    const { id } = await registered('guarded@example.test');
    // clients.change is the right to edit clients; the money rights are separate from it.
    const clerk = await signedInEmployee(t(), { rights: ['clients.change'] });
    const cases: Array<[() => Promise<{ status: number; body: any }>, string, string | undefined]> = [
      [() => clerk.patch(`/api/v1/clients/${id}`, { password: 'taken-over-password' }), 'client.password', 'password'],
      [() => clerk.patch(`/api/v1/clients/${id}`, { creditLimit: '1000.00' }), 'client.credit_limit', 'creditLimit'],
      [() => clerk.post(`/api/v1/clients/${id}/impersonate`), 'client.impersonate', undefined],
      [() => clerk.post(`/api/v1/clients/${id}/payments`, { amount: '5.00' }), 'client.payment', undefined],
      [() => clerk.post(`/api/v1/clients/${id}/corrections`, { amount: '5.00', comment: 'why' }), 'client.correction', undefined],
      [() => clerk.post('/api/v1/clients', { name: 'C', email: 'credit@example.test', password: 'client-password', providerId: 1, creditLimit: '10.00' }), 'client.credit_limit', 'creditLimit'],
    ];
    for (const [request, right, field] of cases) {
      const refused = await request();
      expect(refused.status, JSON.stringify(refused.body)).toBe(403);
      expect(refused.body.error.message).toContain(`right ${right}`);
      expect(refused.body.error.details).toEqual({ right });
      expect(refused.body.error.field).toBe(field);
    }
    // Nothing changed: the old password still works, the limit and balance are untouched.
    expect((await t().anonymous().login('guarded@example.test', 'client-password')).status).toBe(200);
    expect((await t().admin.get(`/api/v1/clients/${id}`)).body).toMatchObject({ creditLimit: '0.00', balance: '0.00' });
    // Other fields need only clients.change.
    expect((await clerk.patch(`/api/v1/clients/${id}`, { name: 'Renamed' })).status).toBe(200);
  });

  test('an administrator may; each change is audited with what changed, never the password', async () => {
    const { id } = await registered('audited@example.test');
    const admin = t().admin;
    expect((await admin.patch(`/api/v1/clients/${id}`, { password: 'reset-by-admin-7' })).status).toBe(200);
    expect((await admin.patch(`/api/v1/clients/${id}`, { creditLimit: '50.00' })).status).toBe(200);
    expect((await admin.post(`/api/v1/clients/${id}/payments`, { amount: '5.00' })).status).toBe(201);
    const audit = (await admin.get(`/api/v1/audit?entity=client&entityId=${id}`)).body.items;
    const byAction = (action: string) => audit.filter((e: { action: string }) => e.action === action);
    const [limit, password] = byAction('client.update');
    expect(password.after).toMatchObject({ password: 'changed' });
    expect(password.before.password).toBeUndefined();
    expect(limit).toMatchObject({ before: { creditLimit: '0.00' }, after: { creditLimit: '50.00' } });
    expect(limit.after.password).toBeUndefined();
    expect(byAction('ledger.payment')[0]).toMatchObject({ actor: { label: ADMIN_EMAIL }, after: { amount: '5.00', kind: 'payment' } });
    expect(JSON.stringify(audit)).not.toContain('reset-by-admin-7');
  });
});

describe('passwords', () => {
  test('commonly used passwords and ones built on the e-mail are refused with a 400 naming the field and why', async () => {
    const cases: Array<[string, string]> = [
      ['password1', 'it is a commonly used password'],
      ['qwertyuiop', 'it is one of the hundred most used passwords'],
      ['Passw0rd!', 'it is too close to a commonly used password'],
      ['mila@example.test', 'it contains the e-mail address'],
      ['MILA@example.test-2024', 'it contains the e-mail address'],
    ];
    for (const [password, why] of cases) {
      const { answer } = await register('mila@example.test', { password, passwordConfirmation: password });
      expect(answer.status, password).toBe(400);
      expect(answer.body.error, password).toMatchObject({ code: 'validation', field: 'password' });
      expect(answer.body.error.message, password).toContain(`password: ${why}`);
    }
    const created = await t().admin.post('/api/v1/clients', { name: 'C', email: 'weak@example.test', password: '12345678', providerId: 1 });
    expect(created.status).toBe(400);
    expect(created.body.error.field).toBe('password');
    const { id } = await registered('mila@example.test');
    const reset = await t().admin.patch(`/api/v1/clients/${id}`, { password: 'iloveyou2' });
    expect(reset.status).toBe(400);
    expect(reset.body.error.field).toBe('password');
  });

  test('a client changes its own password only by giving the current one', async () => {
    const { browser, id } = await registered('changer@example.test');
    const missing = await browser.patch(`/api/v1/clients/${id}`, { password: 'new-secret-words-8' });
    expect(missing.status).toBe(400);
    expect(missing.body.error.field).toBe('currentPassword');
    const wrong = await browser.patch(`/api/v1/clients/${id}`, { password: 'new-secret-words-8', currentPassword: 'not-the-password' });
    expect(wrong.status).toBe(403);
    expect(wrong.body.error.field).toBe('currentPassword');
    expect((await t().anonymous().login('changer@example.test', 'client-password')).status).toBe(200);
    const changed = await browser.patch(`/api/v1/clients/${id}`, { password: 'new-secret-words-8', currentPassword: 'client-password' });
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    expect((await t().anonymous().login('changer@example.test', 'new-secret-words-8')).status).toBe(200);
    expect((await t().anonymous().login('changer@example.test', 'client-password')).status).toBe(401);
  });

  test('a client changes its own e-mail address with the current password; the new one is confirmed by the link mailed to it', async () => {
    const { browser, id } = await registered('mover@example.test');
    const links = async (email: string) =>
      (await t().billrelay.db.kysely.selectFrom('messages').select('textBody').where('recipientAddress', '=', email).where('event', '=', 'email_confirmation').orderBy('id').execute())
        .map((m) => m.textBody.match(/\/billmgr\/confirm-email\?token=([A-Za-z0-9_-]+)/)?.[1]);
    const [first] = await links('mover@example.test');
    expect(first).toBeTruthy();

    const missing = await browser.patch(`/api/v1/clients/${id}`, { email: 'moved@example.test' });
    expect(missing.status).toBe(400);
    expect(missing.body.error.field).toBe('currentPassword');
    const wrong = await browser.patch(`/api/v1/clients/${id}`, { email: 'moved@example.test', currentPassword: 'not-the-password' });
    expect(wrong.status).toBe(403);
    expect(wrong.body.error.field).toBe('currentPassword');
    await registered('occupied@example.test');
    const taken = await browser.patch(`/api/v1/clients/${id}`, { email: 'OCCUPIED@example.test', currentPassword: 'client-password' });
    expect(taken.status).toBe(409);
    expect(taken.body.error.field).toBe('email');
    const malformed = await browser.patch(`/api/v1/clients/${id}`, { email: 'not an address', currentPassword: 'client-password' });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.field).toBe('email');
    expect((await t().admin.get(`/api/v1/clients/${id}`)).body.email).toBe('mover@example.test');

    const moved = await browser.patch(`/api/v1/clients/${id}`, { email: ' Moved@Example.test ', currentPassword: 'client-password' });
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    expect(moved.body).toMatchObject({ email: 'moved@example.test', emailConfirmed: false });
    // The client logs in with the new address; the old one opens nothing.
    expect((await t().anonymous().login('moved@example.test', 'client-password')).status).toBe(200);
    expect((await t().anonymous().login('mover@example.test', 'client-password')).status).toBe(401);
    // The link mailed to the old address confirms nothing now; the one mailed to the new address does.
    const [second] = await links('moved@example.test');
    expect(second).toBeTruthy();
    expect((await t().anonymous().post('/api/v1/auth/confirm-email', { token: first })).status).toBe(400);
    expect((await t().admin.get(`/api/v1/clients/${id}`)).body.emailConfirmed).toBe(false);
    expect((await t().anonymous().post('/api/v1/auth/confirm-email', { token: second })).status).toBe(200);
    expect((await t().admin.get(`/api/v1/clients/${id}`)).body.emailConfirmed).toBe(true);
    // Saving the same address again changes nothing and needs no password.
    const same = await browser.patch(`/api/v1/clients/${id}`, { email: 'moved@example.test', name: 'Moved Ivan' });
    expect(same.status, JSON.stringify(same.body)).toBe(200);
    expect(same.body).toMatchObject({ emailConfirmed: true, name: 'Moved Ivan' });
    expect(await links('moved@example.test')).toHaveLength(1);
    const audit = (await t().billrelay.db.kysely.selectFrom('auditLog').selectAll().where('action', '=', 'client.update').where('entityId', '=', String(id)).execute()).map((r) => JSON.stringify(r));
    expect(audit.some((r) => r.includes('moved@example.test'))).toBe(true);
  });

  test('a client sets, changes and removes its phone number; a malformed one is refused naming the field', async () => {
    const { browser, id } = await registered('caller@example.test');
    expect((await browser.get(`/api/v1/clients/${id}`)).body.phone).toBeNull();
    const set = await browser.patch(`/api/v1/clients/${id}`, { phone: ' +49 (30) 123-4567 ' });
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    expect(set.body.phone).toBe('+49 (30) 123-4567');
    expect((await t().admin.get(`/api/v1/clients/${id}`)).body.phone).toBe('+49 (30) 123-4567');
    for (const bad of ['call me', '12', '+1 234 567 890 123 456 7', '+49 30 12a4567']) {
      const refused = await browser.patch(`/api/v1/clients/${id}`, { phone: bad });
      expect(refused.status, bad).toBe(400);
      expect(refused.body.error.field, bad).toBe('phone');
    }
    expect((await browser.patch(`/api/v1/clients/${id}`, { phone: null })).body.phone).toBeNull();
    // Staff may set it too.
    expect((await t().admin.patch(`/api/v1/clients/${id}`, { phone: '+7 495 000-00-00' })).body.phone).toBe('+7 495 000-00-00');
  });
});
