import type { Kysely } from 'kysely';
import type { DialectKind } from '../dialect.js';

/**
 * Why a license is suspended: `staff` (stays so until staff resume it, whatever is paid), `expiry`
 * (unpaid; a paid renewal resumes it) or `upstream` (found suspended there by the sync).
 */
export async function up(db: Kysely<unknown>, _dialect: DialectKind): Promise<void> {
  await db.schema.alterTable('licenses').addColumn('suspended_by', 'text').execute();
  // Before this column every suspension billrelay made on its own was the expiry job's.
  await db.updateTable('licenses' as never).set({ suspended_by: 'expiry' } as never).where('status' as never, '=', 'suspended' as never).execute();
}
