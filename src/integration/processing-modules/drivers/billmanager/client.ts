// Low-level BILLmanager transport: one form-urlencoded POST per call, `out=json`, `authinfo` on
// every request. It turns every failure into a typed UpstreamError whose text is credential-free.
// Reads are retried a bounded number of times; writes are sent exactly once, because a write whose
// answer was lost may already have bought something (the caller looks it up instead).

import {
  UpstreamError,
  UpstreamHttpError,
  UpstreamNetworkError,
  UpstreamProtocolError,
  UpstreamResetError,
  UpstreamTimeoutError,
  UpstreamTlsError,
  type UpstreamCallObserver,
  type UpstreamErrorKind,
  type UpstreamErrorDetails,
} from '../driver.js';
import { errorFromDoc, isRecord, parseBody, type Doc, type ParseContext } from './parse.js';
import { excerpt, makeScrubber, type Scrub } from './scrub.js';
import { httpTransport, type HttpAnswer, type Transport } from './transport.js';

export type Params = Record<string, string | number | null | undefined>;

export interface BillmanagerClientOptions {
  /**
   * The BILLmanager endpoint with its path (https://host/billmgr, https://host/manager/billmgr), used as
   * given; a bare origin (https://api-eu.ispmanager.com) means /billmgr, and locate() looks further.
   */
  url: string;
  username: string;
  password: string;
  lang?: 'en' | 'ru';
  /** Bound on opening the connection. */
  connectTimeoutMs?: number;
  /** Bound on the wait for the answer once the request is sent. */
  readTimeoutMs?: number;
  /** Extra attempts for read calls after a transient failure. */
  readRetries?: number;
  /** First pause between read attempts; doubles each time. */
  retryDelayMs?: number;
  /** How a POST reaches the upstream; tests wrap httpTransport() to bend answers. */
  transport?: Transport;
  /** Told of every call (function, duration, error kind): the metrics. */
  observer?: UpstreamCallObserver;
}

const DEFAULTS = { lang: 'en', connectTimeoutMs: 10_000, readTimeoutMs: 30_000, readRetries: 2, retryDelayMs: 250 };

/** Where a BILLmanager answers on a host whose URL was given without a path, in the order tried. */
export const BILLMGR_PATHS = ['/billmgr', '/manager/billmgr'] as const;

/**
 * The endpoints a URL stands for: the URL itself when it has a path (used as given, trailing slashes
 * aside), else the usual BILLmanager paths on that origin. Credentials, query and fragment are
 * dropped; an empty list when it is not an http(s) URL.
 */
export function billmgrCandidates(url: string): URL[] {
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    return [];
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return [];
  parsed.username = '';
  parsed.password = '';
  parsed.search = '';
  parsed.hash = '';
  const path = parsed.pathname.replace(/\/+$/, '');
  if (path) {
    parsed.pathname = path;
    return [parsed];
  }
  return BILLMGR_PATHS.map((p) => new URL(p, parsed));
}

/** The endpoint a URL is called at before (or without) locate(): as given, or `/billmgr` for a bare origin. */
export function billmgrEndpoint(url: string): URL | null {
  return billmgrCandidates(url)[0] ?? null;
}

export class BillmanagerClient {
  readonly scrub: Scrub;
  private url: URL | null;
  /** Endpoints locate() still has to choose between; one (or none) once the URL has a path or one answered. */
  private candidates: URL[];
  private readonly options: Required<Omit<BillmanagerClientOptions, 'transport' | 'observer'>>;
  private readonly transport: Transport;
  private readonly observer: UpstreamCallObserver | undefined;

  constructor(options: BillmanagerClientOptions) {
    this.options = { ...DEFAULTS, ...stripUndefined(options) } as BillmanagerClient['options'];
    this.candidates = billmgrCandidates(options.url);
    this.url = this.candidates[0] ?? null;
    this.scrub = makeScrubber(options.password);
    this.transport = options.transport ?? httpTransport(this.options);
    this.observer = options.observer;
  }

  /** The endpoint calls go to, without credentials; safe to show and to store. */
  get endpoint(): string {
    return this.url?.toString() ?? '';
  }

  /**
   * A read that also finds the endpoint when the URL was a bare origin: each usual path is tried in
   * turn, and the first that answers as a BILLmanager (a JSON `doc`, an error doc included: a refused
   * login still proves it is one) is kept for every later call. A path that answers something else
   * (an HTTP error, a page that is not a doc) is passed over; a failure to reach the host ends the
   * search at once. Only reads locate: a write is never sent to more than one place.
   */
  async locate(func: string, params: Params = {}): Promise<Doc> {
    if (this.candidates.length <= 1) return this.read(func, params);
    const tried = this.candidates;
    let firstMiss: UpstreamError | null = null;
    for (const candidate of tried) {
      try {
        const doc = await this.readAt(candidate, func, params);
        this.settle(candidate);
        return doc;
      } catch (error) {
        if (answeredAsBillmanager(error)) this.settle(candidate);
        if (!isEndpointMiss(error)) throw error;
        firstMiss ??= error;
      }
    }
    throw noBillmanagerAt(tried, firstMiss!);
  }

  /** A call that changes nothing upstream; retried on transient failures. */
  read(func: string, params: Params = {}): Promise<Doc> {
    return this.readAt(null, func, params);
  }

  private settle(endpoint: URL): void {
    this.url = endpoint;
    this.candidates = [endpoint];
  }

  private async readAt(at: URL | null, func: string, params: Params): Promise<Doc> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.send(func, params, false, at);
      } catch (error) {
        if (!isRetryable(error) || attempt >= this.options.readRetries) throw error;
        await sleep(this.options.retryDelayMs * 2 ** attempt);
      }
    }
  }

  /** A call that may change something upstream; sent exactly once. */
  write(func: string, params: Params = {}): Promise<Doc> {
    return this.send(func, params, true);
  }

  /** Context for reading a result: after a write, a malformed result means it may have happened. */
  context(func: string, write: boolean): ParseContext {
    return { func, scrub: this.scrub, mayHaveTakenEffect: write };
  }

  private async send(func: string, params: Params, write: boolean, at: URL | null = null): Promise<Doc> {
    if (!this.observer) return this.sendOnce(func, params, write, at);
    const started = performance.now();
    let error: UpstreamErrorKind | null = null;
    try {
      return await this.sendOnce(func, params, write, at);
    } catch (thrown) {
      error = thrown instanceof UpstreamError ? thrown.kind : 'protocol';
      throw thrown;
    } finally {
      this.observer({ func, write, durationMs: performance.now() - started, error });
    }
  }

  private async sendOnce(func: string, params: Params, write: boolean, at: URL | null): Promise<Doc> {
    const url = at ?? this.requireUrl(func);
    const facts: TransportFacts = { func, write, host: url.host, connectTimeoutMs: this.options.connectTimeoutMs, readTimeoutMs: this.options.readTimeoutMs };
    let answer: HttpAnswer;
    try {
      answer = await this.transport({
        url: url.toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8', accept: 'application/json' },
        body: this.form(func, params),
      });
    } catch (error) {
      throw transportError(error, facts);
    }
    return this.interpret(answer, this.context(func, write));
  }

  private requireUrl(func: string): URL {
    if (this.url) return this.url;
    throw new UpstreamNetworkError('The upstream URL is not a valid http(s) address', { func, causeCode: 'EINVALIDURL' });
  }

  private form(func: string, params: Params): string {
    const form = new URLSearchParams();
    for (const [key, value] of Object.entries(params)) {
      if (value !== undefined && value !== null) form.set(key, String(value));
    }
    form.set('func', func);
    form.set('out', 'json');
    form.set('lang', this.options.lang);
    form.set('authinfo', `${this.options.username}:${this.options.password}`);
    return form.toString();
  }

  private interpret({ status, location, body }: HttpAnswer, ctx: ParseContext): Doc {
    if (status >= 300 && status < 400) {
      throw new UpstreamHttpError(status, excerpt(`redirect to ${location ?? ''}`, ctx.scrub), { func: ctx.func });
    }
    const doc = docOrNull(body);
    const upstreamError = doc ? errorFromDoc(doc, ctx) : null;
    if (upstreamError) throw upstreamError;
    if (status >= 400) {
      throw new UpstreamHttpError(status, excerpt(body, ctx.scrub), {
        func: ctx.func,
        // A 5xx comes from behind the proxy, after the request arrived; a 4xx never got that far.
        mayHaveTakenEffect: ctx.mayHaveTakenEffect && status >= 500,
      });
    }
    return doc ?? parseBody(body, ctx);
  }
}

/** Not a BILLmanager at this path: an HTTP error or redirect without a doc, or a body that is not a doc. */
function isEndpointMiss(error: unknown): error is UpstreamError {
  return error instanceof UpstreamHttpError || error instanceof UpstreamProtocolError;
}

const DOC_ERROR_KINDS = new Set<string>(['auth', 'access', 'value', 'insufficient-funds', 'not-found', 'rejected']);

/** The upstream's own refusal (doc.error): whatever it says, a BILLmanager said it. */
function answeredAsBillmanager(error: unknown): boolean {
  return error instanceof UpstreamError && DOC_ERROR_KINDS.has(error.kind);
}

/** The first path's failure, saying every path that was tried (the message stays credential-free). */
function noBillmanagerAt(tried: URL[], error: UpstreamError): UpstreamError {
  const where = tried.map((u) => u.pathname).join(' or ');
  error.message = `No BILLmanager answered at ${where} on ${tried[0]!.host}: ${error.message}; give the full URL of the billing's API`;
  return error;
}

function docOrNull(body: string): Doc | null {
  try {
    const json: unknown = JSON.parse(body);
    return isRecord(json) && isRecord(json.doc) ? json.doc : null;
  } catch {
    return null;
  }
}

function isRetryable(error: unknown): boolean {
  return error instanceof UpstreamError && error.transient;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

// ---------------------------------------------------------------------------------------------
// transport failures → typed errors

export interface TransportFacts {
  func: string;
  write: boolean;
  host: string;
  connectTimeoutMs: number;
  readTimeoutMs: number;
}

const NETWORK_CODES: Record<string, string> = {
  ECONNREFUSED: 'the connection was refused',
  ENOTFOUND: 'the host name was not found',
  EAI_AGAIN: 'the host name could not be resolved right now',
  EAI_NONAME: 'the host name was not found',
  EAI_FAIL: 'the host name could not be resolved',
  EHOSTUNREACH: 'the host is unreachable',
  ENETUNREACH: 'the network is unreachable',
  EHOSTDOWN: 'the host is down',
  ENETDOWN: 'the network is down',
  EADDRNOTAVAIL: 'the address is not available',
  ERR_INVALID_URL: 'the URL is invalid',
};
const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);
const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);
const CONNECT_TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT']);
const TLS_CODE = /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|HOSTNAME_MISMATCH|EPROTO$)/;

/** The first system error code along the cause chain (AggregateError included). */
export function causeCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 6 && current; depth++) {
    if (!isErrorLike(current)) return undefined;
    if (typeof current.code === 'string') return current.code;
    current = current.cause ?? (Array.isArray(current.errors) ? current.errors[0] : undefined);
  }
  return undefined;
}

function isErrorLike(value: unknown): value is { code?: unknown; cause?: unknown; errors?: unknown; name?: unknown } {
  return typeof value === 'object' && value !== null;
}

function isAbort(error: unknown): boolean {
  const name = isErrorLike(error) ? error.name : undefined;
  return name === 'TimeoutError' || name === 'AbortError';
}

/**
 * Maps a transport failure. A write "may have taken effect" whenever the request could have reached the
 * upstream: after a timeout, a reset or an unknown failure; not when the connection was never made.
 */
export function transportError(error: unknown, facts: TransportFacts): UpstreamError {
  const code = causeCode(error);
  const sent = { func: facts.func, causeCode: code, mayHaveTakenEffect: facts.write } satisfies UpstreamErrorDetails;
  const unsent = { ...sent, mayHaveTakenEffect: false };
  if (isAbort(error)) {
    return new UpstreamTimeoutError(`The upstream at ${facts.host} did not answer within ${facts.connectTimeoutMs + facts.readTimeoutMs} ms`, sent);
  }
  if (code && TIMEOUT_CODES.has(code)) {
    return new UpstreamTimeoutError(`The upstream at ${facts.host} did not answer within ${facts.readTimeoutMs} ms`, sent);
  }
  if (code && NETWORK_CODES[code]) {
    return new UpstreamNetworkError(`Cannot reach the upstream at ${facts.host}: ${NETWORK_CODES[code]}`, unsent);
  }
  if (code && CONNECT_TIMEOUT_CODES.has(code)) {
    const limit = facts.connectTimeoutMs > 0 ? ` took longer than ${facts.connectTimeoutMs} ms` : ' timed out';
    return new UpstreamTimeoutError(`Connecting to the upstream at ${facts.host}${limit}`, unsent);
  }
  if (code && TLS_CODE.test(code)) {
    return new UpstreamTlsError(
      `The secure connection to ${facts.host} failed (${code}): check the URL and the server's certificate`,
      unsent,
    );
  }
  if (code && RESET_CODES.has(code)) {
    return new UpstreamResetError(`The connection to ${facts.host} was closed before the answer arrived`, sent);
  }
  return new UpstreamNetworkError(`The request to the upstream at ${facts.host} failed${code ? ` (${code})` : ''}`, sent);
}
