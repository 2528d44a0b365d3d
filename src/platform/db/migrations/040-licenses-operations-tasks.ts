import { sql, type Kysely } from 'kysely';
import { columnTypes, type DialectKind } from '../dialect.js';

export async function up(db: Kysely<unknown>, dialect: DialectKind): Promise<void> {
  const t = columnTypes(dialect);

  await db.schema
    .createTable('licenses')
    .addColumn('id', t.id, t.idConstraints)
    .addColumn('client_id', t.ref, (c) => c.notNull().references('clients.id'))
    .addColumn('tariff_id', t.ref, (c) => c.notNull().references('tariffs.id'))
    .addColumn('period', 'integer', (c) => c.notNull())
    .addColumn('is_trial', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('license_name', 'text', (c) => c.notNull())
    .addColumn('ip', 'text', (c) => c.notNull())
    .addColumn('auto_renew', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('datacenter_id', t.ref, (c) => c.references('datacenters.id'))
    // processing | active | suspended | deleted
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('license_key', 'text')
    .addColumn('upstream_id', 'text')
    // Sent with the order; the only way to find an order whose answer was lost.
    .addColumn('remote_id', 'text', (c) => c.notNull().unique())
    .addColumn('module_id', t.ref, (c) => c.references('processing_modules.id'))
    .addColumn('expires_on', 'text')
    .addColumn('price_minor', t.money, (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('suspended_at', t.timestamp)
    .addColumn('deleted_at', t.timestamp)
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('licenses_client').on('licenses').columns(['client_id', 'id']).execute();
  await db.schema.createIndex('licenses_expiry').on('licenses').columns(['status', 'expires_on']).execute();
  await db.schema.createIndex('licenses_upstream').on('licenses').columns(['module_id', 'upstream_id']).execute();
  await db.schema.createIndex('licenses_ip').on('licenses').column('ip').execute();

  await db.schema
    .createTable('license_history')
    .addColumn('id', t.id, t.idConstraints)
    .addColumn('license_id', t.ref, (c) => c.notNull().references('licenses.id'))
    .addColumn('event', 'text', (c) => c.notNull())
    .addColumn('from_value', 'text')
    .addColumn('to_value', 'text')
    .addColumn('message', 'text')
    .addColumn('operation_id', t.ref)
    .addColumn('actor_kind', 'text', (c) => c.notNull())
    .addColumn('actor_id', t.ref)
    .addColumn('actor_label', 'text', (c) => c.notNull())
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('license_history_license').on('license_history').columns(['license_id', 'id']).execute();

  await db.schema
    .createTable('operations')
    .addColumn('id', t.id, t.idConstraints)
    .addColumn('license_id', t.ref, (c) => c.notNull().references('licenses.id'))
    // open | prolong | suspend | resume | close | set_params | new_key | change_tariff | sync
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('payload', t.json, (c) => c.notNull())
    // pending | running | succeeded | failed | manual
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    // Attempts before the last manual restart: the retry budget counts from there.
    .addColumn('attempts_at_restart', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', t.timestamp, (c) => c.notNull())
    .addColumn('lease_owner', 'text')
    .addColumn('lease_expires_at', t.timestamp)
    .addColumn('module_id', t.ref, (c) => c.references('processing_modules.id'))
    .addColumn('last_error', 'text')
    .addColumn('last_error_code', 'text')
    .addColumn('result', t.json)
    .addColumn('idempotency_key', 'text', (c) => c.notNull())
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .addColumn('finished_at', t.timestamp)
    .execute();
  // One open per license, one prolong per license and period…, while the operation is not finished.
  await sql`create unique index operations_unfinished_key on operations (idempotency_key)
    where status in ('pending', 'running', 'manual')`.execute(db);
  await sql`create unique index operations_succeeded_key on operations (idempotency_key)
    where status = 'succeeded'`.execute(db);
  await db.schema.createIndex('operations_due').on('operations').columns(['status', 'next_attempt_at']).execute();
  await db.schema.createIndex('operations_license').on('operations').columns(['license_id', 'id']).execute();

  await db.schema
    .createTable('tasks')
    .addColumn('id', t.id, t.idConstraints)
    .addColumn('department_id', t.ref, (c) => c.references('departments.id'))
    // setup | change | renew | suspend | resume | delete | low_balance | drift
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('license_id', t.ref, (c) => c.references('licenses.id'))
    .addColumn('operation_id', t.ref, (c) => c.references('operations.id'))
    .addColumn('module_id', t.ref, (c) => c.references('processing_modules.id'))
    // What the task is about ("operation:12", "low_balance:3"): one open task per cause.
    .addColumn('cause_key', 'text', (c) => c.notNull())
    // new | in_progress | done
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('performer_id', t.ref, (c) => c.references('employees.id'))
    .addColumn('due_at', t.timestamp)
    .addColumn('locale', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .addColumn('closed_at', t.timestamp)
    .execute();
  await sql`create unique index tasks_open_cause on tasks (cause_key) where status <> 'done'`.execute(db);
  await db.schema.createIndex('tasks_department').on('tasks').columns(['department_id', 'status']).execute();

  // Scheduled jobs run once per due time across all processes: whoever moves next_run_at first runs it.
  await db.schema
    .createTable('scheduler_jobs')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('next_run_at', t.timestamp, (c) => c.notNull())
    .addColumn('last_run_at', t.timestamp)
    .addColumn('last_owner', 'text')
    .addColumn('last_result', 'text')
    .execute();
}
