// Tools → Running operations: what staff see, and what they may do about an operation that needs a
// person: run it again (restart) or end it for good (abandon). Like tasks, an operation belongs to a
// department (its processing module's): only that department's members and administrators see it.
import type { Actor } from '../../platform/actor.js';
import type { AuditService } from '../../platform/audit/service.js';
import type { Clock } from '../../platform/clock.js';
import type { Db, Executor } from '../../platform/db/db.js';
import { offsetOf, type Page } from '../../platform/db/paging.js';
import { isUniqueViolation } from '../../platform/db/dialect.js';
import { conflict, notFound, appError } from '../../platform/errors.js';
import { LicenseHistory, type HistoryEvent } from '../../licenses/history.js';
import type { ChargeRefunds } from '../../licenses/charges.js';
import type { LicenseLifecycle } from '../../licenses/lifecycle/index.js';
import { LicenseRepository, type LicenseRow } from '../../licenses/repository.js';
import type { OperationKind, OperationStatus } from '../../licenses/model.js';
import { departmentScopeOf, inDepartmentScope } from '../../provider/departments/scope.js';
import type { OperationRepository, OperationRow } from './repository.js';
import { outcomeFor } from './handlers.js';
import type { CompleteInput, OperationListQuery, OperationView } from './schemas.js';
import type { TaskSink } from './task-sink.js';
import type { OperationEnding } from './ending.js';

export function toOperationView(row: OperationRow): OperationView {
  return {
    id: row.id,
    licenseId: row.licenseId,
    kind: row.kind as OperationKind,
    payload: JSON.parse(row.payload) as Record<string, unknown>,
    status: row.status as OperationStatus,
    attempts: row.attempts,
    attemptsAtRestart: row.attemptsAtRestart,
    nextAttemptAt: row.nextAttemptAt,
    leaseOwner: row.leaseOwner,
    leaseExpiresAt: row.leaseExpiresAt,
    moduleId: row.moduleId,
    lastError: row.lastError,
    lastErrorCode: row.lastErrorCode,
    result: row.result ? (JSON.parse(row.result) as Record<string, unknown>) : null,
    idempotencyKey: row.idempotencyKey,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    finishedAt: row.finishedAt,
  };
}

export class OperationService {
  private readonly history: LicenseHistory;
  private readonly licenses = new LicenseRepository();
  private readonly restartListeners: (() => void)[] = [];

  constructor(
    private readonly db: Db,
    private readonly repo: OperationRepository,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly tasks: TaskSink,
    private readonly refunds: ChargeRefunds,
    private readonly lifecycle: LicenseLifecycle,
    private readonly ending: OperationEnding,
  ) {
    this.history = new LicenseHistory(clock);
  }

  /** Called after a restart (the worker looks for work at once). */
  onRestart(listener: () => void): void {
    this.restartListeners.push(listener);
  }

  async list(query: OperationListQuery, actor: Actor): Promise<Page<OperationView>> {
    const scope = await departmentScopeOf(this.db.kysely, actor, 'running operations');
    const { rows, total } = await this.repo.list(this.db.kysely, query, query.perPage, offsetOf(query), scope);
    return { items: rows.map(toOperationView), total, page: query.page, perPage: query.perPage };
  }

  async get(id: number, actor: Actor): Promise<OperationView> {
    return toOperationView(await this.visible(this.db.kysely, id, actor));
  }

  /** Where these operations stand, for the tasks about them (no visibility check: the tasks area did its own). */
  async statesOf(db: Executor, ids: number[]): Promise<Map<number, { kind: OperationKind; status: OperationStatus }>> {
    return (await this.repo.statesOf(db, ids)) as Map<number, { kind: OperationKind; status: OperationStatus }>;
  }

  /**
   * A manual or failed operation runs again now; its retry budget counts from here. `viaTask`: the
   * tasks area already checked that the actor sees a task about this operation (a task may sit in
   * another department than the module's, e.g. when the module has none), and that task is enough.
   */
  async restart(id: number, actor: Actor, options: { viaTask?: boolean } = {}): Promise<OperationView> {
    let view: OperationView;
    try {
      view = await this.db.transaction(async (trx) => {
        const found = options.viaTask ? await this.repo.find(trx, id) : await this.visible(trx, id, actor);
        if (!found) throw notFound('Operation', id);
        const { op: before, license } = await this.lockedWithLicense(trx, found);
        const refused = () => appError('conflict', 'operation.restart', { id, status: before.status }, { field: 'status' });
        if (before.status !== 'manual' && before.status !== 'failed') throw refused();
        await this.refuseForDeletedLicense(trx, before, license);
        await this.refuseWhenRefunded(trx, before, license);
        if (!(await this.repo.restart(trx, id, this.clock.now().toISOString()))) throw refused();
        const after = (await this.repo.find(trx, id))!;
        await this.audit.record(trx, actor, 'operation.restart', 'operation', id, { status: before.status }, { status: after.status });
        await this.history.record(trx, actor, {
          licenseId: after.licenseId,
          operationId: id,
          event: 'note',
          message: `Operation "${after.kind}" restarted`,
        });
        return toOperationView(after);
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw conflict(`Another unfinished operation does the same (${id})`, 'id');
      throw error;
    }
    for (const listener of this.restartListeners) listener();
    return view;
  }

  /**
   * Ends a manual operation for good: failed, with the reason as its last error; its task is done, the
   * license history and the audit log say who gave it up and why. Restart can still bring it back.
   */
  async abandon(id: number, reason: string, actor: Actor): Promise<OperationView> {
    return this.db.transaction(async (trx) => {
      const { op: before, license } = await this.lockedWithLicense(trx, await this.visible(trx, id, actor));
      const after = before.status === 'manual' ? await this.end(trx, before, license, reason, 'abandoned', ['manual'], actor) : null;
      if (!after) throw appError('conflict', 'operation.abandon', { id, status: before.status }, { field: 'status' });
      await this.cancelOrder(trx, after, license, actor);
      return toOperationView(after);
    });
  }

  /**
   * A manual operation a person did by hand (in the upstream's panel, or for a manual module): it
   * succeeds with what they record, and the license changes exactly as if the worker had done it
   * (OUTCOMES). An open needs the upstream id, the key and the expiry; a renewal the new expiry; a new
   * key the key; the other kinds take their effect from what was asked. Nothing is charged or refunded.
   */
  async complete(id: number, input: CompleteInput, actor: Actor): Promise<OperationView> {
    return this.db.transaction(async (trx) => {
      const { op: before, license } = await this.lockedWithLicense(trx, await this.visible(trx, id, actor));
      if (before.status !== 'manual') throw appError('conflict', 'operation.complete', { id, status: before.status }, { field: 'status' });
      if (!license) throw notFound('License', before.licenseId);
      await this.refuseForDeletedLicense(trx, before, license);
      const kind = before.kind as OperationKind;
      const facts = await this.factsByHand(trx, kind, input, license);
      const now = this.clock.now().toISOString();
      // The key is the client's: it goes to the license, not into the operation's result or the audit log.
      const { licenseKey: _key, ...recorded } = input;
      if (!(await this.repo.completeByHand(trx, id, { now, result: { byHand: true, ...recorded } }))) {
        throw conflict(`Operation ${id} is no longer manual`, 'status');
      }
      const events: HistoryEvent[] = [];
      const apply = outcomeFor(kind, { license, op: before, payload: JSON.parse(before.payload) as never, now: () => now }, facts);
      await apply(trx, async (e) => void events.push({ ...e, licenseId: license.id, operationId: id }));
      events.push({ licenseId: license.id, operationId: id, event: 'note', message: `Operation "${kind}" done by hand${input.note ? `: ${input.note}` : ''}` });
      await this.history.recordAll(trx, actor, events);
      await this.tasks.closeForCause(trx, `operation:${id}`, actor);
      const after = (await this.repo.find(trx, id))!;
      await this.audit.record(trx, actor, 'operation.complete', 'operation', id, { status: before.status }, { status: after.status, ...recorded });
      return toOperationView(after);
    });
  }

  /** What the person entered, as the facts of the kind's outcome; 400 naming a missing or unneeded field. */
  private async factsByHand(db: Executor, kind: OperationKind, input: CompleteInput, license: LicenseRow): Promise<unknown> {
    const needs: Record<OperationKind, (keyof CompleteInput)[]> = {
      open: ['upstreamId', 'licenseKey', 'expiresOn'],
      prolong: ['expiresOn'],
      new_key: ['licenseKey'],
      suspend: [], resume: [], close: [], set_params: [], change_tariff: [], sync: [],
    };
    const wanted = needs[kind];
    for (const field of wanted) {
      if (input[field] === undefined) throw appError('validation', 'operation.byHandNeeds', { field, kind }, { field });
    }
    for (const field of ['upstreamId', 'licenseKey', 'expiresOn'] as const) {
      if (input[field] !== undefined && !wanted.includes(field)) throw appError('validation', 'operation.byHandNotTaken', { field, kind }, { field });
    }
    if (kind === 'open') {
      if (license.upstreamId !== null && license.upstreamId !== input.upstreamId) {
        throw conflict(`License ${license.id} was already bought as upstream license ${license.upstreamId}`, 'upstreamId');
      }
      const owner = await this.licenses.findByUpstreamId(db, input.upstreamId!);
      if (owner && owner.id !== license.id) throw conflict(`Upstream license ${input.upstreamId} belongs to license ${owner.id}`, 'upstreamId');
      return { upstreamId: input.upstreamId!, licenseKey: input.licenseKey!, expiresOn: input.expiresOn!, how: 'by_hand' };
    }
    if (kind === 'prolong') {
      if (license.expiresOn && input.expiresOn! <= license.expiresOn) {
        throw appError('validation', 'operation.renewalExpiry', { expiresOn: String(license.expiresOn) }, { field: 'expiresOn' });
      }
      return { expiresOn: input.expiresOn!, how: 'by_hand' };
    }
    if (kind === 'new_key') return { licenseKey: input.licenseKey!, how: 'by_hand' };
    return {};
  }

  /**
   * A license's deletion was ordered (its close operation `closeId`): the operations still waiting for
   * the worker or for a person would buy, renew or change a license that is going away, so they end
   * here, in the deletion's transaction. A running one is left to its worker (the close runs after it).
   */
  async endForDeletion(trx: Executor, licenseId: number, closeId: number, actor: Actor): Promise<number[]> {
    // The deletion holds the license's lock already (taken before its operation rows, as everywhere).
    const license = await this.licenses.findForUpdate(trx, licenseId);
    const ended: number[] = [];
    for (const row of await this.repo.waitingOf(trx, licenseId)) {
      if (row.id === closeId || row.kind === 'close') continue;
      const reason = `License ${licenseId} is deleted (operation ${closeId}): this ${row.kind} is no longer needed`;
      if (await this.end(trx, row, license, reason, 'license_deleted', ['pending', 'manual'], actor)) ended.push(row.id);
    }
    return ended;
  }

  // -------------------------------------------------------------------------------------------

  /** The operation, if the actor may see it (see departmentScopeOf); otherwise the same 404 as for none. */
  private async visible(db: Executor, id: number, actor: Actor): Promise<OperationRow> {
    const scope = await departmentScopeOf(db, actor, 'running operations');
    const row = await this.repo.find(db, id);
    if (!row || (!scope.all && !inDepartmentScope(scope, await this.repo.departmentOf(db, row)))) throw notFound('Operation', id);
    return row;
  }

  /**
   * The operation read again after its license's row is locked: staff actions take the license first
   * and the operation second, the order a deletion and the renewal job keep too (PostgreSQL would
   * otherwise find two of them waiting for each other).
   */
  private async lockedWithLicense(db: Executor, op: OperationRow): Promise<{ op: OperationRow; license: LicenseRow | undefined }> {
    const license = await this.licenses.findForUpdate(db, op.licenseId);
    return { op: (await this.repo.find(db, op.id)) ?? op, license };
  }

  /** A charge given back stays given back: running the operation again would deliver for free. */
  private async refuseWhenRefunded(db: Executor, op: OperationRow, license: LicenseRow | undefined): Promise<void> {
    if (license && (await this.refunds.refunded(db, op, license))) {
      throw conflict(`Operation ${op.id} (${op.kind}) was given up and its charge refunded: the client orders or renews again instead`, 'id');
    }
  }

  /** Nothing but its close runs again for a license that is deleted or being deleted. */
  private async refuseForDeletedLicense(db: Executor, op: OperationRow, license: LicenseRow | undefined): Promise<void> {
    if (op.kind === 'close') return;
    const closing = await this.licenses.closing(db, op.licenseId);
    if (license?.status === 'deleted' || closing !== null) {
      throw conflict(`License ${op.licenseId} is ${license?.status === 'deleted' ? 'deleted' : `being deleted (operation ${closing})`}: operation ${op.id} (${op.kind}) cannot run again`, 'id');
    }
  }

  /**
   * failed for good, from one of `from`; its task done, a history note and an audit entry. What the
   * client paid for it and did not get is given back (see ChargeRefunds). The caller holds the
   * license's lock. Null when the operation moved on meanwhile.
   */
  private async end(trx: Executor, row: OperationRow, license: LicenseRow | undefined, reason: string, code: string, from: ('pending' | 'manual')[], actor: Actor): Promise<OperationRow | null> {
    const now = this.clock.now().toISOString();
    if (!(await this.repo.abandon(trx, row.id, { reason, code, now, from }))) return null;
    const refunded = await this.ending.ended(trx, row, license, { refund: `${row.kind} not done: ${reason}`, note: `Operation "${row.kind}" abandoned: ${reason}` }, actor);
    await this.audit.record(trx, actor, 'operation.abandon', 'operation', row.id, { status: row.status }, { status: 'failed', reason, refunded: refunded?.toString() ?? null });
    return (await this.repo.find(trx, row.id))!;
  }

  /**
   * An order given up: the license will never become active, so it is deleted like any other (its close
   * removes whatever the upstream may have bought by our remoteid, and marks it deleted here).
   */
  private async cancelOrder(trx: Executor, row: OperationRow, license: LicenseRow | undefined, actor: Actor): Promise<void> {
    if (row.kind !== 'open' || license?.status !== 'processing') return;
    await this.lifecycle.requestDeletion(trx, license, actor, { message: 'The order was given up: the license is deleted', moduleId: row.moduleId });
  }
}
