// The dashboard's numbers on a clock we move: a license bought through the upstream simulator gives the
// module's spending (days left), today's order and revenue, and the tariff's margin; licenses expiring
// within 14 days are listed, later or deleted ones are not; after 30 quiet days there is no spending.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ManualClock } from '../../platform/clock.js';
import { addDays } from '../../platform/dates.js';
import type { Sandbox } from '../../sandbox/index.js';
import { startUpstream } from '../../../test/support/upstream.js';
import { useBillrelay } from '../../../test/support/billrelay.js';
import { drain, insertLicense, OPERATIONS_TEST_ENV } from '../../../test/support/licenses.js';
import { connectModule, createClient, importTariff, nextIp } from '../../../test/support/scenario.js';
import { daysLeft, licenseOfReference } from './service.js';

const clock = new ManualClock('2026-03-10T09:00:00Z');
const t = useBillrelay({ clock, env: { ...OPERATIONS_TEST_ENV, BILLRELAY_SCHEDULER: 'off' } });
let upstream: Sandbox;
let moduleId: number;
let tariff: { id: number; periods: Array<{ period: number; price: string; upstreamCost?: string | null }> };
let clientId: number;
let licenseId: number;

const dashboard = async () => {
  const answer = await t().admin.get('/api/v1/dashboard');
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return answer.body;
};
const minor = (amount: string) => BigInt(amount.replace('.', ''));

beforeAll(async () => {
  upstream = await startUpstream(t());
  moduleId = (await connectModule(t(), upstream, { balance: '1000.00' })).id;
  tariff = await importTariff(t(), moduleId, '55227', { markupPercent: '20' });
});
afterAll(() => upstream.close());

describe('the dashboard', () => {
  test('before any sale: balances with no spending, nothing expiring, no revenue today', async () => {
    const d = await dashboard();
    expect(d).toMatchObject({ today: '2026-03-10', windowDays: 30, expiringDays: 14, expiring: [], todayTotals: [], margins: [] });
    expect(d.modules.find((m: { moduleId: number }) => m.moduleId === moduleId)).toMatchObject({ spent: '0.00', daysLeft: null });
  });

  test("a license bought today: the module's days left, today's order and revenue, the tariff's margin", async () => {
    const client = await createClient(t(), { balance: '500.00' });
    clientId = client.id;
    const ordered = await client.api.post('/api/v1/licenses', { tariffId: tariff.id, period: 12, licenseName: 'shop', ip: nextIp() });
    expect(ordered.status, JSON.stringify(ordered.body)).toBe(201);
    licenseId = ordered.body.id;
    const op = ordered.body.pendingOperations[0].id;
    expect((await drain(t(), op)).status).toBe('succeeded');
    const checked = await t().admin.post(`/api/v1/processing-modules/${moduleId}/check-balance`);
    expect(checked.status).toBe(200);

    const yearly = tariff.periods.find((p) => p.period === 12)!;
    const full = (await t().admin.get(`/api/v1/tariffs/${tariff.id}`)).body;
    const cost: string = full.periods.find((p: { period: number }) => p.period === 12).upstreamCost;
    const balance: string = checked.body.balance;
    const d = await dashboard();
    const m = d.modules.find((x: { moduleId: number }) => x.moduleId === moduleId);
    expect(m).toMatchObject({ balance, spent: cost, currency: 'EUR' });
    // The balance lasts balance / (cost per 30 days) × 30 days, whole days.
    expect(m.daysLeft).toBe(Number((minor(balance) * 30n) / minor(cost)));
    expect(d.todayTotals).toEqual([{ currency: 'EUR', orders: 1, revenue: yearly.price }]);
    expect(d.margins).toEqual([
      expect.objectContaining({ tariffId: tariff.id, currency: 'EUR', revenue: yearly.price, upstreamCost: cost, margin: ((Number(minor(yearly.price) - minor(cost))) / 100).toFixed(2) }),
    ]);
  });

  test('licenses expiring within 14 days are listed soonest first; later, processing or deleted ones are not', async () => {
    const today = '2026-03-10';
    const soon = await insertLicense(t(), { clientId, tariffId: tariff.id, licenseName: 'soon', withoutOpen: true, columns: { status: 'active', expiresOn: addDays(today, 10) } });
    const sooner = await insertLicense(t(), { clientId, tariffId: tariff.id, licenseName: 'sooner', withoutOpen: true, columns: { status: 'suspended', expiresOn: addDays(today, 2) } });
    await insertLicense(t(), { clientId, tariffId: tariff.id, licenseName: 'later', withoutOpen: true, columns: { status: 'active', expiresOn: addDays(today, 20) } });
    await insertLicense(t(), { clientId, tariffId: tariff.id, licenseName: 'gone', withoutOpen: true, columns: { status: 'deleted', expiresOn: addDays(today, 5) } });
    const d = await dashboard();
    expect(d.expiring.map((l: { id: number }) => l.id)).toEqual([sooner.licenseId, soon.licenseId]);
    expect(d.expiring[0]).toMatchObject({ licenseName: 'sooner', clientId, clientName: 'Client', status: 'suspended', expiresAt: addDays(today, 2) });
  });

  test('a refund today lowers the revenue; the next day has no orders of its own', async () => {
    const yearly = tariff.periods.find((p) => p.period === 12)!;
    expect((await t().admin.post(`/api/v1/licenses/${licenseId}/refund`, { amount: '10.00', comment: 'goodwill' })).status).toBe(200);
    expect((await dashboard()).todayTotals).toEqual([{ currency: 'EUR', orders: 5, revenue: ((Number(minor(yearly.price)) - 1000) / 100).toFixed(2) }]);
    clock.advance(86_400_000);
    await t().admin.login('admin@example.test', 'admin-password-1');
    expect((await dashboard()).todayTotals).toEqual([]);
  });

  test('31 days later nothing was bought within the window: "no spending", no margin', async () => {
    clock.advance(31 * 86_400_000);
    await t().admin.login('admin@example.test', 'admin-password-1');
    const d = await dashboard();
    expect(d.modules.find((x: { moduleId: number }) => x.moduleId === moduleId)).toMatchObject({ spent: '0.00', daysLeft: null });
    expect(d.margins).toEqual([]);
  });

  test('clients may not read it', async () => {
    const client = await createClient(t());
    expect((await client.api.get('/api/v1/dashboard')).status).toBe(403);
  });
});

describe('the arithmetic', () => {
  test('days left: whole days at the window spending; none without spending; zero when nothing is left', () => {
    expect(daysLeft(100_00n, 30_00n)).toBe(100);
    expect(daysLeft(100_00n, 45_00n)).toBe(66);
    expect(daysLeft(100_00n, 0n)).toBeNull();
    expect(daysLeft(null, 10n)).toBeNull();
    expect(daysLeft(-5n, 10n)).toBe(0);
  });

  test("a ledger reference names its license only when it is a license's charge or refund", () => {
    expect(licenseOfReference('order:12')).toBe(12);
    expect(licenseOfReference('renewal:7:2026-01-01')).toBe(7);
    expect(licenseOfReference('change_tariff:3:9:2026-01-01')).toBe(3);
    expect(licenseOfReference('refund:license:4:order:4')).toBe(4);
    expect(licenseOfReference('payment:abc')).toBeNull();
    expect(licenseOfReference('order:12x')).toBeNull();
  });
});
