import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Sandbox } from '../../sandbox/index.js';
import { startUpstream } from '../../../test/support/upstream.js';
import type { ManualClock } from '../../platform/clock.js';
import { useBillrelay } from '../../../test/support/billrelay.js';
import type { ApiClient } from '../../../test/support/http.js';

const PASSWORD = 'Upstream-Secret-7q2w';
const t = useBillrelay();
let upstream: Sandbox;

beforeAll(async () => {
  upstream = await startUpstream(t(), {
    accounts: [
      { username: 'partner', password: PASSWORD, balance: '1000.00', currency: 'EUR' },
      { username: 'second', password: PASSWORD, balance: '1000.00', currency: 'EUR' },
    ],
  });
});
afterAll(() => upstream.close());

interface Period {
  period: number;
  price: string;
  upstreamCost: string | null;
  upstreamPeriod: number;
  enabled: boolean;
  marginNegative: boolean;
}
interface Tariff {
  id: number;
  providerId: number;
  status: string;
  sort: number;
  periods: Period[];
  processingModuleIds: number[];
  displayName: string;
  lastSyncedAt: string | null;
}

const base = '/api/v1/tariffs';
const admin = () => t().admin;

async function newModule(username = 'partner') {
  const answer = await admin().post('/api/v1/processing-modules', {
    productType: 'licenses',
    moduleType: 'billmanager',
    connection: { url: upstream.url, username, password: PASSWORD },
    name: { en: `ispmanager (${username})` },
  });
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  return answer.body as { id: number };
}

let providerCount = 0;
async function newProvider(currency = 'EUR') {
  providerCount += 1;
  const answer = await admin().post('/api/v1/providers', { name: `Reseller ${providerCount}`, currency });
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  return answer.body as { id: number; name: string; currency: string };
}

async function importTariff(body: Record<string, unknown>) {
  const answer = await admin().post(`${base}/import`, body);
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  return answer.body as Tariff;
}

const periodOf = (tariff: Tariff, period: number) => tariff.periods.find((p) => p.period === period)!;
const allTariffs = async () => (await admin().get(`${base}?perPage=500`)).body.items as Tariff[];

/** Replaces the sandbox's price list (a fresh array: the default list is shared by every sandbox in the process). */
function setUpstreamCost(tariffId: string, months: number, eur: string) {
  upstream.state.tariffs = upstream.state.tariffs.map((tariff) =>
    tariff.id !== tariffId ? tariff : { ...tariff, periods: tariff.periods.map((p) => (p.months === months ? { ...p, eur } : p)) },
  );
}

let module: { id: number };
let provider: { id: number };

beforeAll(async () => {
  module = await newModule();
  provider = await newProvider();
});

describe('import', () => {
  test('with a markup, every upstream period is priced cost × (100 + markup) / 100 and the tariff starts disabled', async () => {
    const tariff = await importTariff({ processingModuleId: module.id, upstreamTariffId: '55227', providerId: provider.id, markupPercent: '12.5' });
    expect(tariff).toMatchObject({
      providerId: provider.id,
      productType: 'licenses',
      name: { en: 'ispmanager 6 lite' },
      displayName: 'ispmanager 6 lite',
      upstreamTariffId: '55227',
      processingModuleIds: [module.id],
      status: 'disabled',
      currency: 'EUR',
    });
    expect(tariff.lastSyncedAt).not.toBeNull();
    expect(tariff.periods).toEqual([
      { period: 1, price: '6.75', upstreamCost: '6.00', upstreamPeriod: 1, enabled: true, marginNegative: false, margin: '0.75' },
      { period: 12, price: '67.50', upstreamCost: '60.00', upstreamPeriod: 12, enabled: true, marginNegative: false, margin: '7.50' },
    ]);
    const audit = await admin().get(`/api/v1/audit?entity=tariff&entityId=${tariff.id}`);
    expect(audit.body.items[0]).toMatchObject({ action: 'tariff.import', actor: { kind: 'employee' }, before: null });
  });

  test('a half-way result rounds away from zero to the cent', async () => {
    const reseller = await newProvider();
    const tariff = await importTariff({ processingModuleId: module.id, upstreamTariffId: '55227', providerId: reseller.id, markupPercent: '0.25' });
    expect(periodOf(tariff, 1).price).toBe('6.02'); // 6.015
    expect(periodOf(tariff, 12).price).toBe('60.15');
    const other = await newProvider();
    const thirds = await importTariff({ processingModuleId: module.id, upstreamTariffId: '55228', providerId: other.id, markupPercent: '33.33' });
    expect(thirds.periods.map((p) => p.price)).toEqual(['16.00', '160.00']); // 15.9996, 159.996
  });

  test('with explicit prices those periods are enabled; other upstream periods come disabled at their cost', async () => {
    const tariff = await importTariff({
      processingModuleId: module.id, upstreamTariffId: '55228', providerId: provider.id, prices: [{ period: 12, price: '150.00' }],
      name: { en: 'Pro', ru: 'Про' },
    });
    expect(tariff.periods).toEqual([
      { period: 1, price: '12.00', upstreamCost: '12.00', upstreamPeriod: 1, enabled: false, marginNegative: false, margin: '0.00' },
      { period: 12, price: '150.00', upstreamCost: '120.00', upstreamPeriod: 12, enabled: true, marginNegative: false, margin: '30.00' },
    ]);
    expect(tariff.displayName).toBe('Pro');
  });

  test('the upstream trial is imported as a free period', async () => {
    const tariff = await importTariff({ processingModuleId: module.id, upstreamTariffId: '55239', providerId: provider.id, markupPercent: '20' });
    expect(tariff.periods).toEqual([{ period: -100, price: '0.00', upstreamCost: '0.00', upstreamPeriod: -100, enabled: true, marginNegative: false, margin: '0.00' }]);
  });

  test('the same upstream tariff twice for one provider is a conflict; for another provider it is fine', async () => {
    const again = await admin().post(`${base}/import`, { processingModuleId: module.id, upstreamTariffId: '55227', providerId: provider.id, markupPercent: '20' });
    expect(again.status).toBe(409);
    expect(again.body.error.field).toBe('upstreamTariffId');
  });

  test('an upstream tariff the price list does not have is refused naming the field', async () => {
    const answer = await admin().post(`${base}/import`, { processingModuleId: module.id, upstreamTariffId: '99999', providerId: provider.id, markupPercent: '20' });
    expect(answer.status).toBe(422);
    expect(answer.body.error.field).toBe('upstreamTariffId');
    expect(answer.body.error.message).toContain('55227');
  });

  test('a provider in another currency than the price list is refused, naming both', async () => {
    const dollars = await newProvider('USD');
    const before = (await allTariffs()).length;
    const answer = await admin().post(`${base}/import`, { processingModuleId: module.id, upstreamTariffId: '55227', providerId: dollars.id, markupPercent: '20' });
    expect(answer.status).toBe(422);
    expect(answer.body.error.code).toBe('currency_mismatch');
    expect(answer.body.error.message).toContain('USD');
    expect(answer.body.error.message).toContain('EUR');
    expect(answer.body.error.details).toEqual({ upstreamCurrency: 'EUR', providerCurrency: 'USD' });
    expect((await allTariffs()).length).toBe(before);
  });

  test('a price for a period the upstream does not sell needs a period mapping', async () => {
    const reseller = await newProvider();
    const unsold = await admin().post(`${base}/import`, {
      processingModuleId: module.id, upstreamTariffId: '55229', providerId: reseller.id,
      prices: [{ period: 1, price: '25.00' }, { period: 24, price: '390.00' }],
    });
    expect(unsold.status).toBe(422);
    expect(unsold.body.error.field).toBe('prices.1.period');
    expect(unsold.body.error.message).toMatch(/^The upstream does not sell 24 months \(it sells: [^)]*\b12 months\b[^)]*\); give a periodMapping to sell it/);
    // The same refusal in Russian, periods and all.
    const inRussian = await admin().post(`${base}/import`, {
      processingModuleId: module.id, upstreamTariffId: '55229', providerId: reseller.id,
      prices: [{ period: 1, price: '25.00' }, { period: 24, price: '390.00' }],
    }, { 'accept-language': 'ru' });
    expect(inRussian.body.error).toMatchObject({ code: 'unprocessable', field: 'prices.1.period' });
    expect(inRussian.body.error.message).toMatch(/^Вышестоящий биллинг не продаёт 24 мес\. \(продаёт: [^)]*\b12 мес\.[^)]*\); задайте сопоставление периодов/);

    const badMapping = await admin().post(`${base}/import`, {
      processingModuleId: module.id, upstreamTariffId: '55229', providerId: reseller.id,
      prices: [{ period: 24, price: '390.00' }], periodMapping: [{ period: 24, upstreamPeriod: 36 }],
    });
    expect(badMapping.status).toBe(422);
    expect(badMapping.body.error.field).toBe('periodMapping.0.upstreamPeriod');

    const mapped = await importTariff({
      processingModuleId: module.id, upstreamTariffId: '55229', providerId: reseller.id,
      prices: [{ period: 24, price: '390.00' }], periodMapping: [{ period: 24, upstreamPeriod: 12 }],
    });
    // 24 months on the 12-month upstream period: two purchases of 200.00.
    expect(periodOf(mapped, 24)).toEqual({ period: 24, price: '390.00', upstreamCost: '400.00', upstreamPeriod: 12, enabled: true, marginNegative: true, margin: '-10.00' });
  });

  test('markup and prices: exactly one; bad amounts and unknown modules are 400 naming the field', async () => {
    const body = { processingModuleId: module.id, upstreamTariffId: '55229', providerId: provider.id };
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ ...body }, 'markupPercent'],
      [{ ...body, markupPercent: '10', prices: [{ period: 1, price: '1.00' }] }, 'prices'],
      [{ ...body, markupPercent: '-1' }, 'markupPercent'],
      [{ ...body, markupPercent: '1.234' }, 'markupPercent'],
      [{ ...body, markupPercent: 12 }, 'markupPercent'],
      [{ ...body, prices: [{ period: 1, price: '1.001' }] }, 'prices.0.price'],
      [{ ...body, prices: [{ period: 1, price: '1' }, { period: 1, price: '2' }] }, 'prices.1.period'],
      [{ ...body, prices: [{ period: 0, price: '1.00' }] }, 'prices.0.period'],
      [{ ...body, processingModuleId: 999999, markupPercent: '10' }, 'processingModuleId'],
      [{ ...body, providerId: 999999, markupPercent: '10' }, 'providerId'],
      [{ ...body, markupPercent: '10', color: 'red' }, ''],
    ];
    for (const [value, field] of cases) {
      const answer = await admin().post(`${base}/import`, value);
      expect(answer.status, JSON.stringify(value)).toBe(400);
      if (field) expect(answer.body.error.field, JSON.stringify(answer.body)).toBe(field);
    }
  });
});

describe('import preview', () => {
  test('shows what the import would store, cost and margin side by side, and stores nothing', async () => {
    const reseller = await newProvider();
    const before = await allTariffs();
    const auditBefore = (await admin().get('/api/v1/audit?entity=tariff')).body.total;
    const preview = await admin().post(`${base}/import/preview`, { processingModuleId: module.id, upstreamTariffId: '55227', providerId: reseller.id, markupPercent: '12.5' });
    expect(preview.status, JSON.stringify(preview.body)).toBe(200);
    expect(preview.body).toEqual({
      upstreamTariffId: '55227',
      upstreamName: 'ispmanager 6 lite',
      currency: 'EUR',
      periods: [
        { period: 1, price: '6.75', upstreamCost: '6.00', upstreamPeriod: 1, enabled: true, marginNegative: false, margin: '0.75' },
        { period: 12, price: '67.50', upstreamCost: '60.00', upstreamPeriod: 12, enabled: true, marginNegative: false, margin: '7.50' },
      ],
      warnings: [],
    });
    expect(await allTariffs()).toEqual(before);
    expect((await admin().get('/api/v1/audit?entity=tariff')).body.total).toBe(auditBefore);

    // The import with the same body stores exactly the previewed periods.
    const imported = await importTariff({ processingModuleId: module.id, upstreamTariffId: '55227', providerId: reseller.id, markupPercent: '12.5' });
    expect(imported.periods).toEqual(preview.body.periods);
  });

  test('a price below the cost is flagged with a warning; the import accepts it but enabling refuses it', async () => {
    const reseller = await newProvider();
    const body = { processingModuleId: module.id, upstreamTariffId: '55228', providerId: reseller.id, prices: [{ period: 1, price: '10.00' }, { period: 12, price: '130.00' }] };
    const preview = await admin().post(`${base}/import/preview`, body);
    expect(preview.status, JSON.stringify(preview.body)).toBe(200);
    expect(preview.body.periods).toEqual([
      { period: 1, price: '10.00', upstreamCost: '12.00', upstreamPeriod: 1, enabled: true, marginNegative: true, margin: '-2.00' },
      { period: 12, price: '130.00', upstreamCost: '120.00', upstreamPeriod: 12, enabled: true, marginNegative: false, margin: '10.00' },
    ]);
    expect(preview.body.warnings).toEqual([
      'Period 1 month would sell at 10.00 EUR, below its upstream cost of 12.00 EUR: the tariff cannot be enabled until the price is raised or the period disabled',
    ]);
    const tariff = await importTariff(body);
    const enable = await admin().post(`${base}/${tariff.id}/enable`);
    expect(enable.status).toBe(422);
    expect(enable.body.error.field).toBe('periods.0.price');
  });

  test('makes the checks of the import: unknown tariff, duplicate, bad body, another currency', async () => {
    const reseller = await newProvider();
    const valid = { processingModuleId: module.id, upstreamTariffId: '55229', providerId: reseller.id, markupPercent: '10' };
    await importTariff(valid);
    const cases: Array<[Record<string, unknown>, number, string]> = [
      [valid, 409, 'upstreamTariffId'],
      [{ ...valid, upstreamTariffId: '99999' }, 422, 'upstreamTariffId'],
      [{ ...valid, upstreamTariffId: '55227', markupPercent: '-1' }, 400, 'markupPercent'],
      [{ ...valid, upstreamTariffId: '55227', providerId: (await newProvider('USD')).id }, 422, 'providerId'],
    ];
    for (const [body, status, field] of cases) {
      const answer = await admin().post(`${base}/import/preview`, body);
      expect(answer.status, JSON.stringify(answer.body)).toBe(status);
      expect(answer.body.error.field).toBe(field);
    }
  });
});

describe('periods and status', () => {
  let tariff: Tariff;
  beforeAll(async () => {
    const reseller = await newProvider();
    tariff = await importTariff({ processingModuleId: module.id, upstreamTariffId: '55229', providerId: reseller.id, prices: [{ period: 12, price: '150.00' }] });
  });

  test('enabling refuses a period sold below its upstream cost, saying which', async () => {
    expect(periodOf(tariff, 12)).toMatchObject({ upstreamCost: '200.00', marginNegative: true });
    const refused = await admin().post(`${base}/${tariff.id}/enable`);
    expect(refused.status).toBe(422);
    expect(refused.body.error.message).toContain('12 months');
    expect(refused.body.error.field).toBe('periods.1.price');
    expect(refused.body.error.details).toMatchObject({ period: 12, price: '150.00', upstreamCost: '200.00' });
    expect((await admin().get(`${base}/${tariff.id}`)).body.status).toBe('disabled');
  });

  test('enabling needs at least one enabled period', async () => {
    const none = await admin().patch(`${base}/${tariff.id}`, { periods: [{ period: 12, enabled: false }] });
    expect(none.status).toBe(200);
    const refused = await admin().post(`${base}/${tariff.id}/enable`);
    expect(refused.status).toBe(422);
    expect(refused.body.error.field).toBe('periods');
  });

  test('a period the upstream does not sell cannot be enabled unless it is mapped', async () => {
    const unsold = await admin().patch(`${base}/${tariff.id}`, { periods: [{ period: 24, price: '420.00', enabled: true }] });
    expect(unsold.status).toBe(422);
    expect(unsold.body.error.field).toBe('periods.0.enabled');

    const addedDisabled = await admin().patch(`${base}/${tariff.id}`, { periods: [{ period: 24, price: '420.00' }] });
    expect(addedDisabled.status).toBe(200);
    expect(periodOf(addedDisabled.body, 24)).toMatchObject({ enabled: false, upstreamCost: null, upstreamPeriod: 24 });

    const mapped = await admin().patch(`${base}/${tariff.id}`, {
      periods: [{ period: 24, enabled: true }], periodMapping: [{ period: 24, upstreamPeriod: 12 }],
    });
    expect(mapped.status, JSON.stringify(mapped.body)).toBe(200);
    expect(periodOf(mapped.body, 24)).toMatchObject({ enabled: true, upstreamCost: '400.00', upstreamPeriod: 12, marginNegative: false });

    const unmap = await admin().patch(`${base}/${tariff.id}`, { periodMapping: [{ period: 24, upstreamPeriod: null }] });
    expect(unmap.status).toBe(422);
    expect(unmap.body.error.field).toBe('periodMapping.0.upstreamPeriod');
    const trialOnMonths = await admin().patch(`${base}/${tariff.id}`, { periodMapping: [{ period: 24, upstreamPeriod: -100 }] });
    expect(trialOnMonths.status).toBe(422);
    const notInTariff = await admin().patch(`${base}/${tariff.id}`, { periodMapping: [{ period: 36, upstreamPeriod: 12 }] });
    expect(notInTariff.body.error.field).toBe('periodMapping.0.period');
  });

  test('with sellable periods the tariff is enabled; an enabled tariff must stay sellable', async () => {
    const priced = await admin().patch(`${base}/${tariff.id}`, { name: { en: 'Host', ru: 'Хост' }, periods: [{ period: 12, price: '240.00', enabled: true }] });
    expect(priced.status).toBe(200);
    expect(priced.body.displayName).toBe('Host');
    const enabled = await admin().post(`${base}/${tariff.id}/enable`);
    expect(enabled.status, JSON.stringify(enabled.body)).toBe(200);
    expect(enabled.body.status).toBe('enabled');

    const atALoss = await admin().patch(`${base}/${tariff.id}`, { periods: [{ period: 12, price: '199.99' }] });
    expect(atALoss.status).toBe(422);
    expect(atALoss.body.error.field).toBe('periods.0.price');

    const nothingLeft = await admin().patch(`${base}/${tariff.id}`, { periods: [{ period: 12, enabled: false }, { period: 24, enabled: false }] });
    expect(nothingLeft.status).toBe(422);
    expect((await admin().get(`${base}/${tariff.id}`)).body.periods).toEqual(enabled.body.periods);

    const disabled = await admin().post(`${base}/${tariff.id}/disable`);
    expect(disabled.body.status).toBe('disabled');
    const audit = await admin().get(`/api/v1/audit?entity=tariff&entityId=${tariff.id}&perPage=50`);
    expect(audit.body.items.map((e: { action: string }) => e.action)).toEqual(expect.arrayContaining(['tariff.enable', 'tariff.disable', 'tariff.update']));
  });

  test('move up and down keeps the order 1..N', async () => {
    const before = await allTariffs();
    const last = before[before.length - 1]!;
    const moved = await admin().post(`${base}/${last.id}/move`, { direction: 'up' });
    expect(moved.status).toBe(200);
    expect(moved.body.sort).toBe(before.length - 1);
    const after = await allTariffs();
    expect(after.map((x) => x.sort)).toEqual(after.map((_, i) => i + 1));
    expect(after[after.length - 2]!.id).toBe(last.id);
    await admin().post(`${base}/${last.id}/move`, { direction: 'down' });
    expect((await allTariffs()).map((x) => x.id)).toEqual(before.map((x) => x.id));
  });
});

describe('processing modules and providers', () => {
  test('the tariff may be served by several modules, each of which must exist', async () => {
    const reseller = await newProvider();
    const tariff = await importTariff({ processingModuleId: module.id, upstreamTariffId: '55227', providerId: reseller.id, markupPercent: '20' });
    const second = await newModule('second');
    const missing = await admin().put(`${base}/${tariff.id}/modules`, { processingModuleIds: [module.id, 999999] });
    expect(missing.status).toBe(400);
    expect(missing.body.error.field).toBe('processingModuleIds.1');
    expect((await admin().put(`${base}/${tariff.id}/modules`, { processingModuleIds: [] })).status).toBe(400);
    const both = await admin().put(`${base}/${tariff.id}/modules`, { processingModuleIds: [second.id, module.id] });
    expect(both.status).toBe(200);
    expect([...both.body.processingModuleIds].sort()).toEqual([module.id, second.id].sort());

    // Neither the module nor the provider can go while the tariff uses them.
    const moduleDelete = await admin().delete(`/api/v1/processing-modules/${second.id}`);
    expect(moduleDelete.status).toBe(409);
    expect(moduleDelete.body.error.message).toContain('tariff plan');
    const providerDelete = await admin().delete(`/api/v1/providers/${reseller.id}`);
    expect(providerDelete.status).toBe(409);
    expect(providerDelete.body.error.message).toContain('tariff plan');
    expect((await admin().patch(`/api/v1/providers/${reseller.id}`, { currency: 'USD' })).status).toBe(409);

    // Once the tariff is gone, both can be deleted.
    await admin().put(`${base}/${tariff.id}/modules`, { processingModuleIds: [module.id] });
    expect((await admin().delete(`/api/v1/processing-modules/${second.id}`)).status).toBe(204);
    expect((await admin().delete(`${base}/${tariff.id}`)).status).toBe(204);
    expect((await admin().delete(`/api/v1/providers/${reseller.id}`)).status).toBe(204);
    expect((await admin().get(`${base}/${tariff.id}`)).status).toBe(404);
    const sorts = (await allTariffs()).map((x) => x.sort);
    expect(sorts).toEqual(sorts.map((_, i) => i + 1));
  });
});

describe('sync', () => {
  let reseller: { id: number };
  let lite: Tariff;
  let pro: Tariff;
  beforeAll(async () => {
    reseller = await newProvider();
    lite = await importTariff({ processingModuleId: module.id, upstreamTariffId: '55227', providerId: reseller.id, markupPercent: '12.5' });
    pro = await importTariff({ processingModuleId: module.id, upstreamTariffId: '55228', providerId: reseller.id, markupPercent: '50' });
    expect((await admin().post(`${base}/${lite.id}/enable`)).status).toBe(200);
  });
  afterAll(() => {
    setUpstreamCost('55227', 12, '60.00');
    setUpstreamCost('55228', 1, '12.00');
    upstream.control.clear();
  });

  test('an unchanged price list changes nothing but the sync time', async () => {
    (t().clock as ManualClock).advance(60_000);
    const synced = await admin().post(`${base}/${lite.id}/sync`);
    expect(synced.status, JSON.stringify(synced.body)).toBe(200);
    expect(synced.body.changes).toEqual([]);
    expect(synced.body.warnings).toEqual([]);
    expect(synced.body.periods).toEqual(lite.periods);
    expect(Date.parse(synced.body.lastSyncedAt)).toBeGreaterThan(Date.parse(lite.lastSyncedAt!));
  });

  test('a cost above the selling price is stored and flagged, and the catalog hides the period', async () => {
    setUpstreamCost('55227', 12, '70.00');
    const synced = await admin().post(`${base}/${lite.id}/sync`);
    expect(synced.status).toBe(200);
    expect(synced.body.changes).toEqual([{ upstreamPeriod: 12, before: '60.00', after: '70.00' }]);
    expect(periodOf(synced.body, 12)).toMatchObject({ price: '67.50', upstreamCost: '70.00', enabled: true, marginNegative: true });
    expect(synced.body.warnings.join(' ')).toContain('12 months');
    expect(synced.body.status).toBe('enabled');

    const listed = (await admin().get(`${base}?providerId=${reseller.id}`)).body.items.find((x: Tariff) => x.id === lite.id);
    expect(periodOf(listed, 12).marginNegative).toBe(true);
    const catalog = await admin().get(`/api/v1/catalog?providerId=${reseller.id}`);
    expect(catalog.body.items).toEqual([{ id: lite.id, productType: 'licenses', displayName: 'ispmanager 6 lite', periods: [{ period: 1, price: '6.75' }] }]);

    // It cannot be re-enabled at a loss either.
    await admin().post(`${base}/${lite.id}/disable`);
    expect((await admin().post(`${base}/${lite.id}/enable`)).status).toBe(422);
    const audit = await admin().get(`/api/v1/audit?entity=tariff&entityId=${lite.id}&action=tariff.sync`);
    expect(audit.body.items).toHaveLength(1);
  });

  test('syncAll reads each price list once and reports tariffs it could not sync', async () => {
    setUpstreamCost('55228', 1, '19.00');
    const calls = upstream.control.calls('pricelist.export').length;
    const all = await t().billrelay.services.tariffs.syncAll();
    expect(all.failed).toEqual([]);
    expect(all.synced).toBe((await allTariffs()).length);
    expect(all.changed).toBeGreaterThanOrEqual(1);
    expect(upstream.control.calls('pricelist.export').length - calls).toBe(1);
    const after = (await admin().get(`${base}/${pro.id}`)).body as Tariff;
    expect(periodOf(after, 1)).toMatchObject({ price: '18.00', upstreamCost: '19.00', marginNegative: true });

    upstream.control.inject({ func: 'pricelist.export', fault: { error: { type: 'access', msg: 'Access denied' } } });
    const failing = await t().billrelay.services.tariffs.syncAll();
    upstream.control.clear();
    expect(failing.synced).toBe(0);
    expect(failing.failed.length).toBe((await allTariffs()).length);
    expect(failing.failed[0]).toMatchObject({ code: 'upstream_access' });
    expect((await admin().get(`${base}/${pro.id}`)).body).toEqual(after);
  });
});

describe('catalog', () => {
  let reseller: { id: number; name: string };
  let shown: Tariff;
  let client: ApiClient;
  beforeAll(async () => {
    reseller = await newProvider();
    shown = await importTariff({
      processingModuleId: module.id, upstreamTariffId: '55228', providerId: reseller.id, name: { en: 'Pro', ru: 'Про' },
      prices: [{ period: 1, price: '15.00' }, { period: 12, price: '150.00' }],
    });
    await admin().patch(`${base}/${shown.id}`, { periods: [{ period: 1, enabled: false }] });
    expect((await admin().post(`${base}/${shown.id}/enable`)).status).toBe(200);
    await importTariff({ processingModuleId: module.id, upstreamTariffId: '55229', providerId: reseller.id, markupPercent: '10' }); // stays disabled

    const created = await admin().post('/api/v1/clients', {
      name: 'Client', email: 'client@reseller.test', password: 'client-password-1', language: 'ru', providerId: reseller.id,
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    client = await t().loginAs('client@reseller.test', 'client-password-1');
  });

  test("a client sees its provider's enabled tariffs with their sellable periods, in its language", async () => {
    const catalog = await client.get('/api/v1/catalog');
    expect(catalog.status, JSON.stringify(catalog.body)).toBe(200);
    expect(catalog.body).toEqual({
      providerId: reseller.id,
      providerName: reseller.name,
      currency: 'EUR',
      items: [{ id: shown.id, productType: 'licenses', displayName: 'Про', periods: [{ period: 12, price: '150.00' }] }],
    });
    const english = await client.get('/api/v1/catalog', { 'accept-language': 'en' });
    expect(english.body.items[0].displayName).toBe('Pro');
    expect((await client.get(`/api/v1/catalog?providerId=${provider.id}`)).status).toBe(403);
  });

  test('staff must name the provider', async () => {
    const missing = await admin().get('/api/v1/catalog');
    expect(missing.status).toBe(400);
    expect(missing.body.error.field).toBe('providerId');
    expect((await admin().get('/api/v1/catalog?providerId=999999')).status).toBe(404);
    const staffView = await admin().get(`/api/v1/catalog?providerId=${reseller.id}`);
    expect(staffView.body.items.map((i: { id: number }) => i.id)).toEqual([shown.id]);
  });

  test('clients cannot use the tariff plans API, employees read it with tariffs.read, change it with tariffs.change', async () => {
    expect((await client.get(base)).status).toBe(403);
    expect((await client.post(`${base}/import`, { processingModuleId: module.id, upstreamTariffId: '55227', providerId: reseller.id, markupPercent: '1' })).status).toBe(403);

    const created = await admin().post('/api/v1/employees', { email: 'clerk@example.test', name: 'Clerk', password: 'clerk-password-1', rights: ['tariffs.read'] });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const clerk = await t().loginAs('clerk@example.test', 'clerk-password-1');
    expect((await clerk.get(base)).status).toBe(200);
    expect((await clerk.get(`${base}/${shown.id}`)).status).toBe(200);
    const refused = await clerk.post(`${base}/${shown.id}/disable`);
    expect(refused.status).toBe(403);
    expect(refused.body.error.details).toEqual({ right: 'tariffs.change' });
    expect((await clerk.patch(`${base}/${shown.id}`, { name: { en: 'X' } })).status).toBe(403);
    expect((await clerk.post(`${base}/${shown.id}/sync`)).status).toBe(403);

    const anonymous = t().anonymous();
    expect((await anonymous.get(base)).status).toBe(401);
    expect((await anonymous.get('/api/v1/catalog?providerId=1')).status).toBe(401);
    const valid = { processingModuleId: module.id, upstreamTariffId: '55227', providerId: reseller.id, markupPercent: '1' };
    expect((await anonymous.post(`${base}/import`, valid)).status).toBe(401);
    expect((await anonymous.post(`${base}/${shown.id}/enable`)).status).toBe(401);
  });
});

describe('OpenAPI', () => {
  test('the document describes the tariff endpoints and the markup rounding rule', async () => {
    const doc = await t().anonymous().get('/api/docs/json');
    expect(doc.status).toBe(200);
    for (const path of ['/api/v1/tariffs', '/api/v1/tariffs/import', '/api/v1/tariffs/{id}', '/api/v1/tariffs/{id}/modules', '/api/v1/tariffs/{id}/sync', '/api/v1/catalog']) {
      expect(doc.body.paths[path], path).toBeDefined();
    }
    const importOp = doc.body.paths['/api/v1/tariffs/import'].post;
    expect(importOp.description).toContain('half away from zero');
    expect(JSON.stringify(importOp.requestBody)).toContain('markupPercent');
  });
});

describe('random bodies', () => {
  test('random import and edit bodies get a 4xx and change nothing', async () => {
    const reseller = await newProvider();
    const target = await importTariff({ processingModuleId: module.id, upstreamTariffId: '55227', providerId: reseller.id, prices: [{ period: 1, price: '7.00' }] });
    await admin().post(`${base}/${target.id}/enable`);
    const before = await allTariffs();
    const auditBefore = (await admin().get('/api/v1/audit?entity=tariff')).body.total;

    // Filters judge what the server receives: JSON drops undefined fields ({"": undefined} is {}).
    const toWire = (v: unknown): unknown => JSON.parse(JSON.stringify(v) ?? 'null');
    const period = fc.oneof(fc.constantFrom(-100, 1, 12, 24, 0, -50, 121), fc.integer(), fc.double(), fc.string());
    // Never valid on their own, so that every generated edit is refused whatever else it holds.
    const badPeriod = fc.oneof(fc.constantFrom(0, -50, 121, -1, 2.5), fc.string(), fc.boolean());
    const badPrice = fc.oneof(fc.constantFrom('1.001', '-5.00', '', 'abc', '1e3', '1,00'), fc.double(), fc.integer(), fc.boolean());
    const price = fc.oneof(badPrice, fc.string());
    const importBody = fc.oneof(
      fc.anything(),
      fc.record(
        {
          processingModuleId: fc.oneof(fc.constant(module.id), fc.constant(999999), fc.anything()),
          upstreamTariffId: fc.oneof(fc.constantFrom('55227', '99999', '', '55227; drop'), fc.anything()),
          providerId: fc.oneof(fc.constant(reseller.id), fc.constant(999999), fc.anything()),
          markupPercent: fc.oneof(fc.constantFrom('-1', '1.234', 'x', '', '100000'), fc.anything()),
          prices: fc.oneof(fc.array(fc.record({ period, price }, { requiredKeys: [] })), fc.anything()),
          periodMapping: fc.oneof(fc.array(fc.record({ period, upstreamPeriod: period })), fc.anything()),
          extra: fc.anything(),
        },
        { requiredKeys: [] },
      ).map((v) => toWire(v) as typeof v).filter((v) => !(Number.isInteger(v.providerId) && (v.providerId as number) > 0 && v.providerId !== reseller.id && v.providerId !== 999999)),
    );
    const patchBody = fc.oneof(
      fc.anything().map(toWire).filter((v) => typeof v !== 'object' || v === null || Array.isArray(v) || Object.keys(v).length > 0),
      fc.record(
        {
          name: fc.oneof(fc.dictionary(fc.constantFrom('ru', 'xx', ''), fc.string()), fc.anything()),
          periods: fc.oneof(
            fc.constant([{ period: 1, price: '5.99' }]), // below the 6.00 cost on an enabled tariff
            fc.constant([{ period: 1, enabled: false }]), // the last enabled period of an enabled tariff
            fc.constant([{ period: 24, price: '90.00', enabled: true }]), // unsold and unmapped
            fc.array(fc.record({ period, price: badPrice, enabled: fc.anything() }, { requiredKeys: ['period', 'price'] }), { minLength: 1 }),
          ),
          periodMapping: fc.oneof(
            fc.constant([{ period: 12, upstreamPeriod: -100 }]),
            fc.constant([{ period: 36, upstreamPeriod: 12 }]),
            fc.array(fc.record({ period, upstreamPeriod: badPeriod }), { minLength: 1 }),
          ),
        },
        { requiredKeys: [] },
      ).map((v) => toWire(v) as typeof v).filter((v) => Object.keys(v).length > 0 && !('name' in v && Object.keys(v).length === 1 && typeof v.name === 'object' && v.name && 'en' in v.name)),
    );

    await fc.assert(
      fc.asyncProperty(importBody, async (value) => {
        const answer = await admin().request('POST', `${base}/import`, JSON.stringify(value) ?? 'null', { 'content-type': 'application/json' });
        expect(answer.status, JSON.stringify(value)).toBeGreaterThanOrEqual(400);
        expect(answer.status, JSON.stringify(answer.body)).toBeLessThan(500);
      }),
      { numRuns: 80 },
    );
    await fc.assert(
      fc.asyncProperty(patchBody, async (value) => {
        const answer = await admin().request('PATCH', `${base}/${target.id}`, JSON.stringify(value) ?? 'null', { 'content-type': 'application/json' });
        expect(answer.status, `${JSON.stringify(value)} → ${JSON.stringify(answer.body)}`).toBeGreaterThanOrEqual(400);
        expect(answer.status, JSON.stringify(answer.body)).toBeLessThan(500);
      }),
      { numRuns: 80 },
    );
    expect(await allTariffs()).toEqual(before);
    expect((await admin().get('/api/v1/audit?entity=tariff')).body.total).toBe(auditBefore);
  });
});

describe('the list', () => {
  test('filters by name, upstream tariff, module and status, and counts what it found', async () => {
    const secondModule = await newModule('second');
    const reseller = await newProvider();
    const lite = await importTariff({ processingModuleId: module.id, upstreamTariffId: '55227', providerId: reseller.id, markupPercent: '20', name: { en: 'Lite 50%_off', ru: 'Лайт' } });
    const pro = await importTariff({ processingModuleId: secondModule.id, upstreamTariffId: '55228', providerId: reseller.id, markupPercent: '20' });
    expect((await admin().post(`${base}/${pro.id}/enable`)).status).toBe(200);
    const ids = async (query: string) => {
      const answer = await admin().get(`${base}?providerId=${reseller.id}&${query}`);
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      expect(answer.body.total).toBe(answer.body.items.length);
      return answer.body.items.map((x: Tariff) => x.id);
    };
    expect(await ids('')).toEqual([lite.id, pro.id]);
    expect(await ids('search=LITE')).toEqual([lite.id]);
    expect(await ids(`search=${encodeURIComponent('Лайт')}`)).toEqual([lite.id]); // a name in another language
    expect(await ids('search=55228')).toEqual([pro.id]);
    expect(await ids('search=6%20pro')).toEqual([pro.id]); // the upstream name
    expect(await ids(`search=${encodeURIComponent('50%_')}`)).toEqual([lite.id]);
    expect(await ids(`search=${encodeURIComponent('%')}`)).toEqual([lite.id]); // typed wildcards match themselves
    expect(await ids(`processingModuleId=${secondModule.id}`)).toEqual([pro.id]);
    expect(await ids('status=enabled')).toEqual([pro.id]);
    expect(await ids(`status=disabled&processingModuleId=${module.id}`)).toEqual([lite.id]);
    expect(await ids('search=nothing-like-this')).toEqual([]);
    expect((await admin().get(`${base}?status=sold`)).status).toBe(400);
  });
});
