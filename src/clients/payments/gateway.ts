// Payment gateways: one method to start a payment, one to read a gateway's notification. The ledger
// knows nothing of gateways; PaymentService turns what a notification says (paid, refunded, disputed)
// into ledger entries whose references are built from the gateway's ids, so a repeated notification
// is applied once. A gateway is a file of its own in gateways/ (manual.ts, stripe.ts).
import type { Money } from '../../platform/money.js';

export interface StartedPayment {
  gatewayPaymentId: string;
  /** Where to send the client, for gateways with a payment page. */
  redirectUrl?: string;
  /** What the client must do, for gateways without one. */
  instructions?: string;
  /** The gateway's own id of the payment page (e.g. a Stripe Checkout Session), kept with the payment. */
  externalId?: string;
}

/** A provider's own account at a gateway: the secrets opened for this one call, never stored in the clear. */
export interface GatewayAccount {
  providerId: number;
  secretKey: string;
  webhookSecret: string;
}

export interface StartRequest {
  clientId: number;
  providerId: number;
  amount: Money;
  /** Our reference of this payment (unique): the gateway must carry it back in its notifications. */
  reference: string;
  /** Where the gateway's page sends the client back (success and cancel). */
  returnUrl: string;
  cancelUrl: string;
  clientEmail?: string;
}

export interface Notification {
  headers: Record<string, string | string[] | undefined>;
  rawBody: string;
}

/** What a verified notification says, in the gateway's words translated to ours. */
export type GatewayEvent =
  /** Money arrived. `reference` is ours (per-provider gateways); `clientId` for gateways that name the client themselves. */
  | { type: 'paid'; transactionId: string; reference?: string; clientId?: number; amount: Money }
  /** The payment was refunded; `refundedTotal` is everything refunded of it so far (notifications may repeat or cross). */
  | { type: 'refunded'; reference: string; paymentId: string; amount: Money; refundedTotal: Money }
  /** The payer disputed the payment (a chargeback): the money is withdrawn until the dispute is decided. */
  | { type: 'disputed'; reference: string; paymentId: string; amount: Money; disputeId: string; reason: string };

export interface PaymentGateway {
  readonly id: string;
  /** How the client pays through it (shown to the client; the ledger entry's method). */
  readonly method: 'bank_transfer' | 'card';
  /** true: each provider sets its own account (keys) and enables it; false: one for the installation. */
  readonly perProvider: boolean;
  startPayment(request: StartRequest, account: GatewayAccount | null): Promise<StartedPayment>;
  /** Verifies a notification (4xx when it is not genuine); null when there is nothing to book. */
  parseWebhook(notification: Notification, account: GatewayAccount | null): Promise<GatewayEvent | null>;
}

// The manual gateway's signing helpers, where callers have always found them.
export { ManualGateway, SIGNATURE_HEADER, signWebhook } from './gateways/manual.js';
