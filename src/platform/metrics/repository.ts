// The counts /metrics reads at scrape time: a few grouped counts over indexed columns, nothing per row.
import { sql } from 'kysely';
import type { Executor } from '../db/db.js';

export class MetricsRepository {
  /** Operations by kind and status (every row the running-operations table holds). */
  operationsByKindAndStatus(db: Executor) {
    return db
      .selectFrom('operations')
      .select(['kind', 'status', (eb) => eb.fn.countAll<number | bigint | string>().as('n')])
      .groupBy(['kind', 'status'])
      .execute();
  }

  /** Open tasks (not done) per department, and how many of them are past their due time at `now`. */
  openTasksByDepartment(db: Executor, now: string) {
    return db
      .selectFrom('tasks')
      .leftJoin('departments', 'departments.id', 'tasks.departmentId')
      .select([
        'tasks.departmentId',
        'departments.name',
        (eb) => eb.fn.countAll<number | bigint | string>().as('open'),
        sql<number | bigint | string>`sum(case when ${sql.ref('tasks.dueAt')} < ${now} then 1 else 0 end)`.as('overdue'),
      ])
      .where('tasks.status', '<>', 'done')
      .groupBy(['tasks.departmentId', 'departments.name'])
      .execute();
  }

  /** E-mails in the outbox by status, those already sent left out. */
  outboxByStatus(db: Executor) {
    return db
      .selectFrom('messages')
      .select(['status', (eb) => eb.fn.countAll<number | bigint | string>().as('n')])
      .where('status', '<>', 'sent')
      .groupBy('status')
      .execute();
  }

  /** Reachable: one round trip. */
  async ping(db: Executor): Promise<void> {
    await sql`select 1`.execute(db);
  }
}
