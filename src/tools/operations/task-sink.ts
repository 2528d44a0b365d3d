import type { Actor } from '../../platform/actor.js';
import type { Executor } from '../../platform/db/db.js';
import type { TaskCause } from '../tasks/open-task.js';

/** Where an operation that needs a person goes: one open task per cause, in the caller's transaction. */
export interface TaskSink {
  openForCause(db: Executor, cause: TaskCause): Promise<{ id: number; created: boolean }>;
  /** Closes the cause's open task (its operation succeeded or ended for good). */
  closeForCause(db: Executor, causeKey: string, actor: Actor): Promise<boolean>;
}
