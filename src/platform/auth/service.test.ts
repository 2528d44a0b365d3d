import { describe, expect, test } from 'vitest';
import { ADMIN_EMAIL, ADMIN_PASSWORD, useBillrelay } from '../../../test/support/billrelay.js';
import { hashPassword } from '../crypto/passwords.js';
import type { ApiClient } from '../../../test/support/http.js';
import { MAX_FAILURES_PER_ACCOUNT_AND_ADDRESS } from './service.js';

// As behind a reverse proxy on this machine: requests may say which address they come from.
const t = useBillrelay({ env: { BILLRELAY_TRUST_PROXY: '127.0.0.1' } });
const from = (address: string) => ({ 'x-forwarded-for': address });
const loginFrom = (client: ApiClient, address: string, email: string, password: string) =>
  client.post('/api/v1/auth/login', { email, password }, from(address));

async function addEmployee(email: string, password: string, isAdmin = false, rights: string[] = []) {
  const now = new Date().toISOString();
  const { id } = await t().billrelay.db.kysely
    .insertInto('employees')
    .values({ email, name: email, passwordHash: await hashPassword(password), language: 'en', isAdmin: isAdmin ? 1 : 0, enabled: 1, createdAt: now, updatedAt: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  if (rights.length) {
    await t().billrelay.db.kysely.insertInto('employeeRights').values(rights.map((rightName) => ({ employeeId: Number(id), rightName }))).execute();
  }
}

describe('logging in', () => {
  test('an administrator logs in with a cookie session, sees who they are, and logs out', async () => {
    const browser = t().anonymous();
    const login = await browser.login(ADMIN_EMAIL, ADMIN_PASSWORD);
    expect(login.status).toBe(200);
    expect(login.body.user).toMatchObject({ email: ADMIN_EMAIL, isAdmin: true, kind: 'employee' });
    const cookie = login.headers.getSetCookie().find((c) => c.startsWith('billrelay_session='))!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(JSON.stringify(login.body)).not.toContain(ADMIN_PASSWORD);

    expect((await browser.get('/api/v1/auth/me')).body.email).toBe(ADMIN_EMAIL);
    expect((await browser.post('/api/v1/auth/logout')).status).toBe(204);
    expect((await browser.get('/api/v1/auth/me')).status).toBe(401);
  });

  test('logout invalidates the session on the server, not just in the browser', async () => {
    const browser = t().anonymous();
    await browser.login(ADMIN_EMAIL, ADMIN_PASSWORD);
    const copy = browser.copySession();
    expect((await copy.get('/api/v1/auth/me')).status).toBe(200);
    await browser.post('/api/v1/auth/logout');
    expect((await copy.get('/api/v1/auth/me')).status).toBe(401);
  });

  test('a wrong password gets 401 with no hint whether the e-mail exists', async () => {
    const wrong = await t().anonymous().login(ADMIN_EMAIL, 'not-the-password');
    const unknown = await t().anonymous().login('nobody@example.test', 'whatever-password');
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body.error.message).toBe(unknown.body.error.message);
  });

  test('a malformed login body is a 400 naming the field', async () => {
    const answer = await t().anonymous().post('/api/v1/auth/login', { email: 'not-an-email', password: 'x' });
    expect(answer.status).toBe(400);
    expect(answer.body.error.field).toBe('email');
  });

  test('repeated failed logins slow that address down, but the owner still logs in from another one', async () => {
    await addEmployee('victim@example.test', 'victim-password');
    for (let i = 0; i < MAX_FAILURES_PER_ACCOUNT_AND_ADDRESS; i++) {
      expect((await loginFrom(t().anonymous(), '203.0.113.1', 'victim@example.test', `guess-${i}`)).status).toBe(401);
    }
    const limited = await loginFrom(t().anonymous(), '203.0.113.1', 'victim@example.test', 'victim-password');
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe('rate_limited');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    // The owner, from elsewhere, is not locked out; nor are other accounts.
    expect((await loginFrom(t().anonymous(), '198.51.100.7', 'victim@example.test', 'victim-password')).status).toBe(200);
    expect((await t().anonymous().login(ADMIN_EMAIL, ADMIN_PASSWORD)).status).toBe(200);
  });

  test('40 parallel wrong passwords from one address: at most the limit are checked, the rest are 429', async () => {
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) => loginFrom(t().anonymous(), '203.0.113.2', ADMIN_EMAIL, `parallel-guess-${i}`)),
    );
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(MAX_FAILURES_PER_ACCOUNT_AND_ADDRESS);
    expect(statuses.filter((s) => s !== 401 && s !== 429)).toEqual([]);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(40 - MAX_FAILURES_PER_ACCOUNT_AND_ADDRESS);
    // The administrator is not locked out: the right password from another address works.
    expect((await loginFrom(t().anonymous(), '198.51.100.8', ADMIN_EMAIL, ADMIN_PASSWORD)).status).toBe(200);
    expect((await loginFrom(t().anonymous(), '203.0.113.2', ADMIN_EMAIL, ADMIN_PASSWORD)).status).toBe(429);
  });

  test('behind a trusted proxy that says https, session cookies are Secure and HSTS is sent', async () => {
    const secure = await t().anonymous().post('/api/v1/auth/login', { email: ADMIN_EMAIL, password: ADMIN_PASSWORD }, { 'x-forwarded-proto': 'https' });
    expect(secure.status).toBe(200);
    for (const cookie of secure.headers.getSetCookie()) expect(cookie).toMatch(/;\s*Secure/i);
    expect(secure.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
    const plain = await t().anonymous().login(ADMIN_EMAIL, ADMIN_PASSWORD);
    for (const cookie of plain.headers.getSetCookie()) expect(cookie).not.toMatch(/;\s*Secure/i);
    expect(plain.headers.get('strict-transport-security')).toBeNull();
  });
});

describe('CSRF protection for cookie sessions', () => {
  test('a write with the session cookie but without the CSRF header is refused and changes nothing', async () => {
    const browser = await t().loginAs(ADMIN_EMAIL, ADMIN_PASSWORD);
    const before = (await browser.get('/api/v1/datacenters')).body.total;
    browser.forgetCsrf();
    const forged = await browser.post('/api/v1/datacenters', { name: { en: 'Forged' } });
    expect(forged.status).toBe(403);
    expect(forged.body.error.field).toBe('x-csrf-token');
    const wrong = await browser.post('/api/v1/datacenters', { name: { en: 'Forged' } }, { 'x-csrf-token': 'guess' });
    expect(wrong.status).toBe(403);
    expect((await browser.get('/api/v1/datacenters')).body.total).toBe(before);
  });
});

describe('API tokens', () => {
  test('an administrator creates a token and uses it as a bearer; deleting it revokes it', async () => {
    const created = await t().admin.post('/api/v1/auth/tokens', { name: 'integration' });
    expect(created.status).toBe(201);
    expect(created.body.token).toMatch(/^brt_/);

    const integrator = t().anonymous();
    integrator.bearer = created.body.token;
    // Bearer requests need no CSRF header: no browser attaches them on its own.
    const dc = await integrator.post('/api/v1/datacenters', { name: { en: 'Via token' } });
    expect(dc.status).toBe(201);
    const list = await t().admin.get('/api/v1/auth/tokens');
    expect(list.body.items.some((i: { name: string }) => i.name === 'integration')).toBe(true);
    expect(JSON.stringify(list.body)).not.toContain(created.body.token);

    expect((await t().admin.delete(`/api/v1/auth/tokens/${created.body.id}`)).status).toBe(204);
    expect((await integrator.get('/api/v1/datacenters')).status).toBe(401);
  });

  test("a demoted administrator's token loses the administrator's rights with the next request", async () => {
    await addEmployee('second-admin@example.test', 'second-admin-password', true);
    const second = await t().loginAs('second-admin@example.test', 'second-admin-password');
    const integrator = t().anonymous();
    integrator.bearer = (await second.post('/api/v1/auth/tokens', { name: 'ci' })).body.token;
    expect((await integrator.get('/api/v1/audit')).status).toBe(200);
    const id = (await second.get('/api/v1/auth/me')).body.id;
    expect((await t().admin.patch(`/api/v1/employees/${id}`, { isAdmin: false })).status).toBe(200);
    expect((await integrator.get('/api/v1/audit')).status).toBe(403);
    expect((await t().admin.patch(`/api/v1/employees/${id}`, { enabled: false })).status).toBe(200);
    expect((await integrator.get('/api/v1/datacenters')).status).toBe(401);
  });

  test('a made-up bearer token is 401', async () => {
    const c = t().anonymous();
    c.bearer = 'brt_made_up';
    expect((await c.get('/api/v1/datacenters')).status).toBe(401);
  });
});

describe('authorization', () => {
  test('a non-admin employee with read rights may read but not change (403)', async () => {
    await addEmployee('clerk@example.test', 'clerk-password', false, ['datacenters.read', 'localizations.read']);
    const clerk = await t().loginAs('clerk@example.test', 'clerk-password');
    expect((await clerk.get('/api/v1/datacenters')).status).toBe(200);
    const write = await clerk.post('/api/v1/datacenters', { name: { en: 'Nope' } });
    expect(write.status).toBe(403);
    expect(write.body.error.details).toEqual({ right: 'datacenters.change' });
    expect((await clerk.get('/api/v1/audit')).status).toBe(403);
    expect((await clerk.post('/api/v1/localizations', { code: 'de', name: 'Deutsch' })).status).toBe(403);
  });
});

describe('guards come before validation', () => {
  test('an anonymous caller gets 401 and a non-admin 403, whatever the body', async () => {
    expect((await t().anonymous().post('/api/v1/datacenters', { nonsense: true })).status).toBe(401);
    await addEmployee('reader@example.test', 'reader-password');
    const reader = await t().loginAs('reader@example.test', 'reader-password');
    expect((await reader.post('/api/v1/datacenters', { nonsense: true })).status).toBe(403);
  });
});

describe('health', () => {
  test('/healthz answers ok once the database is migrated', async () => {
    const answer = await t().anonymous().get('/healthz');
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ status: 'ok' });
  });

  test('/api/docs serves the OpenAPI description of the API', async () => {
    const spec = await t().anonymous().get('/api/docs/json');
    expect(spec.status).toBe(200);
    expect(spec.body.openapi).toMatch(/^3\./);
    expect(Object.keys(spec.body.paths)).toContain('/api/v1/datacenters');
    expect((await t().anonymous().get('/api/docs')).status).toBeLessThan(400);
  });
});
