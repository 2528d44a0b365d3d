// Runs one claimed operation: the driver outside any transaction, then its result (license state,
// operation status, license history) in one transaction that only the lease holder can commit.
import { setTimeout as delay } from 'node:timers/promises';
import type { Transaction } from 'kysely';
import type { Logger } from 'pino';
import { systemActor, type Actor } from '../../platform/actor.js';
import type { Clock } from '../../platform/clock.js';
import type { Db } from '../../platform/db/db.js';
import type { Database } from '../../platform/db/schema.js';
import { LicenseHistory, type HistoryEvent } from '../../licenses/history.js';
import { LicenseRepository } from '../../licenses/repository.js';
import { bindUpstreamId, type History } from '../../licenses/lifecycle/index.js';
import { TariffRepository } from '../../products/tariffs/repository.js';
import { TASK_TYPE_OF_OPERATION, type OperationKind } from '../../licenses/model.js';
import { isUpstreamError, type LicenseDriver, type OrderLookup } from '../../integration/processing-modules/drivers/driver.js';
import type { ProcessingModuleService } from '../../integration/processing-modules/service.js';
import { HANDLERS, type HandlerContext, type HandlerOptions, type HandlerResult, type LicenseRow } from './handlers.js';
import type { ClaimedOperation, OperationRepository } from './repository.js';
import type { TaskSink } from './task-sink.js';
import type { OperationEnding } from './ending.js';
import { CommitGroup } from './commit-group.js';
import { decideAfterFailure, failureOf, type Failure, type FailureDecision } from './failure-decision.js';

export const OPERATIONS_ACTOR: Actor = systemActor('operations');

export interface EngineOptions extends HandlerOptions {
  leaseMs: number;
  /** Attempts (counted from the last restart) before a transiently failing operation goes to a person. */
  maxAttempts: number;
  retryBaseMs: number;
  retryMaxMs: number;
}

export const DEFAULT_ENGINE_OPTIONS: EngineOptions = {
  leaseMs: 60_000,
  maxAttempts: 8,
  retryBaseMs: 5_000,
  retryMaxMs: 3_600_000,
  keyPolls: 5,
  keyPollMs: 100,
  keyWaitMs: 30_000,
};

/** Kinds that still make sense once the license is deleted here (a close is idempotent; a sync only reads). */
const RUNS_FOR_DELETED = new Set<OperationKind>(['close', 'sync']);

/** `ended`: failed for good without a person (an order whose license was deleted before delivery). */
export type RunOutcome = 'succeeded' | 'rescheduled' | 'manual' | 'ended' | 'lost';

/**
 * The worker's hook into a successful operation's final transaction: the slot it frees is refilled
 * in the same transaction (one commit less per operation, and no gap between one and the next).
 */
export interface NextClaim {
  /** Inside the transaction, after the operation's own row is finished. */
  claim(trx: Transaction<Database>): Promise<ClaimedOperation[]>;
  /** After it: the operations claimed if it committed, null if it rolled back (or never reached the claim). */
  settled(claimed: ClaimedOperation[] | null): void;
}

/** Lost the lease while running: another worker owns the operation now. */
class LeaseLost extends Error {
  override name = 'LeaseLost';
}

/** The operation needs a person; carries what the task and the operation row say. */
interface ManualReason {
  message: string;
  code: string;
}

export class OperationEngine {
  private readonly history: LicenseHistory;
  private readonly licenses = new LicenseRepository();
  private readonly tariffs = new TariffRepository();
  private readonly drivers = new Map<number, { driver: LicenseDriver; version: string }>();
  /** The upstream-id and success transactions of operations in flight share commits (see commit-group.ts). */
  private readonly commits: CommitGroup;
  private readonly succeededListeners: Array<(op: ClaimedOperation, finishedAt: Date) => void> = [];

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly repo: OperationRepository,
    private readonly modules: ProcessingModuleService,
    private readonly tasks: TaskSink,
    private readonly ending: OperationEnding,
    private readonly logger: Logger,
    readonly options: EngineOptions = DEFAULT_ENGINE_OPTIONS,
  ) {
    this.history = new LicenseHistory(clock);
    this.commits = new CommitGroup(db);
  }

  /** Told after an operation's success committed (the metrics: time from order to active). */
  onSucceeded(listener: (op: ClaimedOperation, finishedAt: Date) => void): void {
    this.succeededListeners.push(listener);
  }

  async run(op: ClaimedOperation, owner: string, next?: NextClaim): Promise<RunOutcome> {
    let lost = false;
    const renew = setInterval(() => {
      const now = this.clock.now();
      this.repo
        .renewLease(op.id, owner, new Date(now.getTime() + this.options.leaseMs), now)
        .then((held) => {
          if (!held) lost = true;
        })
        .catch((error: unknown) => this.logger.warn({ err: error, operationId: op.id }, 'could not renew the operation lease'));
    }, this.renewEveryMs());
    renew.unref?.();
    try {
      return await this.attempt(op, owner, () => lost, next);
    } catch (error) {
      if (error instanceof LeaseLost) {
        this.logger.warn({ operationId: op.id }, 'lost the lease of an operation; another worker took it over');
        return 'lost';
      }
      throw error;
    } finally {
      clearInterval(renew);
    }
  }

  private async attempt(op: ClaimedOperation, owner: string, isLost: () => boolean, next?: NextClaim): Promise<RunOutcome> {
    const kind = op.kind as OperationKind;
    const license = await this.licenses.find(this.db.kysely, op.licenseId);
    if (!license) return this.toManual(op, owner, null, { message: `License ${op.licenseId} does not exist`, code: 'license_missing' });
    const gone = await this.isGone(license);
    if (kind === 'open' && gone) return this.endUndelivered(op, owner, license, null);
    if (!RUNS_FOR_DELETED.has(kind) && gone) {
      // Deletion ends what waits for a license; what was running then and comes back (a retry) must
      // not buy, renew or change upstream before the close.
      return this.toManual(op, owner, license, { message: `License ${license.id} is deleted or being deleted: this ${kind} does not go upstream`, code: 'license_deleted' });
    }
    if (op.moduleId === null) {
      return this.toManual(op, owner, license, { message: 'No enabled processing module can run this operation', code: 'no_module' });
    }
    const module = await this.modules.stateOf(op.moduleId);
    const version = module?.version ?? '';
    let result: HandlerResult;
    try {
      const driver = await this.driverOf(op.moduleId, version);
      const payload = JSON.parse(op.payload) as Record<string, unknown>;
      const ctx: HandlerContext<OperationKind> = {
        op,
        payload: payload as never,
        license,
        driver,
        // Attempts counts this one: anything above 1 means an earlier attempt may have reached the upstream.
        doubt: op.attempts > 1 || op.reclaimed,
        options: this.options,
        now: () => this.clock.now().toISOString(),
        sleep: (ms) => delay(ms),
        persistUpstreamId: (upstreamId) => this.persistUpstreamId(op, license, upstreamId),
        holdLease: () => this.holdLease(op, owner, isLost),
        remember: async (facts) => {
          Object.assign(payload, facts);
          if (!(await this.repo.updatePayload(op.id, owner, JSON.stringify(payload), this.clock.now()))) throw new LeaseLost();
        },
        orderLookup: () => this.orderLookup(license),
      };
      result = await (HANDLERS[kind] as (c: HandlerContext<OperationKind>) => Promise<HandlerResult>)(ctx);
    } catch (error) {
      if (error instanceof LeaseLost || isLost()) throw new LeaseLost();
      return this.onError(op, op.moduleId, owner, license, error);
    }
    if (result.kind === 'wait') {
      return this.carryOut(op, owner, license, this.decide(op, { kind: 'waiting', delayMs: result.delayMs, message: result.message }));
    }
    const done = result;
    if (kind === 'open') {
      const ended = await this.endIfDeletedMeanwhile(op, owner, license, done.result);
      if (ended) return ended;
    }
    let claimed: ClaimedOperation[] | null = null;
    let finishedAt = this.clock.now();
    try {
      await this.commits.run(async (trx) => {
        finishedAt = this.clock.now();
        const now = finishedAt.toISOString();
        const held = await this.repo.finish(trx, op.id, owner, { status: 'succeeded', lastError: null, lastErrorCode: null, result: done.result, now });
        if (!held) throw new LeaseLost();
        // The history of the change is written in one statement after it (fewer round trips while the transaction holds the database).
        const events: HistoryEvent[] = [];
        await done.apply(trx, async (e) => void events.push({ ...e, licenseId: license.id, operationId: op.id }));
        await this.history.recordAll(trx, OPERATIONS_ACTOR, events);
        // A restarted operation that went through: its task is done too.
        if (op.attemptsAtRestart > 0) await this.tasks.closeForCause(trx, `operation:${op.id}`, OPERATIONS_ACTOR);
        if (next) claimed = await next.claim(trx);
      });
    } catch (error) {
      next?.settled(null);
      throw error;
    }
    next?.settled(claimed);
    for (const listener of this.succeededListeners) listener(op, finishedAt);
    // The module answered: an error stored by an earlier call is over (read with the module above, so
    // a healthy module costs no write).
    if (module?.hasError) await this.recordModuleCall(op.moduleId, { ok: true }, true);
    return 'succeeded';
  }

  /** The module's status follows its last call (module-health.ts); a failure to write it is only logged. */
  private async recordModuleCall(moduleId: number, result: Parameters<ProcessingModuleService['recordCall']>[1], hasError?: boolean): Promise<void> {
    await this.modules.recordCall(moduleId, result, hasError).catch((error: unknown) =>
      this.logger.warn({ err: error, moduleId }, 'could not record the module status'),
    );
  }

  /**
   * Right before money is spent upstream: the lease must still be ours, with most of its time left. A
   * read answers that (it sees a takeover as surely as a renewal would); the lease is written anew only
   * when a third of it has passed, since every write is a commit (an fsync on SQLite).
   */
  private async holdLease(op: ClaimedOperation, owner: string, isLost: () => boolean): Promise<void> {
    if (isLost()) throw new LeaseLost();
    const expires = await this.repo.leaseOf(op.id, owner);
    if (expires === null) throw new LeaseLost();
    const now = this.clock.now();
    if (expires - now.getTime() >= this.options.leaseMs - this.renewEveryMs()) return;
    if (!(await this.repo.renewLease(op.id, owner, new Date(now.getTime() + this.options.leaseMs), now))) throw new LeaseLost();
  }

  /** How often a running operation's lease is renewed. */
  private renewEveryMs(): number {
    return Math.max(50, Math.floor(this.options.leaseMs / 3));
  }

  /** One driver per module (its connections are reused), rebuilt when the module changed. */
  private async driverOf(moduleId: number, version: string): Promise<LicenseDriver> {
    const cached = this.drivers.get(moduleId);
    if (cached && cached.version === version) return cached.driver;
    const driver = await this.modules.driverFor(moduleId);
    this.drivers.set(moduleId, { driver, version });
    return driver;
  }

  /** What finding a lost order needs: the license's facts and its tariff's upstream name. */
  private async orderLookup(license: LicenseRow): Promise<OrderLookup> {
    const tariff = await this.tariffs.find(this.db.kysely, license.tariffId);
    return {
      remoteId: license.remoteId,
      ip: license.ip,
      licenseName: license.licenseName,
      tariffId: tariff?.upstreamTariffId ?? '',
      tariffName: tariff?.upstreamName ?? null,
      // The order is sent after the license row is written, never before.
      sentOn: String(license.createdAt).slice(0, 10),
    };
  }

  private async persistUpstreamId(op: ClaimedOperation, license: LicenseRow, upstreamId: string): Promise<void> {
    // A fact about money already spent upstream: stored even if the lease was lost meanwhile. (When the
    // first key read brings the key, the id goes in the final commit instead, which a lost lease rolls
    // back; the next attempt then finds the license by remoteid.)
    await this.commits.run(async (trx) => {
      const history: History = (e) => this.history.record(trx, OPERATIONS_ACTOR, { ...e, licenseId: license.id, operationId: op.id });
      await bindUpstreamId(trx, history, license, upstreamId, op.moduleId, this.clock.now().toISOString());
    });
  }

  /**
   * Our own trouble is logged here; an upstream failure goes to its module's status too (whether it
   * is tried again or goes to a person: the status is the last call's, see module-health.ts).
   */
  private async onError(op: ClaimedOperation, moduleId: number, owner: string, license: LicenseRow, error: unknown): Promise<RunOutcome> {
    const failure = failureOf(error);
    if (failure.kind === 'internal') this.logger.error({ err: error, operationId: op.id }, 'an operation failed unexpectedly');
    const outcome = await this.carryOut(op, owner, license, this.decide(op, failure));
    if (outcome !== 'lost' && isUpstreamError(error)) await this.recordModuleCall(moduleId, { ok: false, error, call: 'order' });
    return outcome;
  }

  private decide(op: ClaimedOperation, failure: Failure): FailureDecision {
    return decideAfterFailure({ failure, attempts: op.attempts - op.attemptsAtRestart, policy: this.options, random: Math.random });
  }

  /** The decision's writes: the operation back in the queue until its next attempt, or to a person. */
  private async carryOut(op: ClaimedOperation, owner: string, license: LicenseRow, decision: FailureDecision): Promise<RunOutcome> {
    if (decision.action === 'person') return this.toManual(op, owner, license, { message: decision.message, code: decision.code });
    const now = this.clock.now();
    const held = await this.repo.finish(this.db.kysely, op.id, owner, {
      status: 'pending',
      nextAttemptAt: new Date(now.getTime() + decision.delayMs).toISOString(),
      lastError: decision.message,
      lastErrorCode: decision.code,
      now: now.toISOString(),
    });
    return held ? 'rescheduled' : 'lost';
  }

  /** Deleted, or its deletion under way (a close not finished): nothing but the close may go upstream for it. */
  private async isGone(license: LicenseRow | undefined): Promise<boolean> {
    return !license || license.status === 'deleted' || (await this.licenses.closing(this.db.kysely, license.id)) !== null;
  }

  /**
   * A purchase that finished after its license's deletion was ordered: the license is never
   * delivered. The upstream id is kept (the close releases the license there) and the order ends
   * like any order deleted before delivery. Null when the license is still wanted.
   */
  private async endIfDeletedMeanwhile(op: ClaimedOperation, owner: string, license: LicenseRow, result: Record<string, unknown>): Promise<RunOutcome | null> {
    if (!(await this.isGone(await this.licenses.find(this.db.kysely, license.id)))) return null;
    const upstreamId = typeof result.upstreamId === 'string' ? result.upstreamId : null;
    if (upstreamId) await this.persistUpstreamId(op, license, upstreamId);
    return this.endUndelivered(op, owner, license, upstreamId);
  }

  /**
   * An order whose license was deleted before it was delivered: failed for good, the client's charge
   * given back, its task (if any) done; the license's close releases whatever was bought upstream.
   */
  private async endUndelivered(op: ClaimedOperation, owner: string, license: LicenseRow, upstreamId: string | null): Promise<RunOutcome> {
    const reason = `License ${license.id} was deleted before it was delivered${upstreamId ? `: upstream license ${upstreamId} is closed with it` : ''}`;
    const held = await this.db.transaction(async (trx) => {
      const locked = (await this.licenses.findForUpdate(trx, license.id)) ?? license;
      const now = this.clock.now().toISOString();
      if (!(await this.repo.finish(trx, op.id, owner, { status: 'failed', lastError: reason, lastErrorCode: 'license_deleted', now }))) return false;
      await this.ending.ended(trx, op, locked, { refund: `Order not delivered: ${reason}`, note: reason }, OPERATIONS_ACTOR);
      return true;
    });
    return held ? 'ended' : 'lost';
  }

  private async toManual(op: ClaimedOperation, owner: string, license: LicenseRow | null, reason: ManualReason): Promise<RunOutcome> {
    const kind = op.kind as OperationKind;
    if (kind === 'open' && license) {
      // Failing after the deletion was ordered: nobody needs to set up a license that is going away.
      const current = await this.licenses.find(this.db.kysely, license.id);
      if (await this.isGone(current)) {
        return this.endUndelivered(op, owner, license, current?.upstreamId ?? null);
      }
    }
    const held = await this.db.transaction(async (trx) => {
      const now = this.clock.now().toISOString();
      const ok = await this.repo.finish(trx, op.id, owner, { status: 'manual', lastError: reason.message, lastErrorCode: reason.code, now });
      if (!ok) return false;
      const module = op.moduleId ? await this.modules.workedBy(trx, op.moduleId) : null;
      await this.tasks.openForCause(trx, {
        type: TASK_TYPE_OF_OPERATION[kind] ?? 'change',
        causeKey: `operation:${op.id}`,
        departmentId: module?.departmentId ?? null,
        licenseId: license?.id ?? null,
        operationId: op.id,
        moduleId: op.moduleId,
        params: {
          operation: kind,
          operationId: op.id,
          licenseId: license?.id ?? null,
          licenseName: license?.licenseName ?? null,
          ip: license?.ip ?? null,
          upstreamId: license?.upstreamId ?? null,
          error: reason.message,
          errorCode: reason.code,
          attempts: op.attempts,
        },
      });
      if (license) {
        await this.history.record(trx, OPERATIONS_ACTOR, {
          licenseId: license.id,
          operationId: op.id,
          event: 'note',
          message: `Operation "${kind}" needs a person: ${reason.message}`,
        });
      }
      return true;
    });
    return held ? 'manual' : 'lost';
  }
}
