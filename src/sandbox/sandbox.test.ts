// The simulator's behaviour, spoken to in raw protocol over HTTP (no client in between), so the
// quirks it must reproduce are visible as they are on the wire. The default profile is `realistic`;
// where `convenient` answers differently, both are shown.

import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { startSandbox, type Sandbox, type SandboxOptions } from './index.js';

const AUTH = 'demo@billrelay.test:demo-password';
const START = new Date('2026-01-31T09:00:00Z');
let sandbox: Sandbox;

type Doc = Record<string, any>;

async function start(options: SandboxOptions = {}): Promise<void> {
  sandbox = await startSandbox({ seed: 11, now: () => START, ...options });
}

beforeEach(() => start());
afterEach(() => sandbox.close());

/** A fresh sandbox with other options (a profile, quirks) for one test. */
async function restart(options: SandboxOptions): Promise<void> {
  await sandbox.close();
  await start(options);
}

async function call(params: Record<string, string | number>, authinfo = AUTH, path = '/billmgr'): Promise<Doc> {
  const form = new URLSearchParams({ out: 'json', authinfo, ...Object.fromEntries(Object.entries(params).map(([k, v]) => [k, String(v)])) });
  const response = await fetch(`${sandbox.url}${path}`, { method: 'POST', body: form });
  expect(response.status).toBe(200);
  return ((await response.json()) as { doc: Doc }).doc;
}

function orderParams(overrides: Record<string, string | number> = {}) {
  return { func: 'soft.order.param', pricelist: '55227', period: 12, ip: '198.51.100.7', licname: 'web1', remoteid: 'l1', skipbasket: 'on', clicked_button: 'finish', sok: 'ok', ...overrides };
}

async function buy(overrides: Record<string, string | number> = {}): Promise<string> {
  const doc = await call(orderParams(overrides));
  expect(doc.error).toBeUndefined();
  return doc.id.$ as string;
}

const balance = () => sandbox.control.account('demo@billrelay.test')?.balance;
const license = (id: string) => sandbox.control.licenses().find((l) => l.id === id)!;

describe('wire format', () => {
  test('numbers and dates are strings; attributes are $-keys; errors come with HTTP 200', async () => {
    const who = await call({ func: 'whoami' });
    expect(who.user).toMatchObject({ $name: 'demo@billrelay.test', $balance: '1000.00' });
    const error = await call({ func: 'whoami' }, 'demo@billrelay.test:wrong');
    expect(error.error).toMatchObject({ $type: 'auth', msg: { $: 'Invalid username or password' } });
  });

  test('realistic: whoami states no currency; func=subaccount does, one row per balance', async () => {
    expect((await call({ func: 'whoami' })).user.$currency).toBeUndefined();
    expect(await call({ func: 'subaccount' })).toMatchObject({ elem: { currency: { $: 'EUR' }, balance: { $: '1000.00' } }, p_elems: { $: '1' } });
    sandbox.control.upsertAccount({ username: 'demo@billrelay.test', otherBalances: { USD: '5.50' } });
    const two = await call({ func: 'subaccount' });
    expect(two.elem.map((row: Doc) => [row.currency.$, row.balance.$])).toEqual([['EUR', '1000.00'], ['USD', '5.50']]);
  });

  test('convenient: whoami states the currency too', async () => {
    await restart({ profile: 'convenient' });
    expect((await call({ func: 'whoami' })).user).toMatchObject({ $balance: '1000.00', $currency: 'EUR' });
  });

  test('currency nowhere: neither whoami, nor subaccount (an unknown function), nor the price list', async () => {
    sandbox.control.configure({ quirks: { currencyIn: 'none' } });
    expect((await call({ func: 'whoami' })).user.$currency).toBeUndefined();
    expect((await call({ func: 'subaccount' })).error).toMatchObject({ $type: 'missed', $object: 'func' });
    expect(JSON.stringify((await call({ func: 'pricelist.export' })).pricelist)).not.toContain('currency');
  });

  test('the BILLmanager answers only at the paths the profile gives; elsewhere an nginx 404', async () => {
    expect((await call({ func: 'whoami' }, AUTH, '/manager/billmgr')).user.$balance).toBe('1000.00');
    sandbox.control.configure({ quirks: { paths: ['/manager/billmgr'] } });
    const response = await fetch(`${sandbox.url}/billmgr`, { method: 'POST', body: new URLSearchParams({ func: 'whoami', out: 'json', authinfo: AUTH }) });
    expect(response.status).toBe(404);
    expect(await response.text()).toContain('404 Not Found');
    expect((await call({ func: 'whoami' }, AUTH, '/manager/billmgr')).user.$balance).toBe('1000.00');
  });

  test('GET with a query string works like POST', async () => {
    const response = await fetch(`${sandbox.url}/billmgr?func=whoami&out=json&authinfo=${encodeURIComponent(AUTH)}`);
    expect(((await response.json()) as { doc: Doc }).doc.user.$balance).toBe('1000.00');
  });

  test('realistic: list rows carry no remoteid and the tariff\'s name; the form no remoteid either', async () => {
    const id = await buy();
    const { elem } = await call({ func: 'soft' });
    expect(elem).toMatchObject({ id: { $: id }, ip: { $: '198.51.100.7' }, status: { $: '2' }, pricelist: { $: 'ispmanager 6 lite' } });
    expect(elem.remoteid).toBeUndefined();
    const form = await call({ func: 'soft.edit', elid: id });
    expect(form.pricelist).toEqual({ $: '55227' });
    expect(form.remoteid).toBeUndefined();
    // The sandbox still knows it: only the answers leave it out.
    expect(license(id).remoteid).toBe('l1');
  });

  test('convenient: the list has no elem when empty, one object for one row, an array for more, and p_elems', async () => {
    await restart({ profile: 'convenient' });
    expect(await call({ func: 'soft' })).toMatchObject({ p_elems: { $: '0' } });
    expect((await call({ func: 'soft' })).elem).toBeUndefined();
    await buy();
    const one = await call({ func: 'soft' });
    expect(Array.isArray(one.elem)).toBe(false);
    expect(one.elem).toMatchObject({ ip: { $: '198.51.100.7' }, status: { $: '2' }, remoteid: { $: 'l1' }, pricelist: { $: '55227' } });
    expect((await call({ func: 'soft.edit', elid: one.elem.id.$ })).remoteid).toEqual({ $: 'l1' });
    await buy({ ip: '198.51.100.8' });
    await buy({ ip: '198.51.100.9' });
    const page2 = await call({ func: 'soft', p_num: 2, p_cnt: 2 });
    expect(page2).toMatchObject({ p_elems: { $: '3' }, elem: { ip: { $: '198.51.100.9' } } });
    expect((await call({ func: 'soft', p_num: 1, p_cnt: 2 })).elem).toHaveLength(2);
  });

  test('an unknown function is a "missed" error', async () => {
    expect((await call({ func: 'nope' })).error).toMatchObject({ $type: 'missed', $object: 'func' });
  });

  test('a non-whitelisted caller gets an access error; a two-factor account an auth error', async () => {
    sandbox.control.upsertAccount({ username: 'demo@billrelay.test', allowedIps: ['10.9.9.9'] });
    expect((await call({ func: 'whoami' })).error.$type).toBe('access');
    sandbox.control.upsertAccount({ username: 'demo@billrelay.test', allowedIps: null, twoFactor: true });
    expect((await call({ func: 'whoami' })).error.$type).toBe('auth');
  });

  test('Russian messages with lang=ru', async () => {
    const doc = await call({ func: 'whoami', lang: 'ru' }, 'demo@billrelay.test:wrong');
    expect(doc.error.msg.$).toBe('Неверное имя пользователя или пароль');
  });
});

describe('buying', () => {
  test('an order charges the balance and records one purchase and one charge', async () => {
    const id = await buy();
    expect(balance()).toBe('940.00');
    expect(sandbox.control.purchases()).toMatchObject([{ licenseId: id, cost: '60.00', currency: 'EUR', remoteid: 'l1' }]);
    expect(sandbox.control.charges()).toMatchObject([{ licenseId: id, amount: '60.00', func: 'soft.order.param' }]);
    expect(license(id)).toMatchObject({ status: 2, createdate: '2026-01-31', expiredate: '2027-01-31' });
  });

  test('without sok=ok the order form is returned and nothing is bought', async () => {
    await call(orderParams({ sok: '' }));
    expect(sandbox.control.purchases()).toHaveLength(0);
  });

  test('too little balance: an insufficient-funds error and nothing bought', async () => {
    sandbox.control.upsertAccount({ username: 'demo@billrelay.test', balance: '59.99' });
    const doc = await call(orderParams());
    expect(doc.error).toMatchObject({ $type: 'value', $object: 'balance' });
    expect(doc.error.msg.$).toMatch(/Insufficient funds/);
    expect(sandbox.control.purchases()).toHaveLength(0);
    expect(balance()).toBe('59.99');
  });

  test('lowBalanceOrder unpaid: too little balance leaves an unpaid license, status 1 and no key, and buys nothing', async () => {
    sandbox.control.configure({ quirks: { lowBalanceOrder: 'unpaid' } });
    sandbox.control.upsertAccount({ username: 'demo@billrelay.test', balance: '59.99' });
    const doc = await call(orderParams());
    expect(doc.error).toBeUndefined();
    const id = doc.id.$ as string;
    expect(license(id)).toMatchObject({ status: 1, remoteid: 'l1' });
    for (let i = 0; i < 3; i++) {
      const form = await call({ func: 'soft.edit', elid: id });
      expect(form.status).toEqual({ $: '1' });
      expect(form.lickey).toEqual({});
    }
    expect(sandbox.control.purchases()).toHaveLength(0);
    expect(sandbox.control.charges()).toHaveLength(0);
    expect(balance()).toBe('59.99');
    // With enough balance the same quirk sells as usual.
    sandbox.control.upsertAccount({ username: 'demo@billrelay.test', balance: '100.00' });
    expect(license(await buy({ ip: '198.51.100.8', remoteid: 'l2' })).status).toBe(2);
    expect(sandbox.control.purchases()).toHaveLength(1);
  });

  test('one license per IP per edition; another edition may share the IP; deletion frees it', async () => {
    const id = await buy();
    const again = await call(orderParams({ remoteid: 'l2' }));
    expect(again.error).toMatchObject({ $type: 'exists', $object: 'ip' });
    expect((await call({ func: 'soft.checkip', pricelist: '55227', period: 12, ip: '198.51.100.7' })).error.$type).toBe('exists');
    await buy({ pricelist: '55228' });
    await call({ func: 'soft.delete', elid: id, sok: 'ok' });
    await buy({ remoteid: 'l3' });
  });

  test('orders are not deduplicated on remoteid', async () => {
    await buy({ remoteid: 'same' });
    await buy({ remoteid: 'same', ip: '198.51.100.8' });
    expect(sandbox.control.purchases().filter((p) => p.remoteid === 'same')).toHaveLength(2);
  });

  test('an invalid IP, an unknown tariff and a period the tariff lacks are value errors', async () => {
    expect((await call(orderParams({ ip: '1.2.3' }))).error).toMatchObject({ $type: 'value', $object: 'ip' });
    expect((await call(orderParams({ pricelist: '1' }))).error).toMatchObject({ $type: 'value', $object: 'pricelist' });
    expect((await call(orderParams({ period: 3 }))).error).toMatchObject({ $type: 'value', $object: 'period' });
  });
});

describe('the license key', () => {
  test('reads empty for the first N reads after an order', async () => {
    sandbox.control.configure({ keyDelay: { reads: 2, ms: 0 } });
    const id = await buy();
    const keys = [];
    for (let i = 0; i < 3; i++) keys.push((await call({ func: 'soft.edit', elid: id })).lickey);
    expect(keys[0]).toEqual({});
    expect(keys[1]).toEqual({});
    expect(keys[2].$).toMatch(/^ISP6-/);
  });

  test('reads empty for M milliseconds of sandbox time after an order', async () => {
    sandbox.control.configure({ keyDelay: { reads: 0, ms: 60_000 } });
    const id = await buy();
    expect((await call({ func: 'soft.edit', elid: id })).lickey).toEqual({});
    sandbox.control.shiftClock(60_000);
    expect((await call({ func: 'soft.edit', elid: id })).lickey.$).toMatch(/^ISP6-/);
  });

  test('keys repeat for the same seed', async () => {
    const id = await buy();
    const key = license(id).key;
    await sandbox.close();
    await start();
    expect(license(await buy()).key).toBe(key);
  });
});

describe('renewal', () => {
  test('realistic: an active license renews from its expiry, is charged, and the new expiry comes nested', async () => {
    const id = await buy({ period: 1 });
    const doc = await call({ func: 'service.prolong', elid: id, period: 1, sok: 'ok' });
    // 2026-01-31 + 1 month = 2026-02-28; + 1 month = 2026-03-28.
    expect(doc.doc.newexpiredate.$).toBe('2026-03-28');
    expect(doc.newexpiredate).toBeUndefined();
    expect(balance()).toBe('988.00');
    expect(sandbox.control.charges()).toHaveLength(2);
  });

  test('a license suspended at expiry renews from today', async () => {
    const id = await buy({ period: 1 });
    sandbox.control.shiftDays(40);
    expect(license(id).status).toBe(2); // lifecycle applies on the next call
    await call({ func: 'whoami' });
    expect(license(id)).toMatchObject({ status: 3, suspendedBy: 'expiry' });
    const doc = await call({ func: 'service.prolong', elid: id, period: 1, sok: 'ok' });
    expect(doc.doc.newexpiredate.$).toBe('2026-04-12');
    expect(license(id).status).toBe(2);
  });

  test('an expired license cannot be resumed, only renewed; 30 days after expiry it is deleted', async () => {
    const id = await buy({ period: 1 });
    sandbox.control.shiftDays(30);
    expect((await call({ func: 'soft.resume', elid: id })).error).toMatchObject({ $type: 'value', $object: 'status' });
    sandbox.control.shiftDays(30);
    await call({ func: 'whoami' });
    expect(license(id).status).toBe(4);
  });

  test('trials last 14 days and cannot be renewed', async () => {
    const id = await buy({ pricelist: '55239', period: -100 });
    expect(license(id)).toMatchObject({ expiredate: '2026-02-14' });
    expect(sandbox.control.charges()).toHaveLength(0);
    const doc = await call({ func: 'service.prolong', elid: id, period: 1, sok: 'ok' });
    expect(doc.error).toMatchObject({ $type: 'value' });
    expect(doc.error.msg.$).toMatch(/Trial/);
  });

  test('too little balance to renew changes nothing', async () => {
    const id = await buy({ period: 1 });
    sandbox.control.upsertAccount({ username: 'demo@billrelay.test', balance: '1.00' });
    expect((await call({ func: 'service.prolong', elid: id, period: 1, sok: 'ok' })).error.$object).toBe('balance');
    expect(license(id).expiredate).toBe('2026-02-28');
  });

  test('convenient: the new expiry comes flat in doc.newexpiredate', async () => {
    await restart({ profile: 'convenient' });
    const id = await buy({ period: 1 });
    const doc = await call({ func: 'service.prolong', elid: id, period: 1, sok: 'ok' });
    expect(doc.newexpiredate.$).toBe('2026-03-28');
    expect(doc.doc).toBeUndefined();
  });
});

describe('edition changes', () => {
  test('an active trial cannot change edition; an expired one can, for the full price', async () => {
    const id = await buy({ pricelist: '55239', period: -100 });
    const refused = await call({ func: 'service.changepricelist', elid: id, pricelist: '55228', period: 1, sok: 'ok' });
    expect(refused.error.msg.$).toMatch(/trial/i);
    sandbox.control.shiftDays(15);
    await call({ func: 'service.changepricelist', elid: id, pricelist: '55228', period: 1, sok: 'ok' });
    expect(license(id)).toMatchObject({ pricelist: '55228', status: 2, expiredate: '2026-03-15' });
    expect(balance()).toBe('988.00');
  });

  test('an upgrade onto an IP that already holds the new edition is refused', async () => {
    await buy({ pricelist: '55228' });
    const id = await buy({ remoteid: 'l2' });
    const doc = await call({ func: 'service.changepricelist', elid: id, pricelist: '55228', period: 12, sok: 'ok' });
    expect(doc.error).toMatchObject({ $type: 'exists', $object: 'ip' });
  });
});

describe('ownership and unknown licenses', () => {
  test('another account sees neither the licenses nor can it act on them: missed/item, as for any unknown id', async () => {
    const id = await buy();
    sandbox.control.upsertAccount({ username: 'other@example.com', password: 'pw', balance: '10.00' });
    expect((await call({ func: 'soft' }, 'other@example.com:pw')).elem).toBeUndefined();
    expect((await call({ func: 'soft.suspend', elid: id }, 'other@example.com:pw')).error).toMatchObject({ $type: 'missed', $object: 'item' });
    expect((await call({ func: 'soft.edit', elid: '999' })).error).toMatchObject({ $type: 'missed', $object: 'item' });
  });

  test('convenient: an unknown id is missed/elid', async () => {
    await restart({ profile: 'convenient' });
    expect((await call({ func: 'soft.edit', elid: '999' })).error).toMatchObject({ $type: 'missed', $object: 'elid' });
  });

  test.each([
    ['missed-elid', { $type: 'missed', $object: 'elid' }],
    ['missed-item', { $type: 'missed', $object: 'item' }],
    ['access', { $type: 'access', $object: 'item' }],
    ['value', { $type: 'value', $object: 'elid' }],
  ] as const)('the notFound quirk %s refuses an unknown id as %j, reads and writes alike', async (notFound, shape) => {
    sandbox.control.configure({ quirks: { notFound } });
    expect((await call({ func: 'soft.edit', elid: '999' })).error).toMatchObject(shape);
    expect((await call({ func: 'soft.resume', elid: '999' })).error).toMatchObject(shape);
    // A known one is still answered.
    const id = await buy();
    expect((await call({ func: 'soft.edit', elid: id })).error).toBeUndefined();
  });

  test('a deleted license can still be read, but not acted on', async () => {
    const id = await buy();
    await call({ func: 'soft.delete', elid: id, sok: 'ok' });
    expect((await call({ func: 'soft.edit', elid: id })).status).toEqual({ $: '4' });
    expect((await call({ func: 'soft.suspend', elid: id })).error).toMatchObject({ $type: 'missed', $object: 'item' });
  });
});

describe('soft.edit submits', () => {
  test('realistic: a submit without remoteid blanks the stored one; sending it again keeps it', async () => {
    const id = await buy();
    await call({ func: 'soft.edit', elid: id, ip: '198.51.100.9', licname: 'web1', remoteid: 'l1', sok: 'ok' });
    expect(license(id)).toMatchObject({ ip: '198.51.100.9', remoteid: 'l1' });
    await call({ func: 'soft.edit', elid: id, ip: '198.51.100.10', licname: 'web1', sok: 'ok' });
    expect(license(id)).toMatchObject({ ip: '198.51.100.10', remoteid: null });
  });

  test('convenient: a submit without remoteid leaves it alone', async () => {
    await restart({ profile: 'convenient' });
    const id = await buy();
    await call({ func: 'soft.edit', elid: id, licname: 'renamed', sok: 'ok' });
    expect(license(id)).toMatchObject({ licname: 'renamed', remoteid: 'l1' });
  });
});

describe('the list filter saved in the web UI', () => {
  test('hides rows from func=soft until an empty soft.filter submit clears it', async () => {
    const active = await buy();
    const suspended = await buy({ ip: '198.51.100.8', remoteid: 'l2' });
    await call({ func: 'soft.suspend', elid: suspended });
    sandbox.control.setListFilter('demo@billrelay.test', { status: '2' });
    const filtered = await call({ func: 'soft' });
    expect(filtered).toMatchObject({ p_elems: { $: '1' }, elem: { id: { $: active } } });
    // The form shows what is saved; a submit with every field empty replaces it with nothing.
    expect((await call({ func: 'soft.filter' })).status).toEqual({ $: '2' });
    expect((await call({ func: 'soft.filter', status: '', ip: '', licname: '', sok: 'ok' })).ok).toBeDefined();
    const all = await call({ func: 'soft' });
    expect(all.p_elems).toEqual({ $: '2' });
    expect(all.elem.map((row: Doc) => row.id.$)).toEqual([active, suspended]);
  });

  test('a filter is per account, and /_control/list-filter sets it over HTTP', async () => {
    await buy();
    sandbox.control.upsertAccount({ username: 'other@example.com', password: 'pw', balance: '100.00' });
    const response = await fetch(`${sandbox.url}/_control/list-filter`, { method: 'POST', body: JSON.stringify({ username: 'demo@billrelay.test', ip: '203.0.113.' }) });
    expect(response.status).toBe(200);
    expect((await call({ func: 'soft' })).p_elems).toEqual({ $: '0' });
    expect((await call({ func: 'soft.filter' }, 'other@example.com:pw')).ip).toEqual({ $: '' });
  });
});

describe('the price list', () => {
  test('rows carry active, hideinorder and archived; onlyavailable=on still sends hidden and archived ones', async () => {
    const rows = async (extra: Record<string, string> = {}) => {
      const { pricelist } = await call({ func: 'pricelist.export', itemtype: 'soft', ...extra });
      return (pricelist as Doc[]).map((row) => [row.id.$, row.active.$, typeof row.hideinorder === 'string' ? row.hideinorder : row.hideinorder.$, row.archived.$]);
    };
    const expected = [
      ['55227', 'on', 'off', 'off'],
      ['55228', 'on', 'off', 'off'],
      ['55229', 'on', 'off', 'off'],
      ['55239', 'on', 'off', 'off'],
      ['41052', 'on', 'off', 'on'],
      ['55240', 'on', 'on', 'off'],
    ];
    expect(await rows()).toEqual(expected);
    expect(await rows({ onlyavailable: 'on' })).toEqual(expected);
  });

  test('onlyavailable=on leaves out an inactive tariff; an archived one cannot be ordered', async () => {
    sandbox.state.tariffs.push({ id: '50001', name: 'withdrawn', edition: 'lite', active: false, periods: [{ months: 1, eur: '1.00' }] });
    const ids = async (extra: Record<string, string> = {}) =>
      ((await call({ func: 'pricelist.export', ...extra })).pricelist as Doc[]).map((row) => row.id.$);
    expect(await ids()).toContain('50001');
    expect(await ids({ onlyavailable: 'on' })).not.toContain('50001');
    expect((await call(orderParams({ pricelist: '41052', period: 12 }))).error).toMatchObject({ $type: 'value', $object: 'pricelist' });
    expect(sandbox.control.purchases()).toHaveLength(0);
  });
});

describe('faults', () => {
  test('drop-after-commit buys and charges, then closes the connection without an answer', async () => {
    sandbox.control.inject({ func: 'soft.order.param', fault: 'drop-after-commit' });
    await expect(call(orderParams())).rejects.toThrow();
    expect(sandbox.control.purchases()).toHaveLength(1);
    expect(balance()).toBe('940.00');
  });

  test('a pre-commit reset or 500 does nothing', async () => {
    sandbox.control.inject({ func: 'soft.order.param', fault: 'reset', count: 1 });
    sandbox.control.inject({ func: 'soft.order.param', fault: 'http-500', count: 1 });
    await expect(call(orderParams())).rejects.toThrow();
    const response = await fetch(`${sandbox.url}/billmgr`, { method: 'POST', body: new URLSearchParams({ ...orderParams(), period: '12', authinfo: AUTH }) });
    expect(response.status).toBe(500);
    expect(sandbox.control.purchases()).toHaveLength(0);
    expect(sandbox.control.calls('soft.order.param').map((c) => c.fault)).toEqual(['reset', 'http-500']);
  });

  test('count limits a fault; clear removes all; other functions are untouched', async () => {
    sandbox.control.inject({ func: 'whoami', fault: { error: { type: 'access', msg: 'no' } }, count: 2 });
    expect((await call({ func: 'soft' })).error).toBeUndefined();
    expect((await call({ func: 'whoami' })).error.$type).toBe('access');
    expect((await call({ func: 'whoami' })).error.$type).toBe('access');
    expect((await call({ func: 'whoami' })).error).toBeUndefined();
    sandbox.control.inject({ fault: 'http-500' });
    sandbox.control.clear();
    expect((await call({ func: 'whoami' })).error).toBeUndefined();
  });

  test('a probabilistic fault fires in the same pattern for the same seed', async () => {
    const pattern = async () => {
      sandbox.control.inject({ func: 'whoami', fault: { error: { type: 'value', msg: 'flaky' } }, probability: 0.5 });
      const hits: boolean[] = [];
      for (let i = 0; i < 16; i++) hits.push((await call({ func: 'whoami' })).error !== undefined);
      return hits;
    };
    const first = await pattern();
    await sandbox.close();
    await start();
    expect(await pattern()).toEqual(first);
    expect(first.some(Boolean) && !first.every(Boolean)).toBe(true);
  });

  test('a timeout holds the request until the client gives up, and close() does not wait for it', async () => {
    sandbox.control.inject({ func: 'whoami', fault: 'timeout' });
    const form = new URLSearchParams({ func: 'whoami', out: 'json', authinfo: AUTH });
    const request = fetch(`${sandbox.url}/billmgr`, { method: 'POST', body: form, signal: AbortSignal.timeout(150) });
    await expect(request).rejects.toMatchObject({ name: 'TimeoutError' });
    sandbox.control.inject({ func: 'soft', fault: 'timeout' });
    const hanging = fetch(`${sandbox.url}/billmgr`, { method: 'POST', body: new URLSearchParams({ func: 'soft', authinfo: AUTH }) });
    await new Promise((resolve) => setTimeout(resolve, 50));
    await sandbox.close();
    await expect(hanging).rejects.toThrow();
    await start();
  });
});
