import type { Executor } from '../../platform/db/db.js';
import type { PageQuery } from '../../platform/db/paging.js';
import { offsetOf } from '../../platform/db/paging.js';

export interface EmployeeRow {
  id: number;
  email: string;
  name: string;
  passwordHash: string;
  language: string;
  isAdmin: number;
  enabled: number;
  emailConfirmedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export class EmployeeRepository {
  /** Name or e-mail containing the text, whatever its case (e-mails are stored lowercased). */
  private filtered(db: Executor, search?: string) {
    let q = db.selectFrom('employees');
    if (search) {
      const like = `%${search.toLowerCase()}%`;
      q = q.where((eb) => eb.or([eb('email', 'like', like), eb(eb.fn('lower', ['name']), 'like', like)]));
    }
    return q;
  }

  list(db: Executor, page: PageQuery, search?: string): Promise<EmployeeRow[]> {
    return this.filtered(db, search).selectAll().orderBy('id').limit(page.perPage).offset(offsetOf(page)).execute();
  }

  async count(db: Executor, search?: string): Promise<number> {
    const row = await this.filtered(db, search).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  find(db: Executor, id: number): Promise<EmployeeRow | undefined> {
    return db.selectFrom('employees').selectAll().where('id', '=', id).executeTakeFirst();
  }

  findByEmail(db: Executor, email: string): Promise<EmployeeRow | undefined> {
    return db.selectFrom('employees').selectAll().where('email', '=', email).executeTakeFirst();
  }

  async insert(db: Executor, row: Omit<EmployeeRow, 'id'>): Promise<number> {
    const { id } = await db.insertInto('employees').values(row).returning('id').executeTakeFirstOrThrow();
    return Number(id);
  }

  async update(db: Executor, id: number, patch: Partial<Omit<EmployeeRow, 'id' | 'createdAt'>>): Promise<void> {
    await db.updateTable('employees').set(patch).where('id', '=', id).execute();
  }

  async remove(db: Executor, id: number): Promise<void> {
    await db.deleteFrom('employees').where('id', '=', id).execute();
  }

  /**
   * Ids of the enabled administrators. On PostgreSQL the rows stay locked until the transaction ends, so two
   * administrators demoting each other at once cannot leave nobody in charge (SQLite writers are serialized anyway).
   */
  async enabledAdminIds(db: Executor): Promise<number[]> {
    const rows = await db
      .selectFrom('employees')
      .select('id')
      .where('isAdmin', '=', 1)
      .where('enabled', '=', 1)
      .forUpdate()
      .execute();
    return rows.map((r) => Number(r.id));
  }

  /** Department ids per employee, ascending. */
  async departmentIdsOf(db: Executor, employeeIds: number[]): Promise<Map<number, number[]>> {
    const result = new Map<number, number[]>(employeeIds.map((id) => [id, []]));
    if (!employeeIds.length) return result;
    const rows = await db
      .selectFrom('departmentMembers')
      .select(['employeeId', 'departmentId'])
      .where('employeeId', 'in', employeeIds)
      .orderBy('departmentId')
      .execute();
    for (const row of rows) result.get(Number(row.employeeId))?.push(Number(row.departmentId));
    return result;
  }

  async existingDepartmentIds(db: Executor, ids: number[]): Promise<Set<number>> {
    if (!ids.length) return new Set();
    const rows = await db.selectFrom('departments').select('id').where('id', 'in', ids).execute();
    return new Set(rows.map((r) => Number(r.id)));
  }

  async addMemberships(db: Executor, employeeId: number, departmentIds: number[]): Promise<void> {
    if (!departmentIds.length) return;
    await db.insertInto('departmentMembers').values(departmentIds.map((departmentId) => ({ departmentId, employeeId }))).execute();
  }

  async removeMemberships(db: Executor, employeeId: number, departmentIds: number[]): Promise<void> {
    if (!departmentIds.length) return;
    await db.deleteFrom('departmentMembers').where('employeeId', '=', employeeId).where('departmentId', 'in', departmentIds).execute();
  }

  /** Departments this employee is the head of (their localized names as stored JSON). */
  headedDepartments(db: Executor, employeeId: number): Promise<Array<{ id: number; name: string }>> {
    return db.selectFrom('departments').select(['id', 'name']).where('headEmployeeId', '=', employeeId).orderBy('sort').execute();
  }

  /** Rights given to each employee directly (not through departments), sorted. */
  async rightsOf(db: Executor, employeeIds: number[]): Promise<Map<number, string[]>> {
    const result = new Map<number, string[]>(employeeIds.map((id) => [id, []]));
    if (!employeeIds.length) return result;
    const rows = await db
      .selectFrom('employeeRights')
      .select(['employeeId', 'rightName'])
      .where('employeeId', 'in', employeeIds)
      .orderBy('rightName')
      .execute();
    for (const row of rows) result.get(Number(row.employeeId))?.push(row.rightName);
    return result;
  }

  async setRights(db: Executor, employeeId: number, rights: string[]): Promise<void> {
    await db.deleteFrom('employeeRights').where('employeeId', '=', employeeId).execute();
    if (rights.length) await db.insertInto('employeeRights').values(rights.map((rightName) => ({ employeeId, rightName }))).execute();
  }

  /** Of these departments, those that give their members rights. */
  async departmentsWithRights(db: Executor, departmentIds: number[]): Promise<number[]> {
    if (!departmentIds.length) return [];
    const rows = await db.selectFrom('departmentRights').select('departmentId').distinct().where('departmentId', 'in', departmentIds).execute();
    return rows.map((r) => Number(r.departmentId));
  }
}
