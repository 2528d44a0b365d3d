import type { Selectable } from 'kysely';
import type { Executor } from '../../platform/db/db.js';
import type { GatewayPaymentTable, ProviderPaymentGatewayTable } from '../../platform/db/schema.js';

export type ProviderGatewayRow = Selectable<ProviderPaymentGatewayTable>;
export type GatewayPaymentRow = Selectable<GatewayPaymentTable>;

export class PaymentRepository {
  providerGateways(db: Executor, providerId: number): Promise<ProviderGatewayRow[]> {
    return db.selectFrom('providerPaymentGateways').selectAll().where('providerId', '=', providerId).orderBy('gateway').execute();
  }

  providerGateway(db: Executor, providerId: number, gateway: string): Promise<ProviderGatewayRow | undefined> {
    return db.selectFrom('providerPaymentGateways').selectAll().where('providerId', '=', providerId).where('gateway', '=', gateway).executeTakeFirst();
  }

  async upsertProviderGateway(db: Executor, row: ProviderGatewayRow): Promise<void> {
    const { providerId, gateway, createdAt: _created, ...rest } = row;
    const updated = await db.updateTable('providerPaymentGateways').set(rest).where('providerId', '=', providerId).where('gateway', '=', gateway).executeTakeFirst();
    if (Number(updated.numUpdatedRows) === 0) await db.insertInto('providerPaymentGateways').values(row).execute();
  }

  /** Every sealed secret, for re-encryption with a new key. */
  allSealed(db: Executor): Promise<Array<Pick<ProviderGatewayRow, 'providerId' | 'gateway' | 'secretKeySealed' | 'webhookSecretSealed'>>> {
    return db.selectFrom('providerPaymentGateways').select(['providerId', 'gateway', 'secretKeySealed', 'webhookSecretSealed']).execute();
  }

  async reseal(db: Executor, providerId: number, gateway: string, sealed: { secretKeySealed: string | null; webhookSecretSealed: string | null }): Promise<void> {
    await db.updateTable('providerPaymentGateways').set(sealed).where('providerId', '=', providerId).where('gateway', '=', gateway).execute();
  }

  async insertPayment(db: Executor, row: Omit<GatewayPaymentRow, 'id' | 'refundedMinor'>): Promise<void> {
    await db.insertInto('gatewayPayments').values(row).execute();
  }

  async setExternalId(db: Executor, reference: string, externalId: string, now: string): Promise<void> {
    await db.updateTable('gatewayPayments').set({ externalId, updatedAt: now }).where('reference', '=', reference).execute();
  }

  payment(db: Executor, reference: string): Promise<GatewayPaymentRow | undefined> {
    return db.selectFrom('gatewayPayments').selectAll().where('reference', '=', reference).executeTakeFirst();
  }

  async markPaid(db: Executor, reference: string, now: string): Promise<void> {
    await db.updateTable('gatewayPayments').set({ status: 'paid', updatedAt: now }).where('reference', '=', reference).execute();
  }

  /**
   * Moves the refunded total from `from` to `to` only if nobody moved it meanwhile (a crossing
   * notification): true when this caller did, and so books the difference.
   */
  async advanceRefunded(db: Executor, reference: string, from: bigint, to: bigint, now: string): Promise<boolean> {
    const result = await db
      .updateTable('gatewayPayments')
      .set({ refundedMinor: to, updatedAt: now })
      .where('reference', '=', reference)
      .where('refundedMinor', '=', from)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** The department that serves the client's provider (the first one), for tasks about its payments. */
  async departmentOfProvider(db: Executor, providerId: number): Promise<number | null> {
    const row = await db.selectFrom('departmentProviders').select('departmentId').where('providerId', '=', providerId).orderBy('departmentId').executeTakeFirst();
    return row ? Number(row.departmentId) : null;
  }

  client(db: Executor, clientId: number) {
    return db.selectFrom('clients').select(['id', 'name']).where('id', '=', clientId).executeTakeFirst();
  }
}
