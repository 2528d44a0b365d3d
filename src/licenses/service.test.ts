// Ordering and license actions as a client and as staff; the purchase itself is the operations
// worker's (tested in src/tools/operations), so this file looks at what happens before it.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Sandbox } from '../sandbox/index.js';
import { startUpstream } from '../../test/support/upstream.js';
import { useBillrelay } from '../../test/support/billrelay.js';
import { connectModule, createClient, importTariff, nextIp } from '../../test/support/scenario.js';
import { insertLicense } from '../../test/support/licenses.js';
import { addDays, isoDate } from '../platform/dates.js';

const t = useBillrelay({ env: { BILLRELAY_WORKER: 'off', BILLRELAY_SCHEDULER: 'off' } });
let upstream: Sandbox;
let tariffId: number;
let yearly: string;

beforeAll(async () => {
  upstream = await startUpstream(t());
  const module = await connectModule(t(), upstream);
  const tariff = await importTariff(t(), module.id, '55227', { markupPercent: '20' });
  tariffId = tariff.id;
  yearly = tariff.periods.find((p) => p.period === 12)!.price;
});
afterAll(() => upstream.close());

const order = (api: ReturnType<typeof t>['admin'], body: Record<string, unknown>, headers?: Record<string, string>) =>
  api.post('/api/v1/licenses', { tariffId, period: 12, licenseName: 'web1', ip: nextIp(), autoRenew: true, ...body }, headers);

describe('ordering a license', () => {
  test('a client orders: charged once, the license is processing with its open operation', async () => {
    const client = await createClient(t(), { balance: '500.00' });
    const ip = nextIp();
    const answer = await order(client.api, { ip, licenseName: 'shop-server' });
    expect(answer.status, JSON.stringify(answer.body)).toBe(201);
    expect(answer.body).toMatchObject({
      status: 'processing', tariffId, ip, licenseName: 'shop-server', licenseKey: null, expiresAt: null, autoRenew: true, upstreamId: null,
      price: yearly, pendingOperations: [{ kind: 'open', status: 'pending' }],
    });
    const ledger = await client.api.get(`/api/v1/clients/${client.id}/ledger`);
    expect(ledger.body.items[0]).toMatchObject({ kind: 'charge', reference: `order:${answer.body.id}`, amount: `-${yearly}` });
    // Nothing was bought yet: the license is not active before the upstream confirms it.
    expect(upstream.control.purchases()).toHaveLength(0);
    const history = await client.api.get(`/api/v1/licenses/${answer.body.id}/history`);
    expect(history.body.items[0]).toMatchObject({ event: 'status', to: 'processing' });
  });

  test('not enough balance → 402 saying how much is missing, nothing created', async () => {
    const client = await createClient(t(), { balance: '1.00' });
    const answer = await order(client.api, {});
    expect(answer.status).toBe(402);
    expect(answer.body.error.message).toMatch(/missing/);
    expect((await client.api.get('/api/v1/licenses')).body.total).toBe(0);
    expect((await client.api.get(`/api/v1/clients/${client.id}`)).body.balance).toBe('1.00');
  });

  test('every module serving the tariff is below its minimal balance: the order is refused up front, nothing charged', async () => {
    const held = await connectModule(t(), upstream, { balance: '5.00' }, { minimalBalance: '100.00' });
    const pro = await importTariff(t(), held.id, '55228');
    const client = await createClient(t(), { balance: '500.00' });
    const answer = await order(client.api, { tariffId: pro.id });
    expect(answer.status, JSON.stringify(answer.body)).toBe(422);
    expect(answer.body.error.field).toBe('tariffId');
    expect(answer.body.error.message).toMatch(/minimal balance/);
    expect((await client.api.get(`/api/v1/clients/${client.id}`)).body.balance).toBe('500.00');
    expect((await client.api.get('/api/v1/licenses')).body.total).toBe(0);
    // Topped up upstream and checked again: orders go through.
    upstream.control.upsertAccount({ username: held.username, balance: '1000.00' });
    expect((await t().admin.post(`/api/v1/processing-modules/${held.id}/check-balance`)).status).toBe(200);
    expect((await order(client.api, { tariffId: pro.id })).status).toBe(201);
  });

  test('private, loopback, reserved and malformed addresses are refused with a clear message', async () => {
    const client = await createClient(t(), { balance: '500.00' });
    for (const ip of ['10.0.0.1', '127.0.0.1', '240.0.0.1', '192.168.1.300', 'server.example']) {
      const answer = await order(client.api, { ip });
      expect(answer.status, ip).toBe(400);
      expect(answer.body.error.field).toBe('ip');
    }
    expect((await client.api.get(`/api/v1/clients/${client.id}`)).body.balance).toBe('500.00');
  });

  test("the upstream's IP pre-check refusal is shown to the client as is, before any charge", async () => {
    const client = await createClient(t(), { balance: '500.00' });
    upstream.control.inject({ func: 'soft.checkip', fault: { error: { type: 'value', object: 'ip', msg: 'This IP already has an ispmanager license' } }, count: 1 });
    const answer = await order(client.api, {});
    expect(answer.status).toBe(422);
    expect(answer.body.error).toMatchObject({ code: 'ip_refused', field: 'ip' });
    expect(answer.body.error.message).toContain('This IP already has an ispmanager license');
    expect((await client.api.get(`/api/v1/clients/${client.id}`)).body.balance).toBe('500.00');
  });

  test('Idempotency-Key: a retried order creates one license and one charge', async () => {
    const client = await createClient(t(), { balance: '500.00' });
    const ip = nextIp();
    const key = { 'idempotency-key': `order-${client.id}` };
    const first = await order(client.api, { ip }, key);
    const again = await order(client.api, { ip }, key);
    expect(again.body.id).toBe(first.body.id);
    expect((await client.api.get('/api/v1/licenses')).body.total).toBe(1);
    expect((await client.api.get(`/api/v1/clients/${client.id}/ledger`)).body.total).toBe(2);
  });

  test('bad bodies are 400 naming the field; a tariff of no use is refused', async () => {
    const client = await createClient(t(), { balance: '500.00' });
    expect((await order(client.api, { period: 7 })).body.error.field).toBe('period');
    expect((await order(client.api, { tariffId: 99999 })).body.error.field).toBe('tariffId');
    expect((await order(client.api, { licenseName: '' })).body.error.field).toBe('licenseName');
    expect((await order(client.api, { licenseName: '<script>' })).body.error.field).toBe('licenseName');
    expect((await order(client.api, { color: 'red' })).status).toBe(400);
    expect((await order(t().admin, {})).body.error.field).toBe('clientId');
  });

  test('trials are free and limited to one per client and per IP', async () => {
    const module = await connectModule(t(), upstream);
    const trialTariff = await importTariff(t(), module.id, '55239');
    const client = await createClient(t(), { balance: '0' });
    const ip = nextIp();
    const first = await client.api.post('/api/v1/licenses', { tariffId: trialTariff.id, period: -100, licenseName: 'try', ip });
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(first.body).toMatchObject({ isTrial: true, price: '0.00', autoRenew: false });
    const second = await client.api.post('/api/v1/licenses', { tariffId: trialTariff.id, period: -100, licenseName: 'try2', ip: nextIp() });
    expect(second.status).toBe(409);
    const other = await createClient(t(), { balance: '0' });
    const sameIp = await other.api.post('/api/v1/licenses', { tariffId: trialTariff.id, period: -100, licenseName: 'try3', ip });
    expect(sameIp.status).toBe(409);
    expect(sameIp.body.error.field).toBe('ip');
  });

  test('staff order for a client; a client sees only its own licenses (others are 404)', async () => {
    const a = await createClient(t(), { balance: '500.00' });
    const b = await createClient(t(), { balance: '500.00' });
    const forA = await order(t().admin, { clientId: a.id });
    expect(forA.status).toBe(201);
    expect(forA.body.clientId).toBe(a.id);
    expect((await b.api.get(`/api/v1/licenses/${forA.body.id}`)).status).toBe(404);
    expect((await b.api.get(`/api/v1/licenses/${forA.body.id}/history`)).status).toBe(404);
    expect((await b.api.patch(`/api/v1/licenses/${forA.body.id}`, { autoRenew: false })).status).toBe(404);
    expect((await b.api.post(`/api/v1/licenses/${forA.body.id}/new-key`)).status).toBe(404);
    expect((await order(b.api, { clientId: a.id })).status).toBe(404);
    expect((await b.api.get('/api/v1/licenses')).body.total).toBe(0);
    expect((await a.api.get('/api/v1/licenses')).body.items.map((l: { id: number }) => l.id)).toEqual([forA.body.id]);
    // Administration is for administrators only.
    expect((await a.api.post(`/api/v1/licenses/${forA.body.id}/suspend`)).status).toBe(403);
    expect((await a.api.post(`/api/v1/licenses/${forA.body.id}/refund`, { amount: '1.00', comment: 'x' })).status).toBe(403);
  });

  test('auto-renewal is toggled locally and written to the history; actions on a processing license are refused', async () => {
    const client = await createClient(t(), { balance: '500.00' });
    const license = (await order(client.api, {})).body;
    const off = await client.api.patch(`/api/v1/licenses/${license.id}`, { autoRenew: false });
    expect(off.body.autoRenew).toBe(false);
    const history = (await client.api.get(`/api/v1/licenses/${license.id}/history`)).body.items;
    expect(history[0]).toMatchObject({ event: 'auto_renew', from: 'true', to: 'false' });
    const audit = (await t().admin.get(`/api/v1/audit?entity=license&entityId=${license.id}&action=license.update`)).body.items;
    expect(audit[0]).toMatchObject({ before: { autoRenew: true }, after: { autoRenew: false } });
    expect((await client.api.patch(`/api/v1/licenses/${license.id}`, { ip: nextIp() })).status).toBe(409);
    expect((await client.api.post(`/api/v1/licenses/${license.id}/renew`, {})).status).toBe(409);
    // Staff turn it back on: staff read who did it; the client reads "support", never the employee.
    await t().admin.patch(`/api/v1/licenses/${license.id}`, { autoRenew: true });
    const staffSees = (await t().admin.get(`/api/v1/licenses/${license.id}/history`)).body.items[0];
    expect(staffSees).toMatchObject({ event: 'auto_renew', to: 'true', actor: { kind: 'employee' } });
    expect(staffSees.actor.label).not.toBe('support');
    const clientSees = (await client.api.get(`/api/v1/licenses/${license.id}/history`)).body.items[0];
    expect(clientSees).toMatchObject({ event: 'auto_renew', to: 'true', actor: { kind: 'employee', label: 'support' } });
  });

  test('an administrator refunds at most what was charged for the license', async () => {
    const client = await createClient(t(), { balance: '500.00' });
    const license = (await order(client.api, {})).body;
    const tooMuch = await t().admin.post(`/api/v1/licenses/${license.id}/refund`, { amount: '100000.00', comment: 'x' });
    expect(tooMuch.status).toBe(422);
    const refund = await t().admin.post(`/api/v1/licenses/${license.id}/refund`, { amount: yearly, comment: 'cancelled before activation' });
    expect(refund.status).toBe(200);
    expect(refund.body.balance).toBe('500.00');
    expect((await t().admin.post(`/api/v1/licenses/${license.id}/refund`, { amount: '0.01', comment: 'again' })).status).toBe(422);
  });
});

/** The pro tariff (55228) of the default provider: imported by an earlier test or now. */
async function proTariff(moduleId: number) {
  const list = (await t().admin.get('/api/v1/tariffs?perPage=500')).body.items as Array<{ id: number; upstreamTariffId: string; providerId: number }>;
  const found = list.find((x) => x.upstreamTariffId === '55228' && x.providerId === 1);
  if (found) return (await t().admin.get(`/api/v1/tariffs/${found.id}`)).body as { id: number; periods: Array<{ period: number; price: string }> };
  return importTariff(t(), moduleId, '55228');
}

describe('the staff list: search and filters', () => {
  test('search by name, IP, key or client (any case); filters by status, tariff, module and expiry', async () => {
    const module = await connectModule(t(), upstream);
    const other = await proTariff(module.id);
    const client = await createClient(t(), { balance: '500.00' });
    const today = isoDate(t().clock.now());
    const mk = (licenseName: string, columns: Record<string, unknown>, tariff = tariffId) =>
      insertLicense(t(), { clientId: client.id, tariffId: tariff, licenseName, withoutOpen: true, columns }).then((l) => l.licenseId);
    const soon = await mk('Alpha_Shop', { status: 'active', expiresOn: addDays(today, 3), licenseKey: 'KEY-ZEBRA-1', moduleId: module.id });
    const later = await mk('beta', { status: 'active', expiresOn: addDays(today, 40) }, other.id);
    const gone = await mk('gamma', { status: 'deleted', expiresOn: addDays(today, 2) });
    const ids = async (query: string) => {
      const answer = await t().admin.get(`/api/v1/licenses?clientId=${client.id}&${query}`);
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      return answer.body.items.map((l: { id: number }) => l.id).sort((a: number, b: number) => a - b);
    };
    expect(await ids('q=alpha_')).toEqual([soon]);
    expect(await ids('q=zebra')).toEqual([soon]);
    expect(await ids('q=a%25')).toEqual([]); // a literal "%" matches only itself
    expect(await ids(`q=${encodeURIComponent(client.email.toUpperCase())}`)).toEqual([soon, later, gone]);
    expect(await ids('status=deleted')).toEqual([gone]);
    expect(await ids(`tariffId=${other.id}`)).toEqual([later]);
    expect(await ids(`moduleId=${module.id}`)).toEqual([soon]);
    expect(await ids('expiringWithinDays=14')).toEqual([soon]);
    expect(await ids('expiringWithinDays=60')).toEqual([soon, later]);
    const page = (await t().admin.get(`/api/v1/licenses?clientId=${client.id}&perPage=2&page=2`)).body;
    expect(page).toMatchObject({ total: 3, page: 2, perPage: 2 });
    expect(page.items).toHaveLength(1);
    expect(page.items[0]).toMatchObject({ clientName: 'Client' });
    expect((await t().admin.get('/api/v1/licenses?expiringWithinDays=-1')).status).toBe(400);
  });
});

describe('a tariff change, previewed', () => {
  test('the preview says what the change then charges, and changes nothing itself', async () => {
    const module = await connectModule(t(), upstream);
    const pro = await proTariff(module.id);
    const client = await createClient(t(), { balance: '5000.00' });
    const expiresOn = addDays(isoDate(t().clock.now()), 100);
    const { licenseId } = await insertLicense(t(), {
      clientId: client.id, tariffId, withoutOpen: true, columns: { status: 'active', expiresOn, moduleId: module.id, upstreamId: `u${Date.now()}`, licenseKey: 'k' },
    });
    const preview = await client.api.get(`/api/v1/licenses/${licenseId}/change-tariff?tariffId=${pro.id}`);
    expect(preview.status, JSON.stringify(preview.body)).toBe(200);
    const proYearly = pro.periods.find((p) => p.period === 12)!.price;
    expect(preview.body).toMatchObject({ tariffId: pro.id, currency: 'EUR', currentPrice: '10.00', newPrice: proYearly, daysLeft: 100 });
    expect(preview.body.periodDays).toBeGreaterThanOrEqual(365);
    expect(Number(preview.body.difference)).toBeGreaterThan(0);
    expect(Number(preview.body.difference)).toBeLessThan(Number(proYearly));
    expect((await client.api.get(`/api/v1/clients/${client.id}`)).body.balance).toBe('5000.00');

    expect((await client.api.post(`/api/v1/licenses/${licenseId}/change-tariff`, { tariffId: pro.id })).status).toBe(200);
    const ledger = (await client.api.get(`/api/v1/clients/${client.id}/ledger`)).body.items;
    expect(ledger.find((e: { reference: string }) => e.reference.startsWith(`change_tariff:${licenseId}:`))).toMatchObject({ kind: 'charge', amount: `-${preview.body.difference}` });
  });

  test('a tariff not on sale is refused naming tariffId; another client’s license is 404', async () => {
    const client = await createClient(t(), { balance: '500.00' });
    const { licenseId } = await insertLicense(t(), { clientId: client.id, tariffId, withoutOpen: true, columns: { status: 'active', expiresOn: '2030-01-01' } });
    const missing = await client.api.get(`/api/v1/licenses/${licenseId}/change-tariff?tariffId=999999`);
    expect(missing.status).toBe(400);
    expect(missing.body.error.field).toBe('tariffId');
    const stranger = await createClient(t());
    expect((await stranger.api.get(`/api/v1/licenses/${licenseId}/change-tariff?tariffId=${tariffId}`)).status).toBe(404);
  });
});
