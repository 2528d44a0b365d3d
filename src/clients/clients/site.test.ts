// Registration on a provider's own site: the request's host picks the provider (its website's host,
// any case, with or without "www.", any port), an unknown host the default one; the login and
// registration pages learn only the provider's name.
import { request } from 'node:http';
import { beforeAll, describe, expect, test } from 'vitest';
import { useBillrelay } from '../../../test/support/billrelay.js';

// Behind a trusted proxy (loopback here), the host the browser saw comes in X-Forwarded-Host.
const t = useBillrelay({ env: { BILLRELAY_TRUST_PROXY: '127.0.0.1' } });

let unique = 0;
const address = () => `site-${Date.now().toString(36)}-${++unique}@example.test`;
const providers: Record<'north' | 'south', { id: number; name: string }> = {} as never;

beforeAll(async () => {
  for (const [key, name, websiteUrl] of [
    ['north', 'North Hosting', 'https://www.North-Hosting.example/'],
    ['south', 'South Cloud', 'http://billing.south.example:8080/shop'],
  ] as const) {
    const created = await t().admin.post('/api/v1/providers', { name, currency: 'EUR', websiteUrl });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    providers[key] = { id: created.body.id, name };
  }
});

/** fetch() sends its own Host header whatever it is given: this sends the one a browser on `host` would. */
function onHost(host: string, method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const req = request(t().url + path, { method, headers: { host, ...(data ? { 'content-type': 'application/json' } : {}) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null') }));
    });
    req.on('error', reject);
    req.end(data);
  });
}

/** Registers on `host` (as the browser addressed it), logs in, and answers the new client's provider as staff see it. */
async function registerOn(host: string, how: 'host' | 'proxy', extra: Record<string, unknown> = {}): Promise<number> {
  const email = address();
  const browser = t().anonymous();
  const body = { name: 'Ivan', email, password: 'client-password', passwordConfirmation: 'client-password', country: 'DE', language: 'en', ...extra };
  const answer = how === 'host'
    ? await onHost(host, 'POST', '/api/v1/auth/register', body)
    : await browser.post('/api/v1/auth/register', body, { 'x-forwarded-host': host, 'x-forwarded-proto': 'https' });
  expect(answer.status, JSON.stringify(answer.body)).toBe(202);
  const login = await browser.login(email, 'client-password');
  expect(login.status).toBe(200);
  const client = await t().admin.get(`/api/v1/clients/${login.body.user.id}`);
  expect(client.status).toBe(200);
  return client.body.providerId;
}

describe('the provider of the site', () => {
  test.each(['host', 'proxy'] as const)('registering on a provider\'s site makes a client of that provider (%s)', async (how) => {
    expect(await registerOn('north-hosting.example', how)).toBe(providers.north.id);
    expect(await registerOn('WWW.North-Hosting.Example:8443', how)).toBe(providers.north.id);
    expect(await registerOn('billing.south.example', how)).toBe(providers.south.id);
    // Another host of the same domain is another site.
    expect(await registerOn('south.example', how)).toBe(1);
    expect(await registerOn('unknown.example', how)).toBe(1);
  });

  test('the site route names the provider, and nothing else, to anyone', async () => {
    const site = (host: string) => onHost(host, 'GET', '/api/v1/auth/site');
    const north = await site('north-hosting.example');
    expect(north.status).toBe(200);
    expect(north.body).toEqual({ providerName: 'North Hosting' });
    expect((await site('billing.south.example:3000')).body).toEqual({ providerName: 'South Cloud' });
    const fallback = await t().admin.get('/api/v1/providers/1');
    expect((await site('elsewhere.example')).body).toEqual({ providerName: fallback.body.name });
  });

  test('an explicit providerId still wins over the host', async () => {
    expect(await registerOn('north-hosting.example', 'host', { providerId: providers.south.id })).toBe(providers.south.id);
  });
});
