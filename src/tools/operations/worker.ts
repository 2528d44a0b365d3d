// The background worker: claims due operations under a lease and runs them, a bounded number at a time.
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import type { Logger } from 'pino';
import type { Clock } from '../../platform/clock.js';
import type { OperationEngine, RunOutcome } from './engine.js';
import type { ClaimedOperation, OperationRepository } from './repository.js';

export interface WorkerOptions {
  /** How often to look for due operations when idle. */
  pollMs: number;
  /** Operations run at once by this worker (each module's own limit applies on top). */
  concurrency: number;
  /** Unique per worker: host:pid:random. */
  owner?: string;
}

export type RunCounts = Record<RunOutcome, number> & { claimed: number; failed: number };

export function workerOwnerId(): string {
  return `${os.hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
}

const emptyCounts = (): RunCounts => ({ claimed: 0, succeeded: 0, rescheduled: 0, manual: 0, lost: 0, failed: 0 });

export class Worker {
  readonly owner: string;
  private running = false;
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  private again = false;
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(
    private readonly repo: OperationRepository,
    private readonly engine: OperationEngine,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly options: WorkerOptions,
  ) {
    this.owner = options.owner ?? workerOwnerId();
  }

  get active(): number {
    return this.inFlight.size;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.kick();
  }

  /** Stops claiming and waits for the operations in flight to finish. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.ticking;
    while (this.inFlight.size) await Promise.allSettled([...this.inFlight]);
  }

  /** Looks for work now (after a restart, a new order…) instead of at the next poll. */
  kick(): void {
    if (!this.running) return;
    if (this.ticking) {
      this.again = true;
      return;
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.ticking = this.tick().finally(() => {
      this.ticking = undefined;
      if (!this.running) return;
      if (this.again) {
        this.again = false;
        this.kick();
      } else {
        this.timer = setTimeout(() => this.kick(), this.options.pollMs);
        this.timer.unref?.();
      }
    });
  }

  private async tick(): Promise<void> {
    try {
      const free = this.options.concurrency - this.inFlight.size;
      if (free <= 0) return;
      const claimed = await this.claim(free);
      for (const op of claimed) this.launch(op);
      if (claimed.length === free) this.again = false; // slots full: a finishing operation kicks again
    } catch (error) {
      this.logger.error({ err: error }, 'claiming operations failed');
    }
  }

  private launch(op: ClaimedOperation, counts?: RunCounts): Promise<unknown> {
    const p: Promise<unknown> = this.engine
      .run(op, this.owner)
      .then((outcome) => {
        if (counts) counts[outcome] += 1;
      })
      .catch((error: unknown) => {
        if (counts) counts.failed += 1;
        this.logger.error({ err: error, operationId: op.id }, 'running an operation failed');
      })
      .finally(() => {
        this.inFlight.delete(p);
        this.kick();
      });
    this.inFlight.add(p);
    return p;
  }

  private claim(limit: number): Promise<ClaimedOperation[]> {
    return this.repo.claim({ owner: this.owner, now: this.clock.now(), leaseMs: this.engine.options.leaseMs, limit });
  }

  /** Claims and runs everything due now, until nothing due is left; for tests, benchmarks and one-shot runs. */
  async runOnce(): Promise<RunCounts> {
    const counts = emptyCounts();
    // Ends: every attempt either finishes or moves the operation's next attempt into the future, and
    // attempts are bounded (maxAttempts), so "nothing claimable and nothing in flight" comes.
    for (;;) {
      const free = this.options.concurrency - this.inFlight.size;
      const claimed = free > 0 ? await this.claim(free) : [];
      if (!claimed.length) {
        if (!this.inFlight.size) break;
        await Promise.race([...this.inFlight]);
        continue;
      }
      counts.claimed += claimed.length;
      for (const op of claimed) this.launch(op, counts);
      // Fewer than asked for (a module at its limit, or nothing else due): the next chance comes when one finishes.
      if (this.inFlight.size >= this.options.concurrency || claimed.length < free) await Promise.race([...this.inFlight]);
    }
    while (this.inFlight.size) await Promise.allSettled([...this.inFlight]);
    return counts;
  }
}
