import type { Actor } from '../../platform/actor.js';
import type { Clock } from '../../platform/clock.js';
import type { Executor } from '../../platform/db/db.js';
import type { TaskCause } from '../tasks/open-task.js';

/** Where an operation that needs a person goes: one open task per cause, in the caller's transaction. */
export interface TaskSink {
  openForCause(db: Executor, cause: TaskCause): Promise<{ id: number; created: boolean }>;
  /** Closes the cause's open task (a restarted operation succeeded); optional. */
  closeForCause?(db: Executor, causeKey: string, actor: Actor): Promise<boolean>;
}

/**
 * A bare task row per cause, for installations (and tests) without the tasks service: no due time
 * from business hours, an English title. The real wiring uses the tasks service.
 */
export class MinimalTaskSink implements TaskSink {
  constructor(private readonly clock: Clock) {}

  async openForCause(db: Executor, cause: TaskCause): Promise<{ id: number; created: boolean }> {
    const existing = await db.selectFrom('tasks').select('id').where('causeKey', '=', cause.causeKey).where('status', '<>', 'done').executeTakeFirst();
    if (existing) return { id: Number(existing.id), created: false };
    const now = this.clock.now().toISOString();
    const inserted = await db
      .insertInto('tasks')
      .values({
        departmentId: cause.departmentId,
        type: cause.type,
        licenseId: cause.licenseId ?? null,
        operationId: cause.operationId ?? null,
        moduleId: cause.moduleId ?? null,
        causeKey: cause.causeKey,
        status: 'new',
        performerId: null,
        dueAt: null,
        locale: 'en',
        title: `${cause.type}: ${String(cause.params.operation ?? cause.causeKey)}`,
        text: String(cause.params.error ?? ''),
        createdAt: now,
        updatedAt: now,
        closedAt: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return { id: Number(inserted.id), created: true };
  }

  async closeForCause(db: Executor, causeKey: string): Promise<boolean> {
    const now = this.clock.now().toISOString();
    const result = await db.updateTable('tasks').set({ status: 'done', closedAt: now, updatedAt: now }).where('causeKey', '=', causeKey).where('status', '<>', 'done').executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }
}
