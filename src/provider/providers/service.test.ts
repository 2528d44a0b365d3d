import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { startBillrelay, useBillrelay } from '../../../test/support/billrelay.js';
import { insertDepartment, signedInEmployee } from '../../../test/support/staff.js';
import { AppError } from '../../platform/errors.js';
import { ProviderInput, ProviderPatch } from './schemas.js';
import { ProviderService } from './service.js';

const t = useBillrelay();

interface Provider {
  id: number;
  name: string;
  currency: string;
  notificationEmail: string | null;
  supportEmail: string | null;
  websiteUrl: string | null;
  isDefault: boolean;
  createdAt: string;
  updatedAt: string;
}

async function createProvider(extra: Record<string, unknown> = {}): Promise<Provider> {
  const answer = await t().admin.post('/api/v1/providers', { name: 'Hosting Ltd', currency: 'USD', ...extra });
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  return answer.body as Provider;
}

async function listProviders(): Promise<Provider[]> {
  return (await t().admin.get('/api/v1/providers?perPage=500')).body.items as Provider[];
}

/** A department showing itself to the provider's clients. */
const departmentFor = (providerId: number) => insertDepartment(t(), { name: 'Sales', providerIds: [providerId] });
/** An employee who is not an administrator, logged in. */
const employee = () => signedInEmployee(t());

describe('Provider → Providers', () => {
  test('a default provider in EUR exists from the first start', async () => {
    const providers = await listProviders();
    const defaults = providers.filter((p) => p.isDefault);
    expect(defaults).toHaveLength(1);
    expect(defaults[0]).toMatchObject({ name: 'Default provider', currency: 'EUR', notificationEmail: null, supportEmail: null, websiteUrl: null });
    const audit = await t().admin.get(`/api/v1/audit?entity=provider&entityId=${defaults[0]!.id}`);
    expect(audit.body.items[0]).toMatchObject({ action: 'provider.create', actor: { kind: 'system' } });
  });

  test('an administrator creates a provider and reads it back in camelCase', async () => {
    const created = await createProvider({
      name: '  Hosting Ltd  ',
      currency: 'USD',
      notificationEmail: 'billing@hosting.example',
      supportEmail: 'help@hosting.example',
      websiteUrl: 'https://hosting.example/',
    });
    expect(created).toEqual({
      id: expect.any(Number),
      name: 'Hosting Ltd',
      currency: 'USD',
      notificationEmail: 'billing@hosting.example',
      supportEmail: 'help@hosting.example',
      websiteUrl: 'https://hosting.example/',
      mailFromName: null,
      mailFromAddress: null,
      isDefault: false,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    const read = await t().admin.get(`/api/v1/providers/${created.id}`);
    expect(read.status).toBe(200);
    expect(read.body).toEqual(created);

    const minimal = await createProvider({ name: 'Minimal', currency: 'JPY' });
    expect(minimal).toMatchObject({ notificationEmail: null, supportEmail: null, websiteUrl: null, mailFromName: null, mailFromAddress: null, isDefault: false });
  });

  test('invalid values are refused with 400 naming the field', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ name: 'X', currency: 'XXX' }, 'currency'],
      [{ name: 'X', currency: 'eur' }, 'currency'],
      [{ name: 'X', currency: 'EURO' }, 'currency'],
      [{ name: 'X' }, 'currency'],
      [{ currency: 'EUR' }, 'name'],
      [{ name: '   ', currency: 'EUR' }, 'name'],
      [{ name: 'X', currency: 'EUR', notificationEmail: 'not-an-email' }, 'notificationEmail'],
      [{ name: 'X', currency: 'EUR', supportEmail: 'a@' }, 'supportEmail'],
      [{ name: 'X', currency: 'EUR', websiteUrl: 'ftp://files.example' }, 'websiteUrl'],
      [{ name: 'X', currency: 'EUR', websiteUrl: 'javascript:alert(1)' }, 'websiteUrl'],
      [{ name: 'X', currency: 'EUR', websiteUrl: 'hosting.example' }, 'websiteUrl'],
    ];
    for (const [body, field] of cases) {
      const answer = await t().admin.post('/api/v1/providers', body);
      expect(answer.status, JSON.stringify(body)).toBe(400);
      expect(answer.body.error, JSON.stringify(body)).toMatchObject({ code: 'validation', field });
    }
    const extra = await t().admin.post('/api/v1/providers', { name: 'X', currency: 'EUR', isDefault: true });
    expect(extra.status).toBe(400);

    const p = await createProvider();
    const badPatch = await t().admin.patch(`/api/v1/providers/${p.id}`, { currency: 'ABC' });
    expect(badPatch.status).toBe(400);
    expect(badPatch.body.error.field).toBe('currency');
  });

  test('editing changes the given fields only, null clears an e-mail or the website', async () => {
    const p = await createProvider({ notificationEmail: 'n@hosting.example', supportEmail: 's@hosting.example', websiteUrl: 'http://hosting.example' });
    const edited = await t().admin.patch(`/api/v1/providers/${p.id}`, { name: 'Renamed', supportEmail: null, websiteUrl: null });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({ id: p.id, name: 'Renamed', currency: 'USD', notificationEmail: 'n@hosting.example', supportEmail: null, websiteUrl: null });
    expect((await t().admin.get(`/api/v1/providers/${p.id}`)).body).toEqual(edited.body);

    const currency = await t().admin.patch(`/api/v1/providers/${p.id}`, { currency: 'GBP' });
    expect(currency.status).toBe(200);
    expect(currency.body.currency).toBe('GBP');

    expect((await t().admin.patch('/api/v1/providers/999999', { name: 'X' })).status).toBe(404);
    expect((await t().admin.get('/api/v1/providers/999999')).status).toBe(404);
    expect((await t().admin.delete('/api/v1/providers/999999')).status).toBe(404);
    expect((await t().admin.get('/api/v1/providers/abc')).status).toBe(400);
  });

  test('the list is sorted by id and paged with a total', async () => {
    for (let i = 0; i < 3; i++) await createProvider({ name: `Paged ${i}` });
    const all = await listProviders();
    expect(all.map((p) => p.id)).toEqual([...all.map((p) => p.id)].sort((a, b) => a - b));
    const page2 = await t().admin.get('/api/v1/providers?page=2&perPage=2');
    expect(page2.status).toBe(200);
    expect(page2.body).toMatchObject({ total: all.length, page: 2, perPage: 2 });
    expect(page2.body.items.map((p: Provider) => p.id)).toEqual(all.slice(2, 4).map((p) => p.id));
    expect((await t().admin.get('/api/v1/providers?perPage=0')).status).toBe(400);
  });

  test('the default provider cannot be deleted, an unused one can', async () => {
    const defaultProvider = (await listProviders()).find((p) => p.isDefault)!;
    const refused = await t().admin.delete(`/api/v1/providers/${defaultProvider.id}`);
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ code: 'conflict', field: 'id' });
    expect(refused.body.error.message).toContain('default provider');

    const p = await createProvider({ name: 'Short-lived' });
    expect((await t().admin.delete(`/api/v1/providers/${p.id}`)).status).toBe(204);
    expect((await t().admin.get(`/api/v1/providers/${p.id}`)).status).toBe(404);
    expect((await t().admin.delete(`/api/v1/providers/${p.id}`)).status).toBe(404);
  });

  test('a provider that departments show themselves to cannot be deleted, but its currency may change', async () => {
    const p = await createProvider({ name: 'With departments', currency: 'EUR' });
    await departmentFor(p.id);
    await departmentFor(p.id);
    const refused = await t().admin.delete(`/api/v1/providers/${p.id}`);
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ code: 'conflict', field: 'id' });
    expect(refused.body.error.message).toContain('2 departments');
    expect((await t().admin.get(`/api/v1/providers/${p.id}`)).status).toBe(200);

    const currency = await t().admin.patch(`/api/v1/providers/${p.id}`, { currency: 'CHF' });
    expect(currency.status).toBe(200);
    expect(currency.body.currency).toBe('CHF');
  });

  test('once something with money refers to a provider, its currency is fixed and it cannot be deleted', async () => {
    const p = await createProvider({ name: 'With clients', currency: 'EUR' });
    const other = await createProvider({ name: 'Without clients', currency: 'EUR' });
    // What the clients area will register: the referrer names what refers.
    t().billrelay.services.providers.addReferrer(async (_db, providerId) => (providerId === p.id ? '3 clients' : undefined));

    const currency = await t().admin.patch(`/api/v1/providers/${p.id}`, { currency: 'USD' });
    expect(currency.status).toBe(409);
    expect(currency.body.error).toMatchObject({ code: 'conflict', field: 'currency' });
    expect(currency.body.error.message).toContain('3 clients');
    expect((await t().admin.get(`/api/v1/providers/${p.id}`)).body.currency).toBe('EUR');

    // The same currency again, and other fields, are fine.
    const same = await t().admin.patch(`/api/v1/providers/${p.id}`, { currency: 'EUR', name: 'With clients 2' });
    expect(same.status).toBe(200);

    const removal = await t().admin.delete(`/api/v1/providers/${p.id}`);
    expect(removal.status).toBe(409);
    expect(removal.body.error.message).toContain('3 clients');

    expect((await t().admin.patch(`/api/v1/providers/${other.id}`, { currency: 'USD' })).status).toBe(200);
    expect((await t().admin.delete(`/api/v1/providers/${other.id}`)).status).toBe(204);
  });

  test('anonymous callers get 401; an employee needs providers.read to read and providers.change to write', async () => {
    const p = await createProvider({ name: 'Guarded' });
    const anon = t().anonymous();
    expect((await anon.get('/api/v1/providers')).status).toBe(401);
    expect((await anon.get(`/api/v1/providers/${p.id}`)).status).toBe(401);
    expect((await anon.post('/api/v1/providers', { name: 'X', currency: 'EUR' })).status).toBe(401);
    expect((await anon.patch(`/api/v1/providers/${p.id}`, { name: 'X' })).status).toBe(401);
    expect((await anon.delete(`/api/v1/providers/${p.id}`)).status).toBe(401);

    const nobody = await employee();
    const refused = await nobody.get('/api/v1/providers');
    expect(refused.status).toBe(403);
    expect(refused.body.error.details).toEqual({ right: 'providers.read' });

    const staff = await signedInEmployee(t(), { rights: ['providers.read'] });
    expect((await staff.get('/api/v1/providers')).status).toBe(200);
    expect((await staff.get(`/api/v1/providers/${p.id}`)).body.name).toBe('Guarded');
    expect((await staff.post('/api/v1/providers', { name: 'X', currency: 'EUR' })).status).toBe(403);
    expect((await staff.patch(`/api/v1/providers/${p.id}`, { name: 'X' })).status).toBe(403);
    expect((await staff.delete(`/api/v1/providers/${p.id}`)).status).toBe(403);
    expect((await t().admin.get(`/api/v1/providers/${p.id}`)).body.name).toBe('Guarded');
  });

  test('creating, editing and deleting are in the audit log with before and after', async () => {
    const p = await createProvider({ name: 'Audited', currency: 'EUR' });
    await t().admin.patch(`/api/v1/providers/${p.id}`, { name: 'Audited 2' });
    await t().admin.delete(`/api/v1/providers/${p.id}`);
    const audit = await t().admin.get(`/api/v1/audit?entity=provider&entityId=${p.id}`);
    const [deleted, updated, created] = audit.body.items;
    expect(created).toMatchObject({ action: 'provider.create', actor: { kind: 'employee' }, before: null, after: { name: 'Audited', currency: 'EUR' } });
    expect(updated).toMatchObject({ action: 'provider.update', before: { name: 'Audited' }, after: { name: 'Audited 2' } });
    expect(deleted).toMatchObject({ action: 'provider.delete', before: { name: 'Audited 2' }, after: null });
  });

  test('random bodies get a 4xx and leave the providers unchanged', async () => {
    const target = await createProvider({ name: 'Target' });
    const before = await listProviders();
    const field = fc.oneof(fc.anything(), fc.string(), fc.constantFrom('EUR', 'usd', 'XXX', 'a@b', 'https://x.example', 'ftp://x', null));
    const shaped = fc.record(
      { name: field, currency: field, notificationEmail: field, supportEmail: field, websiteUrl: field, isDefault: fc.anything(), id: fc.anything() },
      { requiredKeys: [] },
    );
    const body = fc.oneof(fc.anything(), shaped);
    const send = (method: string, path: string, value: unknown) =>
      t().admin.request(method, path, JSON.stringify(value) ?? 'null', { 'content-type': 'application/json' });
    await fc.assert(
      fc.asyncProperty(body, async (generated) => {
        // Judge what the server receives: JSON drops undefined fields and turns NaN into null.
        const value: unknown = JSON.parse(JSON.stringify(generated) ?? 'null');
        if (!ProviderInput.safeParse(value).success) {
          const answer = await send('POST', '/api/v1/providers', value);
          expect(answer.status, JSON.stringify(answer.body)).toBeGreaterThanOrEqual(400);
          expect(answer.status).toBeLessThan(500);
        }
        if (!ProviderPatch.safeParse(value).success) {
          const answer = await send('PATCH', `/api/v1/providers/${target.id}`, value);
          expect(answer.status, JSON.stringify(answer.body)).toBeGreaterThanOrEqual(400);
          expect(answer.status).toBeLessThan(500);
        }
      }),
      { numRuns: 80 },
    );
    expect(await listProviders()).toEqual(before);
  });

  test('the default currency is taken from the constructor option and must be a currency', () => {
    const { db, clock } = t().billrelay;
    const { audit } = t().billrelay.services;
    expect(new ProviderService(db, audit, clock).defaultCurrency).toBe('EUR');
    expect(new ProviderService(db, audit, clock, { defaultCurrency: 'USD' }).defaultCurrency).toBe('USD');
    expect(new ProviderService(db, audit, clock, { defaultCurrency: '' }).defaultCurrency).toBe('EUR');
    let error: unknown;
    try {
      new ProviderService(db, audit, clock, { defaultCurrency: 'EURO' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: 'validation', field: 'BILLRELAY_DEFAULT_CURRENCY' });
  });

  test('BILLRELAY_DEFAULT_CURRENCY sets the currency of the default provider on the first start', async () => {
    const other = await startBillrelay({ env: { BILLRELAY_DEFAULT_CURRENCY: 'USD' } });
    try {
      const items = (await other.admin.get('/api/v1/providers')).body.items as Provider[];
      expect(items.filter((p) => p.isDefault)).toMatchObject([{ name: 'Default provider', currency: 'USD' }]);
    } finally {
      await other.close();
    }
  });

  test('the OpenAPI document describes the endpoints', async () => {
    const doc = await t().anonymous().get('/api/docs/json');
    expect(doc.status).toBe(200);
    expect(Object.keys(doc.body.paths)).toEqual(expect.arrayContaining(['/api/v1/providers', '/api/v1/providers/{id}']));
    expect(Object.keys(doc.body.paths['/api/v1/providers'])).toEqual(expect.arrayContaining(['get', 'post']));
  });
});
