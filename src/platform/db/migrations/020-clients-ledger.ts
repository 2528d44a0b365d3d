import { sql, type Kysely } from 'kysely';
import { columnTypes, type DialectKind } from '../dialect.js';

export async function up(db: Kysely<unknown>, dialect: DialectKind): Promise<void> {
  const t = columnTypes(dialect);
  await db.schema
    .createTable('clients')
    .addColumn('id', t.id, t.idConstraints)
    .addColumn('provider_id', t.ref, (c) => c.notNull().references('providers.id'))
    .addColumn('email', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('language', 'text', (c) => c.notNull())
    .addColumn('country', 'text')
    .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('currency', 'text', (c) => c.notNull())
    // The running total of the client's ledger, kept in the same transaction as each entry.
    .addColumn('balance_minor', t.money, (c) => c.notNull().defaultTo(0))
    .addColumn('credit_limit_minor', t.money, (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('clients_provider').on('clients').column('provider_id').execute();

  await db.schema
    .createTable('ledger_entries')
    .addColumn('id', t.id, t.idConstraints)
    .addColumn('client_id', t.ref, (c) => c.notNull().references('clients.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('amount_minor', t.money, (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('balance_after_minor', t.money, (c) => c.notNull())
    // One entry per reference, ever: a retried payment or charge is applied once.
    .addColumn('reference', 'text', (c) => c.notNull().unique())
    .addColumn('method', 'text')
    .addColumn('comment', 'text')
    .addColumn('actor_kind', 'text', (c) => c.notNull())
    .addColumn('actor_id', t.ref)
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('ledger_entries_client').on('ledger_entries').columns(['client_id', 'id']).execute();

  // Append-only, enforced by the database itself and not just by the code.
  if (dialect === 'postgres') {
    await sql`create function ledger_entries_append_only() returns trigger language plpgsql as $$
      begin raise exception 'ledger entries are append-only'; end $$`.execute(db);
    await sql`create trigger ledger_entries_no_update before update or delete on ledger_entries
      for each row execute function ledger_entries_append_only()`.execute(db);
    await sql`create trigger ledger_entries_no_truncate before truncate on ledger_entries
      for each statement execute function ledger_entries_append_only()`.execute(db);
  } else {
    await sql`create trigger ledger_entries_no_update before update on ledger_entries
      begin select raise(abort, 'ledger entries are append-only'); end`.execute(db);
    await sql`create trigger ledger_entries_no_delete before delete on ledger_entries
      begin select raise(abort, 'ledger entries are append-only'); end`.execute(db);
  }

  await db.schema
    .createTable('idempotency_keys')
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('request_hash', 'text', (c) => c.notNull())
    .addColumn('status_code', 'integer')
    .addColumn('response_body', 'text')
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addPrimaryKeyConstraint('idempotency_keys_pk', ['scope', 'key'])
    .execute();
}
