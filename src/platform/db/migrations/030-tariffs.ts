import type { Kysely } from 'kysely';
import { columnTypes, type DialectKind } from '../dialect.js';

export async function up(db: Kysely<unknown>, dialect: DialectKind): Promise<void> {
  const t = columnTypes(dialect);
  await db.schema
    .createTable('tariffs')
    .addColumn('id', t.id, t.idConstraints)
    .addColumn('provider_id', t.ref, (c) => c.notNull().references('providers.id'))
    .addColumn('product_type', 'text', (c) => c.notNull())
    .addColumn('name', t.json, (c) => c.notNull())
    .addColumn('upstream_tariff_id', 'text', (c) => c.notNull())
    .addColumn('upstream_name', 'text', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('sort', 'integer', (c) => c.notNull())
    .addColumn('last_synced_at', t.timestamp)
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .execute();
  // One tariff per upstream tariff and provider: a second import would sell the same thing twice.
  await db.schema.createIndex('tariffs_provider_upstream').on('tariffs').columns(['provider_id', 'upstream_tariff_id']).unique().execute();

  // Selling periods: the price in the provider's currency and the upstream period bought for it.
  await db.schema
    .createTable('tariff_periods')
    .addColumn('tariff_id', t.ref, (c) => c.notNull().references('tariffs.id').onDelete('cascade'))
    .addColumn('period', 'integer', (c) => c.notNull())
    .addColumn('price_minor', t.money, (c) => c.notNull())
    .addColumn('upstream_period', 'integer', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('tariff_periods_pk', ['tariff_id', 'period'])
    .execute();

  // What the upstream charges per upstream period, as last read from the price list.
  await db.schema
    .createTable('tariff_upstream_costs')
    .addColumn('tariff_id', t.ref, (c) => c.notNull().references('tariffs.id').onDelete('cascade'))
    .addColumn('months', 'integer', (c) => c.notNull())
    .addColumn('cost_minor', t.money, (c) => c.notNull())
    .addPrimaryKeyConstraint('tariff_upstream_costs_pk', ['tariff_id', 'months'])
    .execute();

  await db.schema
    .createTable('tariff_modules')
    .addColumn('tariff_id', t.ref, (c) => c.notNull().references('tariffs.id').onDelete('cascade'))
    .addColumn('processing_module_id', t.ref, (c) => c.notNull().references('processing_modules.id'))
    .addPrimaryKeyConstraint('tariff_modules_pk', ['tariff_id', 'processing_module_id'])
    .execute();
  await db.schema.createIndex('tariff_modules_module').on('tariff_modules').column('processing_module_id').execute();
}
