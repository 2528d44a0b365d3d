import type { Kysely } from 'kysely';
import { columnTypes, type DialectKind } from '../dialect.js';

/**
 * Who gave a task its performer, and when: the performer themself when they took it, or the member
 * who assigned it to them. Tasks that had a performer before are left without (nobody recorded it).
 */
export async function up(db: Kysely<unknown>, dialect: DialectKind): Promise<void> {
  const t = columnTypes(dialect);
  await db.schema.alterTable('tasks').addColumn('assigned_by_id', t.ref, (c) => c.references('employees.id')).execute();
  await db.schema.alterTable('tasks').addColumn('assigned_at', t.timestamp).execute();
}
