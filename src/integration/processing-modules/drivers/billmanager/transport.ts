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
  // headersTimeout bounds the wait for the whole head and bodyTimeout each wait within the body, but a
  // body that trickles in byte by byte would pass both forever: reading it also ends at the call's
  // deadline. A plain timer that destroys the body; an AbortController per call (undici's `signal`)
  // cost a tenth of a call's CPU time.
  const deadlineMs = options.connectTimeoutMs + options.readTimeoutMs;
  return async ({ url, headers, body }) => {
    const startedAt = performance.now();
    const response = await request(url, { method: 'POST', headers, body, dispatcher });
    const answer = response.body;
    const timer = setTimeout(() => answer.destroy(new DOMException('The operation timed out', 'TimeoutError')), startedAt + deadlineMs - performance.now());
    try {
      const text = await answer.text();
      const location = response.headers.location;
      return { status: response.statusCode, location: (Array.isArray(location) ? location[0] : location) ?? null, body: text };
    } finally {
      clearTimeout(timer);
    }
  };
}
