import { Referrers, type Referrer } from '../../platform/referrers.js';
import type { Actor } from '../../platform/actor.js';
import { SECRET_CHANGED, type AuditService } from '../../platform/audit/service.js';
import type { AuthService } from '../../platform/auth/service.js';
import type { Clock } from '../../platform/clock.js';
import { checkCurrentPassword, checkNewPassword } from '../../platform/crypto/password-policy.js';
import { hashPassword } from '../../platform/crypto/passwords.js';
import type { Db, Executor } from '../../platform/db/db.js';
import { isForeignKeyViolation, isUniqueViolation } from '../../platform/db/dialect.js';
import type { Page, PageQuery } from '../../platform/db/paging.js';
import { checkRightNames } from '../../platform/auth/rights.js';
import { AppError, notFound, appError } from '../../platform/errors.js';
import { commaList, type MessageParam } from '../../platform/i18n/messages.js';
import { isAdmin } from '../../platform/actor.js';
import { pickLocalized, type LocaleCatalog } from '../../platform/i18n/localized.js';
import type { LocalizationService } from '../../settings/localizations/service.js';
import { EmployeeRepository, type EmployeeRow } from './repository.js';
import type { EmployeeInput, EmployeePatch, EmployeeView } from './schemas.js';

/** Something else that refers to employees (tasks will); asked before a delete. */
export type EmployeeReferrer = Referrer;

export class EmployeeService {
  private readonly repo = new EmployeeRepository();
  private readonly referrers = new Referrers();

  constructor(
    private readonly db: Db,
    private readonly audit: AuditService,
    private readonly locales: LocalizationService,
    private readonly auth: AuthService,
    private readonly clock: Clock,
  ) {}

  addReferrer(referrer: EmployeeReferrer): void {
    this.referrers.add(referrer);
  }

  async list(page: PageQuery, search?: string): Promise<Page<EmployeeView>> {
    const [rows, total] = await Promise.all([this.repo.list(this.db.kysely, page, search), this.repo.count(this.db.kysely, search)]);
    const ids = rows.map((r) => r.id);
    const [departments, rights] = await Promise.all([this.repo.departmentIdsOf(this.db.kysely, ids), this.repo.rightsOf(this.db.kysely, ids)]);
    return {
      items: rows.map((r) => toView(r, departments.get(r.id) ?? [], rights.get(r.id) ?? [])),
      total,
      page: page.page,
      perPage: page.perPage,
    };
  }

  async get(id: number): Promise<EmployeeView> {
    return this.viewOf(this.db.kysely, id);
  }

  /**
   * A new employee is mailed a link confirming the address, in the same transaction (`requestOrigin`
   * starts the link when BILLRELAY_PUBLIC_URL is not set).
   */
  async create(input: EmployeeInput, actor: Actor, requestOrigin: string): Promise<EmployeeView> {
    const rights = checkRightNames(input.rights);
    if (input.isAdmin) onlyAdmins(actor, 'isAdmin', 'makeAdmin');
    if (rights.length) onlyAdmins(actor, 'rights', 'giveRights');
    checkNewPassword(input.password, input.email);
    // Hashing is slow on purpose: done before the transaction so the write lock is held only briefly.
    const passwordHash = await hashPassword(input.password);
    return this.db.transaction(async (trx) => {
      const catalog = await this.locales.catalog(trx);
      const language = checkLanguage(input.language ?? catalog.defaultCode, catalog);
      await this.checkEmailFree(trx, input.email);
      const departmentIds = await this.checkDepartments(trx, input.departmentIds);
      await this.checkNoRightsThroughDepartments(trx, departmentIds, actor);
      const now = this.clock.now().toISOString();
      const id = await this.insertOrConflict(input.email, () =>
        this.repo.insert(trx, {
          email: input.email,
          name: input.name,
          passwordHash,
          language,
          isAdmin: input.isAdmin ? 1 : 0,
          enabled: input.enabled ? 1 : 0,
          emailConfirmedAt: null,
          createdAt: now,
          updatedAt: now,
        }),
      );
      await this.repo.addMemberships(trx, id, departmentIds);
      await this.repo.setRights(trx, id, rights);
      const view = await this.viewOf(trx, id);
      await this.audit.record(trx, actor, 'employee.create', 'employee', id, null, view);
      await this.auth.mailEmployeeEmailConfirmation(trx, { id, email: view.email, name: view.name, language: view.language }, requestOrigin);
      return view;
    });
  }

  /** A new address is unconfirmed until the link mailed to it (in the same transaction) is opened. */
  async update(id: number, input: EmployeePatch, actor: Actor, requestOrigin: string): Promise<EmployeeView> {
    const rights = input.rights !== undefined ? checkRightNames(input.rights) : undefined;
    await this.checkMayEdit(id, input, rights, actor);
    const passwordHash = input.password !== undefined ? await this.newPasswordHash(id, input.password, input, actor) : undefined;
    return this.db.transaction(async (trx) => {
      const beforeRow = await this.repo.find(trx, id);
      if (!beforeRow) throw notFound('Employee', id);
      const before = await this.viewOf(trx, id);
      const catalog = await this.locales.catalog(trx);

      const losesAdmin = !!beforeRow.isAdmin && !!beforeRow.enabled && (input.isAdmin === false || input.enabled === false);
      if (losesAdmin) {
        const field = input.enabled === false ? 'enabled' : 'isAdmin';
        const what = input.enabled === false ? 'disable' : 'demote';
        if (actor.kind === 'employee' && actor.id === id) {
          throw appError('conflict', 'employee.notYourself', { what }, { field });
        }
        await this.checkNotLastAdmin(trx, id, appError('conflict', 'employee.lastAdmin', { what }, { field }));
      }
      if (input.language !== undefined) checkLanguage(input.language, catalog);
      const emailChanges = input.email !== undefined && input.email !== beforeRow.email;
      if (emailChanges) await this.checkEmailFree(trx, input.email!);

      if (input.departmentIds !== undefined) {
        const wanted = await this.checkDepartments(trx, input.departmentIds);
        const leaving = before.departmentIds.filter((d) => !wanted.includes(d));
        await this.checkNoRightsThroughDepartments(trx, wanted.filter((d) => !before.departmentIds.includes(d)), actor);
        const headed = (await this.repo.headedDepartments(trx, id)).filter((d) => leaving.includes(d.id));
        if (headed.length) {
          throw appError('conflict', 'employee.isHead', { name: beforeRow.name, departments: namesOf(headed, actor, catalog) }, { field: 'departmentIds' });
        }
        await this.repo.removeMemberships(trx, id, leaving);
        await this.repo.addMemberships(trx, id, wanted.filter((d) => !before.departmentIds.includes(d)));
      }

      await this.insertOrConflict(input.email ?? beforeRow.email, () =>
        this.repo.update(trx, id, {
          ...(emailChanges ? { email: input.email, emailConfirmedAt: null } : {}),
          ...(input.name !== undefined ? { name: input.name } : {}),
          ...(passwordHash !== undefined ? { passwordHash } : {}),
          ...(input.language !== undefined ? { language: input.language } : {}),
          ...(input.isAdmin !== undefined ? { isAdmin: input.isAdmin ? 1 : 0 } : {}),
          ...(input.enabled !== undefined ? { enabled: input.enabled ? 1 : 0 } : {}),
          updatedAt: this.clock.now().toISOString(),
        }),
      );
      if (rights !== undefined) await this.repo.setRights(trx, id, rights);
      // A disabled account or a new password must not leave a stolen or forgotten session open.
      const endsSessions = (input.enabled === false && !!beforeRow.enabled) || passwordHash !== undefined;
      if (endsSessions) await this.auth.endSessionsOf('employee', id, trx);

      const view = await this.viewOf(trx, id);
      const after = passwordHash !== undefined ? { ...view, password: SECRET_CHANGED } : view;
      await this.audit.record(trx, actor, 'employee.update', 'employee', id, before, after);
      if (emailChanges) await this.auth.mailEmployeeEmailConfirmation(trx, { id, email: view.email, name: view.name, language: view.language }, requestOrigin);
      return view;
    });
  }

  async remove(id: number, actor: Actor): Promise<void> {
    await this.db.transaction(async (trx) => {
      const row = await this.repo.find(trx, id);
      if (row?.isAdmin) onlyAdmins(actor, 'id', 'deleteAdmin');
      if (!row) throw notFound('Employee', id);
      if (actor.kind === 'employee' && actor.id === id) {
        throw appError('conflict', 'employee.deleteYourself', {}, { field: 'id' });
      }
      if (row.isAdmin && row.enabled) await this.checkNotLastAdmin(trx, id, appError('conflict', 'employee.lastAdminDeleted', {}, { field: 'id' }));
      const catalog = await this.locales.catalog(trx);
      const headed = await this.repo.headedDepartments(trx, id);
      if (headed.length) {
        throw appError('conflict', 'employee.isHead', { name: row.name, departments: namesOf(headed, actor, catalog) }, { field: 'id' });
      }
      const uses = await this.referrers.usesOf(trx, id);
      if (uses.length) throw appError('conflict', 'inUse.employee', { email: row.email, uses: commaList(uses) }, { field: 'id' });
      const before = await this.viewOf(trx, id);
      await this.auth.endSessionsOf('employee', id, trx);
      // Memberships and API tokens go with the employee (ON DELETE CASCADE).
      try {
        await this.repo.remove(trx, id);
      } catch (error) {
        // Made the head of a department by a request that committed after the check above.
        if (isForeignKeyViolation(error)) throw appError('conflict', 'employee.stillReferenced', { email: row.email }, { field: 'id' });
        throw error;
      }
      await this.audit.record(trx, actor, 'employee.delete', 'employee', id, before, null);
    });
  }

  /** Checks a new password (one's own also needs the current one) and hashes it, outside the transaction: hashing is slow. */
  private async newPasswordHash(id: number, password: string, input: EmployeePatch, actor: Actor): Promise<string> {
    const row = await this.repo.find(this.db.kysely, id);
    if (!row) throw notFound('Employee', id);
    checkNewPassword(password, input.email ?? row.email);
    if (actor.kind === 'employee' && actor.id === id) await checkCurrentPassword(row.passwordHash, input.currentPassword);
    return hashPassword(password);
  }

  private async viewOf(db: Executor, id: number): Promise<EmployeeView> {
    const row = await this.repo.find(db, id);
    if (!row) throw notFound('Employee', id);
    const [departments, rights] = await Promise.all([this.repo.departmentIdsOf(db, [id]), this.repo.rightsOf(db, [id])]);
    return toView(row, departments.get(id) ?? [], rights.get(id) ?? []);
  }

  /**
   * What only administrators may do, so that employees.change is no way to more power: change rights or
   * the administrator flag (a value equal to the current one, as a whole form sends it, is no change),
   * or edit an administrator at all (its e-mail and password are its account).
   */
  private async checkMayEdit(id: number, input: EmployeePatch, rights: string[] | undefined, actor: Actor): Promise<void> {
    if (isAdmin(actor)) return;
    const row = await this.repo.find(this.db.kysely, id);
    if (!row) throw notFound('Employee', id);
    if (row.isAdmin) onlyAdmins(actor, 'id', 'changeAdmin');
    if (input.isAdmin !== undefined && input.isAdmin !== !!row.isAdmin) onlyAdmins(actor, 'isAdmin', 'makeAdmin');
    if (rights !== undefined) {
      const current = (await this.repo.rightsOf(this.db.kysely, [id])).get(id) ?? [];
      if (rights.join(',') !== current.join(',')) onlyAdmins(actor, 'rights', 'changeRights');
    }
  }

  /** Joining a department that carries rights gives them: only administrators may do that. */
  private async checkNoRightsThroughDepartments(db: Executor, joining: number[], actor: Actor): Promise<void> {
    if (isAdmin(actor) || !joining.length) return;
    const carrying = await this.repo.departmentsWithRights(db, joining);
    if (carrying.length) {
      throw appError('forbidden', 'employee.departmentGivesRights', { ids: carrying.join(', ') }, { field: 'departmentIds', details: { departmentIds: carrying } });
    }
  }

  private async checkNotLastAdmin(trx: Executor, id: number, refusal: AppError): Promise<void> {
    const admins = await this.repo.enabledAdminIds(trx);
    if (admins.every((a) => a === id)) throw refusal;
  }

  private async checkEmailFree(db: Executor, email: string): Promise<void> {
    if (await this.repo.findByEmail(db, email)) throw emailTaken(email);
  }

  /** A concurrent insert of the same e-mail passes the check above and trips the unique index instead. */
  private async insertOrConflict<T>(email: string, write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (error) {
      if (isUniqueViolation(error)) throw emailTaken(email);
      throw error;
    }
  }

  private async checkDepartments(db: Executor, ids: number[]): Promise<number[]> {
    const unique = [...new Set(ids)].sort((a, b) => a - b);
    const existing = await this.repo.existingDepartmentIds(db, unique);
    const missing = unique.filter((d) => !existing.has(d));
    if (missing.length) {
      throw appError('validation', 'employee.noDepartment', { ids: missing.join(', ') }, { field: 'departmentIds', details: { missing } });
    }
    return unique;
  }
}

function checkLanguage(code: string, catalog: LocaleCatalog): string {
  if (!catalog.known.has(code)) {
    throw appError('validation', 'department.unknownLocale', { code, known: [...catalog.known].join(', ') }, { field: 'language' });
  }
  return code;
}

const emailTaken = (email: string) => appError('conflict', 'email.employeeTaken', { email }, { field: 'email' });

function namesOf(departments: Array<{ name: string }>, actor: Actor, catalog: LocaleCatalog): MessageParam {
  return commaList(departments.map((d) => ({ key: 'employee.departmentName', params: { name: pickLocalized(JSON.parse(d.name), actor.locale, catalog) } })));
}

function onlyAdmins(actor: Actor, field: string, what: 'makeAdmin' | 'giveRights' | 'changeRights' | 'deleteAdmin' | 'changeAdmin'): void {
  if (!isAdmin(actor)) throw appError('forbidden', 'department.adminsOnly', { what: { key: `employee.what.${what}` } }, { field });
}

function toView(row: EmployeeRow, departmentIds: number[], rights: string[]): EmployeeView {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    language: row.language,
    isAdmin: !!row.isAdmin,
    enabled: !!row.enabled,
    emailConfirmed: row.emailConfirmedAt !== null,
    departmentIds,
    rights,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}
