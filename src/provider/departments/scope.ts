// Whose work an employee sees: administrators all of it, other employees the work of the departments
// they are members of (tasks, running operations). Work without a department is for administrators
// only. One rule for every area that shows a department's work, so they cannot drift apart.
import { sql, type ReferenceExpression, type SelectQueryBuilder, type SqlBool } from 'kysely';
import { isAdmin, type Actor } from '../../platform/actor.js';
import type { Executor } from '../../platform/db/db.js';
import { appError } from '../../platform/errors.js';

/** Everything, or the work of these departments. */
export type DepartmentScope = { all: true } | { all: false; departmentIds: number[] };

/** The actor's scope; clients and anonymous callers are refused (`what` names the work, e.g. "tasks"). */
export async function departmentScopeOf(db: Executor, actor: Actor, what: string): Promise<DepartmentScope> {
  if (isAdmin(actor)) return { all: true };
  if (actor.kind !== 'employee') throw appError('forbidden', 'auth.employeesOnly', {}, { details: { what } });
  const rows = await db.selectFrom('departmentMembers').select('departmentId').where('employeeId', '=', actor.id).execute();
  return { all: false, departmentIds: rows.map((r) => Number(r.departmentId)) };
}

/** Whether work of this department (null: none) is in the scope. */
export function inDepartmentScope(scope: DepartmentScope, departmentId: number | null): boolean {
  return scope.all || (departmentId !== null && scope.departmentIds.includes(Number(departmentId)));
}

/** Narrows a query to the scope; `column` is the department id of each row (null rows: administrators only). */
export function whereInDepartmentScope<DB, TB extends keyof DB, O>(
  query: SelectQueryBuilder<DB, TB, O>,
  column: ReferenceExpression<DB, TB>,
  scope: DepartmentScope,
): SelectQueryBuilder<DB, TB, O> {
  if (scope.all) return query;
  if (!scope.departmentIds.length) return query.where(sql<SqlBool>`1 = 0`);
  return query.where(column, 'in', scope.departmentIds as never);
}
