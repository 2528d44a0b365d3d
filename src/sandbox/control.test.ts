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
      json: { username: 'p@example.com', twoFactor: false, allowedIps: null, balance: '25.50', currency: 'RUB' },
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

  test('clock: shifting time moves the sandbox date', async () => {
    const { json } = await control('POST', 'clock', { shiftDays: 2, shiftMs: 3_600_000 });
    expect(json.now).toBe('2026-05-03T01:00:00.000Z');
  });

  test('settings: quirks and key delay', async () => {
    const { json } = await control('POST', 'settings', { quirks: { orderIdIn: 'item' }, keyDelay: { reads: 0 } });
    expect(json.quirks).toMatchObject({ orderIdIn: 'item', expiryIn: 'flat' });
    expect(json.keyDelay).toEqual({ reads: 0, ms: 0 });
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
