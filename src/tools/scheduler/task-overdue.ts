// Open tasks past their due time (the department's working hours are already in due_at): each is
// mailed once to its department's head (see messages/staff-notices.ts for who else and why once).
import type { Logger } from 'pino';
import type { Clock } from '../../platform/clock.js';
import type { Db } from '../../platform/db/db.js';
import { taskOverdueNotices } from '../messages/staff-notices.js';
import { yieldToEventLoop } from './yield.js';

export interface OverdueRun {
  /** Open tasks past their due time. */
  overdue: number;
  /** E-mails written in this run (tasks already mailed about write none). */
  mailed: number;
  failed: number;
}

export class OverdueTasks {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly options: { pageSize: number },
    private readonly logger?: Logger,
  ) {}

  async run(): Promise<OverdueRun> {
    const now = this.clock.now();
    const out: OverdueRun = { overdue: 0, mailed: 0, failed: 0 };
    let after = 0;
    for (;;) {
      const page = await this.db.kysely
        .selectFrom('tasks')
        .select('id')
        .where('status', '<>', 'done')
        .where('dueAt', 'is not', null)
        .where('dueAt', '<', now.toISOString())
        .where('id', '>', after)
        .orderBy('id')
        .limit(this.options.pageSize)
        .execute();
      if (!page.length) break;
      after = Number(page[page.length - 1]!.id);
      out.overdue += page.length;
      for (const { id } of page) {
        try {
          out.mailed += await this.db.transaction(async (trx) => {
            // Decided again in the transaction: done meanwhile, nobody is told.
            const task = await trx.selectFrom('tasks').select('status').where('id', '=', Number(id)).executeTakeFirst();
            return task && task.status !== 'done' ? taskOverdueNotices(trx, now, Number(id)) : 0;
          });
        } catch (error) {
          out.failed += 1;
          this.logger?.error({ err: error, taskId: id }, 'mailing an overdue task failed');
        }
      }
      if (page.length < this.options.pageSize) break;
      await yieldToEventLoop();
    }
    return out;
  }
}
