import { sql, type SqlBool } from 'kysely';
import type { Executor } from '../../platform/db/db.js';
import { offsetOf } from '../../platform/db/paging.js';
import type { TicketAttachmentTable, TicketMessageTable, TicketTable } from '../../platform/db/schema.js';
import { whereInDepartmentScope, type DepartmentScope } from '../../provider/departments/scope.js';

export type TicketRow = Omit<TicketTable, 'id'> & { id: number };
export type TicketInsert = Omit<TicketTable, 'id'>;
export type TicketMessageRow = Omit<TicketMessageTable, 'id'> & { id: number };
export type AttachmentRow = Omit<TicketAttachmentTable, 'id'> & { id: number };

/** A list's filters, already narrowed to what the caller may see. */
export interface TicketFilter {
  /** Clients: their own only. */
  clientId?: number;
  scope?: DepartmentScope;
  status?: string;
  departmentId?: number;
  /** null: no performer. */
  performerId?: number | null;
  overdue?: boolean;
  q?: string;
  now: string;
}

export class TicketRepository {
  find(db: Executor, id: number): Promise<TicketRow | undefined> {
    return db.selectFrom('tickets').selectAll().where('id', '=', id).executeTakeFirst() as Promise<TicketRow | undefined>;
  }

  async insert(db: Executor, row: TicketInsert): Promise<number> {
    const { id } = await db.insertInto('tickets').values(row).returning('id').executeTakeFirstOrThrow();
    return Number(id);
  }

  async update(db: Executor, id: number, patch: Partial<TicketInsert>): Promise<void> {
    await db.updateTable('tickets').set(patch).where('id', '=', id).execute();
  }

  private filtered(db: Executor, f: TicketFilter) {
    let query = db.selectFrom('tickets');
    if (f.scope) query = whereInDepartmentScope(query, 'departmentId', f.scope);
    if (f.clientId !== undefined) query = query.where('clientId', '=', f.clientId);
    if (f.status) query = query.where('status', '=', f.status);
    if (f.departmentId !== undefined) query = query.where('departmentId', '=', f.departmentId);
    if (f.performerId === null) query = query.where('performerId', 'is', null);
    else if (f.performerId !== undefined) query = query.where('performerId', '=', f.performerId);
    if (f.overdue === true) query = query.where('status', '=', 'new').where('dueAt', '<', f.now);
    if (f.overdue === false) {
      query = query.where((eb) => eb.or([eb('status', '<>', 'new'), eb('dueAt', 'is', null), eb('dueAt', '>=', f.now)]));
    }
    const q = f.q?.trim();
    if (q) {
      const pattern = `%${q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      const number = /^#?\d{1,15}$/.test(q) ? Number(q.replace('#', '')) : undefined;
      query = query.where((eb) => {
        const words = sql<SqlBool>`lower(${eb.ref('subject')}) like ${pattern} escape '\\'`;
        return number !== undefined ? eb.or([words, eb('id', '=', number)]) : words;
      });
    }
    return query;
  }

  list(db: Executor, f: TicketFilter, page: { page: number; perPage: number }): Promise<TicketRow[]> {
    return this.filtered(db, f)
      .selectAll()
      .orderBy('lastMessageAt', 'desc')
      .orderBy('id', 'desc')
      .limit(page.perPage)
      .offset(offsetOf(page))
      .execute() as Promise<TicketRow[]>;
  }

  async count(db: Executor, f: TicketFilter): Promise<number> {
    const row = await this.filtered(db, f).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async insertMessage(db: Executor, row: Omit<TicketMessageTable, 'id'>): Promise<number> {
    const { id } = await db.insertInto('ticketMessages').values(row).returning('id').executeTakeFirstOrThrow();
    return Number(id);
  }

  messages(db: Executor, ticketId: number, withInternal: boolean): Promise<TicketMessageRow[]> {
    let query = db.selectFrom('ticketMessages').selectAll().where('ticketId', '=', ticketId);
    if (!withInternal) query = query.where('internal', '=', 0);
    return query.orderBy('id').execute() as Promise<TicketMessageRow[]>;
  }

  async hasStaffAnswer(db: Executor, ticketId: number): Promise<boolean> {
    const row = await db
      .selectFrom('ticketMessages')
      .select('id')
      .where('ticketId', '=', ticketId)
      .where('authorKind', '=', 'employee')
      .where('internal', '=', 0)
      .limit(1)
      .executeTakeFirst();
    return !!row;
  }

  async attachmentsOf(db: Executor, messageIds: number[]): Promise<AttachmentRow[]> {
    if (!messageIds.length) return [];
    return db.selectFrom('ticketAttachments').selectAll().where('messageId', 'in', messageIds).orderBy('id').execute() as Promise<AttachmentRow[]>;
  }

  findAttachment(db: Executor, id: number): Promise<AttachmentRow | undefined> {
    return db.selectFrom('ticketAttachments').selectAll().where('id', '=', id).executeTakeFirst() as Promise<AttachmentRow | undefined>;
  }

  async insertAttachment(db: Executor, row: Omit<TicketAttachmentTable, 'id'>): Promise<number> {
    const { id } = await db.insertInto('ticketAttachments').values(row).returning('id').executeTakeFirstOrThrow();
    return Number(id);
  }

  /** Binds the uploader's own unbound uploads to a message; the ids that were not such an upload. */
  async bindAttachments(db: Executor, ids: number[], uploader: { kind: string; id: number }, ticketId: number, messageId: number): Promise<number[]> {
    const missing: number[] = [];
    for (const id of ids) {
      const result = await db
        .updateTable('ticketAttachments')
        .set({ ticketId, messageId })
        .where('id', '=', id)
        .where('ticketId', 'is', null)
        .where('uploaderKind', '=', uploader.kind)
        .where('uploaderId', '=', uploader.id)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) !== 1) missing.push(id);
    }
    return missing;
  }

  /** Uploads no message took, made before `before`. */
  unboundBefore(db: Executor, before: string, limit: number): Promise<AttachmentRow[]> {
    return db
      .selectFrom('ticketAttachments')
      .selectAll()
      .where('ticketId', 'is', null)
      .where('createdAt', '<', before)
      .orderBy('id')
      .limit(limit)
      .execute() as Promise<AttachmentRow[]>;
  }

  async deleteUnbound(db: Executor, id: number): Promise<boolean> {
    const result = await db.deleteFrom('ticketAttachments').where('id', '=', id).where('ticketId', 'is', null).executeTakeFirst();
    return Number(result.numDeletedRows) === 1;
  }

  /** Tickets waiting for staff past their due time whose head was not told yet. */
  overdueUntold(db: Executor, now: string, limit: number): Promise<TicketRow[]> {
    return db
      .selectFrom('tickets')
      .selectAll()
      .where('status', '=', 'new')
      .where('dueAt', '<', now)
      .where('overdueNotifiedAt', 'is', null)
      .orderBy('dueAt')
      .orderBy('id')
      .limit(limit)
      .execute() as Promise<TicketRow[]>;
  }

  /** Marks the head told; false when another process did first (or the ticket moved on). */
  async markOverdueNotified(db: Executor, id: number, dueAt: string, now: string): Promise<boolean> {
    const result = await db
      .updateTable('tickets')
      .set({ overdueNotifiedAt: now })
      .where('id', '=', id)
      .where('status', '=', 'new')
      .where('dueAt', '=', dueAt)
      .where('overdueNotifiedAt', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  department(db: Executor, id: number) {
    return db
      .selectFrom('departments')
      .select(['id', 'name', 'businessHoursId', 'showInSupportCenter', 'taskLocale', 'headEmployeeId', 'firstAnswerHours', 'nextAnswerHours'])
      .where('id', '=', id)
      .executeTakeFirst();
  }

  async offersTo(db: Executor, departmentId: number, providerId: number): Promise<boolean> {
    const row = await db
      .selectFrom('departments')
      .innerJoin('departmentProviders', 'departmentProviders.departmentId', 'departments.id')
      .select('departments.id')
      .where('departments.id', '=', departmentId)
      .where('departments.showInSupportCenter', '=', 1)
      .where('departmentProviders.providerId', '=', providerId)
      .executeTakeFirst();
    return !!row;
  }

  supportDepartments(db: Executor, providerId: number) {
    return db
      .selectFrom('departments')
      .innerJoin('departmentProviders', 'departmentProviders.departmentId', 'departments.id')
      .select(['departments.id', 'departments.name', 'departments.ticketCategoryDescription', 'departments.sort'])
      .where('departments.showInSupportCenter', '=', 1)
      .where('departmentProviders.providerId', '=', providerId)
      .orderBy('departments.sort')
      .orderBy('departments.id')
      .execute();
  }

  client(db: Executor, id: number) {
    return db.selectFrom('clients').select(['id', 'name', 'email', 'language', 'providerId']).where('id', '=', id).executeTakeFirst();
  }

  license(db: Executor, id: number) {
    return db.selectFrom('licenses').select(['id', 'clientId', 'licenseName']).where('id', '=', id).executeTakeFirst();
  }

  employee(db: Executor, id: number) {
    return db.selectFrom('employees').select(['id', 'name', 'email', 'language', 'enabled']).where('id', '=', id).executeTakeFirst();
  }

  /** Enabled members of a department, to be told about its tickets. */
  members(db: Executor, departmentId: number) {
    return db
      .selectFrom('departmentMembers')
      .innerJoin('employees', 'employees.id', 'departmentMembers.employeeId')
      .select(['employees.id', 'employees.name', 'employees.email'])
      .where('departmentMembers.departmentId', '=', departmentId)
      .where('employees.enabled', '=', 1)
      .orderBy('employees.id')
      .execute();
  }

  providerName(db: Executor, id: number) {
    return db.selectFrom('providers').select('name').where('id', '=', id).executeTakeFirst();
  }

  async names(db: Executor, table: 'clients' | 'employees' | 'licenses' | 'departments', ids: number[]): Promise<Map<number, string>> {
    const unique = [...new Set(ids)];
    if (!unique.length) return new Map();
    if (table === 'licenses') {
      const rows = await db.selectFrom('licenses').select(['id', 'licenseName']).where('id', 'in', unique).execute();
      return new Map(rows.map((r) => [Number(r.id), r.licenseName]));
    }
    const rows = await db.selectFrom(table).select(['id', 'name']).where('id', 'in', unique).execute();
    return new Map(rows.map((r) => [Number(r.id), r.name]));
  }

  async countForDepartment(db: Executor, departmentId: number): Promise<number> {
    const row = await db.selectFrom('tickets').select((eb) => eb.fn.countAll<number>().as('n')).where('departmentId', '=', departmentId).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async countForEmployee(db: Executor, employeeId: number): Promise<number> {
    const row = await db.selectFrom('tickets').select((eb) => eb.fn.countAll<number>().as('n')).where('performerId', '=', employeeId).executeTakeFirstOrThrow();
    return Number(row.n);
  }
}
