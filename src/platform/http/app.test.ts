// What every route gets from the HTTP layer, whatever its area.
import { describe, expect, test } from 'vitest';
import { signWebhook } from '../../clients/payments/gateway.js';
import { loadConfig } from '../config.js';
import { useBillrelay } from '../../../test/support/billrelay.js';

const t = useBillrelay();

describe('ids in paths', () => {
  test('only the canonical decimal spelling addresses a row; any other is a 400 naming the parameter', async () => {
    const admin = t().admin;
    expect((await admin.get('/api/v1/employees/1')).status).toBe(200);
    for (const spelling of ['0x1', '00001', '01', '%201', '1%20', '+1', '1e0', '1.0', '0', '-1', '0b1', '99999999999999999']) {
      const answer = await admin.get(`/api/v1/employees/${spelling}`);
      expect(answer.status, spelling).toBe(400);
      expect(answer.body.error, spelling).toMatchObject({ code: 'validation', field: 'id' });
    }
    expect((await admin.delete('/api/v1/auth/tokens/0x1')).body.error.field).toBe('id');
    expect((await admin.delete('/api/v1/departments/1/members/001')).body.error.field).toBe('employeeId');
  });
});

describe('unknown keys in a body', () => {
  test('are refused with a 400 naming the key as the field, nested ones with their path (test/generated/fuzz.test.ts found them nameless)', async () => {
    const admin = t().admin;
    const top = await admin.post('/api/v1/datacenters', { name: { en: 'Berlin' }, isAdmin: true });
    expect(top.status).toBe(400);
    expect(top.body.error).toMatchObject({ code: 'validation', field: 'isAdmin' });
    const nested = await admin.post('/api/v1/processing-modules/check-connection', { moduleType: 'billmanager', connection: { url: 'http://127.0.0.1:9/', username: 'u', password: 'p', extra: 1 } });
    expect(nested.status).toBe(400);
    expect(nested.body.error).toMatchObject({ code: 'validation', field: 'connection.extra' });
    const ru = await admin.post('/api/v1/datacenters', { name: { en: 'Berlin' }, zz: 1 }, { 'accept-language': 'ru' });
    expect(ru.body.error.field).toBe('zz');
  });
});

describe('NUL characters', () => {
  test('text holding U+0000 is refused with a 400 naming the field, and nothing is stored', async () => {
    const admin = t().admin;
    const before = (await admin.get('/api/v1/datacenters')).body.total;
    const cases: Array<[() => Promise<{ status: number; body: any }>, string]> = [
      [() => admin.post('/api/v1/datacenters', { name: { en: 'Frank\u0000furt' } }), 'name.en'],
      [() => admin.post('/api/v1/datacenters', { name: { en: 'Frankfurt' }, externalId: '\u0000' }), 'externalId'],
      [() => admin.patch('/api/v1/employees/1', { name: 'Admin\u0000' }), 'name'],
      [() => admin.get('/api/v1/clients?search=a%00b'), 'search'],
      [() => t().anonymous().post('/api/v1/auth/login', { email: 'admin@example.test', password: 'x\u0000y' }), 'password'],
    ];
    for (const [request, field] of cases) {
      const answer = await request();
      expect(answer.status, field).toBe(400);
      expect(answer.body.error, field).toMatchObject({ code: 'validation', field });
      expect(answer.body.error.message).toContain('NUL');
    }
    expect((await admin.get('/api/v1/datacenters')).body.total).toBe(before);
    expect((await admin.get('/api/v1/employees/1')).body.name).not.toContain('\u0000');
  });

  test('a payment notification whose transaction id holds U+0000 is a 400, not a database error', async () => {
    const client = await t().admin.post('/api/v1/clients', { name: 'Payer', email: 'nul-payer@example.test', password: 'client-password', providerId: 1 });
    const key = t().billrelay.services.secrets.deriveKey('payment-webhook:manual');
    const body = JSON.stringify({ transactionId: 'T\u00001', clientId: client.body.id, amount: '1.00', currency: 'EUR', status: 'paid' });
    const answer = await t().anonymous().request('POST', '/api/v1/payments/webhooks/manual', body, {
      'content-type': 'application/json',
      'x-billrelay-signature': signWebhook(key, body),
    });
    expect(answer.status).toBe(400);
    expect(answer.body.error.field).toBe('transactionId');
    expect((await t().admin.get(`/api/v1/clients/${client.body.id}`)).body.balance).toBe('0.00');
  });
});

describe('X-Forwarded-* from an untrusted peer', () => {
  test('are ignored: no way around the login limit, no Secure cookies on plain http', async () => {
    const attempts = [];
    for (let i = 0; i < 6; i++) {
      const answer = await t().anonymous().post('/api/v1/auth/login', { email: 'spoofer@example.test', password: `guess-${i}` }, { 'x-forwarded-for': `192.0.2.${i}` });
      attempts.push(answer.status);
    }
    expect(attempts).toEqual([401, 401, 401, 401, 401, 429]);
    const login = await t().anonymous().post('/api/v1/auth/login', { email: 'admin@example.test', password: 'admin-password-1' }, { 'x-forwarded-proto': 'https' });
    expect(login.status).toBe(200);
    for (const cookie of login.headers.getSetCookie()) expect(cookie).not.toMatch(/;\s*Secure/i);
  });
});

test('BILLRELAY_TRUST_PROXY names the proxies: addresses or CIDRs, hops, true; anything else stops the start', () => {
  const trust = (value: string) => loadConfig({ BILLRELAY_TRUST_PROXY: value }).trustProxy;
  expect(loadConfig({}).trustProxy).toBe(false);
  expect(trust('10.0.0.1, 192.168.0.0/16,::1')).toEqual(['10.0.0.1', '192.168.0.0/16', '::1']);
  expect(trust('2')).toBe(2);
  expect(trust('true')).toBe(true);
  expect(() => trust('proxy.example.com')).toThrow(/BILLRELAY_TRUST_PROXY/);
});

describe('security headers', () => {
  test('every answer carries them, errors and the SPA and API docs included; HSTS only over https', async () => {
    const c = t().anonymous();
    const answers = [
      await c.get('/healthz'),
      await c.get('/api/v1/auth/me'),
      await c.post('/api/v1/auth/login', { email: 'not-an-email', password: 'x' }),
      await c.get('/no/such/route'),
      await c.get('/billmgr/'),
      await c.get('/api/docs/'),
      await c.get('/api/docs/json'),
    ];
    for (const [i, answer] of answers.entries()) {
      const h = answer.headers;
      const csp = h.get('content-security-policy') ?? '';
      expect(csp).toContain("default-src 'self'");
      expect(csp).toMatch(/script-src 'self'(;|$)/);
      expect(csp).toContain("frame-ancestors 'none'");
      // Swagger UI (the last two) injects <style> elements; nothing else may use inline styles.
      expect(csp).toMatch(i >= answers.length - 2 ? /style-src 'self' 'unsafe-inline'(;|$)/ : /style-src 'self'(;|$)/);
      expect(csp).not.toContain('upgrade-insecure-requests');
      expect(h.get('x-frame-options')).toBe('DENY');
      expect(h.get('x-content-type-options')).toBe('nosniff');
      expect(h.get('referrer-policy')).toBe('no-referrer');
      expect(h.get('strict-transport-security')).toBeNull();
    }
    // Not a trusted proxy here: a forwarded https does not count.
    expect((await c.get('/healthz', { 'x-forwarded-proto': 'https' })).headers.get('strict-transport-security')).toBeNull();
  });
});
