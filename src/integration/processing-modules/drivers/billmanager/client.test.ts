// The transport against real sockets on 127.0.0.1: the simulator for protocol faults, and small
// purpose-built servers for what a BILLmanager never does on its own (TLS, redirects).

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type RequestListener, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { errors as undiciErrors } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { startSandbox, type Sandbox } from '../../../../sandbox/index.js';
import {
  UpstreamHttpError,
  UpstreamNetworkError,
  UpstreamProtocolError,
  UpstreamResetError,
  UpstreamTimeoutError,
  UpstreamTlsError,
  type UpstreamError,
} from '../driver.js';
import { BillmanagerClient, billmgrCandidates, billmgrEndpoint, transportError, type BillmanagerClientOptions } from './client.js';

const DEMO = { username: 'demo@billrelay.test', password: 'demo-password' };
let sandbox: Sandbox;

// Deadlines are generous except where a test waits for one: a loaded machine must not turn an
// ordinary answer into a timeout.
const SHORT = { connectTimeoutMs: 0, readTimeoutMs: 300 };

beforeAll(async () => {
  sandbox = await startSandbox({ seed: 7 });
});
afterAll(() => sandbox.close());
afterEach(() => sandbox.control.clear());

function client(overrides: Partial<BillmanagerClientOptions> = {}): BillmanagerClient {
  return new BillmanagerClient({
    url: sandbox.url,
    ...DEMO,
    connectTimeoutMs: 2_000,
    readTimeoutMs: 8_000,
    readRetries: 2,
    retryDelayMs: 5,
    ...overrides,
  });
}

async function failure(promise: Promise<unknown>): Promise<UpstreamError> {
  try {
    await promise;
  } catch (error) {
    return error as UpstreamError;
  }
  throw new Error('expected the call to fail');
}

async function serve(listener: RequestListener): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createHttpServer(listener);
  return listenOn(server, 'http');
}

async function listenOn(server: Server, scheme: string): Promise<{ url: string; close: () => Promise<void> }> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return { url: `${scheme}://127.0.0.1:${port}`, close };
}

async function freePort(): Promise<number> {
  const { url, close } = await serve(() => undefined);
  await close();
  return Number(new URL(url).port);
}

function bodyOf(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let data = '';
    req.on('data', (chunk: Buffer) => (data += chunk.toString()));
    req.on('end', () => resolve(data));
  });
}

describe('endpoint', () => {
  test.each([
    ['https://api-eu.ispmanager.com', 'https://api-eu.ispmanager.com/billmgr'],
    ['https://api-eu.ispmanager.com/', 'https://api-eu.ispmanager.com/billmgr'],
    ['https://api-eu.ispmanager.com/billmgr', 'https://api-eu.ispmanager.com/billmgr'],
    ['https://api-eu.ispmanager.com/billmgr/', 'https://api-eu.ispmanager.com/billmgr'],
    ['https://host/manager/billmgr', 'https://host/manager/billmgr'],
    // A path is used as given: nothing is appended to it.
    ['https://host/manager', 'https://host/manager'],
    ['https://host/api/billmgr.cgi', 'https://host/api/billmgr.cgi'],
    ['https://user:pw@host/billmgr?x=1', 'https://host/billmgr'],
  ])('%s → %s', (input, expected) => {
    expect(billmgrEndpoint(input)?.toString()).toBe(expected);
  });

  test('a bare origin stands for /billmgr then /manager/billmgr; a URL with a path for itself alone', () => {
    const paths = (url: string) => billmgrCandidates(url).map((u) => u.toString());
    expect(paths('https://api-eu.ispmanager.com')).toEqual(['https://api-eu.ispmanager.com/billmgr', 'https://api-eu.ispmanager.com/manager/billmgr']);
    expect(paths('https://user:pw@host:8443/?x=1#y')).toEqual(['https://host:8443/billmgr', 'https://host:8443/manager/billmgr']);
    expect(paths('https://host/manager/billmgr/')).toEqual(['https://host/manager/billmgr']);
    expect(paths('mailto:a@b.c')).toEqual([]);
  });

  test('a URL that is not http(s) fails every call as a network error, before any request', async () => {
    expect(billmgrEndpoint('ftp://host')).toBeNull();
    const error = await failure(client({ url: 'not a url' }).read('whoami'));
    expect(error).toBeInstanceOf(UpstreamNetworkError);
    expect(error.mayHaveTakenEffect).toBe(false);
  });
});

describe('finding the endpoint of a URL given without a path', () => {
  afterEach(() => sandbox.control.configure({ quirks: { paths: ['/billmgr', '/manager/billmgr'] } }));

  test.each([
    [['/manager/billmgr'], '/manager/billmgr'],
    [['/billmgr'], '/billmgr'],
    [['/billmgr', '/manager/billmgr'], '/billmgr'],
  ])('a host answering at %j is read at %s, and keeps it for later calls', async (paths, found) => {
    sandbox.control.configure({ quirks: { paths } });
    const c = client();
    const doc = await c.locate('whoami');
    expect((doc.user as Record<string, unknown>).$name).toBe(DEMO.username);
    expect(c.endpoint).toBe(`${sandbox.url}${found}`);
    const before = sandbox.control.calls('soft').length;
    await c.read('soft');
    expect(sandbox.control.calls('soft').length - before).toBe(1);
  });

  test('a refused login still proves the path is a BILLmanager: it is kept, and the refusal is the answer', async () => {
    sandbox.control.configure({ quirks: { paths: ['/manager/billmgr'] } });
    const c = client({ password: 'wrong' });
    const error = await failure(c.locate('whoami'));
    expect(error).toMatchObject({ kind: 'auth' });
    expect(c.endpoint).toBe(`${sandbox.url}/manager/billmgr`);
  });

  test('a URL with a path is used as given: no other path is tried', async () => {
    sandbox.control.configure({ quirks: { paths: ['/manager/billmgr'] } });
    const c = client({ url: `${sandbox.url}/billmgr` });
    const error = await failure(c.locate('whoami'));
    expect(error).toBeInstanceOf(UpstreamHttpError);
    expect((error as UpstreamHttpError).status).toBe(404);
    expect(error.message).not.toMatch(/No BILLmanager/);
    expect(c.endpoint).toBe(`${sandbox.url}/billmgr`);
  });

  test('a host that answers at neither path: an error naming both, and nothing is kept', async () => {
    sandbox.control.configure({ quirks: { paths: ['/somewhere-else'] } });
    const c = client();
    const error = await failure(c.locate('whoami'));
    expect(error).toBeInstanceOf(UpstreamHttpError);
    expect(error.message).toMatch(/No BILLmanager answered at \/billmgr or \/manager\/billmgr on 127\.0\.0\.1:\d+: The upstream answered HTTP 404/);
    expect(error.message).not.toContain(DEMO.password);
    expect(c.endpoint).toBe(`${sandbox.url}/billmgr`);
  });

  test('a page that is not a doc is passed over; a write goes to one place only, never tried elsewhere', async () => {
    const hits: string[] = [];
    const server = await serve(async (req, res) => {
      hits.push(`${req.url}`);
      await bodyOf(req);
      if (req.url === '/billmgr') return res.end('<html>a shop, not a billing</html>');
      res.end(JSON.stringify({ doc: { user: { $balance: '1.00' } } }));
    });
    try {
      await client({ url: server.url, retryDelayMs: 1 }).write('soft.suspend', { elid: '1' }).catch(() => undefined);
      expect(hits).toEqual(['/billmgr']);
      hits.length = 0;
      const c = client({ url: server.url, readRetries: 0 });
      await c.locate('whoami');
      expect(hits).toEqual(['/billmgr', '/manager/billmgr']);
      expect(c.endpoint).toBe(`${server.url}/manager/billmgr`);
    } finally {
      await server.close();
    }
  });

  test('a host that cannot be reached is not tried at the second path', async () => {
    const port = await freePort();
    const error = await failure(client({ url: `http://127.0.0.1:${port}`, readRetries: 0 }).locate('whoami'));
    expect(error).toBeInstanceOf(UpstreamNetworkError);
    expect(error.message).not.toMatch(/No BILLmanager/);
  });
});

describe('request', () => {
  test('POSTs a form with func, out=json, lang and authinfo', async () => {
    const seen: { method?: string; path?: string; type?: string; form?: URLSearchParams } = {};
    const server = await serve(async (req, res) => {
      Object.assign(seen, { method: req.method, path: req.url, type: req.headers['content-type'] });
      seen.form = new URLSearchParams(await bodyOf(req));
      res.end(JSON.stringify({ doc: { ok: {} } }));
    });
    try {
      await client({ url: `${server.url}/`, lang: 'ru' }).write('soft.suspend', { elid: '12', skip: undefined });
    } finally {
      await server.close();
    }
    expect(seen).toMatchObject({ method: 'POST', path: '/billmgr' });
    expect(seen.type).toContain('application/x-www-form-urlencoded');
    expect(Object.fromEntries(seen.form!)).toEqual({
      elid: '12',
      func: 'soft.suspend',
      out: 'json',
      lang: 'ru',
      authinfo: 'demo@billrelay.test:demo-password',
    });
  });

  test('lang=ru returns the upstream message in Russian', async () => {
    const error = await failure(client({ lang: 'ru', password: 'wrong' }).read('whoami'));
    expect(error.upstreamMessage).toBe('Неверное имя пользователя или пароль');
  });
});

describe('connection failures', () => {
  test('a refused connection is a network error that cannot have taken effect', async () => {
    const port = await freePort();
    const error = await failure(client({ url: `http://127.0.0.1:${port}`, readRetries: 0 }).write('soft.order.param'));
    expect(error).toBeInstanceOf(UpstreamNetworkError);
    expect(error).toMatchObject({ causeCode: 'ECONNREFUSED', transient: true, mayHaveTakenEffect: false });
    expect(error.message).toContain('refused');
  });

  test('an unknown host is a network error', async () => {
    const error = await failure(client({ url: 'http://billrelay-no-such-host.invalid', readRetries: 0 }).read('whoami'));
    expect(error).toBeInstanceOf(UpstreamNetworkError);
    expect(['ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME', 'EAI_FAIL']).toContain(error.causeCode);
  });

  test('speaking TLS to a plain HTTP port is a TLS error', async () => {
    const error = await failure(client({ url: sandbox.url.replace('http:', 'https:'), readRetries: 0 }).read('whoami'));
    expect(error).toBeInstanceOf(UpstreamTlsError);
    expect(error.mayHaveTakenEffect).toBe(false);
  });

  test.skipIf(!hasOpenssl())('an untrusted certificate is a TLS error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'billrelay-tls-'));
    try {
      execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'k.pem'),
        '-out', join(dir, 'c.pem'), '-days', '1', '-subj', '/CN=localhost'], { stdio: 'ignore' });
      const tls = createHttpsServer(
        { key: readFileSync(join(dir, 'k.pem')), cert: readFileSync(join(dir, 'c.pem')) },
        (_req, res) => res.end('{"doc":{}}'),
      );
      const server = await listenOn(tls, 'https');
      try {
        const error = await failure(client({ url: server.url, readRetries: 0 }).write('soft.order.param'));
        expect(error).toBeInstanceOf(UpstreamTlsError);
        expect(error).toMatchObject({ causeCode: 'DEPTH_ZERO_SELF_SIGNED_CERT', mayHaveTakenEffect: false });
      } finally {
        await server.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('faults after the request was sent', () => {
  test('a read that times out is retried a bounded number of times, then reported', async () => {
    sandbox.control.inject({ func: 'whoami', fault: 'timeout' });
    const before = sandbox.control.calls('whoami').length;
    const error = await failure(client({ ...SHORT, readRetries: 2 }).read('whoami'));
    expect(error).toBeInstanceOf(UpstreamTimeoutError);
    expect(error).toMatchObject({ transient: true, mayHaveTakenEffect: false });
    expect(sandbox.control.calls('whoami').length - before).toBe(3);
  });

  test('a write that times out is sent once and may have taken effect', async () => {
    sandbox.control.inject({ func: 'soft.suspend', fault: 'timeout' });
    const before = sandbox.control.calls('soft.suspend').length;
    const error = await failure(client(SHORT).write('soft.suspend', { elid: '1' }));
    expect(error).toBeInstanceOf(UpstreamTimeoutError);
    expect(error.mayHaveTakenEffect).toBe(true);
    expect(sandbox.control.calls('soft.suspend').length - before).toBe(1);
  });

  test('a read hit by one reset succeeds on the retry', async () => {
    sandbox.control.inject({ func: 'whoami', fault: 'reset', count: 1 });
    const doc = await client().read('whoami');
    expect(doc.user).toBeDefined();
  });

  test('a read hit by one 500 succeeds on the retry; with retries off it is an HTTP error', async () => {
    sandbox.control.inject({ func: 'whoami', fault: 'http-500', count: 1 });
    expect((await client().read('whoami')).user).toBeDefined();
    sandbox.control.inject({ func: 'whoami', fault: 'http-500', count: 1 });
    const error = await failure(client({ readRetries: 0 }).read('whoami'));
    expect(error).toBeInstanceOf(UpstreamHttpError);
    expect(error).toMatchObject({ status: 500, transient: true, mayHaveTakenEffect: false });
  });

  test('a write hit by a reset, a 500 or a malformed body may have taken effect', async () => {
    for (const fault of ['reset', 'http-500', 'malformed'] as const) {
      sandbox.control.inject({ func: 'soft.resume', fault, count: 1 });
      const error = await failure(client().write('soft.resume', { elid: '1' }));
      expect(error.mayHaveTakenEffect).toBe(true);
      expect(error.transient).toBe(true);
      expect(error).toBeInstanceOf(
        fault === 'reset' ? UpstreamResetError : fault === 'http-500' ? UpstreamHttpError : UpstreamProtocolError,
      );
    }
  });

  test('a malformed body is a protocol error with a short, secret-free excerpt', async () => {
    sandbox.control.inject({ func: 'whoami', fault: 'malformed' });
    const error = await failure(client({ readRetries: 0 }).read('whoami'));
    expect(error).toBeInstanceOf(UpstreamProtocolError);
    const { excerpt } = error as UpstreamProtocolError;
    expect(excerpt).toContain('billmgr: unexpected output');
    expect(excerpt).toContain('authinfo=[redacted]');
    expect(excerpt.length).toBeLessThanOrEqual(200);
    expect(excerpt).not.toContain('demo-password');
  });

  test('latency under the deadline is just slow', async () => {
    sandbox.control.inject({ func: 'whoami', fault: 'latency', latencyMs: 100 });
    expect((await client().read('whoami')).user).toBeDefined();
  });
});

describe('HTTP answers that are not the upstream', () => {
  test('a 404 (wrong path) is an HTTP error that is not transient and not retried', async () => {
    const before = sandbox.control.calls().length;
    const error = await failure(client({ url: `${sandbox.url}/wrong/` }).read('whoami'));
    expect(error).toMatchObject({ kind: 'http', status: 404, transient: false });
    expect(sandbox.control.calls().length).toBe(before);
  });

  test('a redirect is not followed (it would carry the credentials elsewhere)', async () => {
    let hits = 0;
    const server = await serve((req, res) => {
      hits += 1;
      res.writeHead(302, { location: 'https://elsewhere.example/billmgr?authinfo=demo@billrelay.test:demo-password' });
      res.end();
    });
    try {
      const error = await failure(client({ url: server.url }).write('whoami'));
      expect(error).toBeInstanceOf(UpstreamHttpError);
      expect((error as UpstreamHttpError).excerpt).toContain('redirect to https://elsewhere.example');
      expect(JSON.stringify(error)).not.toContain('demo-password');
      expect(hits).toBe(1);
    } finally {
      await server.close();
    }
  });

  test('an error doc inside a 5xx answer is still the upstream error', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(503);
      res.end(JSON.stringify({ doc: { error: { $type: 'auth', msg: { $: 'no' } } } }));
    });
    try {
      expect((await failure(client({ url: server.url }).read('whoami'))).kind).toBe('auth');
    } finally {
      await server.close();
    }
  });
});

describe('transportError', () => {
  const facts = { func: 'soft.order.param', write: true, host: 'h', connectTimeoutMs: 1, readTimeoutMs: 1 };
  const systemError = (code: string) => Object.assign(new Error('x'), { code });

  test.each([
    ['ConnectTimeoutError', 'timeout', false, new undiciErrors.ConnectTimeoutError()],
    ['HeadersTimeoutError', 'timeout', true, new undiciErrors.HeadersTimeoutError()],
    ['BodyTimeoutError', 'timeout', true, new undiciErrors.BodyTimeoutError()],
    ['SocketError (closed mid-answer)', 'reset', true, new undiciErrors.SocketError('other side closed')],
    ['ETIMEDOUT', 'timeout', true, systemError('ETIMEDOUT')],
    ['CERT_HAS_EXPIRED', 'tls', false, systemError('CERT_HAS_EXPIRED')],
    ['ERR_TLS_CERT_ALTNAME_INVALID', 'tls', false, systemError('ERR_TLS_CERT_ALTNAME_INVALID')],
    ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'tls', false, systemError('UNABLE_TO_VERIFY_LEAF_SIGNATURE')],
    ['ECONNRESET', 'reset', true, systemError('ECONNRESET')],
    ['EPIPE', 'reset', true, systemError('EPIPE')],
    ['ECONNREFUSED', 'network', false, systemError('ECONNREFUSED')],
    ['EHOSTUNREACH', 'network', false, systemError('EHOSTUNREACH')],
    ['EWHATEVER', 'network', true, systemError('EWHATEVER')],
  ] as const)('%s on a write → %s, mayHaveTakenEffect %s', (_name, kind, taken, error) => {
    expect(transportError(error, facts)).toMatchObject({ kind, mayHaveTakenEffect: taken, causeCode: (error as { code?: string }).code });
  });

  test('codes inside an AggregateError (several addresses tried) are found', () => {
    const aggregate = new AggregateError([systemError('ECONNREFUSED')], 'all failed');
    expect(transportError(aggregate, facts).kind).toBe('network');
  });

  test('the deadline of the whole call is a timeout; a read never "may have taken effect"', () => {
    const abort = new DOMException('aborted', 'TimeoutError');
    expect(transportError(abort, { ...facts, write: false })).toMatchObject({ kind: 'timeout', mayHaveTakenEffect: false });
  });

  test('an answer that trickles in (each part within the read timeout) still ends at the deadline', async () => {
    const server = createHttpServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"doc":');
      const drip = setInterval(() => res.write(' '), 50);
      res.on('close', () => clearInterval(drip));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const client = new BillmanagerClient({ url: `http://127.0.0.1:${port}`, username: 'u', password: 'p', connectTimeoutMs: 100, readTimeoutMs: 300 });
      // Without the deadline this would wait as long as the server drips (the test's own timeout).
      const error = await client.write('soft.order.param').then(() => null, (e: unknown) => e);
      expect(error).toBeInstanceOf(UpstreamTimeoutError);
      expect(error).toMatchObject({ mayHaveTakenEffect: true });
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
