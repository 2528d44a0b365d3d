// Scheduled jobs that run once per due time across every process sharing the database: a job runs
// in the process whose UPDATE moves its next_run_at forward (the row is the lock; exactly one wins).
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import type { Logger } from 'pino';
import type { Clock } from '../../platform/clock.js';
import type { Db } from '../../platform/db/db.js';
import { nextRunAfter, type JobSchedule } from './schedule.js';

export interface Job {
  name: string;
  schedule: JobSchedule;
  /** Returns a short summary stored as the job's last result. */
  run(): Promise<unknown>;
}

export interface TickResult {
  /** Jobs this process ran in this tick. */
  ran: string[];
  failed: string[];
}

export class Scheduler {
  private readonly jobs = new Map<string, Job>();
  private timer?: NodeJS.Timeout;
  private running?: Promise<TickResult>;
  private ensured = false;
  /** Who runs a job, as stored in scheduler_jobs.last_owner. */
  readonly owner: string;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly logger?: Logger,
    owner?: string,
  ) {
    this.owner = owner ?? `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  }

  register(job: Job): this {
    if (this.jobs.has(job.name)) throw new Error(`job ${job.name} is registered twice`);
    this.jobs.set(job.name, job);
    this.ensured = false;
    return this;
  }

  jobNames(): string[] {
    return [...this.jobs.keys()];
  }

  /** Runs every job that is due now and that no other process claimed first. */
  async tick(): Promise<TickResult> {
    await this.ensureRows();
    const result: TickResult = { ran: [], failed: [] };
    for (const job of this.jobs.values()) {
      if (!(await this.claim(job))) continue;
      result.ran.push(job.name);
      const started = Date.now();
      let summary: string;
      try {
        const out = await job.run();
        summary = `ok ${JSON.stringify(out ?? null)}`.slice(0, 1000);
        this.logger?.info({ job: job.name, ms: Date.now() - started, result: out }, 'scheduled job done');
      } catch (error) {
        result.failed.push(job.name);
        summary = `error ${error instanceof Error ? error.message : String(error)}`.slice(0, 1000);
        this.logger?.error({ job: job.name, err: error }, 'scheduled job failed');
      }
      await this.db.kysely.updateTable('schedulerJobs').set({ lastResult: summary }).where('name', '=', job.name).execute();
    }
    return result;
  }

  /** Ticks every `intervalMs` (the first one at once) until stop(); ticks never overlap in one process. */
  start(intervalMs: number): void {
    if (this.timer) return;
    const loop = () => {
      // The first tick is queued with setImmediate; a stop() before it runs must win.
      if (this.timer && !this.running) {
        this.running = this.tick()
          .catch((error: unknown) => {
            this.logger?.error({ err: error }, 'scheduler tick failed');
            return { ran: [], failed: [] };
          })
          .finally(() => {
            this.running = undefined;
          });
      }
    };
    this.timer = setInterval(loop, intervalMs);
    this.timer.unref();
    setImmediate(loop);
  }

  /** Stops ticking and waits for a tick in progress. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** A row per job; a new job is due at once. */
  private async ensureRows(): Promise<void> {
    if (this.ensured) return;
    const now = this.clock.now().toISOString();
    for (const name of this.jobs.keys()) {
      await this.db.kysely
        .insertInto('schedulerJobs')
        .values({ name, nextRunAt: now, lastRunAt: null, lastOwner: null, lastResult: null })
        .onConflict((oc) => oc.column('name').doNothing())
        .execute();
    }
    this.ensured = true;
  }

  /** The one conditional UPDATE that decides which process runs a due job. */
  private async claim(job: Job): Promise<boolean> {
    const now = this.clock.now();
    const result = await this.db.kysely
      .updateTable('schedulerJobs')
      .set({ nextRunAt: nextRunAfter(job.schedule, now).toISOString(), lastRunAt: now.toISOString(), lastOwner: this.owner })
      .where('name', '=', job.name)
      .where('nextRunAt', '<=', now.toISOString())
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }
}
