import { Referrers, type Referrer } from '../../platform/referrers.js';
import { isAdmin, type Actor } from '../../platform/actor.js';
import { checkRightNames } from '../../platform/auth/rights.js';
import type { AuditService } from '../../platform/audit/service.js';
import type { Clock } from '../../platform/clock.js';
import type { Db, Executor } from '../../platform/db/db.js';
import { isForeignKeyViolation, isUniqueViolation } from '../../platform/db/dialect.js';
import type { Page, PageQuery } from '../../platform/db/paging.js';
import { closeGap, makeRoomAt, moveStep, moveTo } from '../../platform/db/sorting.js';
import { appError, notFound } from '../../platform/errors.js';
import { commaList, type MessageRef } from '../../platform/i18n/messages.js';
import { checkLocalized, pickLocalized, type LocaleCatalog, type LocalizedText } from '../../platform/i18n/localized.js';
import type { LocalizationService } from '../../settings/localizations/service.js';
import { DepartmentRepository, type DepartmentRow } from './repository.js';
import type { DepartmentInput, DepartmentPatch, DepartmentView, MemberView } from './schemas.js';

/** Something else that refers to departments (processing modules will); asked before a delete. */
export type DepartmentReferrer = Referrer;

/** The departments that exist from the first start, as in the partner guide's examples. */
const SEEDED: LocalizedText[] = [
  { en: 'Sales department', ru: 'Отдел продаж' },
  { en: 'Technical support', ru: 'Техническая поддержка' },
];

export class DepartmentService {
  private readonly repo = new DepartmentRepository();
  private readonly referrers = new Referrers();

  constructor(
    private readonly db: Db,
    private readonly audit: AuditService,
    private readonly locales: LocalizationService,
    private readonly clock: Clock,
  ) {}

  addReferrer(referrer: DepartmentReferrer): void {
    this.referrers.add(referrer);
  }

  async list(page: PageQuery, actor: Actor): Promise<Page<DepartmentView>> {
    const [rows, total, catalog] = await Promise.all([
      this.repo.list(this.db.kysely, page),
      this.repo.count(this.db.kysely),
      this.locales.catalog(),
    ]);
    const ids = rows.map((r) => r.id);
    const [providers, members, rights] = await Promise.all([
      this.repo.providerIdsOf(this.db.kysely, ids),
      this.repo.memberIdsOf(this.db.kysely, ids),
      this.repo.rightsOf(this.db.kysely, ids),
    ]);
    return {
      items: rows.map((r) => toView(r, providers.get(r.id) ?? [], members.get(r.id) ?? [], rights.get(r.id) ?? [], actor.locale, catalog)),
      total,
      page: page.page,
      perPage: page.perPage,
    };
  }

  async get(id: number, actor: Actor): Promise<DepartmentView> {
    return this.viewOf(this.db.kysely, id, actor.locale, await this.locales.catalog());
  }

  /** Sales and technical support, on the first start only (nothing happens once any department exists). */
  async seed(): Promise<void> {
    await this.db.transaction(async (trx) => {
      if ((await this.repo.count(trx)) > 0) return;
      const catalog = await this.locales.catalog(trx);
      const taskLocale = catalog.known.has('en') ? 'en' : catalog.defaultCode;
      const businessHoursId = await this.repo.firstBusinessHoursId(trx);
      const providerId = await this.repo.defaultProviderId(trx);
      const now = this.clock.now().toISOString();
      for (const [index, name] of SEEDED.entries()) {
        const id = await this.repo.insert(trx, {
          name: JSON.stringify(name),
          businessHoursId,
          showInSupportCenter: 1,
          taskLocale,
          headEmployeeId: null,
          ticketCategoryDescription: null,
          firstAnswerHours: 4,
          nextAnswerHours: 8,
          sort: index + 1,
          createdAt: now,
          updatedAt: now,
        });
        if (providerId !== null) await this.repo.addProviders(trx, id, [providerId]);
      }
    });
  }

  async create(input: DepartmentInput, actor: Actor): Promise<DepartmentView> {
    const rights = checkRightNames(input.rights);
    if (rights.length) onlyAdmins(actor, 'rights', { key: 'department.what.give' });
    return this.db.transaction(async (trx) => {
      const catalog = await this.locales.catalog(trx);
      const name = checkLocalized(input.name, catalog, 'name');
      const description = input.ticketCategoryDescription === null ? null : checkLocalized(input.ticketCategoryDescription, catalog, 'ticketCategoryDescription');
      const taskLocale = checkTaskLocale(input.taskLocale ?? catalog.defaultCode, catalog);
      await this.checkBusinessHours(trx, input.businessHoursId);
      const providerIds = await this.checkProviders(trx, input.providerIds);
      const memberIds = await this.checkEmployees(trx, input.memberIds);
      await this.checkHead(trx, input.headEmployeeId, memberIds);

      const now = this.clock.now().toISOString();
      const sort = await makeRoomAt(trx, 'departments', input.sort);
      const id = await this.repo.insert(trx, {
        name: JSON.stringify(name),
        businessHoursId: input.businessHoursId,
        showInSupportCenter: input.showInSupportCenter ? 1 : 0,
        taskLocale,
        headEmployeeId: input.headEmployeeId,
        ticketCategoryDescription: description === null ? null : JSON.stringify(description),
        firstAnswerHours: input.firstAnswerHours,
        nextAnswerHours: input.nextAnswerHours,
        sort,
        createdAt: now,
        updatedAt: now,
      });
      await this.repo.addProviders(trx, id, providerIds);
      await this.repo.addMembers(trx, id, memberIds);
      await this.repo.setRights(trx, id, rights);
      const view = await this.viewOf(trx, id, actor.locale, catalog);
      await this.audit.record(trx, actor, 'department.create', 'department', id, null, view);
      return view;
    });
  }

  async update(id: number, input: DepartmentPatch, actor: Actor): Promise<DepartmentView> {
    const rights = input.rights === undefined ? undefined : checkRightNames(input.rights);
    return this.db.transaction(async (trx) => {
      const row = await this.repo.find(trx, id);
      if (!row) throw notFound('Department', id);
      const catalog = await this.locales.catalog(trx);
      const before = await this.viewOf(trx, id, actor.locale, catalog);
      // A form sends the whole department: the same rights again are no change.
      if (rights !== undefined && rights.join(',') !== before.rights.join(',')) onlyAdmins(actor, 'rights', { key: 'department.what.rights' });
      if (input.memberIds !== undefined && (rights ?? before.rights).length && input.memberIds.some((m) => !before.memberIds.includes(m))) {
        onlyAdmins(actor, 'memberIds', { key: 'department.what.members' });
      }

      const name = input.name === undefined ? undefined : checkLocalized(input.name, catalog, 'name');
      const description =
        input.ticketCategoryDescription == null ? input.ticketCategoryDescription : checkLocalized(input.ticketCategoryDescription, catalog, 'ticketCategoryDescription');
      if (input.taskLocale !== undefined) checkTaskLocale(input.taskLocale, catalog);
      if (input.businessHoursId !== undefined) await this.checkBusinessHours(trx, input.businessHoursId);
      const providerIds = input.providerIds === undefined ? before.providerIds : await this.checkProviders(trx, input.providerIds);
      const memberIds = input.memberIds === undefined ? before.memberIds : await this.checkEmployees(trx, input.memberIds);
      if (input.headEmployeeId !== undefined) {
        await this.checkHead(trx, input.headEmployeeId, memberIds);
      } else if (row.headEmployeeId !== null && !memberIds.includes(row.headEmployeeId)) {
        throw appError('conflict', 'department.headStays', { employee: row.headEmployeeId, name: before.displayName }, {
          field: 'memberIds',
        });
      }

      await this.repo.update(trx, id, {
        ...(name !== undefined ? { name: JSON.stringify(name) } : {}),
        ...(description !== undefined ? { ticketCategoryDescription: description === null ? null : JSON.stringify(description) } : {}),
        ...(input.businessHoursId !== undefined ? { businessHoursId: input.businessHoursId } : {}),
        ...(input.showInSupportCenter !== undefined ? { showInSupportCenter: input.showInSupportCenter ? 1 : 0 } : {}),
        ...(input.taskLocale !== undefined ? { taskLocale: input.taskLocale } : {}),
        ...(input.headEmployeeId !== undefined ? { headEmployeeId: input.headEmployeeId } : {}),
        ...(input.firstAnswerHours !== undefined ? { firstAnswerHours: input.firstAnswerHours } : {}),
        ...(input.nextAnswerHours !== undefined ? { nextAnswerHours: input.nextAnswerHours } : {}),
        updatedAt: this.clock.now().toISOString(),
      });
      await this.repo.removeProviders(trx, id, before.providerIds.filter((p) => !providerIds.includes(p)));
      await this.repo.addProviders(trx, id, providerIds.filter((p) => !before.providerIds.includes(p)));
      await this.repo.removeMembers(trx, id, before.memberIds.filter((m) => !memberIds.includes(m)));
      await this.repo.addMembers(trx, id, memberIds.filter((m) => !before.memberIds.includes(m)));
      if (input.sort !== undefined) await moveTo(trx, 'departments', id, input.sort);
      if (rights !== undefined) await this.repo.setRights(trx, id, rights);

      const view = await this.viewOf(trx, id, actor.locale, catalog);
      await this.audit.record(trx, actor, 'department.update', 'department', id, before, view);
      return view;
    });
  }

  async move(id: number, direction: 'up' | 'down', actor: Actor): Promise<DepartmentView> {
    return this.db.transaction(async (trx) => {
      const before = await this.repo.find(trx, id);
      if (!before) throw notFound('Department', id);
      await moveStep(trx, 'departments', id, direction);
      const view = await this.viewOf(trx, id, actor.locale, await this.locales.catalog(trx));
      await this.audit.record(trx, actor, 'department.move', 'department', id, { sort: before.sort }, { sort: view.sort });
      return view;
    });
  }

  async remove(id: number, actor: Actor): Promise<void> {
    await this.db.transaction(async (trx) => {
      const row = await this.repo.find(trx, id);
      if (!row) throw notFound('Department', id);
      const catalog = await this.locales.catalog(trx);
      const before = await this.viewOf(trx, id, actor.locale, catalog);
      const count = before.memberIds.length;
      if (count) {
        throw appError('conflict', 'department.hasMembers', { name: before.displayName, count, s: count === 1 ? '' : 's' }, {
          field: 'id',
          details: { members: count },
        });
      }
      const uses = await this.referrers.usesOf(trx, id);
      if (uses.length) throw appError('conflict', 'inUse.department', { name: before.displayName, uses: commaList(uses) }, { field: 'id' });
      try {
        await this.repo.remove(trx, id);
      } catch (error) {
        // A referrer that was not registered, or a reference added after the checks above, still must not become a 500.
        if (isForeignKeyViolation(error)) throw appError('conflict', 'inUse.departmentAny', { name: before.displayName }, { field: 'id' });
        throw error;
      }
      await closeGap(trx, 'departments', row.sort);
      await this.audit.record(trx, actor, 'department.delete', 'department', id, before, null);
    });
  }

  async members(id: number): Promise<MemberView[]> {
    const row = await this.repo.find(this.db.kysely, id);
    if (!row) throw notFound('Department', id);
    const members = await this.repo.members(this.db.kysely, id);
    return members.map((m) => ({ id: m.id, email: m.email, name: m.name, enabled: !!m.enabled, isHead: m.id === row.headEmployeeId }));
  }

  async addMember(id: number, employeeId: number, actor: Actor): Promise<MemberView> {
    return this.db.transaction(async (trx) => {
      const row = await this.repo.find(trx, id);
      if (!row) throw notFound('Department', id);
      const employee = await this.repo.findEmployee(trx, employeeId);
      if (!employee) throw appError('not_found', 'department.noEmployee', { id: employeeId }, { field: 'employeeId' });
      const catalog = await this.locales.catalog(trx);
      const department = pickLocalized(JSON.parse(row.name), actor.locale, catalog);
      if (((await this.repo.rightsOf(trx, [id])).get(id) ?? []).length) {
        onlyAdmins(actor, 'employeeId', { key: 'department.what.addTo', params: { name: department } });
      }
      if (await this.repo.isMember(trx, id, employeeId)) {
        throw appError('conflict', 'department.alreadyMember', { employee: employee.name, name: department }, { field: 'employeeId' });
      }
      try {
        await this.repo.addMembers(trx, id, [employeeId]);
      } catch (error) {
        // Another request added the same member, or deleted the employee, in the meantime.
        if (isUniqueViolation(error)) throw appError('conflict', 'department.alreadyMember', { employee: employee.name, name: department }, { field: 'employeeId' });
        if (isForeignKeyViolation(error)) throw appError('not_found', 'department.noEmployee', { id: employeeId }, { field: 'employeeId' });
        throw error;
      }
      await this.repo.update(trx, id, { updatedAt: this.clock.now().toISOString() });
      await this.audit.record(trx, actor, 'department.member_add', 'department', id, null, { employeeId, email: employee.email });
      return { id: employee.id, email: employee.email, name: employee.name, enabled: !!employee.enabled, isHead: false };
    });
  }

  async removeMember(id: number, employeeId: number, actor: Actor): Promise<void> {
    await this.db.transaction(async (trx) => {
      const row = await this.repo.find(trx, id);
      if (!row) throw notFound('Department', id);
      const catalog = await this.locales.catalog(trx);
      const department = pickLocalized(JSON.parse(row.name), actor.locale, catalog);
      if (!(await this.repo.isMember(trx, id, employeeId))) {
        throw appError('not_found', 'department.notMember', { id: employeeId, name: department }, { field: 'employeeId' });
      }
      if (row.headEmployeeId === employeeId) {
        throw appError('conflict', 'department.headLeaves', { id: employeeId, name: department }, {
          field: 'employeeId',
        });
      }
      const employee = await this.repo.findEmployee(trx, employeeId);
      await this.repo.removeMembers(trx, id, [employeeId]);
      await this.repo.update(trx, id, { updatedAt: this.clock.now().toISOString() });
      await this.audit.record(trx, actor, 'department.member_remove', 'department', id, { employeeId, email: employee?.email }, null);
    });
  }

  private async viewOf(db: Executor, id: number, locale: string, catalog: LocaleCatalog): Promise<DepartmentView> {
    const row = await this.repo.find(db, id);
    if (!row) throw notFound('Department', id);
    const [providers, members, rights] = await Promise.all([
      this.repo.providerIdsOf(db, [id]),
      this.repo.memberIdsOf(db, [id]),
      this.repo.rightsOf(db, [id]),
    ]);
    return toView(row, providers.get(id) ?? [], members.get(id) ?? [], rights.get(id) ?? [], locale, catalog);
  }

  private async checkBusinessHours(db: Executor, id: number | null): Promise<void> {
    if (id !== null && !(await this.repo.businessHoursExists(db, id))) {
      throw appError('validation', 'department.noHours', { id }, { field: 'businessHoursId' });
    }
  }

  private async checkProviders(db: Executor, ids: number[]): Promise<number[]> {
    const unique = uniqueSorted(ids);
    const existing = await this.repo.existingProviderIds(db, unique);
    const missing = unique.filter((p) => !existing.has(p));
    if (missing.length) throw appError('validation', 'department.noProvider', { ids: missing.join(', ') }, { field: 'providerIds', details: { missing } });
    return unique;
  }

  private async checkEmployees(db: Executor, ids: number[]): Promise<number[]> {
    const unique = uniqueSorted(ids);
    const existing = await this.repo.existingEmployeeIds(db, unique);
    const missing = unique.filter((e) => !existing.has(e));
    if (missing.length) throw appError('validation', 'department.noEmployeeId', { ids: missing.join(', ') }, { field: 'memberIds', details: { missing } });
    return unique;
  }

  /** The head must be an employee (400) who is a member of the department (422). */
  private async checkHead(db: Executor, headId: number | null, memberIds: number[]): Promise<void> {
    if (headId === null) return;
    const employee = await this.repo.findEmployee(db, headId);
    if (!employee) throw appError('validation', 'department.noEmployeeId', { ids: headId }, { field: 'headEmployeeId' });
    if (!memberIds.includes(headId)) {
      throw appError('unprocessable', 'department.headNotMember', { employee: employee.name }, {
        field: 'headEmployeeId',
      });
    }
  }
}

function checkTaskLocale(code: string, catalog: LocaleCatalog): string {
  if (!catalog.known.has(code)) {
    throw appError('validation', 'department.unknownLocale', { code, known: [...catalog.known].join(', ') }, { field: 'taskLocale' });
  }
  return code;
}

function uniqueSorted(ids: number[]): number[] {
  return [...new Set(ids)].sort((a, b) => a - b);
}

function onlyAdmins(actor: Actor, field: string, what: MessageRef): void {
  if (!isAdmin(actor)) throw appError('forbidden', 'department.adminsOnly', { what }, { field });
}

function toView(row: DepartmentRow, providerIds: number[], memberIds: number[], rights: string[], locale: string, catalog: LocaleCatalog): DepartmentView {
  const name = JSON.parse(row.name) as LocalizedText;
  const description = row.ticketCategoryDescription === null ? null : (JSON.parse(row.ticketCategoryDescription) as LocalizedText);
  return {
    id: row.id,
    name,
    displayName: pickLocalized(name, locale, catalog),
    businessHoursId: row.businessHoursId,
    showInSupportCenter: !!row.showInSupportCenter,
    taskLocale: row.taskLocale,
    providerIds,
    headEmployeeId: row.headEmployeeId,
    ticketCategoryDescription: description,
    displayTicketCategoryDescription: description === null ? null : pickLocalized(description, locale, catalog),
    firstAnswerHours: row.firstAnswerHours,
    nextAnswerHours: row.nextAnswerHours,
    memberIds,
    rights,
    sort: row.sort,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}
