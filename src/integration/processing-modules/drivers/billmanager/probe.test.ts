// The upstream probe against the simulator over real HTTP, in both profiles: what it reports, that it
// only reads, and that what it keeps holds no password and no license key.

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, test } from 'vitest';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../../../sandbox/index.js';
import { BOGUS_ELID, PROBE_FUNCS, probeUpstream, type ProbeOptions, type ProbeReport } from './probe.js';
import { httpTransport, type HttpPost, type Transport } from './transport.js';

const USERNAME = 'probe@billrelay.test';
const PASSWORD = 'pr0be-S3cret&pass';

let sandbox: Sandbox | null = null;
const servers: Server[] = [];

afterEach(async () => {
  await sandbox?.close();
  sandbox = null;
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

async function start(options: SandboxOptions = {}): Promise<Sandbox> {
  sandbox = await startSandbox({ keyDelay: { reads: 0 }, ...options, accounts: [{ username: USERNAME, password: PASSWORD, balance: '500.00' }] });
  return sandbox;
}

/** Buys a license through the protocol, as billrelay's driver would. */
async function order(sb: Sandbox, overrides: Record<string, string> = {}): Promise<string> {
  const body = new URLSearchParams({
    func: 'soft.order.param',
    pricelist: '55227',
    period: '1',
    ip: '203.0.113.5',
    licname: 'web1',
    remoteid: 'r1',
    skipbasket: 'on',
    clicked_button: 'finish',
    sok: 'ok',
    out: 'json',
    authinfo: `${USERNAME}:${PASSWORD}`,
    ...overrides,
  });
  const answer = (await fetch(`${sb.url}/billmgr`, { method: 'POST', body }).then((r) => r.json())) as { doc: { id?: { $: string } } };
  expect(answer.doc.id?.$).toBeTruthy();
  return answer.doc.id!.$;
}

/** Watches every request the probe sends. */
function recording(): { transport: Transport; posts: (HttpPost & { form: URLSearchParams })[] } {
  const inner = httpTransport({ connectTimeoutMs: 5_000, readTimeoutMs: 5_000 });
  const posts: (HttpPost & { form: URLSearchParams })[] = [];
  return {
    posts,
    transport: (post) => {
      posts.push({ ...post, form: new URLSearchParams(post.body) });
      return inner(post);
    },
  };
}

function probe(url: string, overrides: Partial<ProbeOptions> = {}): Promise<ProbeReport> {
  return probeUpstream({ url, username: USERNAME, password: PASSWORD, connectTimeoutMs: 5_000, readTimeoutMs: 5_000, ...overrides });
}

function finding(report: ProbeReport, key: string) {
  const found = report.findings.find((f) => f.key === key);
  expect(found, `finding ${key}`).toBeDefined();
  return found!;
}

async function plainServer(handler: (path: string) => { status: number; body: string; location?: string }): Promise<string> {
  const server = createServer((req, res) => {
    const { status, body, location } = handler(new URL(req.url ?? '/', 'http://x').pathname);
    req.resume();
    res.writeHead(status, { 'content-type': 'text/html', ...(location ? { location } : {}) });
    res.end(body);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('what the probe reports, per profile', () => {
  test('realistic: remoteid hidden, tariff names in the list, currency from the sub-accounts, missed/item', async () => {
    const sb = await start({ profile: 'realistic' });
    await order(sb);
    const report = await probe(sb.url);

    expect(report.failure).toBeNull();
    expect(report.endpoint).toBe(`${sb.url}/billmgr`);
    expect(report.paths.map((p) => [p.path, p.billmanager])).toEqual([['/billmgr', true], ['/manager/billmgr', true]]);
    expect(report.facts.account).toEqual({ name: USERNAME, balance: '494.00' });
    expect(report.facts.currency).toMatchObject({ value: 'EUR', source: 'subaccount' });
    expect(report.facts.remoteIdInList).toBe(false);
    expect(report.facts.remoteIdInForm).toBe(false);
    expect(report.facts.listTariff).toEqual({ value: 'ispmanager 6 lite', kind: 'name', tariffId: '55227' });
    expect(report.facts.notFound).toMatchObject({ type: 'missed', object: 'item' });
    expect(report.facts.paging).toEqual({ pElems: 1, rowsForOne: 1 });

    expect(finding(report, 'endpoint').billrelay).toContain('first that answered');
    expect(finding(report, 'authentication')).toMatchObject({ status: 'ok' });
    expect(finding(report, 'currency')).toMatchObject({ status: 'adapted', billrelay: expect.stringContaining('EUR') });
    expect(finding(report, 'currency').upstream).toContain('whoami states none');
    expect(finding(report, 'remoteid')).toMatchObject({ upstream: 'in list rows: no; in the soft.edit form: no', status: 'adapted' });
    expect(finding(report, 'remoteid').billrelay).toBe('finds lost orders by IP + license name + tariff, confirmed with soft.edit');
    expect(finding(report, 'tariff').upstream).toContain('a name ("ispmanager 6 lite" = price-list id 55227)');
    expect(finding(report, 'not-found').upstream).toContain('"missed", $object "item"');
    expect(finding(report, 'not-found').billrelay).toContain('"not found"');
    expect(finding(report, 'paging').upstream).toContain('p_elems present (1 license(s))');
    // Archived and hidden tariffs are told apart from the orderable ones.
    expect(finding(report, 'price-list').upstream).toMatch(/orderable tariff\(s\): 55227 ispmanager 6 lite/);
  });

  test('convenient: remoteid shown, tariff ids in the list, currency in whoami, missed/elid', async () => {
    const sb = await start({ profile: 'convenient' });
    await order(sb);
    const report = await probe(sb.url);

    expect(report.failure).toBeNull();
    expect(report.facts.currency).toMatchObject({ value: 'EUR', source: 'whoami' });
    expect(report.facts.remoteIdInList).toBe(true);
    expect(report.facts.remoteIdInForm).toBe(true);
    expect(report.facts.listTariff).toEqual({ value: '55227', kind: 'id', tariffId: '55227' });
    expect(report.facts.notFound).toMatchObject({ type: 'missed', object: 'elid', kind: 'not-found' });
    expect(finding(report, 'currency')).toMatchObject({ upstream: 'whoami states EUR', status: 'ok' });
    expect(finding(report, 'remoteid')).toMatchObject({ upstream: 'in list rows: yes; in the soft.edit form: yes', status: 'ok' });
    expect(finding(report, 'remoteid').billrelay).toContain('by remoteid');
    expect(finding(report, 'tariff')).toMatchObject({ status: 'ok', billrelay: 'reads the tariff id from list rows' });
    expect(finding(report, 'not-found').upstream).toContain('"missed", $object "elid"');
  });

  test('an account without licenses: what cannot be seen is marked unknown, not guessed', async () => {
    const sb = await start({ profile: 'realistic' });
    const report = await probe(sb.url);
    expect(report.failure).toBeNull();
    expect(report.facts.remoteIdInList).toBeNull();
    expect(report.facts.remoteIdInForm).toBeNull();
    expect(finding(report, 'remoteid').status).toBe('unknown');
    expect(finding(report, 'tariff').status).toBe('unknown');
    expect(report.facts.paging).toEqual({ pElems: 0, rowsForOne: 0 });
    // Only the bogus id was read with soft.edit.
    expect(report.calls.filter((c) => c.func === 'soft.edit').map((c) => c.params.elid)).toEqual([BOGUS_ELID]);
  });

  test('other refusal shapes for an unknown id are reported as seen', async () => {
    const sb = await start({ profile: 'realistic', quirks: { notFound: 'access' } });
    let report = await probe(sb.url);
    expect(report.facts.notFound).toMatchObject({ type: 'access', object: 'item', kind: 'access' });
    expect(finding(report, 'not-found').billrelay).toBe('treats it as "not found" after confirming the account works (whoami)');
    sb.control.configure({ quirks: { notFound: 'value' } });
    report = await probe(sb.url);
    expect(report.facts.notFound).toMatchObject({ type: 'value', object: 'elid' });
  });

  test('currency from the price list only, or from nowhere', async () => {
    const sb = await start({ profile: 'realistic', quirks: { currencyIn: 'pricelist' } });
    let report = await probe(sb.url);
    expect(report.facts.currency).toMatchObject({ value: 'EUR', source: 'pricelist' });
    expect(finding(report, 'currency').billrelay).toBe('uses EUR (from the price list)');
    sb.control.configure({ quirks: { currencyIn: 'none' } });
    report = await probe(sb.url);
    expect(report.facts.currency).toMatchObject({ value: null, source: null });
    expect(finding(report, 'currency')).toMatchObject({ status: 'action', billrelay: 'the administrator must choose the currency when connecting the module' });
  });
});

describe('endpoint discovery', () => {
  test('only /manager/billmgr answering is detected and kept', async () => {
    const sb = await start({ quirks: { paths: ['/manager/billmgr'] } });
    const report = await probe(sb.url);
    expect(report.failure).toBeNull();
    expect(report.paths.map((p) => [p.path, p.billmanager])).toEqual([['/billmgr', false], ['/manager/billmgr', true]]);
    expect(report.paths[0]!.detail).toBe('HTTP 404, not JSON');
    expect(report.endpoint).toBe(`${sb.url}/manager/billmgr`);
    expect(finding(report, 'endpoint').billrelay).toBe(`keeps the first that answered: ${sb.url}/manager/billmgr`);
    expect(report.calls.filter((c) => c.func !== 'whoami').every((c) => c.path === '/manager/billmgr')).toBe(true);
  });

  test('a URL with a path is used as given, and only that path is probed', async () => {
    const sb = await start({ quirks: { paths: ['/manager/billmgr'] } });
    const { transport, posts } = recording();
    const report = await probe(`${sb.url}/manager/billmgr/`, { transport });
    expect(report.pathGiven).toBe(true);
    expect(report.endpoint).toBe(`${sb.url}/manager/billmgr`);
    expect(report.paths.map((p) => p.path)).toEqual(['/manager/billmgr']);
    expect(new Set(posts.map((p) => new URL(p.url).pathname))).toEqual(new Set(['/manager/billmgr']));
    expect(finding(report, 'endpoint').upstream).toContain('path given in the URL');
  });

  test('a host that is not a BILLmanager is said so in one line', async () => {
    const html = await plainServer((path) => (path === '/' ? { status: 200, body: '<html>hello</html>' } : { status: 404, body: '<html>404</html>' }));
    const report = await probe(html);
    expect(report.failure?.kind).toBe('not-billmanager');
    expect(report.failure?.message).toBe(`${html} is not a BILLmanager: /billmgr answered HTTP 404, not JSON; /manager/billmgr answered HTTP 404, not JSON`);
    expect(report.findings).toEqual([]);

    const everything200 = await plainServer(() => ({ status: 200, body: '<html><body>Welcome to nginx!</body></html>' }));
    const second = await probe(everything200);
    expect(second.failure?.kind).toBe('not-billmanager');
    expect(second.failure?.message).not.toContain('\n');
  });

  test('a redirect is reported with where it points, and not followed', async () => {
    const redirecting = await plainServer((path) => ({ status: 301, body: '', location: `https://billing.example.test${path}` }));
    const report = await probe(redirecting);
    expect(report.failure?.kind).toBe('not-billmanager');
    expect(report.failure?.message).toContain('/billmgr answered HTTP 301, a redirect to https://billing.example.test/billmgr (not followed)');
    expect(report.calls).toHaveLength(2);
  });

  test('a host that does not answer at all is unreachable, not "not a BILLmanager"', async () => {
    const gone = await plainServer(() => ({ status: 200, body: '' }));
    const server = servers.pop()!;
    await new Promise((resolve) => server.close(resolve));
    const report = await probe(gone);
    expect(report.failure?.kind).toBe('unreachable');
    expect(report.failure?.message).toContain('refused');
  });

  test('an address that is not an http(s) URL', async () => {
    expect((await probe('ftp://example.test')).failure?.kind).toBe('invalid-url');
    expect((await probe('not a url')).failure?.kind).toBe('invalid-url');
  });
});

describe('authentication', () => {
  test('a wrong password stops the probe with a plain message', async () => {
    const sb = await start();
    const report = await probe(sb.url, { password: 'wrong-password' });
    expect(report.failure?.kind).toBe('auth');
    expect(report.failure?.message).toMatch(/wrong username or password, or two-factor authentication is enabled/);
    expect(finding(report, 'authentication').upstream).toContain('two-factor authentication may be enabled');
    // Nothing past whoami was tried.
    expect(new Set(sb.control.calls().map((c) => c.func))).toEqual(new Set(['whoami']));
  });

  test('a two-factor account and an IP-restricted one', async () => {
    const sb = await start();
    sb.control.upsertAccount({ username: USERNAME, twoFactor: true });
    expect((await probe(sb.url)).failure?.kind).toBe('auth');
    sb.control.upsertAccount({ username: USERNAME, twoFactor: false, allowedIps: ['192.0.2.1'] });
    const report = await probe(sb.url);
    expect(report.failure?.kind).toBe('access');
    expect(finding(report, 'authentication').upstream).toContain("IP address");
  });
});

describe('read only, and nothing secret kept', () => {
  test('no purchase, no write: only the listed functions, never sok', async () => {
    const sb = await start({ profile: 'realistic' });
    await order(sb);
    const before = { purchases: sb.control.purchases().length, charges: sb.control.charges().length, licenses: JSON.stringify(sb.control.licenses()), account: sb.control.account(USERNAME) };
    const callsBefore = sb.control.calls().length;
    const { transport, posts } = recording();

    const report = await probe(sb.url, { transport });
    expect(report.failure).toBeNull();

    const seen = sb.control.calls().slice(callsBefore).map((c) => c.func);
    expect(seen).toEqual(['whoami', 'whoami', 'subaccount', 'pricelist.export', 'soft', 'soft.edit', 'soft.edit']);
    for (const func of seen) expect(PROBE_FUNCS).toContain(func);
    expect(posts).toHaveLength(seen.length);
    for (const post of posts) {
      expect(post.form.has('sok')).toBe(false);
      expect(post.form.has('clicked_button')).toBe(false);
    }
    expect(posts.find((p) => p.form.get('func') === 'pricelist.export')?.form.get('itemtype')).toBe('soft');
    expect(posts.find((p) => p.form.get('func') === 'pricelist.export')?.form.get('onlyavailable')).toBe('on');
    expect(posts.find((p) => p.form.get('func') === 'soft')?.form.get('p_cnt')).toBe('1');
    expect(sb.control.purchases()).toHaveLength(before.purchases);
    expect(sb.control.charges()).toHaveLength(before.charges);
    expect(JSON.stringify(sb.control.licenses())).toBe(before.licenses);
    expect(sb.control.account(USERNAME)).toEqual(before.account);
  });

  test('the raw answers hold no password, no authinfo and no license key', async () => {
    const sb = await start({ profile: 'convenient' });
    sb.control.configure({ keyDelay: { reads: 0 } });
    const id = await order(sb);
    const key = sb.control.licenses().find((l) => l.id === id)!.key;
    expect(key.length).toBeGreaterThan(8);

    const report = await probe(sb.url);
    const raw = JSON.stringify(report);
    expect(raw).not.toContain(PASSWORD);
    expect(raw).not.toContain(encodeURIComponent(PASSWORD));
    expect(raw).not.toContain(key);
    expect(JSON.stringify(report.calls)).not.toContain('authinfo');
    const form = report.calls.find((c) => c.func === 'soft.edit' && c.params.elid === id)!;
    expect((form.body as { doc: { lickey: unknown } }).doc.lickey).toEqual({ $: '***' });
    // Everything else of the answers is kept as it came.
    expect((form.body as { doc: { ip: unknown } }).doc.ip).toEqual({ $: '203.0.113.5' });
    expect(report.calls.map((c) => c.func)).toEqual(['whoami', 'whoami', 'subaccount', 'pricelist.export', 'soft', 'soft.edit', 'soft.edit']);
    expect(report.calls[0]).toMatchObject({ path: '/billmgr', params: {}, httpStatus: 200 });
  });

  test('a password or authinfo echoed back by the upstream is masked too', async () => {
    const sb = await start();
    const leaky: Transport = async (post) => {
      const answer = await httpTransport({ connectTimeoutMs: 5_000, readTimeoutMs: 5_000 })(post);
      const json = JSON.parse(answer.body) as { doc: Record<string, unknown> };
      json.doc.note = { $: `you sent ${PASSWORD}` };
      // The real upstream is said to echo the request, credentials included.
      json.doc.tparams = { authinfo: { $: `${USERNAME}:${PASSWORD}` }, func: { $: 'whoami' } };
      return { ...answer, body: JSON.stringify(json) };
    };
    const report = await probe(sb.url, { transport: leaky });
    expect(report.failure).toBeNull();
    expect(JSON.stringify(report)).not.toContain(PASSWORD);
    expect(JSON.stringify(report.calls)).not.toContain('authinfo');
    expect((report.calls[0]!.body as { doc: { tparams: unknown } }).doc.tparams).toEqual({ func: { $: 'whoami' } });
  });
});
