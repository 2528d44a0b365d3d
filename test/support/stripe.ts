// A local stand-in for the few Stripe API endpoints billrelay uses (Checkout Sessions, payment intents),
// for the official SDK pointed at it (BILLRELAY_STRIPE_API_URL), and Stripe's webhooks signed with the
// SDK's own test-header helper. Nothing leaves the machine.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';

export interface StubSession {
  id: string;
  object: 'checkout.session';
  mode: 'payment';
  url: string;
  amount_total: number;
  currency: string;
  client_reference_id: string | null;
  customer_email: string | null;
  metadata: Record<string, string>;
  payment_intent: string | null;
  payment_status: 'paid' | 'unpaid';
  status: 'open' | 'complete';
  success_url: string;
  cancel_url: string;
}

export interface StripeStub {
  url: string;
  sessions: Map<string, StubSession>;
  /** The secret keys the SDK authenticated with, in order. */
  keys: string[];
  /** A Stripe webhook body of this type around this object. */
  event(type: string, object: object): string;
  /** The Stripe-Signature header for a body (timestamp in seconds, default now). */
  sign(payload: string, secret: string, timestamp?: number): string;
  /** The session as Stripe shows it once paid (a payment intent, payment_status paid). */
  pay(sessionId: string): StubSession;
  charge(session: StubSession, refunded: number): object;
  dispute(session: StubSession, amount: number, reason?: string): object;
  close(): Promise<void>;
}

const signer = new Stripe('sk_test_signer');

export async function startStripeStub(): Promise<StripeStub> {
  const sessions = new Map<string, StubSession>();
  const intents = new Map<string, Record<string, string>>();
  const keys: string[] = [];
  let seq = 0;
  let url = '';
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      const send = (status: number, value: unknown, type = 'application/json') => {
        res.writeHead(status, { 'content-type': type });
        res.end(typeof value === 'string' ? value : JSON.stringify(value));
      };
      const path = (req.url ?? '').split('?')[0]!;
      // The payment page the client is sent to (the browser test reaches it).
      const page = /^\/pay\/(cs_test_\w+)$/.exec(path);
      if (req.method === 'GET' && page) {
        const s = sessions.get(page[1]!);
        return send(s ? 200 : 404, `<!doctype html><html lang="en"><head><title>Stripe test checkout</title></head><body><main><h1>Stripe test checkout</h1><p>${s ? `${s.amount_total} ${s.currency}` : 'unknown'}</p></main></body></html>`, 'text/html');
      }
      const auth = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
      if (!auth) return send(401, { error: { type: 'invalid_request_error', message: 'No API key provided.' } });
      keys.push(auth[1]!);
      if (auth[1]!.includes('revoked')) return send(401, { error: { type: 'invalid_request_error', message: 'Invalid API Key provided: sk_test_****oked' } });
      if (req.method === 'POST' && path === '/v1/checkout/sessions') {
        const form = new URLSearchParams(body);
        const metadata: Record<string, string> = {};
        for (const [k, v] of form) {
          const m = /^metadata\[(\w+)\]$/.exec(k);
          if (m) metadata[m[1]!] = v;
        }
        seq += 1;
        const id = `cs_test_${seq}${Date.now()}`;
        const session: StubSession = {
          id,
          object: 'checkout.session',
          mode: 'payment',
          url: `${url}/pay/${id}`,
          amount_total: Number(form.get('line_items[0][price_data][unit_amount]')) * Number(form.get('line_items[0][quantity]') ?? 1),
          currency: form.get('line_items[0][price_data][currency]') ?? '',
          client_reference_id: form.get('client_reference_id'),
          customer_email: form.get('customer_email'),
          metadata,
          payment_intent: null,
          payment_status: 'unpaid',
          status: 'open',
          success_url: form.get('success_url') ?? '',
          cancel_url: form.get('cancel_url') ?? '',
        };
        sessions.set(id, session);
        const intentMetadata: Record<string, string> = {};
        for (const [k, v] of form) {
          const m = /^payment_intent_data\[metadata\]\[(\w+)\]$/.exec(k);
          if (m) intentMetadata[m[1]!] = v;
        }
        intents.set(`pi_${id.slice(3)}`, intentMetadata);
        return send(200, session);
      }
      const intent = /^\/v1\/payment_intents\/(\w+)$/.exec(path);
      if (req.method === 'GET' && intent) {
        const metadata = intents.get(intent[1]!);
        if (!metadata) return send(404, { error: { type: 'invalid_request_error', code: 'resource_missing', message: 'No such payment_intent' } });
        return send(200, { id: intent[1], object: 'payment_intent', metadata, status: 'succeeded' });
      }
      return send(404, { error: { type: 'invalid_request_error', message: `Unrecognized request URL (${req.method}: ${path})` } });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let events = 0;
  return {
    url,
    sessions,
    keys,
    event(type, object) {
      events += 1;
      return JSON.stringify({ id: `evt_test_${events}`, object: 'event', api_version: '2026-10-28.endive', created: Math.floor(Date.now() / 1000), livemode: false, type, data: { object } }, null, 2);
    },
    sign(payload, secret, timestamp) {
      return signer.webhooks.generateTestHeaderString({ payload, secret, ...(timestamp !== undefined ? { timestamp } : {}) });
    },
    pay(sessionId) {
      const s = sessions.get(sessionId);
      if (!s) throw new Error(`no session ${sessionId}`);
      return { ...s, payment_intent: `pi_${s.id.slice(3)}`, payment_status: 'paid', status: 'complete' };
    },
    charge(session, refunded) {
      // Like Stripe's, the charge's metadata is its own: the reference comes from the payment intent.
      return { id: `ch_${session.id.slice(3)}`, object: 'charge', amount: session.amount_total, amount_refunded: refunded, currency: session.currency, metadata: {}, payment_intent: `pi_${session.id.slice(3)}`, refunded: refunded >= session.amount_total };
    },
    dispute(session, amount, reason = 'fraudulent') {
      return { id: `dp_${session.id.slice(3)}`, object: 'dispute', amount, currency: session.currency, charge: `ch_${session.id.slice(3)}`, payment_intent: `pi_${session.id.slice(3)}`, reason, status: 'needs_response', metadata: {} };
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
