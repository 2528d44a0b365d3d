// The background worker: claims due operations under a lease and runs them, a bounded number at a time.
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import type { Logger } from 'pino';
import type { Clock } from '../../platform/clock.js';
import type { NextClaim, OperationEngine, RunOutcome } from './engine.js';
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

const emptyCounts = (): RunCounts => ({ claimed: 0, succeeded: 0, rescheduled: 0, manual: 0, ended: 0, lost: 0, failed: 0 });

export class Worker {
  readonly owner: string;
  private running = false;
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  private again = false;
  private readonly inFlight = new Set<Promise<unknown>>();
  /** Slots promised to claims running inside finishing operations' transactions. */
  private reserved = 0;
  /** True while runOnce() drives the worker (then a finishing operation claims its successor too). */
  private once = false;
  /** Operations that finished without claiming their successor: runOnce() claims for them. */
  private unrefilled = 0;

  constructor(
    private readonly repo: OperationRepository,
    private readonly engine: OperationEngine,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly options: WorkerOptions,
  ) {
    this.owner = options.owner ?? workerOwnerId();
  }

  /** Started and not stopped: claims due operations by itself. */
  get isRunning(): boolean {
    return this.running;
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
      const free = this.free();
      if (free <= 0) return;
      const claimed = await this.claimAndLaunch(free);
      if (claimed === free) this.again = false; // slots full: a finishing operation kicks again
    } catch (error) {
      this.logger.error({ err: error }, 'claiming operations failed');
    }
  }

  private launch(op: ClaimedOperation, counts?: RunCounts): Promise<unknown> {
    // A successful operation claims what takes its slot in its own final transaction; when that did
    // not happen (another outcome, a rollback), the slot is refilled by a claim of its own as before.
    let refilled = false;
    let reserved = 0;
    const next: NextClaim = {
      claim: async (trx) => {
        if (!this.running && !this.once) return [];
        // This operation's own slot (it is still in flight) plus any other free one not promised elsewhere.
        reserved = Math.max(0, this.free() + 1);
        this.reserved += reserved;
        return this.repo.claimWithin(trx, { owner: this.owner, now: this.clock.now(), leaseMs: this.engine.options.leaseMs, limit: reserved });
      },
      settled: (claimed) => {
        this.reserved -= reserved;
        reserved = 0;
        if (!claimed) return;
        refilled = true;
        if (counts) counts.claimed += claimed.length;
        for (const c of claimed) this.launch(c, counts);
      },
    };
    const p: Promise<unknown> = this.engine
      .run(op, this.owner, next)
      .then((outcome) => {
        if (counts) counts[outcome] += 1;
      })
      .catch((error: unknown) => {
        if (counts) counts.failed += 1;
        this.logger.error({ err: error, operationId: op.id }, 'running an operation failed');
      })
      .finally(() => {
        this.inFlight.delete(p);
        if (!refilled) {
          this.unrefilled += 1;
          this.kick();
        }
      });
    this.inFlight.add(p);
    return p;
  }

  /** Slots neither running nor promised to a claim under way. */
  private free(): number {
    return this.options.concurrency - this.inFlight.size - this.reserved;
  }

  /** Claims up to `limit` (those slots stay promised until the claimed operations are launched); returns how many. */
  private claimAndLaunch(limit: number, counts?: RunCounts): Promise<number> {
    this.reserved += limit;
    return this.repo.claim({ owner: this.owner, now: this.clock.now(), leaseMs: this.engine.options.leaseMs, limit }).then(
      (claimed) => {
        this.reserved -= limit;
        if (counts) counts.claimed += claimed.length;
        for (const op of claimed) this.launch(op, counts);
        return claimed.length;
      },
      (error: unknown) => {
        this.reserved -= limit;
        throw error;
      },
    );
  }

  /** Claims and runs everything due now, until nothing due is left; for tests, benchmarks and one-shot runs. */
  async runOnce(): Promise<RunCounts> {
    const counts = emptyCounts();
    this.once = true;
    try {
      // Ends: every attempt either finishes or moves the operation's next attempt into the future, and
      // attempts are bounded (maxAttempts), so "nothing claimable and nothing in flight" comes. A
      // successful operation claims its successor itself (see launch), with the same limit this loop
      // would use at that moment; the loop claims after the others, and at the start.
      let claimNow = true;
      for (;;) {
        if (claimNow) {
          this.unrefilled = 0;
          const free = this.free();
          if (free > 0) await this.claimAndLaunch(free, counts);
        }
        if (!this.inFlight.size) break;
        // Nothing more to claim now (slots full, a module at its limit, nothing else due): the next chance
        // comes when one finishes, and one that succeeded has already claimed for its slot.
        await Promise.race([...this.inFlight]);
        claimNow = this.unrefilled > 0;
      }
      while (this.inFlight.size) await Promise.allSettled([...this.inFlight]);
    } finally {
      this.once = false;
    }
    return counts;
  }
}
