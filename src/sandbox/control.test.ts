// The /_control/* endpoints, for tests and benchmarks that drive the simulator from another process.

import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { runSandboxCli, startSandbox, type Sandbox } from './index.js';

let sandbox: Sandbox;

beforeEach(async () => {
  sandbox = await startSandbox({ seed: 2, now: () => new Date('2026-05-01T00:00:00Z') });
});
afterEach(() => sandbox.close());

async function control(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const response = await fetch(`${sandbox.url}/_control/${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, json: await response.json() };
}

async function billmgr(params: Record<string, string>): Promise<any> {
  const response = await fetch(`${sandbox.url}/billmgr`, { method: 'POST', body: new URLSearchParams({ out: 'json', ...params }) });
  return ((await response.json()) as { doc: unknown }).doc;
}

describe('/_control', () => {
  test('accounts: create one with a balance and currency, then change it', async () => {
    const created = await control('POST', 'accounts', { username: 'p@example.com', password: 'pw', balance: '25.50', currency: 'RUB' });
    expect(created).toEqual({
      status: 200,
      json: { username: 'p@example.com', twoFactor: false, allowedIps: null, balance: '25.50', currency: 'RUB', otherBalances: {} },
    });
    expect((await billmgr({ func: 'whoami', authinfo: 'p@example.com:pw' })).user.$balance).toBe('25.50');
    await control('POST', 'accounts', { username: 'p@example.com', twoFactor: true });
    expect((await billmgr({ func: 'whoami', authinfo: 'p@example.com:pw' })).error.$type).toBe('auth');
  });

  test('faults: add over HTTP, see it fire, delete them all', async () => {
    const added = await control('POST', 'faults', { func: 'whoami', fault: { error: { type: 'access', msg: 'nope' } } });
    expect(added.status).toBe(201);
    expect(added.json.faults).toEqual([{ func: 'whoami', fault: 'error:access', remaining: null }]);
    expect((await billmgr({ func: 'whoami', authinfo: 'demo@billrelay.test:demo-password' })).error.$type).toBe('access');
    expect((await control('DELETE', 'faults')).status).toBe(200);
    expect((await billmgr({ func: 'whoami', authinfo: 'demo@billrelay.test:demo-password' })).user).toBeDefined();
  });

  test('inspect lists purchases, charges, licenses and accounts, never passwords', async () => {
    await billmgr({
      func: 'soft.order.param', pricelist: '55228', period: '1', ip: '192.0.2.4', licname: 'a', remoteid: 'r1',
      skipbasket: 'on', clicked_button: 'finish', sok: 'ok', authinfo: 'demo@billrelay.test:demo-password',
    });
    const { json } = await control('GET', 'inspect');
    expect(json.purchases).toMatchObject([{ pricelist: '55228', cost: '12.00', remoteid: 'r1' }]);
    expect(json.charges).toMatchObject([{ amount: '12.00', currency: 'EUR' }]);
    expect(json.licenses).toMatchObject([{ ip: '192.0.2.4', status: 2 }]);
    expect(json.accounts).toMatchObject([{ username: 'demo@billrelay.test', balance: '988.00' }]);
    expect(JSON.stringify(json)).not.toContain('demo-password');
  });

  test('a renewal charge names the expiry it extended from and the one it set', async () => {
    const auth = 'demo@billrelay.test:demo-password';
    const order = await billmgr({ func: 'soft.order.param', pricelist: '55227', period: '1', ip: '192.0.2.5', licname: 'b', skipbasket: 'on', clicked_button: 'finish', sok: 'ok', authinfo: auth });
    const id = order.id.$;
    await billmgr({ func: 'service.prolong', elid: id, period: '1', sok: 'ok', authinfo: auth });
    await billmgr({ func: 'service.prolong', elid: id, period: '1', sok: 'ok', authinfo: auth });
    const { json } = await control('GET', 'inspect');
    const renewals = json.charges.filter((c: { func: string }) => c.func === 'service.prolong');
    expect(renewals).toMatchObject([
      { licenseId: id, fromExpiry: '2026-06-01', toExpiry: '2026-07-01' },
      { licenseId: id, fromExpiry: '2026-07-01', toExpiry: '2026-08-01' },
    ]);
  });

  test('clock: shifting time moves the sandbox date', async () => {
    const { json } = await control('POST', 'clock', { shiftDays: 2, shiftMs: 3_600_000 });
    expect(json.now).toBe('2026-05-03T01:00:00.000Z');
  });

  test('accounts: balances in other currencies are listed by func=subaccount; a bad one is a 400', async () => {
    const created = await control('POST', 'accounts', { username: 'multi@example.com', password: 'pw', balance: '10.00', otherBalances: { USD: '3.30' } });
    expect(created.json).toMatchObject({ currency: 'EUR', otherBalances: { USD: '3.30' } });
    const doc = await billmgr({ func: 'subaccount', authinfo: 'multi@example.com:pw' });
    expect(doc.elem.map((row: any) => `${row.balance.$} ${row.currency.$}`)).toEqual(['10.00 EUR', '3.30 USD']);
    expect((await control('POST', 'accounts', { username: 'multi@example.com', otherBalances: { EUR: '1.00' } })).status).toBe(400);
    expect((await control('POST', 'accounts', { username: 'multi@example.com', otherBalances: { XYZ: '1.00' } })).status).toBe(400);
  });

  test('settings: the realistic profile by default; quirks and key delay change single settings', async () => {
    const { json } = await control('POST', 'settings', { quirks: { orderIdIn: 'item' }, keyDelay: { reads: 0 } });
    expect(json.profile).toBe('realistic');
    expect(json.quirks).toMatchObject({ orderIdIn: 'item', expiryIn: 'nested', currencyIn: 'subaccount', listRemoteId: false, notFound: 'missed-item' });
    expect(json.keyDelay).toEqual({ reads: 0, ms: 0 });
  });

  test('settings: a profile resets every quirk to it, then quirks given with it override single ones', async () => {
    await control('POST', 'settings', { quirks: { orderIdIn: 'item', paths: ['/billmgr'] } });
    const convenient = await control('POST', 'settings', { profile: 'convenient', quirks: { notFound: 'access' } });
    expect(convenient.status).toBe(200);
    expect(convenient.json.profile).toBe('convenient');
    expect(convenient.json.quirks).toEqual({
      orderIdIn: 'id',
      expiryIn: 'flat',
      currencyIn: 'both',
      listRemoteId: true,
      formRemoteId: true,
      listTariff: 'id',
      notFound: 'access',
      editBlanksRemoteId: false,
      lowBalanceOrder: 'error',
      paths: ['/billmgr', '/manager/billmgr'],
    });
    // It shows on the wire: whoami now states the currency, and an unknown id is refused as access.
    const auth = { authinfo: 'demo@billrelay.test:demo-password' };
    expect((await billmgr({ func: 'whoami', ...auth })).user.$currency).toBe('EUR');
    expect((await billmgr({ func: 'soft.edit', elid: '1', ...auth })).error.$type).toBe('access');
    const realistic = await control('POST', 'settings', { profile: 'realistic' });
    expect(realistic.json.quirks).toMatchObject({ currencyIn: 'subaccount', notFound: 'missed-item', paths: ['/billmgr', '/manager/billmgr'] });
    expect((await billmgr({ func: 'whoami', ...auth })).user.$currency).toBeUndefined();
    expect((await control('POST', 'settings', { profile: 'friendly' })).status).toBe(400);
    expect((await control('POST', 'settings', { quirks: { paths: ['billmgr'] } })).status).toBe(400);
  });

  test('list-filter: saved over HTTP, it narrows func=soft for that account', async () => {
    const auth = { authinfo: 'demo@billrelay.test:demo-password' };
    await billmgr({ func: 'soft.order.param', pricelist: '55227', period: '1', ip: '192.0.2.9', skipbasket: 'on', sok: 'ok', ...auth });
    expect((await billmgr({ func: 'soft', ...auth })).p_elems.$).toBe('1');
    const saved = await control('POST', 'list-filter', { username: 'demo@billrelay.test', status: '3' });
    expect(saved).toEqual({ status: 200, json: { username: 'demo@billrelay.test', filter: { status: '3' } } });
    expect((await billmgr({ func: 'soft', ...auth })).p_elems.$).toBe('0');
    expect((await control('POST', 'list-filter', { status: '3' })).status).toBe(400);
  });

  test('bad input is a 400 with the reason; unknown routes a 404', async () => {
    const bad = await control('POST', 'faults', { fault: 'explode' });
    expect(bad.status).toBe(400);
    expect(bad.json.error).toContain('fault');
    expect((await control('POST', 'accounts', { username: 'x', password: 'p', currency: 'XYZ' })).status).toBe(400);
    expect((await control('POST', 'accounts', { username: 'no-password' })).json.error).toContain('needs a password');
    expect((await control('GET', 'nothing')).status).toBe(404);
  });
});

describe('runSandboxCli', () => {
  test('starts the simulator and prints the URL and demo credentials', async () => {
    const lines: string[] = [];
    const cli = await runSandboxCli({ port: 0, print: (line) => lines.push(line), handleSignals: false });
    try {
      const text = lines.join('\n');
      expect(text).toContain(cli.url);
      expect(text).toContain('demo@billrelay.test');
      expect(text).toContain('demo-password');
      const response = await fetch(`${cli.url}/billmgr?func=whoami&out=json&authinfo=demo%40billrelay.test%3Ademo-password`);
      expect(((await response.json()) as any).doc.user.$balance).toBe('1000.00');
    } finally {
      await cli.close();
    }
  });
});
