import type { Kysely } from 'kysely';
import { columnTypes, type DialectKind } from '../dialect.js';

/**
 * Card payments: each provider's own gateway accounts (keys sealed like upstream passwords) and the
 * top-ups started through them, so a gateway's notification finds its client, amount and what was
 * already refunded, whatever order the notifications come in.
 */
export async function up(db: Kysely<unknown>, dialect: DialectKind): Promise<void> {
  const t = columnTypes(dialect);
  await db.schema
    .createTable('provider_payment_gateways')
    .addColumn('provider_id', t.ref, (c) => c.notNull().references('providers.id').onDelete('cascade'))
    .addColumn('gateway', 'text', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(0))
    // SecretBox.seal output; never sent back, only whether it is set and its last characters.
    .addColumn('secret_key_sealed', 'text')
    .addColumn('secret_key_hint', 'text')
    .addColumn('webhook_secret_sealed', 'text')
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .addPrimaryKeyConstraint('provider_payment_gateways_pk', ['provider_id', 'gateway'])
    .execute();

  await db.schema
    .createTable('gateway_payments')
    .addColumn('id', t.id, t.idConstraints)
    // Our payment reference, in the gateway's metadata; the ledger entry's reference is built from it.
    .addColumn('reference', 'text', (c) => c.notNull().unique())
    .addColumn('gateway', 'text', (c) => c.notNull())
    .addColumn('provider_id', t.ref, (c) => c.notNull().references('providers.id'))
    .addColumn('client_id', t.ref, (c) => c.notNull().references('clients.id'))
    .addColumn('amount_minor', t.money, (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    // The gateway's own id of the payment page (a Checkout Session), when it has one.
    .addColumn('external_id', 'text')
    // pending | paid
    .addColumn('status', 'text', (c) => c.notNull())
    // What the gateway reported refunded so far (cumulative): each refund notification books the difference once.
    .addColumn('refunded_minor', t.money, (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('gateway_payments_client').on('gateway_payments').columns(['client_id', 'id']).execute();
}
