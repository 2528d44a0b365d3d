import type { Kysely } from 'kysely';
import { columnTypes, type DialectKind } from '../dialect.js';

export async function up(db: Kysely<unknown>, dialect: DialectKind): Promise<void> {
  const t = columnTypes(dialect);
  await db.schema
    .createTable('processing_modules')
    .addColumn('id', t.id, t.idConstraints)
    .addColumn('product_type', 'text', (c) => c.notNull())
    .addColumn('module_type', 'text', (c) => c.notNull())
    .addColumn('name', t.json, (c) => c.notNull())
    .addColumn('datacenter_id', t.ref, (c) => c.references('datacenters.id'))
    .addColumn('department_id', t.ref, (c) => c.references('departments.id'))
    .addColumn('sort', 'integer', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('operation_limit', 'integer')
    // Connection settings without the password: {"url","username"}.
    .addColumn('connection', t.json, (c) => c.notNull())
    .addColumn('password_sealed', 'text')
    .addColumn('currency', 'text')
    .addColumn('minimal_balance_minor', t.money, (c) => c.notNull().defaultTo(0))
    .addColumn('balance_minor', t.money)
    .addColumn('balance_checked_at', t.timestamp)
    .addColumn('last_error', 'text')
    .addColumn('last_error_code', 'text')
    .addColumn('last_error_at', t.timestamp)
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('processing_modules_datacenter').on('processing_modules').column('datacenter_id').execute();
  await db.schema.createIndex('processing_modules_department').on('processing_modules').column('department_id').execute();
}
