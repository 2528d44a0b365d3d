// Tasks: what automation hands to a person. One open task per cause, in the department of the
// cause (its processing module's), due after that department's working hours, worded in its task
// language. Only the department's members and administrators see or touch them.
import type { MessageRef } from '../../platform/i18n/messages.js';
import type { Actor } from '../../platform/actor.js';
import type { AuditService } from '../../platform/audit/service.js';
import type { Clock } from '../../platform/clock.js';
import type { Db, Executor } from '../../platform/db/db.js';
import { isUniqueViolation } from '../../platform/db/dialect.js';
import type { Page } from '../../platform/db/paging.js';
import { AppError, notFound, appError } from '../../platform/errors.js';
import { pickLocalized, type LocaleCatalog } from '../../platform/i18n/localized.js';
import type { LocalizationService } from '../../settings/localizations/service.js';
import type { BusinessHoursService } from '../../provider/business-hours/service.js';
import type { OperationKind, OperationStatus, TaskStatus, TaskType } from '../../licenses/model.js';
import { DEFAULT_TASK_HOURS } from '../../platform/config.js';
import { renderNote, renderTask, type MessageParams } from './messages.js';
import type { TaskCause } from './open-task.js';
import { taskCreatedNotices } from '../messages/staff-notices.js';
import { DepartmentRepository } from '../../provider/departments/repository.js';
import { departmentScopeOf, inDepartmentScope, type DepartmentScope } from '../../provider/departments/scope.js';
import { TaskRepository, type TaskInsert, type TaskRow } from './repository.js';
import type { TaskListQuery, TaskPatch, TaskView } from './schemas.js';

/** Re-runs a running operation (OperationService.restart); injected so the areas stay apart. */
export type RestartOperation = (operationId: number, actor: Actor) => Promise<unknown>;

/** Where the operations of tasks stand (OperationService.statesOf); injected so the areas stay apart. */
export type OperationStates = (db: Executor, ids: number[]) => Promise<Map<number, { kind: OperationKind; status: OperationStatus }>>;

/** An operation in one of these still has to end (succeed, be done by hand or be abandoned) before its task is done. */
const UNFINISHED: ReadonlySet<OperationStatus> = new Set(['pending', 'running', 'manual']);

const HOUR_MS = 3_600_000;

export class TaskService {
  private readonly repo = new TaskRepository();
  private readonly departments = new DepartmentRepository();
  private restartOperation?: RestartOperation;
  private operationStates?: OperationStates;

  constructor(
    private readonly db: Db,
    private readonly audit: AuditService,
    private readonly locales: LocalizationService,
    private readonly clock: Clock,
    private readonly businessHours: BusinessHoursService,
    private readonly hours: Readonly<Record<string, number>> = DEFAULT_TASK_HOURS,
  ) {}

  /** Wires the operations area's restart (app.ts); until then restarting answers 422. */
  setRestartOperation(restart: RestartOperation): void {
    this.restartOperation = restart;
  }

  /** Wires the operations area's state of an operation (app.ts); until then tasks show none and close freely. */
  setOperationStates(states: OperationStates): void {
    this.operationStates = states;
  }

  /**
   * Opens a task for a cause in the caller's transaction, or returns the task already open for it.
   * The partial unique index on cause_key (while not done) is the backstop for concurrent callers.
   */
  async openForCause(db: Executor, cause: TaskCause): Promise<{ id: number; created: boolean }> {
    const existing = await this.repo.openByCause(db, cause.causeKey);
    if (existing) return { id: Number(existing.id), created: false };

    const department = cause.departmentId !== null ? await this.repo.department(db, cause.departmentId) : await this.repo.firstDepartment(db);
    const now = this.clock.now();
    const hours = this.hours[cause.type] ?? DEFAULT_TASK_HOURS[cause.type] ?? 8;
    const due = department?.businessHoursId
      ? await this.businessHours.dueAt(department.businessHoursId, now, hours, db)
      : new Date(now.getTime() + hours * HOUR_MS);
    const rendered = renderTask(cause.type, department?.taskLocale ?? 'en', cause.params);
    const id = await this.repo.insertUnlessOpen(db, {
      departmentId: department ? Number(department.id) : null,
      type: cause.type,
      licenseId: cause.licenseId ?? null,
      operationId: cause.operationId ?? null,
      moduleId: cause.moduleId ?? null,
      causeKey: cause.causeKey,
      status: 'new',
      performerId: null,
      assignedById: null,
      assignedAt: null,
      dueAt: due.toISOString(),
      locale: rendered.locale,
      title: rendered.title,
      text: rendered.text,
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
      closedAt: null,
    });
    if (id !== undefined) {
      // Its department hears of it in the same transaction. A low-balance task is announced by the
      // balance check itself (balance_low, with the balances), not twice.
      if (cause.type !== 'low_balance') await taskCreatedNotices(db, now, id);
      return { id, created: true };
    }
    const raced = await this.repo.openByCause(db, cause.causeKey);
    if (!raced) throw new Error(`task for cause ${cause.causeKey} neither inserted nor found`);
    return { id: Number(raced.id), created: false };
  }

  /**
   * Closes the open task of a cause (e.g. the operation succeeded after all); false when none was open.
   * A `note` (a key of the closing notes in messages.ts) is added to its text in the task's language.
   */
  async closeForCause(db: Executor, causeKey: string, actor: Actor, note?: { key: string; params: MessageParams }): Promise<boolean> {
    const open = await this.repo.openByCause(db, causeKey);
    if (!open) return false;
    const now = this.clock.now().toISOString();
    const patch: Partial<TaskInsert> = { status: 'done', closedAt: now, updatedAt: now };
    if (note) {
      const task = (await this.repo.find(db, Number(open.id)))!;
      const line = renderNote(note.key, task.locale, note.params);
      if (line) patch.text = task.text ? `${task.text}\n${line}` : line;
    }
    await this.repo.update(db, Number(open.id), patch);
    await this.audit.record(db, actor, 'task.close', 'task', Number(open.id), null, { causeKey, status: 'done' });
    return true;
  }

  async list(q: TaskListQuery, actor: Actor): Promise<Page<TaskView>> {
    const scope = await this.scopeOf(this.db.kysely, actor);
    const [rows, total, catalog] = await Promise.all([
      this.repo.list(this.db.kysely, q, scope),
      this.repo.count(this.db.kysely, q, scope),
      this.locales.catalog(),
    ]);
    return { items: await this.views(this.db.kysely, rows, actor, catalog), total, page: q.page, perPage: q.perPage };
  }

  async get(id: number, actor: Actor): Promise<TaskView> {
    const row = await this.visible(this.db.kysely, id, actor);
    return this.viewOf(this.db.kysely, row, actor);
  }

  async update(id: number, patch: TaskPatch, actor: Actor): Promise<TaskView> {
    try {
      return await this.db.transaction(async (trx) => {
        const row = await this.visible(trx, id, actor);
        const before = await this.viewOf(trx, row, actor);
        if (patch.performerId != null) await this.checkPerformer(trx, row, patch.performerId);
        const now = this.clock.now().toISOString();
        const status = patch.status ?? (row.status as TaskStatus);
        if (row.status === 'done' && status !== 'done') await this.checkReopen(trx, row);
        if (row.status !== 'done' && status === 'done') await this.checkOperationEnded(trx, row);
        const performerChanged = patch.performerId !== undefined && patch.performerId !== (row.performerId === null ? null : Number(row.performerId));
        await this.repo.update(trx, id, {
          status,
          ...(performerChanged ? this.performerPatch(patch.performerId!, actor, now) : {}),
          closedAt: status === 'done' ? (row.closedAt ?? now) : null,
          updatedAt: now,
        });
        const view = await this.viewOf(trx, (await this.repo.find(trx, id))!, actor);
        await this.audit.record(trx, actor, 'task.update', 'task', id, before, view);
        return view;
      });
    } catch (error) {
      // Reopened while another task for the same cause was opened in a concurrent transaction.
      if (isUniqueViolation(error)) throw reopenConflict();
      throw error;
    }
  }

  /**
   * The actor works the task from now on: they become its performer (whoever had it before) and the
   * task is in progress. Anyone who sees the task may take it (its department's members, administrators).
   */
  async take(id: number, actor: Actor): Promise<TaskView> {
    if (actor.kind !== 'employee') throw appError('forbidden', 'task.employeesTake');
    return this.db.transaction(async (trx) => {
      const row = await this.visible(trx, id, actor);
      if (row.status === 'done') throw appError('conflict', 'task.isDone', { id }, { field: 'status' });
      const now = this.clock.now().toISOString();
      await this.repo.update(trx, id, { ...this.performerPatch(actor.id, actor, now), status: 'in_progress', updatedAt: now });
      const after = (await this.repo.find(trx, id))!;
      await this.audit.record(trx, actor, 'task.take', 'task', id, performerOf(row), performerOf(after));
      return this.viewOf(trx, after, actor);
    });
  }

  /**
   * Gives the task to a member of its department (404 for an employee that does not exist, 422 for
   * one who is not a member or is disabled); its status stays. Anyone who may work the task may assign it.
   */
  async assign(id: number, employeeId: number, actor: Actor): Promise<TaskView> {
    return this.db.transaction(async (trx) => {
      const row = await this.visible(trx, id, actor);
      if (row.status === 'done') throw appError('conflict', 'task.isDone', { id }, { field: 'status' });
      const employee = await this.repo.employee(trx, employeeId);
      if (!employee) throw new AppError('not_found', `Employee ${employeeId} does not exist`, { field: 'employeeId', key: 'notFound', params: { what: { key: 'entity.Employee' }, id: employeeId } });
      if (row.departmentId === null || !(await this.departments.isMember(trx, Number(row.departmentId), employeeId))) {
        throw appError('unprocessable', 'task.notMember', { name: employee.name }, { field: 'employeeId' });
      }
      if (!employee.enabled) throw appError('unprocessable', 'task.employeeDisabled', { name: employee.name }, { field: 'employeeId' });
      const now = this.clock.now().toISOString();
      await this.repo.update(trx, id, { ...this.performerPatch(employeeId, actor, now), updatedAt: now });
      const after = (await this.repo.find(trx, id))!;
      await this.audit.record(trx, actor, 'task.assign', 'task', id, performerOf(row), performerOf(after));
      return this.viewOf(trx, after, actor);
    });
  }

  /** Tasks an employee works or assigned: asked before the employee is deleted. */
  async usedByEmployee(db: Executor, employeeId: number): Promise<MessageRef | undefined> {
    const n = await this.repo.countForEmployee(db, employeeId);
    return n ? { key: 'uses.tasks', params: { count: n } } : undefined;
  }

  /** Restarts the task's operation; the task stays open (in progress) until someone closes it. */
  async restart(id: number, actor: Actor): Promise<{ task: TaskView; operation: unknown }> {
    const row = await this.visible(this.db.kysely, id, actor);
    if (row.operationId === null) {
      throw appError('unprocessable', 'task.noOperation', { id }, { field: 'id' });
    }
    if (row.status === 'done') throw appError('conflict', 'task.isDone', { id }, { field: 'id' });
    if (!this.restartOperation) throw new AppError('unprocessable', 'Restarting operations is not available in this installation', { field: 'id' });
    const operation = await this.restartOperation(Number(row.operationId), actor);
    const task = await this.db.transaction(async (trx) => {
      const current = (await this.repo.find(trx, id))!;
      const now = this.clock.now().toISOString();
      if (current.status === 'new') await this.repo.update(trx, id, { status: 'in_progress', updatedAt: now });
      await this.audit.record(trx, actor, 'task.restart', 'task', id, null, { operationId: row.operationId });
      return this.viewOf(trx, (await this.repo.find(trx, id))!, actor);
    });
    return { task, operation };
  }

  // ---- rules ---------------------------------------------------------------------------------

  private scopeOf(db: Executor, actor: Actor): Promise<DepartmentScope> {
    return departmentScopeOf(db, actor, 'tasks');
  }

  /** The task, if the actor may see it; otherwise the same 404 as for a task that does not exist. */
  private async visible(db: Executor, id: number, actor: Actor): Promise<TaskRow> {
    const scope = await this.scopeOf(db, actor);
    const row = await this.repo.find(db, id);
    if (!row) throw notFound('Task', id);
    if (!inDepartmentScope(scope, row.departmentId === null ? null : Number(row.departmentId))) throw notFound('Task', id);
    return row;
  }

  /** A new performer (null: none), and who gave it (an employee; null for automation) when. */
  private performerPatch(performerId: number | null, actor: Actor, now: string): Partial<TaskInsert> {
    if (performerId === null) return { performerId: null, assignedById: null, assignedAt: null };
    return { performerId, assignedById: actor.kind === 'employee' ? actor.id : null, assignedAt: now };
  }

  private async checkPerformer(db: Executor, row: TaskRow, employeeId: number): Promise<void> {
    const employee = await this.repo.employee(db, employeeId);
    if (!employee) throw new AppError('validation', `performerId: employee ${employeeId} does not exist`, { field: 'performerId' });
    if (row.departmentId === null || !(await this.departments.isMember(db, Number(row.departmentId), employeeId))) {
      throw new AppError('validation', `performerId: ${employee.name} is not a member of the task's department`, { field: 'performerId' });
    }
  }

  /**
   * A task about an operation is done once the operation ended: closing it while the operation still
   * waits would leave the license processing and the client charged with nobody told.
   */
  private async checkOperationEnded(db: Executor, row: TaskRow): Promise<void> {
    if (row.operationId === null || !this.operationStates) return;
    const operationId = Number(row.operationId);
    const op = (await this.operationStates(db, [operationId])).get(operationId);
    if (!op || !UNFINISHED.has(op.status)) return;
    const params = { id: row.id, operation: operationId, kind: op.kind, state: { key: op.status === 'running' ? 'task.state.running' : 'task.state.waiting' } };
    throw appError('conflict', op.status === 'manual' ? 'task.operationManual' : 'task.operationRunning', params, {
      field: 'operationId',
      details: { operationId, operationStatus: op.status },
    });
  }

  private async checkReopen(db: Executor, row: TaskRow): Promise<void> {
    const open = await this.repo.openByCause(db, row.causeKey);
    if (open && Number(open.id) !== row.id) throw reopenConflict(Number(open.id));
  }

  // ---- views ---------------------------------------------------------------------------------

  private async viewOf(db: Executor, row: TaskRow, actor: Actor): Promise<TaskView> {
    return (await this.views(db, [row], actor, await this.locales.catalog(db === this.db.kysely ? undefined : db)))[0]!;
  }

  private async views(db: Executor, rows: TaskRow[], actor: Actor, catalog: LocaleCatalog): Promise<TaskView[]> {
    const unique = (values: (number | null)[]) => [...new Set(values.filter((v): v is number => v !== null).map(Number))];
    const operationIds = unique(rows.map((r) => r.operationId));
    const [departments, employees, operations] = await Promise.all([
      this.repo.departmentNames(db, unique(rows.map((r) => r.departmentId))),
      this.repo.employeeNames(db, unique(rows.flatMap((r) => [r.performerId, r.assignedById]))),
      this.operationStates && operationIds.length ? this.operationStates(db, operationIds) : new Map<number, { kind: OperationKind; status: OperationStatus }>(),
    ]);
    const now = this.clock.now().toISOString();
    return rows.map((r) => {
      const departmentName = r.departmentId === null ? undefined : departments.get(Number(r.departmentId));
      const employee = (id: number | null) => {
        const name = id === null ? undefined : employees.get(Number(id));
        return name === undefined ? null : { id: Number(id), displayName: name };
      };
      return {
        id: Number(r.id),
        type: r.type as TaskType,
        status: r.status as TaskStatus,
        departmentId: r.departmentId === null ? null : Number(r.departmentId),
        department: departmentName === undefined ? null : { id: Number(r.departmentId), displayName: pickLocalized(JSON.parse(departmentName), actor.locale, catalog) },
        licenseId: r.licenseId === null ? null : Number(r.licenseId),
        operationId: r.operationId === null ? null : Number(r.operationId),
        operation: operationOf(r.operationId === null ? null : Number(r.operationId), operations),
        moduleId: r.moduleId === null ? null : Number(r.moduleId),
        causeKey: r.causeKey,
        performerId: r.performerId === null ? null : Number(r.performerId),
        performer: employee(r.performerId),
        assignedBy: employee(r.assignedById),
        assignedAt: r.assignedAt,
        dueAt: r.dueAt,
        overdue: r.status !== 'done' && r.dueAt !== null && r.dueAt < now,
        locale: r.locale,
        title: r.title,
        text: r.text,
        createdAt: r.createdAt,
        updatedAt: r.updatedAt,
        closedAt: r.closedAt,
      };
    });
  }
}

/** What the audit log keeps of a take or an assignment. */
function performerOf(t: { status: string; performerId: number | null; assignedById: number | null }) {
  return { status: t.status, performerId: t.performerId === null ? null : Number(t.performerId), assignedById: t.assignedById === null ? null : Number(t.assignedById) };
}

function operationOf(id: number | null, states: Map<number, { kind: OperationKind; status: OperationStatus }>): TaskView['operation'] {
  const state = id === null ? undefined : states.get(id);
  return state ? { id: id!, kind: state.kind, status: state.status } : null;
}

function reopenConflict(openId?: number): AppError {
  return new AppError(
    'conflict',
    openId ? `Task ${openId} is already open for the same cause; work on that one` : 'Another task is already open for the same cause',
    { field: 'status', ...(openId ? { details: { openTaskId: openId } } : {}) },
  );
}
