// The partner guide's test order and a license's whole life, over real HTTP against the upstream
// simulator, with the in-process worker and the scheduler ticked on a clock we move.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ManualClock } from '../../src/platform/clock.js';
import type { Sandbox } from '../../src/sandbox/index.js';
import { startUpstream } from '../support/upstream.js';
import { useBillrelay } from '../support/billrelay.js';
import type { ApiClient } from '../support/http.js';
import { connectModule, importTariff, nextIp } from '../support/scenario.js';

const clock = new ManualClock(new Date());
const t = useBillrelay({ clock });
let upstream: Sandbox;
let lite: { id: number };
let pro: { id: number };
let client: ApiClient;
let clientId: number;
let licenseId: number;

const license = async () => (await client.get(`/api/v1/licenses/${licenseId}`)).body;
let lastUpstreamId: string | null = null;
const upstreamLicense = () => upstream.control.licenses().find((l) => String(l.id) === String(lastUpstreamId));

async function until<T>(what: () => Promise<T>, ok: (value: T) => boolean, label: string): Promise<T> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    const value = await what();
    if (ok(value)) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${label}: ${JSON.stringify(await what())}`);
}

const days = (n: number) => clock.advance(n * 86_400_000);

beforeAll(async () => {
  upstream = await startUpstream(t());
  const module = await connectModule(t(), upstream);
  lite = await importTariff(t(), module.id, '55227', { markupPercent: '20' });
  pro = await importTariff(t(), module.id, '55228', { markupPercent: '20' });
});
afterAll(() => upstream.close());

describe("a license's life, as the partner guide tests it", () => {
  test('a client registers, tops up, orders, and gets an active license with a key', async () => {
    client = t().anonymous();
    const registered = await client.post('/api/v1/auth/register', {
      name: 'Olga', email: 'olga@example.test', password: 'olga-password-7', passwordConfirmation: 'olga-password-7', country: 'NL', language: 'en',
    });
    expect(registered.status).toBe(202);
    clientId = (await client.login('olga@example.test', 'olga-password-7')).body.user.id;
    expect((await t().admin.post(`/api/v1/clients/${clientId}/payments`, { amount: '1000.00', method: 'bank_transfer' })).status).toBe(201);

    const ordered = await client.post('/api/v1/licenses', { tariffId: lite.id, period: 12, licenseName: 'web1', ip: nextIp(), autoRenew: true });
    expect(ordered.status, JSON.stringify(ordered.body)).toBe(201);
    licenseId = ordered.body.id;
    const active = await until(license, (l) => l.status === 'active', 'the license to become active');
    expect(active.licenseKey).toBeTruthy();
    expect(active.upstreamId).toBeTruthy();
    expect(active.expiresAt).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    lastUpstreamId = active.upstreamId;
    expect(upstream.control.purchases()).toHaveLength(1);
    expect(upstreamLicense()?.licname).toBe('web1');
  });

  test('the client changes the IP: done upstream, then shown', async () => {
    const ip = nextIp();
    expect((await client.patch(`/api/v1/licenses/${licenseId}`, { ip })).status).toBe(200);
    await until(license, (l) => l.ip === ip && l.pendingOperations.length === 0, 'the new IP');
    expect(upstreamLicense()?.ip).toBe(ip);
    const history = (await client.get(`/api/v1/licenses/${licenseId}/history`)).body.items;
    expect(history.some((h: { event: string; to: string }) => h.event === 'ip' && h.to === ip)).toBe(true);
  });

  test('the client asks for a new key', async () => {
    const before = (await license()).licenseKey;
    expect((await client.post(`/api/v1/licenses/${licenseId}/new-key`)).status).toBe(200);
    const after = await until(license, (l) => l.licenseKey && l.licenseKey !== before && l.pendingOperations.length === 0, 'a new key');
    expect(after.licenseKey).toBe(upstreamLicense()?.key);
  });

  test('the client changes to another tariff of the same provider', async () => {
    const balanceBefore = (await client.get(`/api/v1/clients/${clientId}`)).body.balance;
    expect((await client.post(`/api/v1/licenses/${licenseId}/change-tariff`, { tariffId: pro.id })).status).toBe(200);
    await until(license, (l) => l.tariffId === pro.id && l.pendingOperations.length === 0, 'the tariff change');
    expect(String(upstreamLicense()?.pricelist)).toBe('55228');
    // pro costs more than lite: the difference for the time left was charged.
    expect(Number((await client.get(`/api/v1/clients/${clientId}`)).body.balance)).toBeLessThan(Number(balanceBefore));
  });

  test('renewing now extends the upstream expiry by the period, charged once', async () => {
    const before = await license();
    const charges = upstream.control.charges().length;
    expect((await client.post(`/api/v1/licenses/${licenseId}/renew`, {}, { 'idempotency-key': 'renew-1' })).status).toBe(200);
    expect((await client.post(`/api/v1/licenses/${licenseId}/renew`, {}, { 'idempotency-key': 'renew-1' })).status).toBe(200);
    const renewed = await until(license, (l) => l.expiresAt !== before.expiresAt && l.pendingOperations.length === 0, 'the renewal');
    expect(Date.parse(renewed.expiresAt) - Date.parse(before.expiresAt)).toBeGreaterThan(360 * 86_400_000);
    expect(upstream.control.charges().length).toBe(charges + 1);
    const renewalsCharged = (await client.get(`/api/v1/clients/${clientId}/ledger?perPage=100`)).body.items.filter((e: { reference: string }) => e.reference.startsWith(`renewal:${licenseId}:`));
    expect(renewalsCharged).toHaveLength(1);
  });

  test('without payment it is suspended at expiry and deleted 30 days later', async () => {
    expect((await client.patch(`/api/v1/licenses/${licenseId}`, { autoRenew: false })).status).toBe(200);
    const { expiresAt } = await license();
    clock.set(`${expiresAt}T12:00:00Z`);
    days(1);
    // Sessions last hours, not days: log in again after the clock moved.
    client = await t().loginAs('olga@example.test', 'olga-password-7');
    await t().billrelay.scheduler.tick();
    await until(license, (l) => l.status === 'suspended' && l.pendingOperations.length === 0, 'the suspension');
    expect(upstreamLicense()?.status).toBe(3);

    days(31);
    client = await t().loginAs('olga@example.test', 'olga-password-7');
    await t().billrelay.scheduler.tick();
    await until(license, (l) => l.status === 'deleted' && l.pendingOperations.length === 0, 'the deletion');
    expect(upstreamLicense()?.status).toBe(4);
    const history = (await client.get(`/api/v1/licenses/${licenseId}/history`)).body.items.filter((h: { event: string }) => h.event === 'status');
    expect(history.map((h: { to: string }) => h.to)).toEqual(expect.arrayContaining(['processing', 'active', 'suspended', 'deleted']));
    // One purchase over the whole life.
    expect(upstream.control.purchases()).toHaveLength(1);
  });
});
