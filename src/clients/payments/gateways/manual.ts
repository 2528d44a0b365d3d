// Bank transfers and cash: the client gets a payment reference; whoever sees the money arrive (a
// bank-statement import, an accountant's tool) confirms it with a notification signed by the
// installation's webhook key.
import { createHmac, randomBytes } from 'node:crypto';
import { safeEqual } from '../../../platform/crypto/tokens.js';
import { appError } from '../../../platform/errors.js';
import { rejectNul } from '../../../platform/http/nul.js';
import { Money } from '../../../platform/money.js';
import { Amount } from '../../ledger/schemas.js';
import type { GatewayEvent, Notification, PaymentGateway, StartedPayment, StartRequest } from '../gateway.js';

export const SIGNATURE_HEADER = 'x-billrelay-signature';

export function signWebhook(secret: Buffer, rawBody: string): string {
  return createHmac('sha256', secret).update(rawBody).digest('hex');
}

export class ManualGateway implements PaymentGateway {
  readonly id = 'manual';
  readonly method = 'bank_transfer' as const;
  readonly perProvider = false;

  constructor(private readonly secret: Buffer) {}

  async startPayment(request: StartRequest): Promise<StartedPayment> {
    const gatewayPaymentId = `P${request.clientId}-${randomBytes(4).toString('hex').toUpperCase()}`;
    return {
      gatewayPaymentId,
      instructions: `Transfer ${request.amount.toString()} ${request.amount.currency} and quote the payment reference ${gatewayPaymentId}.`,
    };
  }

  async parseWebhook(notification: Notification): Promise<GatewayEvent | null> {
    const signature = notification.headers[SIGNATURE_HEADER];
    if (typeof signature !== 'string' || !safeEqual(signature, signWebhook(this.secret, notification.rawBody))) {
      throw appError('unauthorized', 'gateway.signature', {}, { field: SIGNATURE_HEADER });
    }
    let body: { transactionId?: unknown; clientId?: unknown; amount?: unknown; currency?: unknown; status?: unknown };
    try {
      body = JSON.parse(notification.rawBody);
    } catch {
      throw appError('validation', 'gateway.notJson');
    }
    rejectNul(body, 'body');
    if (body.status !== undefined && body.status !== 'paid') return null;
    if (typeof body.transactionId !== 'string' || !body.transactionId || body.transactionId.length > 200) {
      throw appError('validation', 'gateway.transactionId', {}, { field: 'transactionId' });
    }
    if (typeof body.clientId !== 'number' || !Number.isSafeInteger(body.clientId) || body.clientId < 1) {
      throw appError('validation', 'gateway.clientId', {}, { field: 'clientId' });
    }
    if (typeof body.amount !== 'string' || typeof body.currency !== 'string') {
      throw appError('validation', 'gateway.amount', {}, { field: 'amount' });
    }
    // The same limits as a payment recorded through the REST API.
    const limited = Amount.safeParse(body.amount);
    if (!limited.success) throw appError('validation', 'value.money', { field: 'amount', reason: limited.error.issues[0]?.message ?? 'is invalid' }, { field: 'amount' });
    let amount: Money;
    try {
      amount = Money.parse(body.amount, body.currency);
    } catch (error) {
      throw appError('validation', 'value.money', { field: 'amount', reason: (error as Error).message }, { field: 'amount' });
    }
    return { type: 'paid', transactionId: body.transactionId, clientId: body.clientId, amount };
  }
}
