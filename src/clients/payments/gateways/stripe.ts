// Stripe (https://stripe.com), through the official SDK: a top-up is a Checkout Session (Stripe's own
// payment page); it is booked only when a webhook whose signature the SDK verifies with the
// provider's endpoint secret says it was paid. Refunds and disputes arrive the same way. Every
// provider has its own Stripe account: its secret key and webhook secret are opened per call.
import type Stripe from 'stripe';
import { appError } from '../../../platform/errors.js';
import { Money } from '../../../platform/money.js';
import type { GatewayAccount, GatewayEvent, Notification, PaymentGateway, StartedPayment, StartRequest } from '../gateway.js';

export const STRIPE_SIGNATURE_HEADER = 'stripe-signature';
/** The metadata key carrying our payment reference on the session and its payment intent. */
export const REFERENCE_KEY = 'billrelay_reference';
/** Signatures older than this (seconds) are refused: a captured notification cannot be replayed later. */
export const SIGNATURE_TOLERANCE_S = 300;

export interface StripeOptions {
  /** Another API address (a local stub in tests): BILLRELAY_STRIPE_API_URL, e.g. http://127.0.0.1:12111. */
  apiUrl?: string;
  /** The time signatures are checked against (the installation's clock). */
  now?: () => Date;
}

export class StripeGateway implements PaymentGateway {
  readonly id = 'stripe';
  readonly method = 'card' as const;
  readonly perProvider = true;
  private readonly clients = new Map<string, Stripe>();

  constructor(private readonly options: StripeOptions = {}) {}

  /** The SDK is loaded on first use: processes that never take a card payment (the CLI, workers) skip it. */
  private async client(secretKey: string): Promise<Stripe> {
    let client = this.clients.get(secretKey);
    if (!client) {
      const { default: Stripe } = await import('stripe');
      const api = this.options.apiUrl ? new URL(this.options.apiUrl) : undefined;
      client = new Stripe(secretKey, {
        maxNetworkRetries: 2,
        timeout: 20_000,
        ...(api ? { host: api.hostname, port: api.port || (api.protocol === 'http:' ? 80 : 443), protocol: api.protocol.replace(':', '') as 'http' | 'https' } : {}),
      });
      this.clients.set(secretKey, client);
    }
    return client;
  }

  async startPayment(request: StartRequest, account: GatewayAccount | null): Promise<StartedPayment> {
    if (!account) throw appError('unprocessable', 'gateway.notConfigured', { id: this.id }, { field: 'gateway' });
    const metadata = { [REFERENCE_KEY]: request.reference, client_id: String(request.clientId), provider_id: String(request.providerId) };
    let session: Stripe.Checkout.Session;
    try {
      session = await (await this.client(account.secretKey)).checkout.sessions.create(
        {
          mode: 'payment',
          client_reference_id: request.reference,
          ...(request.clientEmail ? { customer_email: request.clientEmail } : {}),
          line_items: [
            {
              quantity: 1,
              price_data: {
                currency: request.amount.currency.toLowerCase(),
                unit_amount: Number(request.amount.minor),
                product_data: { name: `Balance top-up ${request.reference}` },
              },
            },
          ],
          metadata,
          // Charges, refunds and disputes point at the payment intent: it carries the reference too.
          payment_intent_data: { metadata },
          success_url: request.returnUrl,
          cancel_url: request.cancelUrl,
        },
        { idempotencyKey: `billrelay-${request.reference}` },
      );
    } catch (error) {
      throw appError('gateway_unavailable', 'gateway.failed', { id: this.id, reason: stripeReason(error) });
    }
    if (!session.url) throw appError('gateway_unavailable', 'gateway.failed', { id: this.id, reason: 'no payment page address in the answer' });
    return { gatewayPaymentId: request.reference, redirectUrl: session.url, externalId: session.id };
  }

  async parseWebhook(notification: Notification, account: GatewayAccount | null): Promise<GatewayEvent | null> {
    if (!account) throw appError('not_found', 'gateway.notConfigured', { id: this.id });
    const signature = notification.headers[STRIPE_SIGNATURE_HEADER];
    let event: Stripe.Event;
    try {
      if (typeof signature !== 'string') throw new Error('no signature');
      // Milliseconds: the SDK measures the signature's age from it.
      const now = (this.options.now?.() ?? new Date()).getTime();
      event = (await this.client(account.secretKey)).webhooks.constructEvent(notification.rawBody, signature, account.webhookSecret, SIGNATURE_TOLERANCE_S, undefined, now);
    } catch {
      throw appError('unauthorized', 'gateway.signature', {}, { field: STRIPE_SIGNATURE_HEADER });
    }
    switch (event.type) {
      case 'checkout.session.completed':
      case 'checkout.session.async_payment_succeeded': {
        const session = event.data.object;
        // A bank debit may complete the session before the money arrives: async_payment_succeeded books it then.
        if (session.payment_status !== 'paid') return null;
        const reference = session.metadata?.[REFERENCE_KEY] ?? session.client_reference_id;
        if (!reference || session.amount_total === null || !session.currency) return null;
        return { type: 'paid', transactionId: idOf(session.payment_intent) ?? session.id, reference, amount: money(session.amount_total, session.currency) };
      }
      case 'charge.refunded': {
        const charge = event.data.object;
        const reference = charge.metadata?.[REFERENCE_KEY] ?? (await this.referenceOf(account, idOf(charge.payment_intent)));
        if (!reference) return null;
        return {
          type: 'refunded',
          reference,
          paymentId: idOf(charge.payment_intent) ?? charge.id,
          amount: money(charge.amount, charge.currency),
          refundedTotal: money(charge.amount_refunded, charge.currency),
        };
      }
      case 'charge.dispute.created': {
        const dispute = event.data.object;
        const reference = await this.referenceOf(account, idOf(dispute.payment_intent));
        if (!reference) return null;
        return {
          type: 'disputed',
          reference,
          paymentId: idOf(dispute.payment_intent) ?? idOf(dispute.charge) ?? dispute.id,
          amount: money(dispute.amount, dispute.currency),
          disputeId: dispute.id,
          reason: dispute.reason,
        };
      }
      default:
        // Everything else Stripe may send to this endpoint: acknowledged, nothing to book.
        return null;
    }
  }

  /** Our reference from the payment intent's metadata (charges and disputes only point at it). */
  private async referenceOf(account: GatewayAccount, paymentIntentId: string | null): Promise<string | null> {
    if (!paymentIntentId) return null;
    try {
      const intent = await (await this.client(account.secretKey)).paymentIntents.retrieve(paymentIntentId);
      return intent.metadata?.[REFERENCE_KEY] ?? null;
    } catch (error) {
      // Stripe retries the notification when we answer 5xx.
      throw appError('gateway_unavailable', 'gateway.failed', { id: this.id, reason: stripeReason(error) });
    }
  }
}

function idOf(value: string | { id: string } | null | undefined): string | null {
  if (!value) return null;
  return typeof value === 'string' ? value : value.id;
}

/** Stripe's amounts are in the currency's smallest unit, as our minor units are. */
function money(amount: number, currency: string): Money {
  return Money.of(BigInt(amount), currency.toUpperCase());
}

/** What went wrong, without anything secret (Stripe's messages never contain the key; the raw error may). */
function stripeReason(error: unknown): string {
  const stripeError = error as { type?: unknown; code?: unknown; message?: unknown };
  if (error instanceof Error && typeof stripeError.type === 'string' && stripeError.type.startsWith('Stripe')) {
    return `${stripeError.type}${typeof stripeError.code === 'string' ? ` ${stripeError.code}` : ''}: ${error.message}`.slice(0, 300);
  }
  return error instanceof Error ? error.message.slice(0, 300) : 'unknown error';
}
