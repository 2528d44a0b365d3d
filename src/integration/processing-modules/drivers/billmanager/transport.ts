// How one form POST reaches the upstream. undici's request() instead of the global fetch: it bounds
// the connect phase and the wait for the answer separately (fetch has no hook between connecting and
// sending), and it costs a fraction of fetch's CPU per call (no WHATWG streams or Response objects),
// which the operations worker feels at every purchase and key read.
import { Agent, request, type Dispatcher } from 'undici';

export interface HttpPost {
  url: string;
  headers: Record<string, string>;
  body: string;
}

export interface HttpAnswer {
  status: number;
  /** The Location header of a redirect (never followed: it would re-send the credentials). */
  location: string | null;
  body: string;
}

/** Sends one POST; rejects with the network error (its `code` says which) when no answer came. */
export type Transport = (post: HttpPost) => Promise<HttpAnswer>;

export interface TransportOptions {
  /** Bound on opening the connection (TCP and TLS); 0 leaves undici's own default. */
  connectTimeoutMs: number;
  /** Bound on the wait for the answer's headers and between parts of its body. */
  readTimeoutMs: number;
  /** A dispatcher of one's own (a proxy agent, a mock); then the timeouts are its business. */
  dispatcher?: Dispatcher;
}

/**
 * One agent per pair of timeouts for the whole process: connections to an upstream are reused by
 * every driver built for it (the worker's, and the ones built per request for a connection check,
 * a balance or a price list), instead of a new handshake and a new idle pool each time.
 */
const agents = new Map<string, Agent>();

function agentFor(connectTimeoutMs: number, readTimeoutMs: number): Agent {
  const key = `${connectTimeoutMs}/${readTimeoutMs}`;
  let agent = agents.get(key);
  if (!agent) {
    agent = new Agent({
      ...(connectTimeoutMs > 0 ? { connect: { timeout: connectTimeoutMs } } : {}),
      headersTimeout: readTimeoutMs,
      bodyTimeout: readTimeoutMs,
    });
    agents.set(key, agent);
  }
  return agent;
}

export function httpTransport(options: TransportOptions): Transport {
  const dispatcher = options.dispatcher ?? agentFor(options.connectTimeoutMs, options.readTimeoutMs);
  // headersTimeout and bodyTimeout bound each wait; an answer that trickles in byte by byte would pass
  // both forever, so the whole call also has a deadline (a plain timer, cleared on the answer).
  const deadlineMs = options.connectTimeoutMs + options.readTimeoutMs;
  return async ({ url, headers, body }) => {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new DOMException('The operation timed out', 'TimeoutError')), deadlineMs);
    try {
      const response = await request(url, { method: 'POST', headers, body, dispatcher, signal: controller.signal });
      const text = await response.body.text();
      const location = response.headers.location;
      return { status: response.statusCode, location: (Array.isArray(location) ? location[0] : location) ?? null, body: text };
    } finally {
      clearTimeout(timer);
    }
  };
}
