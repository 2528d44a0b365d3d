import type { Kysely } from 'kysely';
import { columnTypes, type DialectKind } from '../dialect.js';

/**
 * Access rights, as BILLmanager gives them: to an employee directly, or to a department and so to each
 * of its members. A right is a name from the catalog in platform/auth/rights.ts ("tariffs.change",
 * "client.payment"); administrators hold every right and need no rows. Deleting the employee or the
 * department takes its rights with it.
 */
export async function up(db: Kysely<unknown>, dialect: DialectKind): Promise<void> {
  const t = columnTypes(dialect);
  await db.schema
    .createTable('employee_rights')
    .addColumn('employee_id', t.ref, (c) => c.notNull().references('employees.id').onDelete('cascade'))
    .addColumn('right_name', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('employee_rights_pk', ['employee_id', 'right_name'])
    .execute();
  await db.schema
    .createTable('department_rights')
    .addColumn('department_id', t.ref, (c) => c.notNull().references('departments.id').onDelete('cascade'))
    .addColumn('right_name', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('department_rights_pk', ['department_id', 'right_name'])
    .execute();
}
