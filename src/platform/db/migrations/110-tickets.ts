import type { Kysely } from 'kysely';
import { columnTypes, type DialectKind } from '../dialect.js';

/**
 * The support center: tickets a client opens to a department offered to their provider, the messages
 * of each (clients never see internal notes), and attached files (stored under <dataDir>/attachments,
 * the row keeps the name, type, size and sha256). An upload belongs to its uploader until a message
 * binds it (ticket_id and message_id set). A department's answer times: working hours until the first
 * answer and until an answer to a client's later reply are due.
 */
export async function up(db: Kysely<unknown>, dialect: DialectKind): Promise<void> {
  const t = columnTypes(dialect);
  await db.schema.alterTable('departments').addColumn('first_answer_hours', 'integer', (c) => c.notNull().defaultTo(4)).execute();
  await db.schema.alterTable('departments').addColumn('next_answer_hours', 'integer', (c) => c.notNull().defaultTo(8)).execute();

  await db.schema
    .createTable('tickets')
    .addColumn('id', t.id, t.idConstraints)
    .addColumn('client_id', t.ref, (c) => c.notNull().references('clients.id'))
    .addColumn('provider_id', t.ref, (c) => c.notNull().references('providers.id'))
    .addColumn('department_id', t.ref, (c) => c.notNull().references('departments.id'))
    .addColumn('license_id', t.ref, (c) => c.references('licenses.id'))
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('performer_id', t.ref, (c) => c.references('employees.id'))
    .addColumn('due_at', t.timestamp)
    .addColumn('overdue_notified_at', t.timestamp)
    .addColumn('last_message_at', t.timestamp, (c) => c.notNull())
    .addColumn('last_message_by', 'text', (c) => c.notNull())
    .addColumn('closed_at', t.timestamp)
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('tickets_client').on('tickets').columns(['client_id', 'last_message_at']).execute();
  await db.schema.createIndex('tickets_department').on('tickets').columns(['department_id', 'status', 'last_message_at']).execute();
  await db.schema.createIndex('tickets_due').on('tickets').columns(['status', 'due_at']).execute();
  await db.schema.createIndex('tickets_performer').on('tickets').columns(['performer_id']).execute();

  await db.schema
    .createTable('ticket_messages')
    .addColumn('id', t.id, t.idConstraints)
    .addColumn('ticket_id', t.ref, (c) => c.notNull().references('tickets.id').onDelete('cascade'))
    .addColumn('author_kind', 'text', (c) => c.notNull())
    .addColumn('author_id', t.ref, (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('internal', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('ticket_messages_ticket').on('ticket_messages').columns(['ticket_id', 'id']).execute();

  await db.schema
    .createTable('ticket_attachments')
    .addColumn('id', t.id, t.idConstraints)
    .addColumn('ticket_id', t.ref, (c) => c.references('tickets.id').onDelete('cascade'))
    .addColumn('message_id', t.ref, (c) => c.references('ticket_messages.id').onDelete('cascade'))
    .addColumn('uploader_kind', 'text', (c) => c.notNull())
    .addColumn('uploader_id', t.ref, (c) => c.notNull())
    .addColumn('file_name', 'text', (c) => c.notNull())
    .addColumn('content_type', 'text', (c) => c.notNull())
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('storage_key', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('ticket_attachments_message').on('ticket_attachments').columns(['message_id']).execute();
  await db.schema.createIndex('ticket_attachments_unbound').on('ticket_attachments').columns(['ticket_id', 'created_at']).execute();
}
