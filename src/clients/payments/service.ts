// Top-ups through payment gateways. The manual gateway is the installation's own; the others (Stripe)
// are each provider's account, with keys sealed like upstream passwords and never shown again. A
// gateway's verified notification becomes ledger entries whose references are built from our payment
// reference, so a repeated or late notification is booked once; refunds and disputes take the money
// back (a reversal) and give the provider's department a task.
import { randomBytes } from 'node:crypto';
import type { Actor } from '../../platform/actor.js';
import { systemActor } from '../../platform/actor.js';
import type { AuditService } from '../../platform/audit/service.js';
import type { Clock } from '../../platform/clock.js';
import type { SecretBox } from '../../platform/crypto/secrets.js';
import type { Db, Executor } from '../../platform/db/db.js';
import { isUniqueViolation } from '../../platform/db/dialect.js';
import { appError, notFound } from '../../platform/errors.js';
import { Money, parseAmount } from '../../platform/money.js';
import type { TaskSink } from '../../tools/operations/task-sink.js';
import type { ProviderService } from '../../provider/providers/service.js';
import type { ClientService } from '../clients/service.js';
import type { LedgerService, Posted } from '../ledger/service.js';
import type { GatewayAccount, GatewayEvent, Notification, PaymentGateway, StartedPayment } from './gateway.js';
import { PaymentRepository, type GatewayPaymentRow, type ProviderGatewayRow } from './repository.js';
import type { ClientGatewayView, GatewayPaymentView, ProviderGatewayInput, ProviderGatewayView } from './schemas.js';

export const GATEWAY_TITLES: Record<string, string> = { manual: 'Bank transfer', stripe: 'Stripe' };

export class PaymentService {
  private readonly gateways = new Map<string, PaymentGateway>();
  private readonly repo = new PaymentRepository();

  constructor(
    private readonly db: Db,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly secrets: SecretBox,
    private readonly ledger: LedgerService,
    private readonly clients: ClientService,
    private readonly providers: ProviderService,
    private readonly tasks: TaskSink,
  ) {}

  register(gateway: PaymentGateway): void {
    this.gateways.set(gateway.id, gateway);
  }

  gatewayIds(): string[] {
    return [...this.gateways.keys()];
  }

  /** The gateways providers set up themselves (Stripe…), for the settings page. */
  providerGatewayIds(): string[] {
    return [...this.gateways.values()].filter((g) => g.perProvider).map((g) => g.id);
  }

  // ---- What a client may pay with -------------------------------------------------------------

  /** The installation's gateways and those its provider has enabled (with keys). */
  async gatewaysFor(clientId: number, actor: Actor): Promise<ClientGatewayView[]> {
    const client = await this.clients.get(clientId, actor);
    const enabled = new Set((await this.repo.providerGateways(this.db.kysely, client.providerId)).filter(usable).map((r) => r.gateway));
    return [...this.gateways.values()].filter((g) => !g.perProvider || enabled.has(g.id)).map((g) => ({ id: g.id, method: g.method, title: GATEWAY_TITLES[g.id] ?? g.id }));
  }

  async start(
    gatewayId: string,
    clientId: number,
    amountText: string,
    actor: Actor,
    origin: string,
  ): Promise<StartedPayment & { gateway: string; amount: string; currency: string }> {
    const client = await this.clients.get(clientId, actor);
    const amount = parseAmount(amountText, client.currency);
    if (amount.minor <= 0n) throw appError('validation', 'value.amountPositive', {}, { field: 'amount' });
    const gateway = this.gateway(gatewayId);
    const reference = `P${clientId}-${randomBytes(4).toString('hex').toUpperCase()}`;
    let account: GatewayAccount | null = null;
    if (gateway.perProvider) {
      account = await this.account(this.db.kysely, client.providerId, gatewayId);
      if (!account) throw appError('unprocessable', 'gateway.notConfigured', { id: gatewayId }, { field: 'gateway' });
      // Recorded before the gateway hears of it: its notification may arrive before its answer.
      const now = this.clock.now().toISOString();
      await this.repo.insertPayment(this.db.kysely, {
        reference, gateway: gatewayId, providerId: client.providerId, clientId, amountMinor: amount.minor, currency: amount.currency,
        externalId: null, status: 'pending', createdAt: now, updatedAt: now,
      });
    }
    const back = `${origin.replace(/\/+$/, '')}/billmgr/balance?payment=${encodeURIComponent(reference)}`;
    const started = await gateway.startPayment(
      { clientId, providerId: client.providerId, amount, reference, returnUrl: back, cancelUrl: `${back}&cancelled=1`, clientEmail: client.email },
      account,
    );
    if (started.externalId) await this.repo.setExternalId(this.db.kysely, reference, started.externalId, this.clock.now().toISOString());
    const { externalId: _external, ...shown } = started;
    return { ...shown, gateway: gatewayId, amount: amount.toString(), currency: amount.currency };
  }

  /** Where a payment started through a provider's gateway stands: the page the client comes back to asks. */
  async payment(clientId: number, reference: string, actor: Actor): Promise<GatewayPaymentView> {
    await this.clients.get(clientId, actor);
    const row = await this.repo.payment(this.db.kysely, reference);
    if (!row || Number(row.clientId) !== clientId) throw appError('not_found', 'gateway.paymentUnknown', { reference }, { field: 'reference' });
    return paymentView(row);
  }

  // ---- Notifications ------------------------------------------------------------------------------

  /**
   * A gateway's notification: verified by the gateway, then booked once. `providerId` names whose
   * account it is for gateways set per provider (its webhook secret verifies it).
   */
  async handleWebhook(gatewayId: string, providerId: number | null, headers: Notification['headers'], rawBody: string): Promise<Posted | null> {
    const gateway = this.gateway(gatewayId);
    let account: GatewayAccount | null = null;
    if (gateway.perProvider) {
      if (providerId === null) throw appError('not_found', 'gateway.notConfigured', { id: gatewayId });
      account = await this.account(this.db.kysely, providerId, gatewayId);
      if (!account) throw appError('not_found', 'gateway.notConfigured', { id: gatewayId });
    }
    const event = await gateway.parseWebhook({ headers, rawBody }, account);
    if (!event) return null;
    if (!gateway.perProvider) {
      if (event.type !== 'paid' || event.clientId === undefined) return null;
      return this.ledger.post(
        { clientId: event.clientId, kind: 'payment', amount: event.amount, reference: `gateway:${gatewayId}:${event.transactionId}`, method: gatewayId },
        systemActor(`payment gateway ${gatewayId}`),
      );
    }
    return this.retrying(() => this.db.transaction((trx) => this.apply(trx, gateway, providerId!, event)));
  }

  private async apply(trx: Executor, gateway: PaymentGateway, providerId: number, event: GatewayEvent): Promise<Posted | null> {
    const reference = event.reference;
    const payment = reference ? await this.repo.payment(trx, reference) : undefined;
    // Not a payment started here (another system sharing the account): acknowledged, nothing booked.
    if (!payment || payment.gateway !== gateway.id || Number(payment.providerId) !== providerId) return null;
    const actor = systemActor(`payment gateway ${gateway.id}`);
    if (event.type === 'paid') return this.bookPayment(trx, gateway, payment, event.amount, event.transactionId, actor);

    // A refund or dispute may arrive before the payment's own notification: it proves the payment, so
    // the payment is booked first (its own notification then finds it booked).
    await this.bookPayment(trx, gateway, payment, event.amount, event.paymentId, actor);
    const title = GATEWAY_TITLES[gateway.id] ?? gateway.id;
    if (event.type === 'refunded') {
      const before = BigInt(payment.refundedMinor);
      const total = event.refundedTotal.minor;
      // An older notification (a smaller total) after a newer one: already booked.
      if (total <= before) return null;
      if (!(await this.repo.advanceRefunded(trx, payment.reference, before, total, this.clock.now().toISOString()))) throw new RaceLost();
      const amount = Money.of(total - before, event.refundedTotal.currency);
      const posted = await this.ledger.postIn(trx, {
        clientId: Number(payment.clientId), kind: 'reversal', amount, reference: refundReference(gateway.id, payment.reference, total), method: gateway.method,
        comment: `Refunded through ${title} (payment ${event.paymentId})`,
      }, actor);
      if (posted.created) {
        await this.openTask(trx, payment, `payment:refund:${payment.reference}:${total}`, {
          message: 'payment.refunded', gateway: title, refunded: Money.of(total, amount.currency).toString(), amount: amount.toString(), currency: amount.currency, balance: posted.entry.balanceAfter,
        });
      }
      return posted;
    }
    const posted = await this.ledger.postIn(trx, {
      clientId: Number(payment.clientId), kind: 'reversal', amount: event.amount, reference: `gateway:${gateway.id}:${payment.reference}:dispute:${event.disputeId}`, method: gateway.method,
      comment: `Disputed through ${title} (${event.reason}, dispute ${event.disputeId})`,
    }, actor);
    if (posted.created) {
      await this.openTask(trx, payment, `payment:dispute:${event.disputeId}`, {
        message: 'payment.disputed', gateway: title, reason: event.reason, disputeId: event.disputeId, amount: event.amount.toString(), currency: event.amount.currency, balance: posted.entry.balanceAfter,
      });
    }
    return posted;
  }

  private async bookPayment(trx: Executor, gateway: PaymentGateway, payment: GatewayPaymentRow, amount: Money, transactionId: string, actor: Actor): Promise<Posted> {
    const posted = await this.ledger.postIn(trx, {
      clientId: Number(payment.clientId), kind: 'payment', amount, reference: `gateway:${gateway.id}:${payment.reference}`, method: gateway.method,
      comment: `${GATEWAY_TITLES[gateway.id] ?? gateway.id} ${transactionId}`,
    }, actor);
    if (payment.status !== 'paid') await this.repo.markPaid(trx, payment.reference, this.clock.now().toISOString());
    return posted;
  }

  private async openTask(trx: Executor, payment: GatewayPaymentRow, causeKey: string, params: Record<string, string>): Promise<void> {
    const client = await this.repo.client(trx, Number(payment.clientId));
    await this.tasks.openForCause(trx, {
      type: 'payment',
      causeKey,
      departmentId: await this.repo.departmentOfProvider(trx, Number(payment.providerId)),
      params: { ...params, reference: payment.reference, clientId: Number(payment.clientId), clientName: client?.name ?? null },
    });
  }

  /** Two notifications of one payment at once: the loser of the race (a unique reference, a moved total) tries again and finds it booked. */
  private async retrying<T>(work: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await work();
      } catch (error) {
        if (attempt >= 3 || !(error instanceof RaceLost || isUniqueViolation(error))) throw error;
      }
    }
  }

  // ---- Staff: a provider's gateway accounts ----------------------------------------------------------

  async providerGateways(providerId: number): Promise<ProviderGatewayView[]> {
    await this.providers.get(providerId);
    const rows = await this.repo.providerGateways(this.db.kysely, providerId);
    return this.providerGatewayIds().map((id) => providerGatewayView(providerId, id, rows.find((r) => r.gateway === id)));
  }

  async setProviderGateway(providerId: number, gatewayId: string, input: ProviderGatewayInput, actor: Actor): Promise<ProviderGatewayView> {
    await this.providers.get(providerId);
    if (!this.providerGatewayIds().includes(gatewayId)) {
      throw appError('not_found', 'gateway.unknown', { id: gatewayId, available: this.providerGatewayIds().join(', ') }, { field: 'gateway' });
    }
    return this.db.transaction(async (trx) => {
      const existing = await this.repo.providerGateway(trx, providerId, gatewayId);
      const now = this.clock.now().toISOString();
      const row: ProviderGatewayRow = {
        providerId,
        gateway: gatewayId,
        enabled: (input.enabled ?? Boolean(existing?.enabled)) ? 1 : 0,
        secretKeySealed: input.secretKey ? this.secrets.seal(input.secretKey) : (existing?.secretKeySealed ?? null),
        secretKeyHint: input.secretKey ? input.secretKey.slice(-4) : (existing?.secretKeyHint ?? null),
        webhookSecretSealed: input.webhookSecret ? this.secrets.seal(input.webhookSecret) : (existing?.webhookSecretSealed ?? null),
        createdAt: existing?.createdAt ?? now,
        updatedAt: now,
      };
      if (row.enabled && (!row.secretKeySealed || !row.webhookSecretSealed)) {
        throw appError('validation', 'gateway.keysRequired', {}, { field: row.secretKeySealed ? 'webhookSecret' : 'secretKey' });
      }
      await this.repo.upsertProviderGateway(trx, row);
      const before = existing ? providerGatewayView(providerId, gatewayId, existing) : null;
      const after = providerGatewayView(providerId, gatewayId, row);
      // The audit names what changed (a new key, its hint), never a secret.
      await this.audit.record(trx, actor, 'provider.paymentGateway', 'provider', providerId, before, {
        ...after, secretKeyChanged: Boolean(input.secretKey), webhookSecretChanged: Boolean(input.webhookSecret),
      });
      return after;
    });
  }

  /** Re-seals every gateway secret with the box's first key (`billrelay secrets rotate`). */
  async resealSecrets(box: SecretBox): Promise<number> {
    return this.db.transaction(async (trx) => {
      let count = 0;
      for (const row of await this.repo.allSealed(trx)) {
        const reseal = (sealed: string | null) => (sealed ? box.seal(box.open(sealed)) : null);
        await this.repo.reseal(trx, Number(row.providerId), row.gateway, { secretKeySealed: reseal(row.secretKeySealed), webhookSecretSealed: reseal(row.webhookSecretSealed) });
        count += (row.secretKeySealed ? 1 : 0) + (row.webhookSecretSealed ? 1 : 0);
      }
      return count;
    });
  }

  private async account(db: Executor, providerId: number, gatewayId: string): Promise<GatewayAccount | null> {
    const row = await this.repo.providerGateway(db, providerId, gatewayId);
    if (!row || !usable(row)) return null;
    return { providerId, secretKey: this.secrets.open(row.secretKeySealed!), webhookSecret: this.secrets.open(row.webhookSecretSealed!) };
  }

  private gateway(id: string): PaymentGateway {
    const gateway = this.gateways.get(id);
    if (!gateway) throw appError('not_found', 'gateway.unknown', { id, available: this.gatewayIds().join(', ') }, { field: 'gateway' });
    return gateway;
  }
}

class RaceLost extends Error {}

function usable(row: ProviderGatewayRow): boolean {
  return Boolean(row.enabled) && row.secretKeySealed !== null && row.webhookSecretSealed !== null;
}

function refundReference(gatewayId: string, reference: string, totalMinor: bigint): string {
  return `gateway:${gatewayId}:${reference}:refund:${totalMinor}`;
}

function providerGatewayView(providerId: number, gateway: string, row: Pick<ProviderGatewayRow, 'enabled' | 'secretKeySealed' | 'secretKeyHint' | 'webhookSecretSealed' | 'updatedAt'> | undefined): ProviderGatewayView {
  return {
    gateway,
    title: GATEWAY_TITLES[gateway] ?? gateway,
    enabled: Boolean(row?.enabled),
    secretKeySet: Boolean(row?.secretKeySealed),
    secretKeyHint: row?.secretKeySealed ? row.secretKeyHint : null,
    webhookSecretSet: Boolean(row?.webhookSecretSealed),
    webhookPath: `/api/v1/payments/webhooks/${gateway}/${providerId}`,
    updatedAt: row?.updatedAt ?? null,
  };
}

function paymentView(row: GatewayPaymentRow): GatewayPaymentView {
  return {
    reference: row.reference,
    gateway: row.gateway,
    status: row.status === 'paid' ? 'paid' : 'pending',
    amount: Money.of(BigInt(row.amountMinor), row.currency).toString(),
    currency: row.currency,
    createdAt: row.createdAt,
  };
}
