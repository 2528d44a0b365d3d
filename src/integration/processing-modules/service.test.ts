import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import type { Sandbox } from '../../sandbox/index.js';
import { startUpstream } from '../../../test/support/upstream.js';
import { useBillrelay } from '../../../test/support/billrelay.js';

const PASSWORD = 'Upstream-Secret-9f3k';
const logLines: string[] = [];
const t = useBillrelay({ logSink: logLines, env: { BILLRELAY_UPSTREAM_READ_TIMEOUT_MS: '700', BILLRELAY_UPSTREAM_CONNECT_TIMEOUT_MS: '700' } });
let upstream: Sandbox;

beforeAll(async () => {
  upstream = await startUpstream(t(), {
    accounts: [
      { username: 'partner', password: PASSWORD, balance: '250.00', currency: 'EUR' },
      { username: 'two-factor', password: PASSWORD, twoFactor: true },
      { username: 'walled', password: PASSWORD, allowedIps: ['203.0.113.9'] },
      { username: 'dollars', password: PASSWORD, currency: 'USD', balance: '10.00' },
      { username: 'two-currencies', password: PASSWORD, currency: 'EUR', balance: '80.00', otherBalances: { USD: '15.00' } },
    ],
  });
});
afterAll(() => upstream.close());
/** Every test starts from the sandbox's default (realistic) quirks, whatever the one before changed. */
afterEach(() => upstream.control.configure({ profile: 'realistic' }));

const CHECK = '/api/v1/processing-modules/check-connection';
const check = (connection: Record<string, unknown>) => t().admin.post(CHECK, { moduleType: 'billmanager', connection });

const connection = (username = 'partner', password = PASSWORD) => ({ url: upstream.url, username, password });

async function newModule(extra: Record<string, unknown> = {}) {
  const answer = await t().admin.post('/api/v1/processing-modules', {
    productType: 'licenses',
    moduleType: 'billmanager',
    connection: connection(),
    name: { en: 'ispmanager EU', ru: 'ispmanager EU' },
    minimalBalance: '100.00',
    ...extra,
  });
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  return answer.body;
}

describe('the add wizard', () => {
  test('step 1–2: product and module types are listed with the fields each needs', async () => {
    const types = await t().admin.get('/api/v1/processing-modules/types');
    expect(types.status).toBe(200);
    const licenses = types.body.productTypes.find((p: { id: string }) => p.id === 'licenses');
    expect(licenses.moduleTypes.map((m: { id: string }) => m.id)).toEqual(['billmanager', 'manual']);
    const fields = licenses.moduleTypes[0].connectionFields;
    expect(fields.map((f: { name: string }) => f.name)).toEqual(['url', 'username', 'password', 'currency']);
    expect(fields[0].default).toBe('https://api-eu.ispmanager.com');
    expect(fields[3]).toMatchObject({ required: false, type: 'text' });
  });

  test('step 3: a good account answers its balance, currency and the URL that answered', async () => {
    const answer = await check(connection());
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ balance: '250.00', currency: 'EUR', account: 'partner', url: `${upstream.url}/billmgr` });
  });

  test.each([
    [['/manager/billmgr'], '/manager/billmgr'],
    [['/billmgr'], '/billmgr'],
  ])('a URL without a path, the billing answering at %j: found at %s, and the module keeps it', async (paths, found) => {
    upstream.control.configure({ quirks: { paths } });
    const answer = await check(connection());
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body.url).toBe(`${upstream.url}${found}`);
    const module = await newModule({ connection: { ...connection(), url: `${upstream.url}/` } });
    expect(module.connection.url).toBe(`${upstream.url}${found}`);
    // The kept path is the one every later call uses.
    const balance = await t().admin.post(`/api/v1/processing-modules/${module.id}/check-balance`);
    expect(balance.body).toMatchObject({ status: 'enabled', balance: '250.00' });
    const list = await t().admin.get(`/api/v1/processing-modules/${module.id}/pricelist`);
    expect(list.body.items.map((i: { id: string }) => i.id)).toEqual(['55227', '55228', '55229', '55239']);
  });

  test('a URL with a path is used as given, never another path', async () => {
    expect((await check({ ...connection(), url: `${upstream.url}/billmgr/` })).body.url).toBe(`${upstream.url}/billmgr`);
    upstream.control.configure({ quirks: { paths: ['/manager/billmgr'] } });
    const wrongPath = await check({ ...connection(), url: `${upstream.url}/billmgr` });
    expect(wrongPath.status).toBe(502);
    expect(wrongPath.body.error).toMatchObject({ code: 'upstream_unreachable', message: 'The upstream answered HTTP 404' });
  });

  test('a wrong password at a URL without a path is refused as such: the path that refused is a BILLmanager', async () => {
    upstream.control.configure({ quirks: { paths: ['/manager/billmgr'] } });
    const answer = await check(connection('partner', 'wrong-password'));
    expect(answer.status).toBe(422);
    expect(answer.body.error.code).toBe('upstream_auth');
  });

  test('a host with a BILLmanager at neither path: a clear error naming both, and nothing saved', async () => {
    upstream.control.configure({ quirks: { paths: ['/elsewhere'] } });
    const before = (await t().admin.get('/api/v1/processing-modules')).body.total;
    const answer = await check(connection());
    expect(answer.status).toBe(502);
    expect(answer.body.error.code).toBe('upstream_unreachable');
    expect(answer.body.error.message).toMatch(/^No BILLmanager answered at \/billmgr or \/manager\/billmgr on 127\.0\.0\.1:\d+: The upstream answered HTTP 404; give the full URL/);
    const create = await t().admin.post('/api/v1/processing-modules', {
      productType: 'licenses', moduleType: 'billmanager', connection: connection(), name: { en: 'Nowhere' },
    });
    expect(create.body.error.code).toBe('upstream_unreachable');
    expect((await t().admin.get('/api/v1/processing-modules')).body.total).toBe(before);
  });

  test.each([
    ['wrong password', 'partner', 'wrong-password', 'upstream_auth', /two-factor/i],
    ['two-factor account', 'two-factor', PASSWORD, 'upstream_auth', /two-factor/i],
    ['IP not allowed', 'walled', PASSWORD, 'upstream_access', /IP|access/i],
  ])('step 3: %s gets its own clear error', async (_name, username, password, code, wording) => {
    const check = await t().admin.post('/api/v1/processing-modules/check-connection', {
      moduleType: 'billmanager', connection: connection(username, password),
    });
    expect(check.status).toBe(422);
    expect(check.body.error.code).toBe(code);
    expect(check.body.error.message).toMatch(wording);
  });

  test('step 3: unreachable, TLS, timeout and protocol failures each have their code', async () => {
    const unreachable = await t().admin.post('/api/v1/processing-modules/check-connection', {
      moduleType: 'billmanager', connection: { ...connection(), url: 'http://127.0.0.1:1' },
    });
    expect(unreachable.body.error.code).toBe('upstream_unreachable');

    const tls = await t().admin.post('/api/v1/processing-modules/check-connection', {
      moduleType: 'billmanager', connection: { ...connection(), url: upstream.url.replace('http:', 'https:') },
    });
    expect(tls.body.error.code).toBe('upstream_tls');

    upstream.control.inject({ func: 'whoami', fault: 'timeout' });
    const timeout = await t().admin.post('/api/v1/processing-modules/check-connection', { moduleType: 'billmanager', connection: connection() });
    upstream.control.clear();
    expect(timeout.body.error.code).toBe('upstream_timeout');

    upstream.control.inject({ func: 'whoami', fault: 'malformed' });
    const malformed = await t().admin.post('/api/v1/processing-modules/check-connection', { moduleType: 'billmanager', connection: connection() });
    upstream.control.clear();
    expect(malformed.body.error.code).toBe('upstream_protocol');
  });

  test('bad settings are 400 naming the field and nothing is called', async () => {
    const calls = upstream.control.calls().length;
    const noUser = await t().admin.post('/api/v1/processing-modules/check-connection', {
      moduleType: 'billmanager', connection: { url: upstream.url, username: '', password: 'x' },
    });
    expect(noUser.status).toBe(400);
    expect(noUser.body.error.field).toBe('connection.username');
    const badUrl = await t().admin.post('/api/v1/processing-modules/check-connection', {
      moduleType: 'billmanager', connection: { url: 'ftp://example.test', username: 'a', password: 'b' },
    });
    expect(badUrl.body.error.field).toBe('connection.url');
    expect(upstream.control.calls().length).toBe(calls);
  });

  test('step 4: the module is saved with its parameters, balance and currency, never its password', async () => {
    const dc = (await t().admin.post('/api/v1/datacenters', { name: { en: 'Frankfurt' } })).body;
    const department = (await t().admin.get('/api/v1/departments')).body.items[0];
    const module = await newModule({ datacenterId: dc.id, departmentId: department.id });
    expect(module).toMatchObject({
      productType: 'licenses',
      moduleType: 'billmanager',
      status: 'enabled',
      displayName: 'ispmanager EU',
      datacenter: { id: dc.id, displayName: 'Frankfurt' },
      department: { id: department.id },
      connection: { url: `${upstream.url}/billmgr`, username: 'partner' },
      currency: 'EUR',
      balance: '250.00',
      minimalBalance: '100.00',
      balanceBelowMinimal: false,
      lastError: null,
    });
    expect(JSON.stringify(module)).not.toContain(PASSWORD);
    const detail = await t().admin.get(`/api/v1/processing-modules/${module.id}`);
    expect(JSON.stringify(detail.body)).not.toContain(PASSWORD);
    const raw = await t().billrelay.db.kysely.selectFrom('processingModules').select('passwordSealed').where('id', '=', module.id).executeTakeFirstOrThrow();
    expect(raw.passwordSealed).not.toContain(PASSWORD);

    // The data center and department it uses cannot be deleted while it does.
    const dcDelete = await t().admin.delete(`/api/v1/datacenters/${dc.id}`);
    expect(dcDelete.status).toBe(409);
    expect(dcDelete.body.error.message).toContain('processing module');
  });

  test('creation refuses an account whose currency differs from the provider\'s, saying both', async () => {
    const before = (await t().admin.get('/api/v1/processing-modules')).body.total;
    const answer = await t().admin.post('/api/v1/processing-modules', {
      productType: 'licenses', moduleType: 'billmanager', connection: connection('dollars'), name: { en: 'USD account' },
    });
    expect(answer.status).toBe(422);
    expect(answer.body.error.code).toBe('currency_mismatch');
    expect(answer.body.error.message).toContain('USD');
    expect(answer.body.error.message).toContain('EUR');
    expect((await t().admin.get('/api/v1/processing-modules')).body.total).toBe(before);
  });

  test('creation with bad credentials saves nothing', async () => {
    const before = (await t().admin.get('/api/v1/processing-modules')).body.total;
    const answer = await t().admin.post('/api/v1/processing-modules', {
      productType: 'licenses', moduleType: 'billmanager', connection: connection('two-factor'), name: { en: 'X' },
    });
    expect(answer.body.error.code).toBe('upstream_auth');
    expect((await t().admin.get('/api/v1/processing-modules')).body.total).toBe(before);
  });

  test('a minimal balance with more decimals than the currency has is refused', async () => {
    const answer = await t().admin.post('/api/v1/processing-modules', {
      productType: 'licenses', moduleType: 'billmanager', connection: connection(), name: { en: 'X' }, minimalBalance: '1.005',
    });
    expect(answer.status).toBe(400);
    expect(answer.body.error.field).toBe('minimalBalance');
  });

  test('a manual module needs no connection', async () => {
    const manual = await t().admin.post('/api/v1/processing-modules', { productType: 'licenses', moduleType: 'manual', name: { en: 'By hand' } });
    expect(manual.status).toBe(201);
    expect(manual.body).toMatchObject({ moduleType: 'manual', connection: null, balance: null });
    expect((await t().admin.post(`/api/v1/processing-modules/${manual.body.id}/check-balance`)).status).toBe(422);
  });
});

describe('the account currency', () => {
  test('an upstream that states no currency anywhere: 422 on connection.currency asking to choose one; nothing saved', async () => {
    upstream.control.configure({ quirks: { currencyIn: 'none' } });
    const answer = await check(connection());
    expect(answer.status).toBe(422);
    expect(answer.body.error).toMatchObject({ code: 'upstream_currency_unknown', field: 'connection.currency', details: { candidates: [] } });
    expect(answer.body.error.message).toMatch(/choose the currency/);
    const before = (await t().admin.get('/api/v1/processing-modules')).body.total;
    const create = await t().admin.post('/api/v1/processing-modules', {
      productType: 'licenses', moduleType: 'billmanager', connection: connection(), name: { en: 'No currency' },
    });
    expect(create.status).toBe(422);
    expect(create.body.error.field).toBe('connection.currency');
    expect((await t().admin.get('/api/v1/processing-modules')).body.total).toBe(before);
  });

  test('the chosen currency answers it: checked, stored with the connection, and used by every later call', async () => {
    upstream.control.configure({ quirks: { currencyIn: 'none' } });
    const answer = await check({ ...connection(), currency: 'EUR' });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ currency: 'EUR', balance: '250.00' });
    const module = await newModule({ connection: { ...connection(), currency: 'EUR' } });
    expect(module).toMatchObject({ currency: 'EUR', balance: '250.00', minimalBalance: '100.00', connection: { currency: 'EUR' } });
    const balance = await t().admin.post(`/api/v1/processing-modules/${module.id}/check-balance`);
    expect(balance.body).toMatchObject({ status: 'enabled', balance: '250.00', currency: 'EUR' });
    const list = await t().admin.get(`/api/v1/processing-modules/${module.id}/pricelist`);
    expect(list.status).toBe(200);
    expect(list.body.items[0]).toMatchObject({ id: '55227', currency: 'EUR' });
  });

  test('an account holding several currencies: 422 listing them; the chosen one is used, and must match the provider', async () => {
    const several = await check(connection('two-currencies'));
    expect(several.status).toBe(422);
    expect(several.body.error).toMatchObject({ code: 'upstream_currency_unknown', field: 'connection.currency', details: { candidates: ['EUR', 'USD'] } });
    expect(several.body.error.message).toMatch(/several currencies \(EUR, USD\): choose/);
    expect((await check({ ...connection('two-currencies'), currency: 'USD' })).body).toMatchObject({ currency: 'USD', balance: '15.00' });
    // The default provider sells in EUR: the USD balance cannot back it.
    const usd = await t().admin.post('/api/v1/processing-modules', {
      productType: 'licenses', moduleType: 'billmanager', connection: { ...connection('two-currencies'), currency: 'USD' }, name: { en: 'USD' },
    });
    expect(usd.status).toBe(422);
    expect(usd.body.error.code).toBe('currency_mismatch');
    const eur = await newModule({ connection: { ...connection('two-currencies'), currency: 'EUR' } });
    expect(eur).toMatchObject({ currency: 'EUR', balance: '80.00' });
  });

  test('a chosen currency the upstream contradicts is refused on connection.currency', async () => {
    const answer = await check({ ...connection('dollars'), currency: 'EUR' });
    expect(answer.status).toBe(422);
    expect(answer.body.error).toMatchObject({ code: 'currency_mismatch', field: 'connection.currency' });
    expect(answer.body.error.message).toContain('USD, not EUR');
  });

  test.each([['eur'], ['EURO'], ['XYZ'], [''], [978]])('currency %j is a 400 on connection.currency, before any upstream call', async (currency) => {
    const calls = upstream.control.calls().length;
    const answer = await check({ ...connection(), currency });
    expect(answer.status).toBe(400);
    expect(answer.body.error.field).toBe('connection.currency');
    expect(upstream.control.calls().length).toBe(calls);
  });
});

describe('changing the connection', () => {
  test('a new URL or username without the password again is refused, and the stored password goes nowhere', async () => {
    const module = await newModule();
    const elsewhere = await startUpstream(t(), { accounts: [{ username: 'partner', password: PASSWORD, balance: '1.00' }] });
    try {
      for (const change of [{ url: elsewhere.url }, { username: 'two-factor' }, { url: `${upstream.url}/manager/billmgr` }, { url: elsewhere.url, currency: 'EUR' }]) {
        const answer = await t().admin.patch(`/api/v1/processing-modules/${module.id}`, { connection: change });
        expect(answer.status, JSON.stringify(change)).toBe(422);
        expect(answer.body.error.field).toBe('connection.password');
        expect(answer.body.error.message).toMatch(/password again.*new URL or username/);
      }
      expect(elsewhere.control.calls()).toHaveLength(0);
      const after = (await t().admin.get(`/api/v1/processing-modules/${module.id}`)).body;
      expect(after.connection).toEqual({ url: `${upstream.url}/billmgr`, username: 'partner' });

      // With the password it is checked there and kept.
      const moved = await t().admin.patch(`/api/v1/processing-modules/${module.id}`, { connection: { url: elsewhere.url, password: PASSWORD } });
      expect(moved.status, JSON.stringify(moved.body)).toBe(200);
      expect(moved.body).toMatchObject({ connection: { url: `${elsewhere.url}/billmgr` }, balance: '1.00' });
    } finally {
      await elsewhere.close();
    }
  });

  test('the same URL and username again, only the password, or only the currency need no password', async () => {
    const module = await newModule();
    const same = await t().admin.patch(`/api/v1/processing-modules/${module.id}`, { connection: { url: `${upstream.url}/billmgr`, username: 'partner' } });
    expect(same.status, JSON.stringify(same.body)).toBe(200);
    // A bare origin of the same host: the path is found there again.
    const bare = await t().admin.patch(`/api/v1/processing-modules/${module.id}`, { connection: { url: upstream.url } });
    expect(bare.status).toBe(200);
    expect(bare.body.connection.url).toBe(`${upstream.url}/billmgr`);
    expect((await t().admin.patch(`/api/v1/processing-modules/${module.id}`, { connection: { password: PASSWORD } })).status).toBe(200);

    upstream.control.configure({ quirks: { currencyIn: 'none' } });
    const unknown = await t().admin.post(`/api/v1/processing-modules/${module.id}/check-balance`);
    expect(unknown.body.error).toMatchObject({ code: 'upstream_currency_unknown' });
    const chosen = await t().admin.patch(`/api/v1/processing-modules/${module.id}`, { connection: { currency: 'EUR' } });
    expect(chosen.status, JSON.stringify(chosen.body)).toBe(200);
    expect(chosen.body).toMatchObject({ status: 'enabled', lastError: null, connection: { currency: 'EUR' } });
    expect((await t().admin.post(`/api/v1/processing-modules/${module.id}/check-balance`)).body).toMatchObject({ status: 'enabled', currency: 'EUR' });
    // Forgetting the choice is checked too: the upstream still does not say.
    const forgotten = await t().admin.patch(`/api/v1/processing-modules/${module.id}`, { connection: { currency: null } });
    expect(forgotten.status).toBe(422);
    expect(forgotten.body.error.field).toBe('connection.currency');
  });
});

describe('running a module', () => {
  test('check-balance stores the balance now; an upstream failure is stored as the module\'s error', async () => {
    const module = await newModule();
    upstream.control.upsertAccount({ username: 'partner', balance: '42.50' });
    const checked = await t().admin.post(`/api/v1/processing-modules/${module.id}/check-balance`);
    expect(checked.body).toMatchObject({ balance: '42.50', balanceBelowMinimal: true, status: 'enabled' });

    upstream.control.upsertAccount({ username: 'partner', password: 'rotated-elsewhere' });
    const failed = await t().admin.post(`/api/v1/processing-modules/${module.id}/check-balance`);
    expect(failed.body.error.code, JSON.stringify(failed.body)).toBe('upstream_auth');
    const after = (await t().admin.get(`/api/v1/processing-modules/${module.id}`)).body;
    expect(after.status).toBe('error');
    expect(after.lastError.code).toBe('upstream_auth');

    // Changing the credentials re-checks them and clears the error.
    const wrongAgain = await t().admin.patch(`/api/v1/processing-modules/${module.id}`, { connection: { password: 'still-wrong' } });
    expect(wrongAgain.body.error.code).toBe('upstream_auth');
    const fixed = await t().admin.patch(`/api/v1/processing-modules/${module.id}`, { connection: { password: 'rotated-elsewhere' } });
    expect(fixed.status).toBe(200);
    expect(fixed.body).toMatchObject({ status: 'enabled', lastError: null });
    upstream.control.upsertAccount({ username: 'partner', password: PASSWORD, balance: '250.00' });
    await t().admin.patch(`/api/v1/processing-modules/${module.id}`, { connection: { password: PASSWORD } });
  });

  test('the price list comes from the upstream for the tariff import', async () => {
    const module = await newModule();
    const list = await t().admin.get(`/api/v1/processing-modules/${module.id}/pricelist`);
    expect(list.status).toBe(200);
    const lite = list.body.items.find((i: { id: string }) => i.id === '55227');
    expect(lite.currency).toBe('EUR');
    expect(lite.periods.map((p: { months: number }) => p.months)).toEqual(expect.arrayContaining([1, 12]));
    expect(lite.periods[0].cost).toMatch(/^\d+\.\d{2}$/);
  });

  test('enable/disable, move and delete keep the order 1..N', async () => {
    const all = async () => (await t().admin.get('/api/v1/processing-modules?perPage=500')).body.items as Array<{ id: number; sort: number }>;
    const a = await newModule();
    const disabled = await t().admin.post(`/api/v1/processing-modules/${a.id}/disable`);
    expect(disabled.body).toMatchObject({ enabled: false, status: 'disabled' });
    expect((await t().admin.post(`/api/v1/processing-modules/${a.id}/enable`)).body.status).toBe('enabled');
    await t().admin.post(`/api/v1/processing-modules/${a.id}/move`, { direction: 'up' });
    const sorts = (await all()).map((m) => m.sort);
    expect(sorts).toEqual(sorts.map((_, i) => i + 1));
    expect((await t().admin.delete(`/api/v1/processing-modules/${a.id}`)).status).toBe(204);
    const after = (await all()).map((m) => m.sort);
    expect(after).toEqual(after.map((_, i) => i + 1));
  });

  test('a non-admin cannot check connections (403) and anonymous gets 401', async () => {
    expect((await t().anonymous().get('/api/v1/processing-modules')).status).toBe(401);
    expect((await t().anonymous().post('/api/v1/processing-modules/check-connection', { moduleType: 'billmanager', connection: connection() })).status).toBe(401);
  });

  test('the upstream password appears in no response, log line or audit entry', async () => {
    const audit = await t().admin.get('/api/v1/audit?entity=processing_module&perPage=500');
    expect(audit.body.total).toBeGreaterThan(0);
    expect(JSON.stringify(audit.body)).not.toContain(PASSWORD);
    expect(logLines.length).toBeGreaterThan(0);
    expect(logLines.join('\n')).not.toContain(PASSWORD);
    expect(logLines.join('\n')).not.toContain(encodeURIComponent(PASSWORD));
  });
});
