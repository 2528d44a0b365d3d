// Kysely queries for running operations: claiming due rows under a lease, and the guarded writes
// that only the lease holder may make.
import { sql, type ExpressionBuilder, type Selectable, type Transaction } from 'kysely';
import type { Db, Executor } from '../../platform/db/db.js';
import { preparedQuery } from '../../platform/db/prepared.js';
import type { Database, LicenseTable, OperationTable, ProcessingModuleTable, TariffModuleTable } from '../../platform/db/schema.js';
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

type Candidate = Pick<OperationRow, (typeof CANDIDATE_COLUMNS)[number]>;
type LicenseFacts = Pick<Selectable<LicenseTable>, 'id' | 'moduleId' | 'tariffId' | 'datacenterId'>;
type TariffModule = Selectable<TariffModuleTable>;
type LockedModule = Pick<
  Selectable<ProcessingModuleTable>,
  'id' | 'sort' | 'enabled' | 'lastError' | 'operationLimit' | 'datacenterId' | 'balanceMinor' | 'minimalBalanceMinor'
>;

/** Licenses with a live running operation, and each license's oldest pending operation. */
interface LicenseTurns {
  busy: Set<number>;
  oldestPending: Map<number, number>;
}

/** What the claim decides from, read under the locks; `running` and `turns.busy` grow as it claims. */
interface ClaimScene {
  licenseOf: Map<number, LicenseFacts>;
  turns: LicenseTurns;
  tariffModules: TariffModule[];
  moduleById: Map<number, LockedModule>;
  running: Map<number, number>;
}

const oldestFirst = (a: Candidate, b: Candidate) => (a.nextAttemptAt < b.nextAttemptAt ? -1 : a.nextAttemptAt > b.nextAttemptAt ? 1 : a.id - b.id);

/** Every module a candidate may run on: its own, its license's, or one of its license's tariff's. In id order. */
function modulesNeeded(candidates: Candidate[], licenses: LicenseFacts[], tariffModules: TariffModule[]): number[] {
  const ids = new Set<number>();
  for (const l of licenses) if (l.moduleId != null) ids.add(l.moduleId);
  for (const c of candidates) if (c.moduleId != null) ids.add(c.moduleId);
  for (const tm of tariffModules) ids.add(tm.processingModuleId);
  return [...ids].sort((a, b) => a - b);
}

/** One operation per license at a time, oldest first. */
function isTurnOf(op: Candidate, turns: LicenseTurns): boolean {
  if (turns.busy.has(op.licenseId)) return false;
  const oldest = turns.oldestPending.get(op.licenseId);
  return !(op.status === 'pending' && oldest !== undefined && oldest < op.id);
}

/** The module an earlier attempt chose, else the license's, else the best of its tariff's modules now. */
function moduleFor(op: Candidate, scene: ClaimScene): number | null {
  const license = scene.licenseOf.get(op.licenseId);
  const bound = op.moduleId ?? license?.moduleId ?? null;
  if (bound !== null || !license) return bound;
  const options = scene.tariffModules
    .filter((tm) => tm.tariffId === license.tariffId && scene.moduleById.has(tm.processingModuleId))
    .map((tm) => asModuleCandidate(scene.moduleById.get(tm.processingModuleId)!, scene.running));
  return chooseModule(options, { datacenterId: license.datacenterId })?.id ?? null;
}

function asModuleCandidate(m: LockedModule, running: Map<number, number>) {
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
}

/** Counts the operation on its module; false when the module is at its limit. No module (or an unknown one) takes no slot. */
function takeSlot(moduleId: number | null, scene: ClaimScene): boolean {
  if (moduleId === null || !scene.moduleById.has(moduleId)) return true;
  const limit = scene.moduleById.get(moduleId)!.operationLimit;
  const runningThere = scene.running.get(moduleId) ?? 0;
  if (limit !== null && runningThere >= limit) return false;
  scene.running.set(moduleId, runningThere + 1);
  return true;
}

// The claim runs at the end of every operation (it refills the slot in the same transaction): its
// queries are prepared once per shape instead of built and compiled each time (see preparedQuery).
const duePendingRows = preparedQuery((db, nowIso: string, window: number, full: number[] | undefined) => {
  let query = db.selectFrom('operations').select(CANDIDATE_COLUMNS).where('status', '=', 'pending').where('nextAttemptAt', '<=', nowIso);
  if (full !== undefined) query = query.where((eb) => notOnlyFor(eb, full));
  return query.orderBy('nextAttemptAt').orderBy('id').limit(window).forUpdate().skipLocked();
});

const expiredRunningRows = preparedQuery((db, nowIso: string, window: number) =>
  db
    .selectFrom('operations')
    .select(CANDIDATE_COLUMNS)
    .where('status', '=', 'running')
    .where('leaseExpiresAt', '<=', nowIso)
    .orderBy('nextAttemptAt')
    .orderBy('id')
    .limit(window)
    .forUpdate()
    .skipLocked(),
);

const licenseFacts = preparedQuery((db, licenseIds: number[]) =>
  db.selectFrom('licenses').select(['id', 'moduleId', 'tariffId', 'datacenterId']).where('id', 'in', licenseIds),
);

const operationsOfLicenses = preparedQuery((db, licenseIds: number[]) =>
  db.selectFrom('operations').select(['licenseId', 'id', 'status', 'leaseExpiresAt']).where('licenseId', 'in', licenseIds),
);

const tariffModuleRows = preparedQuery((db, tariffIds: number[]) =>
  db.selectFrom('tariffModules').select(['tariffId', 'processingModuleId']).where('tariffId', 'in', tariffIds),
);

const lockedModules = preparedQuery((db, ids: number[]) =>
  db
    .selectFrom('processingModules')
    .select(['id', 'sort', 'enabled', 'lastError', 'operationLimit', 'datacenterId', 'balanceMinor', 'minimalBalanceMinor'])
    .where('id', 'in', ids)
    .orderBy('id')
    .forNoKeyUpdate(),
);

const runningCounts = preparedQuery((db, ids: number[], nowIso: string) =>
  db
    .selectFrom('operations')
    .select(['moduleId', (eb) => eb.fn.countAll<number>().as('n')])
    .where('status', '=', 'running')
    .where('leaseExpiresAt', '>', nowIso)
    .where('moduleId', 'in', ids)
    .groupBy('moduleId'),
);

const claimRow = preparedQuery((db, id: number, moduleId: number | null, owner: string, leaseExpiresAt: string, nowIso: string) =>
  db
    .updateTable('operations')
    .set((eb) => ({ status: 'running', leaseOwner: owner, leaseExpiresAt, attempts: eb('attempts', '+', 1), moduleId, updatedAt: nowIso }))
    .where('id', '=', id)
    .returningAll(),
);

const moduleLimits = preparedQuery((db) => db.selectFrom('processingModules').select(['id', 'operationLimit']));

const liveRunningModules = preparedQuery((db, nowIso: string) =>
  db.selectFrom('operations').select('moduleId').where('status', '=', 'running').where('leaseExpiresAt', '>', nowIso),
);

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
   *
   * Lock order: the candidate operations first, then their modules in id order (an earlier version that
   * locked otherwise deadlocked on PostgreSQL).
   */
  async claimWithin(trx: Transaction<Database>, req: ClaimRequest): Promise<ClaimedOperation[]> {
    if (req.limit <= 0) return [];
    const nowIso = req.now.toISOString();
    const candidates = await this.dueCandidates(trx, req, nowIso);
    if (!candidates.length) return [];
    const licenseIds = [...new Set(candidates.map((c) => c.licenseId))];
    const licenses = await this.licensesOf(trx, licenseIds);
    const turns = await this.licenseTurns(trx, licenseIds, nowIso);
    const tariffModules = await this.tariffModulesOf(trx, licenses);
    const moduleIds = modulesNeeded(candidates, licenses, tariffModules);
    const modules = await this.lockModules(trx, moduleIds);
    const running = await this.runningPerModule(trx, moduleIds, nowIso);
    const scene: ClaimScene = {
      licenseOf: new Map(licenses.map((l) => [l.id, l])),
      turns,
      tariffModules,
      moduleById: new Map(modules.map((m) => [m.id, m])),
      running,
    };
    return this.claimInTurn(trx, req, nowIso, candidates, scene);
  }

  /**
   * Due pending rows and expired running ones, oldest first, locked. The window of candidates is sized
   * by what the modules can take now (read without locks; the count under the modules' locks decides),
   * and operations that only a module at its limit can run are left out, so that a queue for one busy
   * module longer than the window does not keep every other module's work waiting.
   */
  private async dueCandidates(trx: Transaction<Database>, req: ClaimRequest, nowIso: string): Promise<Candidate[]> {
    const { full, free } = await this.moduleCapacity(trx, nowIso);
    const window = Math.min(req.limit, Math.max(free, 1)) * 2 + 16;
    // Two queries rather than one with OR: each walks the (status, next_attempt_at) index in order and
    // stops at the limit, where the OR read every pending row and sorted them all.
    const pending = await this.duePending(trx, nowIso, window, full);
    const expired = await this.expiredRunning(trx, nowIso, window);
    return expired.length ? [...pending, ...expired].sort(oldestFirst).slice(0, window) : pending;
  }

  /**
   * Pending rows whose time has come. Here and in expiredRunning PostgreSQL locks the rows and skips those
   * another worker holds; on SQLite (no row locks) the transaction already holds the write lock, and
   * dialect.ts leaves the clause out.
   */
  private duePending(trx: Transaction<Database>, nowIso: string, window: number, full: number[]): Promise<Candidate[]> {
    return duePendingRows(trx, nowIso, window, full.length ? full : undefined);
  }

  /** Running rows whose lease expired: their worker crashed or hangs. */
  private expiredRunning(trx: Transaction<Database>, nowIso: string, window: number): Promise<Candidate[]> {
    return expiredRunningRows(trx, nowIso, window);
  }

  private licensesOf(trx: Transaction<Database>, licenseIds: number[]): Promise<LicenseFacts[]> {
    return licenseFacts(trx, licenseIds);
  }

  /**
   * Whose turn it is per license: a license with a live running operation, or an older unfinished one,
   * waits. Filtered here, not in SQL: by license alone the query keeps to the (license_id, id) index,
   * where a status condition led SQLite to read every pending and running row instead.
   */
  private async licenseTurns(trx: Transaction<Database>, licenseIds: number[], nowIso: string): Promise<LicenseTurns> {
    const rows = await operationsOfLicenses(trx, licenseIds);
    const unfinished = rows.filter((b) => b.status === 'pending' || (b.status === 'running' && b.leaseExpiresAt !== null && b.leaseExpiresAt > nowIso));
    const busy = new Set(unfinished.filter((b) => b.status === 'running').map((b) => b.licenseId));
    const oldestPending = new Map<number, number>();
    for (const b of unfinished) {
      if (b.status === 'pending' && (oldestPending.get(b.licenseId) ?? Infinity) > b.id) oldestPending.set(b.licenseId, b.id);
    }
    return { busy, oldestPending };
  }

  /** The modules that may run each license's tariff (to place an operation not yet bound to one). */
  private tariffModulesOf(trx: Transaction<Database>, licenses: LicenseFacts[]): Promise<TariffModule[]> {
    const tariffIds = [...new Set(licenses.map((l) => l.tariffId))];
    return tariffModuleRows(trx, tariffIds);
  }

  /**
   * Locks the modules (in id order, waiting): concurrent claimers count their running operations one at a
   * time. NO KEY UPDATE, not UPDATE: a transaction that wrote an operation naming the module holds the
   * foreign key's KEY SHARE on its row, and two such claimers each asking FOR UPDATE waited on the other's
   * share (a deadlock the two-process load test hit on PostgreSQL). NO KEY UPDATE still excludes itself.
   */
  private async lockModules(trx: Transaction<Database>, ids: number[]): Promise<LockedModule[]> {
    if (!ids.length) return [];
    return lockedModules(trx, ids);
  }

  /** Live running operations per module, counted under the modules' locks. */
  private async runningPerModule(trx: Transaction<Database>, ids: number[], nowIso: string): Promise<Map<number, number>> {
    if (!ids.length) return new Map();
    const rows = await runningCounts(trx, ids, nowIso);
    return new Map(rows.map((r) => [Number(r.moduleId), Number(r.n)]));
  }

  /** Oldest first: each candidate whose license's turn it is and whose module has a free slot, up to the limit. */
  private async claimInTurn(trx: Transaction<Database>, req: ClaimRequest, nowIso: string, candidates: Candidate[], scene: ClaimScene): Promise<ClaimedOperation[]> {
    const claimed: ClaimedOperation[] = [];
    const leaseExpiresAt = new Date(req.now.getTime() + req.leaseMs).toISOString();
    for (const op of candidates) {
      if (claimed.length >= req.limit) break;
      if (!isTurnOf(op, scene.turns)) continue;
      const moduleId = moduleFor(op, scene);
      if (!takeSlot(moduleId, scene)) continue; // the module is busy: it waits for a free slot
      // No module: claimed all the same, and the engine hands it to a person.
      scene.turns.busy.add(op.licenseId);
      claimed.push(await this.markClaimed(trx, op, moduleId, req.owner, leaseExpiresAt, nowIso));
    }
    return claimed;
  }

  /** The claim itself: running under this owner's lease, one attempt more, bound to its module. */
  private async markClaimed(trx: Transaction<Database>, op: Candidate, moduleId: number | null, owner: string, leaseExpiresAt: string, nowIso: string): Promise<ClaimedOperation> {
    const [row] = await claimRow(trx, op.id, moduleId, owner, leaseExpiresAt, nowIso);
    if (!row) throw new Error(`operation ${op.id} vanished while it was claimed`);
    return { ...row, reclaimed: op.status === 'running' };
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
    const modules = await moduleLimits(db);
    const runningOps = await liveRunningModules(db, nowIso);
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

  /** The kind and status of each of these operations (the ones that exist). */
  async statesOf(db: Executor, ids: number[]): Promise<Map<number, { kind: string; status: string }>> {
    if (!ids.length) return new Map();
    const rows = await db.selectFrom('operations').select(['id', 'kind', 'status']).where('id', 'in', ids).execute();
    return new Map(rows.map((r) => [Number(r.id), { kind: r.kind, status: r.status }]));
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
