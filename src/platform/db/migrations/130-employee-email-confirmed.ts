import { sql, type Kysely } from 'kysely';
import { columnTypes, type DialectKind } from '../dialect.js';

/**
 * The moment an employee confirmed their e-mail address, as clients do. Employees who exist already
 * (the first administrator among them) count as confirmed from when they were created: nobody asked
 * them before, and their addresses have been in use since.
 */
export async function up(db: Kysely<unknown>, dialect: DialectKind): Promise<void> {
  const t = columnTypes(dialect);
  await db.schema.alterTable('employees').addColumn('email_confirmed_at', t.timestamp).execute();
  await sql`UPDATE employees SET email_confirmed_at = created_at`.execute(db);
}
