import type { Kysely } from 'kysely';
import { columnTypes, type DialectKind } from '../dialect.js';

export async function up(db: Kysely<unknown>, dialect: DialectKind): Promise<void> {
  const t = columnTypes(dialect);

  await db.schema
    .createTable('localizations')
    .addColumn('code', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('is_default', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('providers')
    .addColumn('id', t.id, t.idConstraints)
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('notification_email', 'text')
    .addColumn('support_email', 'text')
    .addColumn('website_url', 'text')
    .addColumn('is_default', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('business_hours')
    .addColumn('id', t.id, t.idConstraints)
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('time_zone', 'text', (c) => c.notNull())
    .addColumn('days', t.json, (c) => c.notNull())
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('employees')
    .addColumn('id', t.id, t.idConstraints)
    .addColumn('email', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('language', 'text', (c) => c.notNull())
    .addColumn('is_admin', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('departments')
    .addColumn('id', t.id, t.idConstraints)
    .addColumn('name', t.json, (c) => c.notNull())
    .addColumn('business_hours_id', t.ref, (c) => c.references('business_hours.id'))
    .addColumn('show_in_support_center', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('task_locale', 'text', (c) => c.notNull().references('localizations.code'))
    .addColumn('head_employee_id', t.ref, (c) => c.references('employees.id'))
    .addColumn('ticket_category_description', t.json)
    .addColumn('sort', 'integer', (c) => c.notNull())
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('department_providers')
    .addColumn('department_id', t.ref, (c) => c.notNull().references('departments.id').onDelete('cascade'))
    .addColumn('provider_id', t.ref, (c) => c.notNull().references('providers.id'))
    .addPrimaryKeyConstraint('department_providers_pk', ['department_id', 'provider_id'])
    .execute();

  await db.schema
    .createTable('department_members')
    .addColumn('department_id', t.ref, (c) => c.notNull().references('departments.id'))
    .addColumn('employee_id', t.ref, (c) => c.notNull().references('employees.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('department_members_pk', ['department_id', 'employee_id'])
    .execute();
  await db.schema.createIndex('department_members_employee').on('department_members').column('employee_id').execute();

  await db.schema
    .createTable('datacenters')
    .addColumn('id', t.id, t.idConstraints)
    .addColumn('name', t.json, (c) => c.notNull())
    .addColumn('external_id', 'text')
    .addColumn('sort', 'integer', (c) => c.notNull())
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('audit_log')
    .addColumn('id', t.id, t.idConstraints)
    .addColumn('actor_kind', 'text', (c) => c.notNull())
    .addColumn('actor_id', t.ref)
    .addColumn('actor_label', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('entity', 'text', (c) => c.notNull())
    .addColumn('entity_id', 'text')
    .addColumn('before', t.json)
    .addColumn('after', t.json)
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('audit_log_entity').on('audit_log').columns(['entity', 'entity_id']).execute();

  await db.schema
    .createTable('sessions')
    .addColumn('id_hash', 'text', (c) => c.primaryKey())
    .addColumn('principal_kind', 'text', (c) => c.notNull())
    .addColumn('principal_id', t.ref, (c) => c.notNull())
    .addColumn('csrf_token', 'text', (c) => c.notNull())
    .addColumn('impersonator_id', t.ref)
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('expires_at', t.timestamp, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('api_tokens')
    .addColumn('id', t.id, t.idConstraints)
    .addColumn('employee_id', t.ref, (c) => c.notNull().references('employees.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('last_used_at', t.timestamp)
    .execute();

  await db.schema
    .createTable('login_failures')
    .addColumn('id', t.id, t.idConstraints)
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('ip', 'text', (c) => c.notNull())
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('login_failures_email').on('login_failures').columns(['email', 'created_at']).execute();
  await db.schema.createIndex('login_failures_ip').on('login_failures').columns(['ip', 'created_at']).execute();
}
