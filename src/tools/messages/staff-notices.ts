// What staff hear by e-mail: a task opened for their department, a task past its due time, an upstream
// balance below its minimum. Each is written in the transaction of its event (see outbox.ts), in the
// department's task language (English when there is no template in it), to enabled employees only.
//
// Who: a task nobody works yet concerns its department's members; once it has a performer (taken or
// assigned), its e-mails go to the performer only (to the members again if the performer is disabled).
// An overdue task goes to the head of its department, and without a head to those the task concerns.
import type { Executor } from '../../platform/db/db.js';
import { pickLocalizedOr } from '../scheduler/labels.js';
import { enqueueEmployeeMessage } from './outbox.js';

/** Enabled members of a department, by id. */
export async function departmentMembers(db: Executor, departmentId: number): Promise<number[]> {
  const rows = await db
    .selectFrom('departmentMembers')
    .innerJoin('employees', 'employees.id', 'departmentMembers.employeeId')
    .select('employees.id')
    .where('departmentMembers.departmentId', '=', departmentId)
    .where('employees.enabled', '=', 1)
    .orderBy('employees.id')
    .execute();
  return rows.map((r) => Number(r.id));
}

/** Enabled administrators, by id. */
export async function administrators(db: Executor): Promise<number[]> {
  const rows = await db.selectFrom('employees').select('id').where('isAdmin', '=', 1).where('enabled', '=', 1).orderBy('id').execute();
  return rows.map((r) => Number(r.id));
}

async function enabled(db: Executor, employeeId: number | null): Promise<boolean> {
  if (employeeId === null) return false;
  const row = await db.selectFrom('employees').select('enabled').where('id', '=', employeeId).executeTakeFirst();
  return !!row?.enabled;
}

/** The task with what its e-mails say (department name and language, performer's name). */
async function taskOf(db: Executor, taskId: number) {
  const task = await db
    .selectFrom('tasks')
    .leftJoin('departments', 'departments.id', 'tasks.departmentId')
    .leftJoin('employees', 'employees.id', 'tasks.performerId')
    .select([
      'tasks.id',
      'tasks.departmentId',
      'tasks.performerId',
      'tasks.title',
      'tasks.text',
      'tasks.dueAt',
      'tasks.locale',
      'departments.name as departmentName',
      'departments.taskLocale',
      'departments.headEmployeeId',
      'employees.name as performerName',
    ])
    .where('tasks.id', '=', taskId)
    .executeTakeFirst();
  if (!task) return undefined;
  const locale = task.taskLocale ?? task.locale;
  return {
    id: Number(task.id),
    departmentId: task.departmentId === null ? null : Number(task.departmentId),
    performerId: task.performerId === null ? null : Number(task.performerId),
    headEmployeeId: task.headEmployeeId === null ? null : Number(task.headEmployeeId),
    locale,
    values: {
      taskId: String(task.id),
      title: task.title,
      text: task.text,
      department: task.departmentName === null ? '—' : pickLocalizedOr(task.departmentName, locale),
      dueAt: task.dueAt === null ? '—' : dateTimeWords(task.dueAt),
      performer: task.performerName ?? '—',
    },
  };
}

/**
 * Those a task's e-mails go to: its performer once it has one, else its department's enabled members.
 * A performer disabled since (gone, on leave) cannot act on it: the members hear, as while nobody works it.
 */
async function concerned(db: Executor, task: { departmentId: number | null; performerId: number | null }): Promise<number[]> {
  if (task.performerId !== null && (await enabled(db, task.performerId))) return [task.performerId];
  return task.departmentId === null ? [] : departmentMembers(db, task.departmentId);
}

/** "2026-11-25 14:00 UTC" */
export function dateTimeWords(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

/** A task was opened: those it concerns hear of it, once each (key per task and recipient). Returns the messages written. */
export async function taskCreatedNotices(db: Executor, now: Date, taskId: number): Promise<number> {
  const task = await taskOf(db, taskId);
  if (!task) return 0;
  let written = 0;
  for (const employeeId of await concerned(db, task)) {
    const created = await enqueueEmployeeMessage(db, now, {
      employeeId, locale: task.locale, event: 'task_created', eventKey: `task_created:${task.id}`, values: task.values, entityType: 'task', entityId: task.id,
    });
    if (created) written += 1;
  }
  return written;
}

/**
 * A task is past its due time: the head of its department hears of it (without an enabled head, those
 * it concerns), once per task — nothing when an overdue e-mail about it was written already.
 */
export async function taskOverdueNotices(db: Executor, now: Date, taskId: number): Promise<number> {
  const task = await taskOf(db, taskId);
  if (!task) return 0;
  const recipients = (await enabled(db, task.headEmployeeId)) ? [task.headEmployeeId!] : await concerned(db, task);
  if (!recipients.length) return 0;
  const addresses = await db.selectFrom('employees').select('email').where('id', 'in', recipients).execute();
  const eventKey = `task_overdue:${task.id}`;
  const told = await db
    .selectFrom('messages')
    .select('id')
    .where('idempotencyKey', 'in', addresses.map((a) => `${eventKey}:${a.email.toLowerCase()}`))
    .executeTakeFirst();
  if (told) return 0;
  let written = 0;
  for (const employeeId of recipients) {
    if (await enqueueEmployeeMessage(db, now, { employeeId, locale: task.locale, event: 'task_overdue', eventKey, values: task.values, entityType: 'task', entityId: task.id })) written += 1;
  }
  return written;
}

/**
 * A module's upstream balance fell below its minimum and its low-balance task was opened: the module's
 * department's members hear of it (administrators when the module has no department), once per task,
 * so once per stretch of low balance.
 */
export async function balanceLowNotices(
  db: Executor,
  now: Date,
  input: { taskId: number; moduleId: number; moduleName: string; departmentId: number | null; taskLocale: string | null; balance: string; minimalBalance: string },
): Promise<number> {
  const locale = input.taskLocale ?? 'en';
  const recipients = input.departmentId === null ? await administrators(db) : await departmentMembers(db, input.departmentId);
  const values = { module: pickLocalizedOr(input.moduleName, locale), balance: input.balance, minimalBalance: input.minimalBalance, taskId: String(input.taskId) };
  let written = 0;
  for (const employeeId of recipients) {
    const created = await enqueueEmployeeMessage(db, now, {
      employeeId, locale, event: 'balance_low', eventKey: `balance_low:${input.moduleId}:${input.taskId}`, values, entityType: 'task', entityId: input.taskId,
    });
    if (created) written += 1;
  }
  return written;
}
