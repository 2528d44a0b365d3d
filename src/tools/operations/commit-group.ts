// Group commit for the operation engine. Every transaction of a running operation ends in a commit, and
// on SQLite a commit is an fsync that blocks the whole process (better-sqlite3 is synchronous): with
// several operations in flight, their small transactions queued one behind another, one fsync each.
// Transactions asked for while the previous group commits (or before a group starts, in the same
// synchronous turn) run one after another as savepoints of one database transaction and share its
// commit. Each keeps its own all-or-nothing: a failure rolls back to its savepoint only and reaches
// only its caller. Every caller hears its result only after the commit, so "stored before going on"
// still holds.
import { sql, type Transaction } from 'kysely';
import type { Db } from '../../platform/db/db.js';
import type { Database } from '../../platform/db/schema.js';

type Work<T> = (trx: Transaction<Database>) => Promise<T>;

interface Pending {
  work: Work<unknown>;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

export class CommitGroup {
  private queue: Pending[] = [];
  private scheduled = false;
  private flushing = false;

  constructor(private readonly db: Db) {}

  /** Runs `work` in a transaction, committed together with the others asked for meanwhile. */
  run<T>(work: Work<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.flushing || !this.queue.length) return;
    this.scheduled = true;
    // A microtask, not setImmediate: waiting for the next turn of the event loop grouped almost nothing
    // (operations finish at different moments) and put the I/O of everything else in front of the commit.
    queueMicrotask(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    const group = this.queue;
    this.queue = [];
    try {
      if (group.length === 1) {
        const [only] = group;
        await this.db.transaction(only!.work).then(only!.resolve, only!.reject);
        return;
      }
      const outcomes: Outcome[] = [];
      try {
        await this.db.transaction(async (trx) => {
          for (let i = 0; i < group.length; i += 1) {
            const name = sql.raw(`commit_group_${i}`);
            await sql`savepoint ${name}`.execute(trx);
            try {
              const value = await group[i]!.work(trx);
              await sql`release savepoint ${name}`.execute(trx);
              outcomes.push({ ok: true, value });
            } catch (error) {
              await sql`rollback to savepoint ${name}`.execute(trx);
              await sql`release savepoint ${name}`.execute(trx);
              outcomes.push({ ok: false, error });
            }
          }
        });
      } catch (error) {
        // The transaction itself failed (the commit, a broken connection): nothing of the group is stored.
        for (const p of group) p.reject(error);
        return;
      }
      group.forEach((p, i) => {
        const outcome = outcomes[i]!;
        if (outcome.ok) p.resolve(outcome.value);
        else p.reject(outcome.error);
      });
    } finally {
      this.flushing = false;
      this.schedule();
    }
  }
}
