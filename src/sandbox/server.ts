// The upstream simulator: a small node:http server that speaks the BILLmanager protocol at
// /billmgr (POST form or GET query), plus /_control/* for tests. Importable; binds 127.0.0.1.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { SandboxControl, handleControl, type AccountInput } from './control.js';
import { FaultInjector, type Fault } from './faults.js';
import { seededRandom } from './prng.js';
import { SandboxError, answer, type Call, type Json, type Lang } from './protocol.js';
import { createState, type CallRecord, type KeyDelay, type Quirks, type SandboxProfile, type SandboxState } from './state.js';

export interface SandboxOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  /** Seeds fault probabilities and license keys. */
  seed?: number;
  /** The sandbox clock before any /_control/clock shift; defaults to the system clock. */
  now?: () => Date;
  /** `realistic` (default): the upstream as public evidence shows it; `convenient`: the first, friendlier reading. */
  profile?: SandboxProfile;
  /** Currency of the demo account. */
  currency?: string;
  keyDelay?: Partial<KeyDelay>;
  quirks?: Partial<Quirks>;
  /** Extra accounts to create at start. */
  accounts?: AccountInput[];
}

export interface Sandbox {
  /** Base URL, e.g. http://127.0.0.1:40123 (the protocol lives at /billmgr under it). */
  url: string;
  port: number;
  state: SandboxState;
  control: SandboxControl;
  close(): Promise<void>;
}

const MAX_BODY = 1 << 20;
const MAX_CALLS = 100_000;

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const state = createState(options);
  const clock = () => new Date((options.now?.() ?? new Date()).getTime() + state.clockOffsetMs);
  const faults = new FaultInjector(seededRandom((options.seed ?? 1) + 0x9e3779b9));
  const control = new SandboxControl(state, faults, clock);
  for (const account of options.accounts ?? []) control.upsertAccount(account);

  const server = createServer((req, res) => {
    route(req, res, { state, faults, control, clock }).catch((error: unknown) => {
      // A simulator bug, not an upstream behaviour: say so plainly.
      if (!res.headersSent) send(res, 500, 'text/plain', `sandbox error: ${error instanceof Error ? error.message : String(error)}`);
    });
  });
  await listen(server, options.port ?? 0, options.host ?? '127.0.0.1');
  const { port, address } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;
  return { url: `http://${host}:${port}`, port, state, control, close: () => closeServer(server) };
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** Also cuts connections held open by hang faults, so close never waits for a client timeout. */
function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

interface Context {
  state: SandboxState;
  faults: FaultInjector;
  control: SandboxControl;
  clock: () => Date;
}

async function route(req: IncomingMessage, res: ServerResponse, ctx: Context): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://sandbox');
  const body = await readBody(req);
  if (body === null) return send(res, 413, 'text/plain', 'request too large');
  if (url.pathname.startsWith('/_control/')) {
    const result = handleControl(ctx.control, req.method ?? 'GET', url.pathname, body);
    return send(res, result.status, 'application/json', JSON.stringify(result.body));
  }
  if (ctx.state.quirks.paths.includes(url.pathname)) return billmgr(req, res, url, body, ctx);
  send(res, 404, 'text/html', '<html><body><h1>404 Not Found</h1></body></html>');
}

function readBody(req: IncomingMessage): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > MAX_BODY ? null : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'content-type': `${type}; charset=utf-8`, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

// ---------------------------------------------------------------------------------------------
// /billmgr

async function billmgr(req: IncomingMessage, res: ServerResponse, url: URL, body: string, ctx: Context): Promise<void> {
  const params = { ...Object.fromEntries(url.searchParams), ...Object.fromEntries(new URLSearchParams(body)) };
  const func = params.func ?? '';
  const fault = ctx.faults.take(func);
  recordCall(ctx.state, { func, account: usernameOf(params.authinfo), fault: fault?.label ?? null, at: ctx.clock().toISOString() });
  if (fault && fault.latencyMs > 0) await delay(fault.latencyMs);
  if (fault && !fault.commit && fault.action !== 'latency') return applyFault(fault, req, res, params);
  const call: Call = { state: ctx.state, func, params, callerIp: callerIp(req), now: ctx.clock(), lang: langOf(params) };
  const doc = respond(call);
  if (fault?.commit) return applyFault(fault, req, res, params);
  send(res, 200, 'application/json', JSON.stringify({ doc }));
}

/**
 * Keeps the newest calls only, so a long benchmark run does not grow without bound. The oldest are
 * dropped a tenth at a time: dropping one per call would shift the whole array on every call once it
 * is full (a simulator slowing down by a factor of three in a long benchmark).
 */
function recordCall(state: SandboxState, record: CallRecord): void {
  state.calls.push(record);
  if (state.calls.length > MAX_CALLS + MAX_CALLS / 10) state.calls.splice(0, state.calls.length - MAX_CALLS);
}

function usernameOf(authinfo: string | undefined): string | null {
  return authinfo ? authinfo.split(':')[0] ?? null : null;
}

function langOf(params: Record<string, string>): Lang {
  return params.lang === 'ru' ? 'ru' : 'en';
}

/** The socket's peer, IPv4-mapped addresses unwrapped: what an upstream's IP whitelist sees. */
function callerIp(req: IncomingMessage): string {
  const address = req.socket.remoteAddress ?? '';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

/** The whole doc as BILLmanager wraps it, success or refusal. */
function respond(call: Call): Json {
  const frame = {
    $lang: call.lang,
    $func: call.func,
    $binary: '/billmgr',
    // The real upstream echoes the request here, credentials included: clients must never show it.
    tparams: Object.fromEntries(Object.entries(call.params).map(([k, v]) => [k, { $: v }])),
  };
  try {
    return { ...frame, ...answer(call) };
  } catch (error) {
    if (!(error instanceof SandboxError)) throw error;
    return { ...frame, error: errorElement(error, call.lang) };
  }
}

function errorElement(error: SandboxError, lang: Lang): Json {
  const element: Json = { $type: error.type, $object: error.object, $lang: lang, msg: { $: error.message } };
  if (error.params.length > 0) element.param = error.params.length === 1 ? error.params[0] : error.params;
  return element;
}

function applyFault(fault: Fault, req: IncomingMessage, res: ServerResponse, params: Record<string, string>): void {
  switch (fault.action) {
    case 'reset':
      req.socket.destroy();
      return;
    case 'hang':
      // Never answer; closeAllConnections on close() or the client's own timeout ends it.
      return;
    case 'http-500':
      return send(res, 500, 'text/html', fault.body ?? '<html><head><title>500 Internal Server Error</title></head><body>nginx</body></html>');
    case 'malformed':
      return send(res, 200, 'text/html', fault.body ?? malformedPage(params));
    case 'error':
      return send(res, 200, 'application/json', JSON.stringify({ doc: injectedError(fault, params) }));
    case 'latency':
      return;
  }
}

/** A broken page that echoes the request the way misconfigured proxies do, credentials and all. */
function malformedPage(params: Record<string, string>): string {
  const echo = new URLSearchParams(params).toString();
  return `<html><body><h1>billmgr: unexpected output</h1><p>request: ${echo}</p></body></html>`;
}

function injectedError(fault: Fault, params: Record<string, string>): Json {
  const error = fault.error!;
  return {
    $lang: langOf(params),
    $func: params.func ?? '',
    error: { $type: error.type, $object: error.object ?? '', msg: { $: error.msg } },
  };
}
