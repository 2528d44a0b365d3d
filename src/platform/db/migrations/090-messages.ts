import type { Kysely } from 'kysely';
import { columnTypes, type DialectKind } from '../dialect.js';

/**
 * The e-mail outbox: each message is written in the transaction of the event that causes it and sent
 * later by the worker. The idempotency key (event and recipient) is unique, so an event seen twice
 * writes one message. Status: pending → sending (claimed under a lease, in its own commit before the
 * SMTP call) → sent, or failed (given up, or a send whose outcome is unknown) for a person to look at.
 */
export async function up(db: Kysely<unknown>, dialect: DialectKind): Promise<void> {
  const t = columnTypes(dialect);
  await db.schema
    .createTable('messages')
    .addColumn('id', t.id, t.idConstraints)
    .addColumn('idempotency_key', 'text', (c) => c.notNull().unique())
    .addColumn('event', 'text', (c) => c.notNull())
    .addColumn('recipient_address', 'text', (c) => c.notNull())
    .addColumn('recipient_name', 'text')
    .addColumn('locale', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('text_body', 'text', (c) => c.notNull())
    .addColumn('html_body', 'text', (c) => c.notNull())
    .addColumn('provider_id', t.ref, (c) => c.references('providers.id').onDelete('set null'))
    .addColumn('client_id', t.ref, (c) => c.references('clients.id').onDelete('set null'))
    .addColumn('employee_id', t.ref, (c) => c.references('employees.id').onDelete('set null'))
    .addColumn('entity_type', 'text')
    .addColumn('entity_id', t.ref)
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', t.timestamp, (c) => c.notNull())
    .addColumn('lease_owner', 'text')
    .addColumn('lease_expires_at', t.timestamp)
    .addColumn('last_error', 'text')
    .addColumn('sent_at', t.timestamp)
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('messages_due').on('messages').columns(['status', 'next_attempt_at']).execute();
  await db.schema.createIndex('messages_recipient').on('messages').columns(['recipient_address', 'id']).execute();
  await db.schema.createIndex('messages_client').on('messages').columns(['client_id', 'id']).execute();
}
