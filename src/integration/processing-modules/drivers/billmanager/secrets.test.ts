// Whatever goes wrong, the upstream password (and so authinfo) never reaches an error: not its
// message, stack, excerpt, JSON or inspected form, in any encoding.

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startSandbox, type Sandbox } from '../../../../sandbox/index.js';
import { UpstreamError } from '../driver.js';
import { createBillmanagerDriver, type BillmanagerDriver } from './driver.js';
import { httpTransport, type Transport } from './transport.js';

const USER = 'secret-holder@example.com';
const SECRET = 'p@ss:w0rd&x=1 "q"<ü>';
const FORMS = [
  SECRET,
  encodeURIComponent(SECRET),
  new URLSearchParams({ s: SECRET }).toString().slice(2),
  JSON.stringify(SECRET).slice(1, -1),
  'w0rd&x',
  'w0rd%26x',
];

let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox({ seed: 5 });
  sandbox.control.upsertAccount({ username: USER, password: SECRET, balance: '100.00' });
});
afterAll(() => sandbox.close());

function driver(overrides: { url?: string; username?: string; transport?: Transport; connectTimeoutMs?: number; readTimeoutMs?: number } = {}): BillmanagerDriver {
  return createBillmanagerDriver({
    url: sandbox.url,
    username: USER,
    password: SECRET,
    connectTimeoutMs: 2_000,
    readTimeoutMs: 8_000,
    readRetries: 0,
    ...overrides,
  });
}

async function caught(run: () => Promise<unknown>): Promise<UpstreamError> {
  try {
    await run();
  } catch (error) {
    expect(error).toBeInstanceOf(UpstreamError);
    return error as UpstreamError;
  }
  throw new Error('expected a failure');
}

function expectSecretFree(error: UpstreamError): void {
  const renderings = [
    error.message,
    error.stack ?? '',
    String(error),
    JSON.stringify(error),
    inspect(error, { depth: 10, showHidden: true }),
    'excerpt' in error ? String(error.excerpt) : '',
  ];
  for (const rendering of renderings) for (const form of FORMS) expect(rendering).not.toContain(form);
}

const echoingBody = `<html>authinfo=${USER}:${SECRET} raw ${SECRET} url ${encodeURIComponent(SECRET)}</html>`;

describe('no error carries the password', () => {
  const scenarios: [string, () => Promise<unknown>, string][] = [
    ['wrong login (the password sent is the secret)', () => driver({ username: 'nobody@example.com' }).checkConnection(), 'auth'],
    // Twice: a URL without a path is tried at /billmgr and then at /manager/billmgr.
    ['malformed body echoing the request (read)', async () => {
      sandbox.control.inject({ func: 'whoami', fault: 'malformed', count: 2 });
      await driver().checkConnection();
    }, 'protocol'],
    ['malformed body echoing the secret (write)', async () => {
      sandbox.control.inject({ func: 'soft.order.param', fault: 'malformed', body: echoingBody, count: 1 });
      await driver().open({ tariffId: '55227', period: 1, ip: '192.0.2.1', licenseName: 'x', remoteId: 'r' });
    }, 'protocol'],
    ['HTTP 500 page echoing the secret', async () => {
      sandbox.control.inject({ func: 'whoami', fault: 'http-500', body: echoingBody, count: 2 });
      await driver().checkConnection();
    }, 'http'],
    ['upstream error message echoing the secret', async () => {
      sandbox.control.inject({ func: 'whoami', fault: { error: { type: 'value', object: SECRET, msg: `bad ${SECRET}` } }, count: 1 });
      await driver().checkConnection();
    }, 'value'],
    ['order answer without an id (the doc echoes authinfo in tparams)', async () => {
      const http = httpTransport({ connectTimeoutMs: 2_000, readTimeoutMs: 8_000 });
      const noId: Transport = async (post) => {
        const answer = await http(post);
        if (!post.body.includes('func=soft.order.param')) return answer;
        const { doc } = JSON.parse(answer.body) as { doc: Record<string, unknown> };
        delete doc.id;
        return { ...answer, body: JSON.stringify({ doc }) };
      };
      await driver({ transport: noId }).open({ tariffId: '55228', period: 1, ip: '192.0.2.2', licenseName: 'x', remoteId: 'r' });
    }, 'protocol'],
    ['redirect whose location carries the secret', async () => {
      const server = createServer((_req, res) => {
        res.writeHead(302, { location: `https://elsewhere/billmgr?authinfo=${USER}:${encodeURIComponent(SECRET)}` });
        res.end();
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      try {
        await driver({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }).checkConnection();
      } finally {
        server.close();
      }
    }, 'http'],
    ['timeout', async () => {
      sandbox.control.inject({ func: 'whoami', fault: 'timeout', count: 1 });
      await driver({ connectTimeoutMs: 0, readTimeoutMs: 300 }).checkConnection();
    }, 'timeout'],
    ['reset', async () => {
      sandbox.control.inject({ func: 'soft.suspend', fault: 'reset', count: 1 });
      await driver().suspend('1');
    }, 'reset'],
    ['refused', async () => {
      const closed = createServer();
      await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
      const port = (closed.address() as AddressInfo).port;
      await new Promise((resolve) => closed.close(resolve));
      await driver({ url: `http://127.0.0.1:${port}` }).checkConnection();
    }, 'network'],
    ['TLS', () => driver({ url: sandbox.url.replace('http:', 'https:') }).checkConnection(), 'tls'],
    ['not found', () => driver().prolong('999999', 1), 'not-found'],
    ['insufficient funds', () => driver().open({ tariffId: '55229', period: 12, ip: '192.0.2.3', licenseName: 'x', remoteId: 'r' }), 'insufficient-funds'],
    ['access', async () => {
      sandbox.control.upsertAccount({ username: USER, allowedIps: ['10.9.9.9'] });
      try {
        await driver().checkConnection();
      } finally {
        sandbox.control.upsertAccount({ username: USER, allowedIps: null });
      }
    }, 'access'],
  ];

  test.each(scenarios)('%s', async (_name, run, kind) => {
    const error = await caught(run);
    expect(error.kind).toBe(kind);
    expectSecretFree(error);
  });
});
