// The driver against the simulator over real HTTP: every function, every upstream refusal, each
// inferred shape, and the lost-answer order that must not become a second purchase.

import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../../../sandbox/index.js';
import {
  UpstreamAccessError,
  UpstreamAuthError,
  UpstreamCurrencyUnknown,
  UpstreamInsufficientFunds,
  UpstreamNotFound,
  UpstreamResetError,
  UpstreamTimeoutError,
  UpstreamValueError,
  type OpenRequest,
  type OrderLookup,
  type UpstreamError,
} from '../driver.js';
import { BillmanagerDriver, createBillmanagerDriver, type BillmanagerDriverOptions } from './driver.js';
import type { BillmanagerClientOptions } from './client.js';
import { httpTransport, type Transport } from './transport.js';

const DEMO = { username: 'demo@billrelay.test', password: 'demo-password' };
const NOW = new Date('2026-03-10T12:00:00Z');
let sandbox: Sandbox;

// Deadlines are generous except where a test waits for one: a loaded machine must not turn an
// ordinary answer into a timeout.
const SHORT = { connectTimeoutMs: 0, readTimeoutMs: 300 };

async function start(options: SandboxOptions = {}): Promise<void> {
  sandbox = await startSandbox({ seed: 3, now: () => NOW, ...options });
}

beforeEach(() => start());
afterEach(() => sandbox.close());

function driver(overrides: Partial<BillmanagerClientOptions & BillmanagerDriverOptions> = {}): BillmanagerDriver {
  return createBillmanagerDriver({
    url: sandbox.url,
    ...DEMO,
    connectTimeoutMs: 2_000,
    readTimeoutMs: 8_000,
    retryDelayMs: 5,
    ...overrides,
  });
}

function order(overrides: Partial<OpenRequest> = {}): OpenRequest {
  return { tariffId: '55227', period: 12, ip: '198.51.100.7', licenseName: 'web1', remoteId: 'l1', ...overrides };
}

/** What the worker knows of order() when its answer was lost (sent on NOW's day). */
function lookup(overrides: Partial<OrderLookup> = {}): OrderLookup {
  return { remoteId: 'l1', ip: '198.51.100.7', licenseName: 'web1', tariffId: '55227', tariffName: 'ispmanager 6 lite', sentOn: '2026-03-10', ...overrides };
}

async function failure(promise: Promise<unknown>): Promise<UpstreamError> {
  try {
    await promise;
  } catch (error) {
    return error as UpstreamError;
  }
  throw new Error('expected the call to fail');
}

const balance = (username = DEMO.username) => sandbox.control.account(username)?.balance;

describe('checkConnection', () => {
  test('reads the account, its balance and currency', async () => {
    const account = await driver().checkConnection();
    expect(account).toMatchObject({ account: DEMO.username, currency: 'EUR' });
    expect(account.balance.toString()).toBe('1000.00');
    expect(account.balance.currency).toBe('EUR');
  });

  test('wrong password: auth error that names two-factor authentication', async () => {
    const error = await failure(driver({ password: 'nope' }).checkConnection());
    expect(error).toBeInstanceOf(UpstreamAuthError);
    expect(error.message).toMatch(
      /wrong username or password, or two-factor authentication is enabled on this account: disable it or use another account/,
    );
    expect(error.transient).toBe(false);
  });

  test('a two-factor account cannot connect even with the right password', async () => {
    sandbox.control.upsertAccount({ username: 'tfa@example.com', password: 'right', twoFactor: true, balance: '10.00' });
    const error = await failure(driver({ username: 'tfa@example.com', password: 'right' }).checkConnection());
    expect(error).toBeInstanceOf(UpstreamAuthError);
  });

  test('a caller outside the allowed IPs gets an access error; an allowed one connects', async () => {
    sandbox.control.upsertAccount({ username: DEMO.username, allowedIps: ['10.9.9.9'] });
    const error = await failure(driver().checkConnection());
    expect(error).toBeInstanceOf(UpstreamAccessError);
    expect(error.upstreamMessage).toContain('127.0.0.1');
    sandbox.control.upsertAccount({ username: DEMO.username, allowedIps: ['10.9.9.9', '127.0.0.1'] });
    await expect(driver().checkConnection()).resolves.toMatchObject({ currency: 'EUR' });
  });

  test('an account in another currency reports it, and its prices are in it', async () => {
    sandbox.control.upsertAccount({ username: 'usd@example.com', password: 'pw', balance: '50.00', currency: 'USD' });
    const usd = driver({ username: 'usd@example.com', password: 'pw' });
    expect((await usd.checkConnection()).currency).toBe('USD');
    const [lite] = await usd.priceList();
    expect(lite?.periods[0]?.cost.toJSON()).toEqual({ amount: '6.60', currency: 'USD' });
  });

  test('currency only in the price list is found there', async () => {
    sandbox.control.configure({ quirks: { currencyIn: 'pricelist' } });
    expect((await driver().checkConnection()).currency).toBe('EUR');
  });

  test('realistic: whoami states no currency, func=subaccount does', async () => {
    sandbox.control.upsertAccount({ username: 'rub@example.com', password: 'pw', balance: '700.00', currency: 'RUB' });
    const account = await driver({ username: 'rub@example.com', password: 'pw' }).checkConnection();
    expect(account).toMatchObject({ currency: 'RUB', account: 'rub@example.com' });
    expect(account.balance.toJSON()).toEqual({ amount: '700.00', currency: 'RUB' });
    expect(sandbox.control.calls('subaccount')).toHaveLength(1);
  });

  test('currency nowhere: the configured fallback, else UpstreamCurrencyUnknown asking to choose one', async () => {
    sandbox.control.configure({ quirks: { currencyIn: 'none' } });
    expect((await driver({ fallbackCurrency: 'eur' }).checkConnection()).currency).toBe('EUR');
    expect((await driver({ fallbackCurrency: 'EUR' }).priceList())[0]?.currency).toBe('EUR');
    const error = await failure(driver().checkConnection());
    expect(error).toBeInstanceOf(UpstreamCurrencyUnknown);
    expect(error).toMatchObject({ kind: 'currency', candidates: [], transient: false });
    expect(error.message).toMatch(/does not state the account currency: choose/);
    expect(await failure(driver().priceList())).toBeInstanceOf(UpstreamCurrencyUnknown);
  });

  test('an account holding several currencies: the chosen one, else UpstreamCurrencyUnknown naming them', async () => {
    sandbox.control.upsertAccount({ username: DEMO.username, otherBalances: { USD: '12.34' } });
    const error = await failure(driver().checkConnection());
    expect(error).toBeInstanceOf(UpstreamCurrencyUnknown);
    expect((error as UpstreamCurrencyUnknown).candidates).toEqual(['EUR', 'USD']);
    expect(error.message).toMatch(/several currencies \(EUR, USD\): choose/);
    const usd = await driver({ fallbackCurrency: 'USD' }).checkConnection();
    expect(usd.balance.toJSON()).toEqual({ amount: '12.34', currency: 'USD' });
    // A choice the account does not hold answers nothing.
    expect(await failure(driver({ fallbackCurrency: 'RUB' }).checkConnection())).toBeInstanceOf(UpstreamCurrencyUnknown);
  });
});

describe('endpoint', () => {
  test.each([
    [['/manager/billmgr'], '/manager/billmgr'],
    [['/billmgr'], '/billmgr'],
  ])('a URL without a path, the upstream answering at %j: found at %s and used from then on', async (paths, found) => {
    sandbox.control.configure({ quirks: { paths } });
    const d = driver();
    expect((await d.checkConnection()).endpoint).toBe(`${sandbox.url}${found}`);
    expect(await d.priceList()).toHaveLength(4);
    const { upstreamId } = await d.open(order());
    expect(await d.getLicense(upstreamId)).toMatchObject({ upstreamId, status: 'active' });
  });

  test('a URL with a path is used as given; a host with no BILLmanager at either path is a clear error', async () => {
    sandbox.control.configure({ quirks: { paths: ['/manager/billmgr'] } });
    expect((await driver({ url: `${sandbox.url}/manager/billmgr/` }).checkConnection()).endpoint).toBe(`${sandbox.url}/manager/billmgr`);
    expect(await failure(driver({ url: `${sandbox.url}/billmgr` }).checkConnection())).toMatchObject({ kind: 'http', status: 404 });
    sandbox.control.configure({ quirks: { paths: [] } });
    const error = await failure(driver().checkConnection());
    expect(error).toMatchObject({ kind: 'http', status: 404 });
    expect(error.message).toMatch(/No BILLmanager answered at \/billmgr or \/manager\/billmgr/);
  });
});

describe('priceList', () => {
  test('lists the editions with monthly, yearly and trial periods', async () => {
    const tariffs = await driver().priceList();
    const summary = tariffs.map((t) => [t.id, t.itemtype, t.currency, t.periods.map((p) => `${p.months}:${p.cost}`)]);
    expect(summary).toEqual([
      ['55227', 'soft', 'EUR', ['1:6.00', '12:60.00']],
      ['55228', 'soft', 'EUR', ['1:12.00', '12:120.00']],
      ['55229', 'soft', 'EUR', ['1:20.00', '12:200.00']],
      ['55239', 'soft', 'EUR', ['-100:0.00']],
    ]);
  });

  test('asks only for available software tariffs, and skips the hidden, archived and inactive rows still sent', async () => {
    const sent: URLSearchParams[] = [];
    const http = httpTransport({ connectTimeoutMs: 2_000, readTimeoutMs: 8_000 });
    const deactivatePro: Transport = async (post) => {
      const form = new URLSearchParams(post.body);
      sent.push(form);
      const answer = await http(post);
      if (form.get('func') !== 'pricelist.export') return answer;
      const { doc } = JSON.parse(answer.body) as { doc: { pricelist: Record<string, unknown>[] } };
      doc.pricelist.find((row) => (row.id as { $: string }).$ === '55228')!.active = { $: 'off' };
      return { ...answer, body: JSON.stringify({ doc }) };
    };
    // The upstream sends the archived 41052 and the hidden 55240 despite onlyavailable=on.
    const exported = sandbox.state.tariffs.map((t) => t.id);
    expect(exported).toEqual(expect.arrayContaining(['41052', '55240']));
    const ids = (await driver({ transport: deactivatePro }).priceList()).map((t) => t.id);
    expect(ids).toEqual(['55227', '55229', '55239']);
    const request = sent.find((form) => form.get('func') === 'pricelist.export')!;
    expect(request.get('itemtype')).toBe('soft');
    expect(request.get('onlyavailable')).toBe('on');
  });
});

describe('checkIp and open', () => {
  test('an IP is accepted until it holds that edition; another edition may still use it', async () => {
    const d = driver();
    await d.checkIp({ tariffId: '55227', period: 12, ip: '198.51.100.7' });
    await d.open(order());
    const error = await failure(d.checkIp({ tariffId: '55227', period: 12, ip: '198.51.100.7' }));
    expect(error).toBeInstanceOf(UpstreamValueError);
    expect((error as UpstreamValueError).field).toBe('ip');
    await d.checkIp({ tariffId: '55228', period: 12, ip: '198.51.100.7' });
  });

  test('an invalid IP is a value error on "ip"', async () => {
    const error = await failure(driver().checkIp({ tariffId: '55227', period: 1, ip: '300.1.1.1' }));
    expect(error).toMatchObject({ kind: 'value', field: 'ip' });
  });

  test('an order buys once, charges the balance, and sends the protocol parameters', async () => {
    const { upstreamId } = await driver().open(order({ autoProlong: 12 }));
    expect(upstreamId).toMatch(/^\d+$/);
    expect(balance()).toBe('940.00');
    expect(sandbox.control.purchases()).toMatchObject([{ licenseId: upstreamId, remoteid: 'l1', period: 12, cost: '60.00' }]);
    expect(sandbox.control.licenses()[0]).toMatchObject({ autoprolong: '12', licname: 'web1', ip: '198.51.100.7' });
  });

  test('the order id may come as doc.item.$id', async () => {
    sandbox.control.configure({ quirks: { orderIdIn: 'item' } });
    const { upstreamId } = await driver().open(order());
    expect(sandbox.control.purchases()[0]?.licenseId).toBe(upstreamId);
  });

  test('too little balance: insufficient funds, nothing bought or charged', async () => {
    sandbox.control.upsertAccount({ username: DEMO.username, balance: '5.00' });
    const error = await failure(driver().open(order()));
    expect(error).toBeInstanceOf(UpstreamInsufficientFunds);
    expect(error.mayHaveTakenEffect).toBe(false);
    expect(sandbox.control.purchases()).toHaveLength(0);
    expect(balance()).toBe('5.00');
  });

  test('insufficient funds in Russian is recognised too', async () => {
    sandbox.control.upsertAccount({ username: DEMO.username, balance: '5.00' });
    const error = await failure(driver({ lang: 'ru' }).open(order()));
    expect(error).toBeInstanceOf(UpstreamInsufficientFunds);
    expect(error.upstreamMessage).toContain('Недостаточно средств');
  });

  test.each(['realistic', 'convenient'] as const)('an answer lost after the purchase (%s): reported as maybe done, one purchase, the order found again', async (profile) => {
    sandbox.control.configure({ profile });
    sandbox.control.inject({ func: 'soft.order.param', fault: 'drop-after-commit', count: 1 });
    const d = driver();
    const error = await failure(d.open(order({ remoteId: 'order-77' })));
    expect(error).toBeInstanceOf(UpstreamResetError);
    expect(error.mayHaveTakenEffect).toBe(true);
    expect(sandbox.control.purchases()).toHaveLength(1);
    expect(sandbox.control.calls('soft.order.param')).toHaveLength(1);
    const found = await d.findOrder(lookup({ remoteId: 'order-77' }));
    // Where the upstream echoes no remoteid, IP, name, tariff and date confirmed on the form find it.
    expect(found).toMatchObject({ found: 'one', by: profile === 'realistic' ? 'match' : 'remoteid', license: { upstreamId: sandbox.control.purchases()[0]?.licenseId, status: 'active' } });
  });

  test('an order whose answer never comes times out as maybe done, never re-sent', async () => {
    sandbox.control.inject({ func: 'soft.order.param', fault: 'hang-after-commit', count: 1 });
    const error = await failure(driver(SHORT).open(order()));
    expect(error).toBeInstanceOf(UpstreamTimeoutError);
    expect(error.mayHaveTakenEffect).toBe(true);
    expect(sandbox.control.calls('soft.order.param')).toHaveLength(1);
    expect(sandbox.control.purchases()).toHaveLength(1);
  });

  test('an injected upstream error shape is mapped like a real one', async () => {
    sandbox.control.inject({
      func: 'soft.order.param',
      fault: { error: { type: 'account', msg: 'Top up the balance to continue' } },
      count: 1,
    });
    expect(await failure(driver().open(order()))).toBeInstanceOf(UpstreamInsufficientFunds);
  });
});

describe('reading licenses', () => {
  test('the key is empty for a while after ordering, then present', async () => {
    const d = driver();
    const { upstreamId } = await d.open(order());
    const first = await d.getLicense(upstreamId);
    expect(first).toMatchObject({ upstreamId, licenseKey: null, status: 'active', tariffId: '55227' });
    const second = await d.getLicense(upstreamId);
    expect(second?.licenseKey).toMatch(/^ISP6-/);
    expect(second).toMatchObject({ createdOn: '2026-03-10', expiresOn: '2027-03-10', licenseName: 'web1' });
  });

  test.each(['missed-item', 'missed-elid', 'access', 'value'] as const)(
    'a license the upstream does not have is null, refused as %s',
    async (notFound) => {
      sandbox.control.configure({ quirks: { notFound } });
      const d = driver();
      expect(await d.getLicense('999')).toBeNull();
      // The account was asked whoami before the refusal was taken to be about the license.
      expect(sandbox.control.calls('whoami')).toHaveLength(1);
      const { upstreamId } = await d.open(order());
      expect(await d.getLicense(upstreamId)).toMatchObject({ upstreamId, status: 'active' });
      expect(sandbox.control.calls('whoami')).toHaveLength(1);
    },
  );

  test('an account refused as a whole (its IP not allowed) is an error, never "no such license"', async () => {
    const d = driver();
    const { upstreamId } = await d.open(order());
    sandbox.control.upsertAccount({ username: DEMO.username, allowedIps: ['10.9.9.9'] });
    for (const notFound of ['access', 'missed-item'] as const) {
      sandbox.control.configure({ quirks: { notFound } });
      expect(await failure(d.getLicense(upstreamId))).toBeInstanceOf(UpstreamAccessError);
      expect(await failure(d.getLicense('999'))).toBeInstanceOf(UpstreamAccessError);
    }
  });

  test('a refusal whose confirming whoami fails is rethrown as it came', async () => {
    sandbox.control.configure({ quirks: { notFound: 'access' } });
    sandbox.control.inject({ func: 'whoami', fault: 'http-500' });
    const error = await failure(driver({ readRetries: 0 }).getLicense('999'));
    expect(error).toBeInstanceOf(UpstreamAccessError);
    expect(error.func).toBe('soft.edit');
  });

  test('a deleted license is read as deleted, not as missing', async () => {
    const d = driver();
    const { upstreamId } = await d.open(order());
    await d.close(upstreamId);
    expect(await d.getLicense(upstreamId)).toMatchObject({ upstreamId, status: 'deleted' });
  });

  test('list pages through p_num/p_cnt until every row is read', async () => {
    const d = driver({ pageSize: 2 });
    for (let i = 1; i <= 5; i++) await d.open(order({ ip: `198.51.100.${i}`, remoteId: `l${i}` }));
    const before = sandbox.control.calls('soft').length;
    const all = await d.list();
    expect(all.licenses.map((l) => l.ip)).toEqual([1, 2, 3, 4, 5].map((i) => `198.51.100.${i}`));
    expect(all.complete).toBe(true);
    expect(sandbox.control.calls('soft').length - before).toBe(3);
  });

  test('list reads a single-row page (elem as one object) and an empty list (no elem)', async () => {
    const d = driver();
    expect(await d.list()).toEqual({ licenses: [], complete: true });
    await d.open(order());
    expect((await d.list()).licenses).toMatchObject([{ ip: '198.51.100.7', licenseKey: null, tariffId: 'ispmanager 6 lite', remoteId: null }]);
  });

  test('a list filter saved in the upstream web UI is cleared before reading; one that cannot be cleared leaves the list "maybe incomplete"', async () => {
    const d = driver();
    await d.open(order());
    await d.open(order({ ip: '198.51.100.8', remoteId: 'l2' }));
    sandbox.control.setListFilter(DEMO.username, { ip: '198.51.100.8' });
    expect(await d.list()).toMatchObject({ complete: true, licenses: [{ ip: '198.51.100.7' }, { ip: '198.51.100.8' }] });
    sandbox.control.setListFilter(DEMO.username, { ip: '198.51.100.8' });
    sandbox.control.inject({ func: 'soft.filter', fault: { error: { type: 'access', msg: 'Access denied' } } });
    const filtered = await d.list();
    expect(filtered).toMatchObject({ complete: false, licenses: [{ ip: '198.51.100.8' }] });
    // Nothing is concluded from a license missing in such a list.
    expect(await d.findOrder(lookup())).toMatchObject({ found: 'unknown' });
  });

  test('an upstream that ignores paging (and omits p_elems) is read once, not forever', async () => {
    let calls = 0;
    const rows = [1, 2, 3].map((i) => ({ id: { $: String(i) }, status: { $: '2' }, remoteid: { $: `r${i}` } }));
    const samePage: Transport = async () => {
      calls += 1;
      return { status: 200, location: null, body: JSON.stringify({ doc: { elem: rows } }) };
    };
    const all = await driver({ transport: samePage, pageSize: 2 }).list();
    expect(all.licenses.map((l) => l.upstreamId)).toEqual(['1', '2', '3']);
    // One call clears the list filter, then two pages.
    expect(calls).toBe(3);
  });

  test('findOrder by remoteid where the upstream shows it: none when absent, the oldest live one among duplicates', async () => {
    sandbox.control.configure({ profile: 'convenient' });
    const d = driver();
    expect(await d.findOrder(lookup({ remoteId: 'l9' }))).toEqual({ found: 'none' });
    const first = await d.open(order({ remoteId: 'dup' }));
    const second = await d.open(order({ remoteId: 'dup', ip: '198.51.100.8' }));
    expect(await d.findOrder(lookup({ remoteId: 'dup' }))).toMatchObject({ found: 'one', by: 'remoteid', license: { upstreamId: first.upstreamId } });
    await d.close(first.upstreamId);
    expect(await d.findOrder(lookup({ remoteId: 'dup' }))).toMatchObject({ found: 'one', license: { upstreamId: second.upstreamId } });
  });

  test('findOrder without remoteid: IP, name and tariff (its name in list rows) since the day sent, each confirmed on the form', async () => {
    const d = driver();
    expect(await d.findOrder(lookup())).toEqual({ found: 'none' });
    await d.open(order({ ip: '198.51.100.7', licenseName: 'other-name' }));
    await d.open(order({ tariffId: '55228', ip: '198.51.100.7', remoteId: 'pro' }));
    // Same IP but another name, same IP and name but another tariff: neither is this order.
    expect(await d.findOrder(lookup())).toEqual({ found: 'none' });
    const ours = await d.open(order({ ip: '198.51.100.7', licenseName: 'web1', remoteId: 'x', tariffId: '55229' }));
    expect(await d.findOrder(lookup({ tariffId: '55229', tariffName: 'ispmanager 6 host' }))).toMatchObject({ found: 'one', by: 'match', license: { upstreamId: ours.upstreamId } });
    // Created long before the order was sent: not it.
    expect(await d.findOrder(lookup({ tariffId: '55229', tariffName: 'ispmanager 6 host', sentOn: '2026-04-01' }))).toEqual({ found: 'none' });
  });

  test('findOrder: two licenses that fit equally are reported, not guessed', async () => {
    const d = driver();
    const first = await d.open(order({ ip: '198.51.100.9', licenseName: 'twin', remoteId: 't1' }));
    // A twin the upstream holds besides ours (say, ordered by hand in its panel the same day).
    sandbox.control.state.licenses.push({ ...sandbox.control.state.licenses.find((l) => l.id === first.upstreamId)!, id: '3999999' });
    expect(await d.findOrder(lookup({ ip: '198.51.100.9', licenseName: 'twin' }))).toMatchObject({ found: 'several', candidates: [{ upstreamId: first.upstreamId }, { upstreamId: '3999999' }] });
  });
});

describe('changing a license', () => {
  test('setParams changes the IP or the name and keeps the other', async () => {
    const d = driver();
    const { upstreamId } = await d.open(order());
    await d.setParams(upstreamId, { ip: '203.0.113.5' }, 'l1');
    await d.setParams(upstreamId, { licenseName: 'renamed' }, 'l1');
    expect(await d.getLicense(upstreamId)).toMatchObject({ ip: '203.0.113.5', licenseName: 'renamed' });
  });

  test('every soft.edit write re-sends our remoteid, so an upstream that blanks unsent fields keeps it', async () => {
    const d = driver();
    const { upstreamId } = await d.open(order({ remoteId: 'keep-me' }));
    await d.setParams(upstreamId, { ip: '203.0.113.5' }, 'keep-me');
    await d.newKey(upstreamId, 'keep-me');
    expect(sandbox.control.licenses().find((l) => l.id === upstreamId)?.remoteid).toBe('keep-me');
  });

  test('setParams onto an IP that already holds the edition is a value error', async () => {
    const d = driver();
    await d.open(order({ ip: '203.0.113.1' }));
    const { upstreamId } = await d.open(order({ ip: '203.0.113.2', remoteId: 'l2' }));
    const error = await failure(d.setParams(upstreamId, { ip: '203.0.113.1' }, 'l2'));
    expect(error).toMatchObject({ kind: 'value', field: 'ip' });
  });

  test('newKey issues a different key', async () => {
    const d = driver();
    const { upstreamId } = await d.open(order());
    await d.getLicense(upstreamId);
    const old = (await d.getLicense(upstreamId))?.licenseKey;
    const { licenseKey } = await d.newKey(upstreamId, 'l1');
    expect(licenseKey).toMatch(/^ISP6-/);
    expect(licenseKey).not.toBe(old);
    expect((await d.getLicense(upstreamId))?.licenseKey).toBe(licenseKey);
  });

  test('prolong extends from the expiry and charges the period', async () => {
    const d = driver();
    const { upstreamId } = await d.open(order());
    expect(await d.prolong(upstreamId, 1)).toEqual({ expiresOn: '2027-04-10' });
    expect(balance()).toBe('934.00');
  });

  test('the new expiry may come as doc.doc.newexpiredate', async () => {
    sandbox.control.configure({ quirks: { expiryIn: 'nested' } });
    const d = driver();
    const { upstreamId } = await d.open(order({ period: 1 }));
    expect(await d.prolong(upstreamId, 12)).toEqual({ expiresOn: '2027-04-10' });
  });

  test('a renewal answer without any expiry is read back from the license', async () => {
    const http = httpTransport({ connectTimeoutMs: 2_000, readTimeoutMs: 8_000 });
    const stripExpiry: Transport = async (post) => {
      const answer = await http(post);
      if (!post.body.includes('func=service.prolong')) return answer;
      return { ...answer, body: JSON.stringify({ doc: { ok: {} } }) };
    };
    const d = driver({ transport: stripExpiry });
    const { upstreamId } = await d.open(order());
    expect(await d.prolong(upstreamId, 12)).toEqual({ expiresOn: '2028-03-10' });
  });

  test('prolong of an unknown license is not found; of a trial it is refused', async () => {
    const d = driver();
    expect(await failure(d.prolong('424242', 1))).toBeInstanceOf(UpstreamNotFound);
    const trial = await d.open(order({ tariffId: '55239', period: -100 }));
    expect(await failure(d.prolong(trial.upstreamId, 1))).toBeInstanceOf(UpstreamValueError);
  });

  test('changeTariff upgrades and charges the difference; a downgrade is refused', async () => {
    const d = driver();
    const { upstreamId } = await d.open(order());
    await d.changeTariff(upstreamId, '55228', 12);
    expect((await d.getLicense(upstreamId))?.tariffId).toBe('55228');
    expect(balance()).toBe('880.00');
    expect(await failure(d.changeTariff(upstreamId, '55227', 12))).toMatchObject({ kind: 'value', field: 'pricelist' });
  });

  test('suspend, resume and close move the status', async () => {
    const d = driver();
    const { upstreamId } = await d.open(order());
    await d.suspend(upstreamId);
    expect((await d.getLicense(upstreamId))?.status).toBe('suspended');
    await d.resume(upstreamId);
    expect((await d.getLicense(upstreamId))?.status).toBe('active');
    await d.close(upstreamId);
    expect((await d.getLicense(upstreamId))?.status).toBe('deleted');
    expect(await failure(d.suspend(upstreamId))).toBeInstanceOf(UpstreamNotFound);
  });
});
