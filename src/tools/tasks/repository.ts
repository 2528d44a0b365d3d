import { sql } from 'kysely';
import type { Executor } from '../../platform/db/db.js';
import { offsetOf } from '../../platform/db/paging.js';
import type { TaskTable } from '../../platform/db/schema.js';
import { whereInDepartmentScope, type DepartmentScope } from '../../provider/departments/scope.js';
import type { TaskListQuery } from './schemas.js';

export type TaskRow = Omit<TaskTable, 'id'> & { id: number };
export type TaskInsert = Omit<TaskTable, 'id'>;

export class TaskRepository {
  openByCause(db: Executor, causeKey: string): Promise<{ id: number } | undefined> {
    return db.selectFrom('tasks').select('id').where('causeKey', '=', causeKey).where('status', '<>', 'done').executeTakeFirst();
  }

  /** Inserts unless an open task has the cause already (the partial unique index decides); undefined then. */
  async insertUnlessOpen(db: Executor, row: TaskInsert): Promise<number | undefined> {
    const inserted = await db
      .insertInto('tasks')
      .values(row)
      // The index's own predicate, as a literal: SQLite matches a partial index only on the same expression.
      .onConflict((oc) => oc.column('causeKey').where(sql<boolean>`status <> 'done'`).doNothing())
      .returning('id')
      .executeTakeFirst();
    return inserted ? Number(inserted.id) : undefined;
  }

  find(db: Executor, id: number): Promise<TaskRow | undefined> {
    return db.selectFrom('tasks').selectAll().where('id', '=', id).executeTakeFirst() as Promise<TaskRow | undefined>;
  }

  private filtered(db: Executor, q: TaskListQuery, scope: DepartmentScope) {
    let query = whereInDepartmentScope(db.selectFrom('tasks'), 'departmentId', scope);
    if (q.status === 'open') query = query.where('status', '<>', 'done');
    else if (q.status) query = query.where('status', '=', q.status);
    if (q.type) query = query.where('type', '=', q.type);
    if (q.departmentId) query = query.where('departmentId', '=', q.departmentId);
    if (q.licenseId) query = query.where('licenseId', '=', q.licenseId);
    return query;
  }

  list(db: Executor, q: TaskListQuery, scope: DepartmentScope): Promise<TaskRow[]> {
    return this.filtered(db, q, scope).selectAll().orderBy('id', 'desc').limit(q.perPage).offset(offsetOf(q)).execute() as Promise<TaskRow[]>;
  }

  async count(db: Executor, q: TaskListQuery, scope: DepartmentScope): Promise<number> {
    const row = await this.filtered(db, q, scope).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async update(db: Executor, id: number, patch: Partial<TaskInsert>): Promise<void> {
    await db.updateTable('tasks').set(patch).where('id', '=', id).execute();
  }

  department(db: Executor, id: number) {
    return db.selectFrom('departments').select(['id', 'name', 'taskLocale', 'businessHoursId']).where('id', '=', id).executeTakeFirst();
  }

  firstDepartment(db: Executor) {
    return db.selectFrom('departments').select(['id', 'name', 'taskLocale', 'businessHoursId']).orderBy('sort').orderBy('id').limit(1).executeTakeFirst();
  }

  async departmentNames(db: Executor, ids: number[]): Promise<Map<number, string>> {
    if (!ids.length) return new Map();
    const rows = await db.selectFrom('departments').select(['id', 'name']).where('id', 'in', ids).execute();
    return new Map(rows.map((r) => [Number(r.id), r.name]));
  }

  async employeeNames(db: Executor, ids: number[]): Promise<Map<number, string>> {
    if (!ids.length) return new Map();
    const rows = await db.selectFrom('employees').select(['id', 'name']).where('id', 'in', ids).execute();
    return new Map(rows.map((r) => [Number(r.id), r.name]));
  }

  async countForEmployee(db: Executor, employeeId: number): Promise<number> {
    const row = await db
      .selectFrom('tasks')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where((eb) => eb.or([eb('performerId', '=', employeeId), eb('assignedById', '=', employeeId)]))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  employee(db: Executor, id: number) {
    return db.selectFrom('employees').select(['id', 'name', 'enabled']).where('id', '=', id).executeTakeFirst();
  }
}
