import type { Actor } from '../../platform/actor.js';
import { systemActor } from '../../platform/actor.js';
import { appError } from '../../platform/errors.js';
import { parseAmount } from '../../platform/money.js';
import type { ClientService } from '../clients/service.js';
import type { LedgerService, Posted } from '../ledger/service.js';
import type { PaymentGateway, StartedPayment } from './gateway.js';

export class PaymentService {
  private readonly gateways = new Map<string, PaymentGateway>();

  constructor(
    private readonly ledger: LedgerService,
    private readonly clients: ClientService,
  ) {}

  register(gateway: PaymentGateway): void {
    this.gateways.set(gateway.id, gateway);
  }

  gatewayIds(): string[] {
    return [...this.gateways.keys()];
  }

  async start(gatewayId: string, clientId: number, amountText: string, actor: Actor): Promise<StartedPayment & { gateway: string; amount: string; currency: string }> {
    const client = await this.clients.get(clientId, actor);
    const amount = parseAmount(amountText, client.currency);
    if (amount.minor <= 0n) throw appError('validation', 'value.amountPositive', {}, { field: 'amount' });
    const started = await this.gateway(gatewayId).startPayment({ clientId, amount });
    return { ...started, gateway: gatewayId, amount: amount.toString(), currency: amount.currency };
  }

  /** Idempotent on the gateway's transaction id: the ledger reference is built from it. */
  async handleWebhook(gatewayId: string, headers: Record<string, string | string[] | undefined>, rawBody: string): Promise<Posted | null> {
    const confirmed = await this.gateway(gatewayId).parseWebhook({ headers, rawBody });
    if (!confirmed) return null;
    return this.ledger.post(
      {
        clientId: confirmed.clientId,
        kind: 'payment',
        amount: confirmed.amount,
        reference: `gateway:${gatewayId}:${confirmed.transactionId}`,
        method: gatewayId,
      },
      systemActor(`payment gateway ${gatewayId}`),
    );
  }

  private gateway(id: string): PaymentGateway {
    const gateway = this.gateways.get(id);
    if (!gateway) throw appError('not_found', 'gateway.unknown', { id, available: this.gatewayIds().join(', ') }, { field: 'gateway' });
    return gateway;
  }
}
