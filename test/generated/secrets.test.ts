// Secrets stay secret: after a short life of the system (a module with its upstream password, an API
// token, logins, a password reset, a license ordered and activated with its key, and refusals that
// could echo them), none of the secrets is in the server's log (at debug level), in any error answer,
// or in the audit log. License keys are meant for the license's own answers and the client's
// activation e-mail; those are the only places they may be.
//
// The harness checks the same for every test file (test/support/secrets.ts); this file proves that it
// notes each kind of secret and that a secret in a searched place fails the check.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { randomBytes } from 'node:crypto';
import { ADMIN_PASSWORD, startBillrelay, type TestBillrelay } from '../support/billrelay.js';
import { ApiClient, type Answer } from '../support/http.js';
import { startSmtp, SMTP_PASSWORD, type TestSmtp } from '../support/smtp.js';
import { leaksIn, watchedSecrets } from '../support/secrets.js';
import { startUpstream } from '../support/upstream.js';
import type { Sandbox } from '../../src/sandbox/index.js';

// Every answer with an error status any client of this file gets.
const errorBodies: string[] = [];
const originalRequest = ApiClient.prototype.request;
ApiClient.prototype.request = async function (this: ApiClient, ...args: Parameters<ApiClient['request']>) {
  const answer = (await originalRequest.apply(this, args)) as Answer;
  if (answer.status >= 400) errorBodies.push(`${args[0]} ${args[1]} → ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer;
} as ApiClient['request'];

const logs: string[] = [];
let t: TestBillrelay;
let smtp: TestSmtp;
let upstream: Sandbox;
const secrets: Record<string, string> = {};

beforeAll(async () => {
  smtp = await startSmtp();
  t = await startBillrelay({ env: { BILLRELAY_SMTP_URL: smtp.url, BILLRELAY_MAIL_FROM: 'Billing <billing@reseller.test>' }, logSink: logs });
  upstream = await startUpstream(t);
}, 60_000);

afterAll(async () => {
  ApiClient.prototype.request = originalRequest;
  await t?.close();
  await upstream?.close();
  await smtp?.close();
});

const sessionOf = (api: ApiClient) => (api as unknown as { cookies: Map<string, string> }).cookies.get('billrelay_session')!;

async function until<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 200; i += 1) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`gave up waiting for ${what}`);
}

describe('secrets', () => {
  test('no upstream password, API token, session id, reset token or license key in the log, an error answer or the audit log', async () => {
    secrets.adminPassword = ADMIN_PASSWORD;
    secrets.smtpPassword = SMTP_PASSWORD;
    secrets.adminSession = sessionOf(t.admin);

    // A module with its upstream password; a wrong one is refused without being repeated.
    const username = 'partner-secrets';
    secrets.upstreamPassword = `upstream-${randomBytes(9).toString('hex')}`;
    upstream.control.upsertAccount({ username, password: secrets.upstreamPassword, balance: '1000.00' });
    const wrong = `wrong-${randomBytes(9).toString('hex')}`;
    secrets.wrongUpstreamPassword = wrong;
    const refused = await t.admin.post('/api/v1/processing-modules/check-connection', { moduleType: 'billmanager', connection: { url: upstream.url, username, password: wrong } });
    expect(refused.status).toBeGreaterThanOrEqual(400);
    const unreachable = await t.admin.post('/api/v1/processing-modules/check-connection', { moduleType: 'billmanager', connection: { url: 'http://127.0.0.1:9/', username, password: secrets.upstreamPassword } });
    expect(unreachable.status).toBeGreaterThanOrEqual(400);
    const module = await t.admin.post('/api/v1/processing-modules', {
      productType: 'licenses', moduleType: 'billmanager', connection: { url: upstream.url, username, password: secrets.upstreamPassword }, name: { en: 'ispmanager' }, minimalBalance: '0',
    });
    expect(module.status, JSON.stringify(module.body)).toBe(201);
    expect(JSON.stringify((await t.admin.get(`/api/v1/processing-modules/${module.body.id}`)).body)).not.toContain(secrets.upstreamPassword);
    const tariff = await t.admin.post('/api/v1/tariffs/import', { processingModuleId: module.body.id, upstreamTariffId: '55227', providerId: 1, markupPercent: '20' });
    expect(tariff.status, JSON.stringify(tariff.body)).toBe(201);
    expect((await t.admin.post(`/api/v1/tariffs/${tariff.body.id}/enable`)).status).toBe(200);

    // An API token: used, mistyped, revoked, used again.
    const token = await t.admin.post('/api/v1/auth/tokens', { name: 'script' });
    expect(token.status).toBe(201);
    secrets.apiToken = token.body.token;
    const viaToken = t.anonymous();
    viaToken.bearer = secrets.apiToken;
    expect((await viaToken.get('/api/v1/auth/me')).status).toBe(200);
    const mistyped = t.anonymous();
    mistyped.bearer = `${secrets.apiToken}x`;
    expect((await mistyped.get('/api/v1/auth/me')).status).toBe(401);
    expect((await t.admin.delete(`/api/v1/auth/tokens/${token.body.id}`)).status).toBe(204);
    expect((await viaToken.get('/api/v1/auth/me')).status).toBe(401);

    // A client logs in (and once with a wrong password), asks for a reset and uses the mailed token twice.
    const email = `secrets-${process.pid}@example.test`;
    const created = await t.admin.post('/api/v1/clients', { name: 'Client', email, password: 'client-password', language: 'en', providerId: 1 });
    expect(created.status).toBe(201);
    expect((await t.admin.post(`/api/v1/clients/${created.body.id}/payments`, { amount: '500.00', method: 'bank_transfer' })).status).toBe(201);
    expect((await t.anonymous().post('/api/v1/auth/login', { email, password: secrets.upstreamPassword })).status).toBe(401);
    const client = await t.loginAs(email, 'client-password');
    secrets.clientSession = sessionOf(client);
    expect((await t.anonymous().post('/api/v1/auth/password-reset', { email })).status).toBe(202);
    const resetMail = await until('the reset e-mail', async () => smtp.received.find((m) => m.to.includes(email) && /reset-password\?token=/.test(m.text)));
    secrets.resetToken = resetMail.text.match(/reset-password\?token=([A-Za-z0-9_-]+)/)![1]!;
    secrets.newPassword = 'new-client-password-7';
    expect((await t.anonymous().post('/api/v1/auth/password-reset/confirm', { token: secrets.resetToken, password: secrets.newPassword })).status).toBe(200);
    expect((await t.anonymous().post('/api/v1/auth/password-reset/confirm', { token: secrets.resetToken, password: 'another-password-8' })).status).toBe(400);
    const again = await t.loginAs(email, secrets.newPassword);
    secrets.clientSession2 = sessionOf(again);

    // The client orders a license; the worker buys it upstream and reads its key.
    const order = await again.post('/api/v1/licenses', { tariffId: tariff.body.id, period: 12, licenseName: 'web1', ip: '203.0.113.77' }, { 'idempotency-key': 'secrets-order' });
    expect(order.status, JSON.stringify(order.body)).toBe(201);
    const license = await until('the license key', async () => {
      const answer = await again.get(`/api/v1/licenses/${order.body.id}`);
      return answer.body.licenseKey ? answer.body : undefined;
    });
    secrets.licenseKey = license.licenseKey;
    // Everything the audit log holds, every page of it.
    const audit: string[] = [];
    for (let page = 1; page < 50; page += 1) {
      const answer = await t.admin.get(`/api/v1/audit?page=${page}&perPage=500`);
      expect(answer.status).toBe(200);
      audit.push(JSON.stringify(answer.body.items));
      if (answer.body.items.length < 500) break;
    }
    expect(audit.join('').length).toBeGreaterThan(100);
    // The server logged the scenario (at debug level), so an absence below means something.
    expect(logs.length).toBeGreaterThan(20);
    expect(errorBodies.length).toBeGreaterThan(4);

    const leaks: string[] = [];
    for (const [name, secret] of Object.entries(secrets)) {
      expect(secret, name).toBeTruthy();
      for (const [where, texts] of [['server log', logs], ['error answers', errorBodies], ['audit log', audit]] as const) {
        const hit = texts.find((text) => text.includes(secret));
        if (hit) leaks.push(`${name} in the ${where}: …${hit.slice(Math.max(0, hit.indexOf(secret) - 200), hit.indexOf(secret) + 100)}…`);
      }
    }
    expect(leaks).toEqual([]);

    // The harness's watch noted every one of them by itself, so every other test file is checked for them too.
    const noted = watchedSecrets();
    expect(Object.entries(secrets).filter(([, secret]) => !noted.has(secret)).map(([name]) => name)).toEqual([]);
  }, 120_000);

  test('the watch finds a noted secret in a searched place, and not a value also sent as ordinary data', async () => {
    const planted = `{"level":30,"msg":"request","authorization":"Bearer ${secrets.apiToken}"}`;
    const found = leaksIn([{ label: 'server log', texts: ['{"level":30,"msg":"start"}', planted] }]);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ where: 'server log', secret: expect.stringContaining('POST /api/v1/auth/tokens') });
    expect(found[0]!.excerpt).not.toContain(secrets.apiToken);
    // A value a test also sends as a name is not a secret: finding it could not say which use leaked.
    const shared = `shared-${randomBytes(8).toString('hex')}`;
    expect((await t.admin.post('/api/v1/auth/tokens', { name: 'x', zz: shared })).status).toBe(400);
    await t.anonymous().post('/api/v1/auth/password-reset/confirm', { token: shared, password: 'another-password-8' });
    expect(watchedSecrets().has(shared)).toBe(true);
    expect(leaksIn([{ label: 'server log', texts: [shared] }])).toEqual([]);
  });

  test('a billrelay that logged a secret fails when it closes', async () => {
    const other = await startBillrelay();
    const session = sessionOf(other.admin);
    other.billrelay.app.log.info({ note: `session ${session}` }, 'a careless line');
    await expect(other.close()).rejects.toThrow(/secrets leaked[^]*cookie billrelay_session set by POST \/api\/v1\/auth\/login in the server log/);
  });
});
