import type { Kysely } from 'kysely';
import { columnTypes, type DialectKind } from '../dialect.js';

/**
 * Holidays of a schedule: local dates that are days off whatever the weekday says. Existing schedules
 * have none. (Breaks live inside each day's JSON in `days`, so they need no column.)
 */
export async function up(db: Kysely<unknown>, dialect: DialectKind): Promise<void> {
  const t = columnTypes(dialect);
  await db.schema.alterTable('business_hours').addColumn('holidays', t.json, (c) => c.notNull().defaultTo('[]')).execute();
}
