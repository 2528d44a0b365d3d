import type { Executor } from '../../platform/db/db.js';
import type { PageQuery } from '../../platform/db/paging.js';
import { offsetOf } from '../../platform/db/paging.js';

export interface DepartmentRow {
  id: number;
  /** JSON localized text. */
  name: string;
  businessHoursId: number | null;
  showInSupportCenter: number;
  taskLocale: string;
  headEmployeeId: number | null;
  /** JSON localized text. */
  ticketCategoryDescription: string | null;
  firstAnswerHours: number;
  nextAnswerHours: number;
  sort: number;
  createdAt: string;
  updatedAt: string;
}

export interface MemberRow {
  id: number;
  email: string;
  name: string;
  enabled: number;
}

/** Ids per department, ascending. */
type IdsByDepartment = Map<number, number[]>;

export class DepartmentRepository {
  list(db: Executor, page: PageQuery): Promise<DepartmentRow[]> {
    return db.selectFrom('departments').selectAll().orderBy('sort').orderBy('id').limit(page.perPage).offset(offsetOf(page)).execute();
  }

  async count(db: Executor): Promise<number> {
    const row = await db.selectFrom('departments').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  find(db: Executor, id: number): Promise<DepartmentRow | undefined> {
    return db.selectFrom('departments').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async insert(db: Executor, row: Omit<DepartmentRow, 'id'>): Promise<number> {
    const { id } = await db.insertInto('departments').values(row).returning('id').executeTakeFirstOrThrow();
    return Number(id);
  }

  async update(db: Executor, id: number, patch: Partial<Omit<DepartmentRow, 'id' | 'sort' | 'createdAt'>>): Promise<void> {
    await db.updateTable('departments').set(patch).where('id', '=', id).execute();
  }

  async remove(db: Executor, id: number): Promise<void> {
    // department_providers rows go with it (ON DELETE CASCADE); members are refused before.
    await db.deleteFrom('departments').where('id', '=', id).execute();
  }

  async providerIdsOf(db: Executor, departmentIds: number[]): Promise<IdsByDepartment> {
    const result: IdsByDepartment = new Map(departmentIds.map((id) => [id, []]));
    if (!departmentIds.length) return result;
    const rows = await db
      .selectFrom('departmentProviders')
      .select(['departmentId', 'providerId'])
      .where('departmentId', 'in', departmentIds)
      .orderBy('providerId')
      .execute();
    for (const row of rows) result.get(Number(row.departmentId))?.push(Number(row.providerId));
    return result;
  }

  async memberIdsOf(db: Executor, departmentIds: number[]): Promise<IdsByDepartment> {
    const result: IdsByDepartment = new Map(departmentIds.map((id) => [id, []]));
    if (!departmentIds.length) return result;
    const rows = await db
      .selectFrom('departmentMembers')
      .select(['departmentId', 'employeeId'])
      .where('departmentId', 'in', departmentIds)
      .orderBy('employeeId')
      .execute();
    for (const row of rows) result.get(Number(row.departmentId))?.push(Number(row.employeeId));
    return result;
  }

  /** Rights each department gives its members, sorted. */
  async rightsOf(db: Executor, departmentIds: number[]): Promise<Map<number, string[]>> {
    const result = new Map<number, string[]>(departmentIds.map((id) => [id, []]));
    if (!departmentIds.length) return result;
    const rows = await db
      .selectFrom('departmentRights')
      .select(['departmentId', 'rightName'])
      .where('departmentId', 'in', departmentIds)
      .orderBy('rightName')
      .execute();
    for (const row of rows) result.get(Number(row.departmentId))?.push(row.rightName);
    return result;
  }

  async setRights(db: Executor, departmentId: number, rights: string[]): Promise<void> {
    await db.deleteFrom('departmentRights').where('departmentId', '=', departmentId).execute();
    if (rights.length) await db.insertInto('departmentRights').values(rights.map((rightName) => ({ departmentId, rightName }))).execute();
  }

  members(db: Executor, departmentId: number): Promise<MemberRow[]> {
    return db
      .selectFrom('departmentMembers')
      .innerJoin('employees', 'employees.id', 'departmentMembers.employeeId')
      .select(['employees.id', 'employees.email', 'employees.name', 'employees.enabled'])
      .where('departmentMembers.departmentId', '=', departmentId)
      .orderBy('employees.name')
      .orderBy('employees.id')
      .execute();
  }

  async isMember(db: Executor, departmentId: number, employeeId: number): Promise<boolean> {
    const row = await db
      .selectFrom('departmentMembers')
      .select('employeeId')
      .where('departmentId', '=', departmentId)
      .where('employeeId', '=', employeeId)
      .executeTakeFirst();
    return !!row;
  }

  async addProviders(db: Executor, departmentId: number, providerIds: number[]): Promise<void> {
    if (!providerIds.length) return;
    await db.insertInto('departmentProviders').values(providerIds.map((providerId) => ({ departmentId, providerId }))).execute();
  }

  async removeProviders(db: Executor, departmentId: number, providerIds: number[]): Promise<void> {
    if (!providerIds.length) return;
    await db.deleteFrom('departmentProviders').where('departmentId', '=', departmentId).where('providerId', 'in', providerIds).execute();
  }

  async addMembers(db: Executor, departmentId: number, employeeIds: number[]): Promise<void> {
    if (!employeeIds.length) return;
    await db.insertInto('departmentMembers').values(employeeIds.map((employeeId) => ({ departmentId, employeeId }))).execute();
  }

  async removeMembers(db: Executor, departmentId: number, employeeIds: number[]): Promise<void> {
    if (!employeeIds.length) return;
    await db.deleteFrom('departmentMembers').where('departmentId', '=', departmentId).where('employeeId', 'in', employeeIds).execute();
  }

  findEmployee(db: Executor, id: number): Promise<MemberRow | undefined> {
    return db.selectFrom('employees').select(['id', 'email', 'name', 'enabled']).where('id', '=', id).executeTakeFirst();
  }

  // What a department points at belongs to other areas; only existence is asked here.
  async existingEmployeeIds(db: Executor, ids: number[]): Promise<Set<number>> {
    if (!ids.length) return new Set();
    const rows = await db.selectFrom('employees').select('id').where('id', 'in', ids).execute();
    return new Set(rows.map((r) => Number(r.id)));
  }

  async existingProviderIds(db: Executor, ids: number[]): Promise<Set<number>> {
    if (!ids.length) return new Set();
    const rows = await db.selectFrom('providers').select('id').where('id', 'in', ids).execute();
    return new Set(rows.map((r) => Number(r.id)));
  }

  async businessHoursExists(db: Executor, id: number): Promise<boolean> {
    return !!(await db.selectFrom('businessHours').select('id').where('id', '=', id).executeTakeFirst());
  }

  /** For the first-start seed: the oldest business hours schedule, if any. */
  async firstBusinessHoursId(db: Executor): Promise<number | null> {
    const row = await db.selectFrom('businessHours').select('id').orderBy('id').limit(1).executeTakeFirst();
    return row ? Number(row.id) : null;
  }

  /** For the first-start seed: the default provider, if any. */
  async defaultProviderId(db: Executor): Promise<number | null> {
    const row = await db.selectFrom('providers').select('id').where('isDefault', '=', 1).orderBy('id').limit(1).executeTakeFirst();
    return row ? Number(row.id) : null;
  }
}
