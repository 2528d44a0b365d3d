// Kysely queries for running operations: claiming due rows under a lease, and the guarded writes
// that only the lease holder may make.
import { sql, type ExpressionBuilder, type Selectable, type Transaction } from 'kysely';
import type { Db, Executor } from '../../platform/db/db.js';
import type { Database, OperationTable } from '../../platform/db/schema.js';
import { chooseModule } from '../../integration/processing-modules/module-choice.js';
import { whereInDepartmentScope, type DepartmentScope } from '../../provider/departments/scope.js';

export type OperationRow = Selectable<OperationTable>;

/** A row this worker now holds; `reclaimed` when it took over an expired lease (a crashed worker). */
export interface ClaimedOperation extends OperationRow {
  reclaimed: boolean;
}

export interface ClaimRequest {
  owner: string;
  now: Date;
  leaseMs: number;
  /** At most this many rows. */
  limit: number;
}

export interface OperationFilter {
  status?: string;
  kind?: string;
  licenseId?: number;
}

/** What choosing among due operations needs; a claimed row comes back whole from its update. */
const CANDIDATE_COLUMNS = ['id', 'licenseId', 'moduleId', 'status', 'nextAttemptAt'] as const;

/**
 * An operation that some module not in `full` may run: one bound to another module, or one still to
 * be placed (an open) whose license's tariff has a module that is not full, or none at all (then the
 * engine says so). The claim itself decides for good, under the modules' locks.
 */
function notOnlyFor(eb: ExpressionBuilder<Database, 'operations'>, full: number[]) {
  const tariffModulesOfLicense = () =>
    eb
      .selectFrom('licenses')
      .innerJoin('tariffModules', 'tariffModules.tariffId', 'licenses.tariffId')
      .select('tariffModules.processingModuleId')
      .whereRef('licenses.id', '=', 'operations.licenseId');
  return eb.or([
    eb('operations.moduleId', 'not in', full),
    eb.and([
      eb('operations.moduleId', 'is', null),
      eb.or([
        eb.exists(tariffModulesOfLicense().where('tariffModules.processingModuleId', 'not in', full)),
        eb.not(eb.exists(tariffModulesOfLicense())),
      ]),
    ]),
  ]);
}

export class OperationRepository {
  constructor(private readonly db: Db) {}

  /**
   * Claims due operations for `owner`: pending ones whose time has come and running ones whose lease
   * expired. Picks each one's module (the license's, the one an earlier attempt chose, or the best of the
   * tariff's modules) and never lets a module run more operations at once than its limit. One operation
   * per license at a time, oldest first.
   */
  async claim(req: ClaimRequest): Promise<ClaimedOperation[]> {
    if (req.limit <= 0) return [];
    return this.db.transaction((trx) => this.claimWithin(trx, req));
  }

  /**
   * The same claim inside a transaction the caller already holds (the worker claims the next operation
   * in the transaction that finishes the previous one: one commit less per operation).
   */
  async claimWithin(trx: Transaction<Database>, req: ClaimRequest): Promise<ClaimedOperation[]> {
    if (req.limit <= 0) return [];
    const nowIso = req.now.toISOString();
    // Due pending rows and expired running ones, oldest first. Two queries rather than one with OR: each
    // walks the (status, next_attempt_at) index in order and stops at the limit, where the OR read every
    // pending row and sorted them all.
    // What the modules can take now, read without locks (the count under the modules' locks below
    // decides): the window of candidates is sized by the free slots, and operations that only a module
    // at its limit can run are left out, so that a queue for one busy module longer than the window
    // does not keep every other module's work waiting.
    const { full, free } = await this.moduleCapacity(trx, nowIso);
    const window = Math.min(req.limit, Math.max(free, 1)) * 2 + 16;
    // PostgreSQL locks the candidates and skips rows another worker holds; on SQLite (no row locks)
    // the transaction already holds the write lock, and dialect.ts leaves the clause out.
    let pendingQuery = trx
      .selectFrom('operations')
      .select(CANDIDATE_COLUMNS)
      .where('status', '=', 'pending')
      .where('nextAttemptAt', '<=', nowIso);
    if (full.length) pendingQuery = pendingQuery.where((eb) => notOnlyFor(eb, full));
    const pending = await pendingQuery.orderBy('nextAttemptAt').orderBy('id').limit(window).forUpdate().skipLocked().execute();
    const expired = await trx
      .selectFrom('operations')
      .select(CANDIDATE_COLUMNS)
      .where('status', '=', 'running')
      .where('leaseExpiresAt', '<=', nowIso)
      .orderBy('nextAttemptAt')
      .orderBy('id')
      .limit(window)
      .forUpdate()
      .skipLocked()
      .execute();
    const candidates = expired.length
      ? [...pending, ...expired].sort((a, b) => (a.nextAttemptAt < b.nextAttemptAt ? -1 : a.nextAttemptAt > b.nextAttemptAt ? 1 : a.id - b.id)).slice(0, window)
      : pending;
    if (!candidates.length) return [];

    const licenseIds = [...new Set(candidates.map((c) => c.licenseId))];
    const licenses = await trx
      .selectFrom('licenses')
      .select(['id', 'moduleId', 'tariffId', 'datacenterId'])
      .where('id', 'in', licenseIds)
      .execute();
    const licenseOf = new Map(licenses.map((l) => [l.id, l]));
    // A license with a live running operation, or an older unfinished one, waits its turn. Filtered here,
    // not in SQL: by license alone the query keeps to the (license_id, id) index, where a status condition
    // led SQLite to read every pending and running row instead.
    const busy = (
      await trx
        .selectFrom('operations')
        .select(['licenseId', 'id', 'status', 'leaseExpiresAt'])
        .where('licenseId', 'in', licenseIds)
        .execute()
    ).filter((b) => b.status === 'pending' || (b.status === 'running' && b.leaseExpiresAt !== null && b.leaseExpiresAt > nowIso));
    const busyLicenses = new Set(busy.filter((b) => b.status === 'running').map((b) => b.licenseId));
    const oldestPending = new Map<number, number>();
    for (const b of busy) {
      if (b.status === 'pending' && (oldestPending.get(b.licenseId) ?? Infinity) > b.id) oldestPending.set(b.licenseId, b.id);
    }

    // Candidate modules per operation.
    const tariffIds = [...new Set(licenses.map((l) => l.tariffId))];
    const tariffModules = await trx
      .selectFrom('tariffModules')
      .select(['tariffId', 'processingModuleId'])
      .where('tariffId', 'in', tariffIds)
      .execute();
    const moduleIds = new Set<number>();
    for (const l of licenses) if (l.moduleId != null) moduleIds.add(l.moduleId);
    for (const c of candidates) if (c.moduleId != null) moduleIds.add(c.moduleId);
    for (const tm of tariffModules) moduleIds.add(tm.processingModuleId);
    const ids = [...moduleIds].sort((a, b) => a - b);
    // Lock the modules (in id order, waiting): concurrent claimers count their running operations one at a time.
    const modules = ids.length
      ? await trx
          .selectFrom('processingModules')
          .select(['id', 'sort', 'enabled', 'lastError', 'operationLimit', 'datacenterId', 'balanceMinor', 'minimalBalanceMinor'])
          .where('id', 'in', ids)
          .orderBy('id')
          .forUpdate()
          .execute()
      : [];
    const runningRows = ids.length
      ? await trx
          .selectFrom('operations')
          .select(['moduleId', (eb) => eb.fn.countAll<number>().as('n')])
          .where('status', '=', 'running')
          .where('leaseExpiresAt', '>', nowIso)
          .where('moduleId', 'in', ids)
          .groupBy('moduleId')
          .execute()
      : [];
    const running = new Map<number, number>(runningRows.map((r) => [Number(r.moduleId), Number(r.n)]));
    const moduleById = new Map(modules.map((m) => [m.id, m]));
    const candidateOf = (id: number) => {
      const m = moduleById.get(id)!;
      return {
        id: m.id,
        sort: m.sort,
        enabled: m.enabled === 1,
        hasError: m.lastError !== null,
        runningOperations: running.get(m.id) ?? 0,
        operationLimit: m.operationLimit,
        datacenterId: m.datacenterId,
        held: m.balanceMinor !== null && BigInt(m.balanceMinor) < BigInt(m.minimalBalanceMinor),
      };
    };

    const claimed: ClaimedOperation[] = [];
    const leaseExpiresAt = new Date(req.now.getTime() + req.leaseMs).toISOString();
    for (const op of candidates) {
      if (claimed.length >= req.limit) break;
      if (busyLicenses.has(op.licenseId)) continue;
      const oldest = oldestPending.get(op.licenseId);
      if (op.status === 'pending' && oldest !== undefined && oldest < op.id) continue;
      const license = licenseOf.get(op.licenseId);
      let moduleId: number | null = op.moduleId ?? license?.moduleId ?? null;
      if (moduleId === null && license) {
        const options = tariffModules
          .filter((tm) => tm.tariffId === license.tariffId && moduleById.has(tm.processingModuleId))
          .map((tm) => candidateOf(tm.processingModuleId));
        moduleId = chooseModule(options, { datacenterId: license.datacenterId })?.id ?? null;
      }
      if (moduleId !== null && moduleById.has(moduleId)) {
        const moduleLimit = moduleById.get(moduleId)!.operationLimit;
        const runningThere = running.get(moduleId) ?? 0;
        if (moduleLimit !== null && runningThere >= moduleLimit) continue; // the module is busy: it waits for a free slot
        running.set(moduleId, runningThere + 1);
      }
      // No module: the engine hands it to a person.
      busyLicenses.add(op.licenseId);
      const row = await trx
        .updateTable('operations')
        .set((eb) => ({
          status: 'running',
          leaseOwner: req.owner,
          leaseExpiresAt,
          attempts: eb('attempts', '+', 1),
          moduleId,
          updatedAt: nowIso,
        }))
        .where('id', '=', op.id)
        .returningAll()
        .executeTakeFirstOrThrow();
      claimed.push({ ...row, reclaimed: op.status === 'running' });
    }
    return claimed;
  }

  /**
   * Modules running as many operations as their limit allows right now, and how many more all modules
   * together may start (unbounded when one has no limit or there is none). The claim looks at a window
   * sized by the latter, and still at least one operation: one no module can run goes to a person.
   */
  private async moduleCapacity(db: Executor, nowIso: string): Promise<{ full: number[]; free: number }> {
    // Two small reads: the modules' limits, and the module of each live running operation (at most
    // the workers' slots) counted here; a grouped or correlated count made SQLite build a temporary
    // index on every claim.
    const modules = await db.selectFrom('processingModules').select(['id', 'operationLimit']).execute();
    const runningOps = await db
      .selectFrom('operations')
      .select('moduleId')
      .where('status', '=', 'running')
      .where('leaseExpiresAt', '>', nowIso)
      .execute();
    const running = new Map<number, number>();
    for (const { moduleId } of runningOps) if (moduleId !== null) running.set(moduleId, (running.get(moduleId) ?? 0) + 1);
    const full: number[] = [];
    let free = modules.length ? 0 : Infinity;
    for (const m of modules) {
      const left = m.operationLimit === null ? Infinity : m.operationLimit - (running.get(m.id) ?? 0);
      if (left <= 0) full.push(m.id);
      else free += left;
    }
    return { full, free };
  }

  /**
   * Where this owner's lease stands, read without writing: null when another worker holds the operation
   * now (or it is no longer running), else when the lease expires (ms since the epoch).
   */
  async leaseOf(id: number, owner: string): Promise<number | null> {
    const row = await this.db.kysely
      .selectFrom('operations')
      .select(['leaseOwner', 'leaseExpiresAt', 'status'])
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row || row.status !== 'running' || row.leaseOwner !== owner || !row.leaseExpiresAt) return null;
    return new Date(row.leaseExpiresAt).getTime();
  }

  /** Extends the lease; false when this owner no longer holds the operation. */
  async renewLease(id: number, owner: string, until: Date, now: Date): Promise<boolean> {
    const result = await this.db.kysely
      .updateTable('operations')
      .set({ leaseExpiresAt: until.toISOString(), updatedAt: now.toISOString() })
      .where('id', '=', id)
      .where('leaseOwner', '=', owner)
      .where('status', '=', 'running')
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** The lease holder notes a fact in the payload (its own commit); false when the lease was lost. */
  async updatePayload(id: number, owner: string, payload: string, now: Date): Promise<boolean> {
    const result = await this.db.kysely
      .updateTable('operations')
      .set({ payload, updatedAt: now.toISOString() })
      .where('id', '=', id)
      .where('leaseOwner', '=', owner)
      .where('status', '=', 'running')
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** The lease holder's write; false when the lease was lost (another worker took over). */
  async finish(
    db: Executor,
    id: number,
    owner: string,
    changes: {
      status: 'pending' | 'succeeded' | 'manual' | 'failed';
      nextAttemptAt?: string;
      lastError?: string | null;
      lastErrorCode?: string | null;
      result?: unknown;
      now: string;
    },
  ): Promise<boolean> {
    const done = changes.status === 'succeeded' || changes.status === 'failed';
    const result = await db
      .updateTable('operations')
      .set({
        status: changes.status,
        leaseOwner: null,
        leaseExpiresAt: null,
        updatedAt: changes.now,
        ...(changes.nextAttemptAt ? { nextAttemptAt: changes.nextAttemptAt } : {}),
        ...(changes.lastError !== undefined ? { lastError: changes.lastError } : {}),
        ...(changes.lastErrorCode !== undefined ? { lastErrorCode: changes.lastErrorCode } : {}),
        ...(changes.result !== undefined ? { result: JSON.stringify(changes.result) } : {}),
        ...(done ? { finishedAt: changes.now } : {}),
      })
      .where('id', '=', id)
      .where('leaseOwner', '=', owner)
      .where('status', '=', 'running')
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  find(db: Executor, id: number): Promise<OperationRow | undefined> {
    return db.selectFrom('operations').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** Newest first, narrowed to the operations of the scope's departments (an operation's department is its module's). */
  async list(
    db: Executor,
    filter: OperationFilter,
    limit: number,
    offset: number,
    scope: DepartmentScope = { all: true },
  ): Promise<{ rows: OperationRow[]; total: number }> {
    let q = db.selectFrom('operations');
    if (!scope.all) {
      // Through the module: an operation without one, or whose module has no department, is left out.
      q = q.where('operations.moduleId', 'in', (eb) =>
        whereInDepartmentScope(eb.selectFrom('processingModules').select('processingModules.id'), 'processingModules.departmentId', scope),
      );
    }
    if (filter.status) q = q.where('status', '=', filter.status);
    if (filter.kind) q = q.where('kind', '=', filter.kind);
    if (filter.licenseId) q = q.where('licenseId', '=', filter.licenseId);
    const [rows, count] = await Promise.all([
      q.selectAll().orderBy('id', 'desc').limit(limit).offset(offset).execute(),
      q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { rows, total: Number(count.n) };
  }

  /** The department an operation belongs to: its processing module's (null without a module or department). */
  async departmentOf(db: Executor, row: Pick<OperationRow, 'moduleId'>): Promise<number | null> {
    if (row.moduleId === null) return null;
    const module = await db.selectFrom('processingModules').select('departmentId').where('id', '=', row.moduleId).executeTakeFirst();
    return module?.departmentId == null ? null : Number(module.departmentId);
  }

  /** The unfinished operations of a license that a person or the worker could still run (not the running ones). */
  waitingOf(db: Executor, licenseId: number): Promise<OperationRow[]> {
    return db.selectFrom('operations').selectAll().where('licenseId', '=', licenseId).where('status', 'in', ['pending', 'manual']).orderBy('id').execute();
  }

  /**
   * Ends an operation for good: failed, finished now, `reason` as its last error. Only from one of
   * `from` (a running one belongs to its worker's lease); false when it is no longer in one of them.
   */
  async abandon(db: Executor, id: number, changes: { reason: string; code: string; now: string; from: ('pending' | 'manual')[] }): Promise<boolean> {
    const result = await db
      .updateTable('operations')
      .set({
        status: 'failed',
        lastError: changes.reason,
        lastErrorCode: changes.code,
        leaseOwner: null,
        leaseExpiresAt: null,
        finishedAt: changes.now,
        updatedAt: changes.now,
      })
      .where('id', '=', id)
      .where('status', 'in', changes.from)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** A manual operation a person did by hand: succeeded, with what they recorded as its result; false when it is no longer manual. */
  async completeByHand(db: Executor, id: number, changes: { now: string; result: Record<string, unknown> }): Promise<boolean> {
    const result = await db
      .updateTable('operations')
      .set({
        status: 'succeeded',
        result: JSON.stringify(changes.result),
        lastError: null,
        lastErrorCode: null,
        leaseOwner: null,
        leaseExpiresAt: null,
        finishedAt: changes.now,
        updatedAt: changes.now,
      })
      .where('id', '=', id)
      .where('status', '=', 'manual')
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** manual/failed → pending now; the retry budget counts from here. */
  async restart(db: Executor, id: number, now: string): Promise<boolean> {
    const result = await db
      .updateTable('operations')
      .set({
        status: 'pending',
        nextAttemptAt: now,
        attemptsAtRestart: sql<number>`attempts`,
        leaseOwner: null,
        leaseExpiresAt: null,
        finishedAt: null,
        updatedAt: now,
      })
      .where('id', '=', id)
      .where('status', 'in', ['manual', 'failed'])
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }
}

export type { Database };
