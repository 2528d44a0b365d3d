// Tools → Running operations: what staff see and the restart they may ask for.
import type { Actor } from '../../platform/actor.js';
import type { AuditService } from '../../platform/audit/service.js';
import type { Clock } from '../../platform/clock.js';
import type { Db } from '../../platform/db/db.js';
import { offsetOf, type Page } from '../../platform/db/paging.js';
import { isUniqueViolation } from '../../platform/db/dialect.js';
import { conflict, notFound } from '../../platform/errors.js';
import { LicenseHistory } from '../../licenses/history.js';
import type { OperationKind, OperationStatus } from '../../licenses/model.js';
import type { OperationRepository, OperationRow } from './repository.js';
import type { OperationListQuery, OperationView } from './schemas.js';

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
  private readonly restartListeners: (() => void)[] = [];

  constructor(
    private readonly db: Db,
    private readonly repo: OperationRepository,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {
    this.history = new LicenseHistory(clock);
  }

  /** Called after a restart (the worker looks for work at once). */
  onRestart(listener: () => void): void {
    this.restartListeners.push(listener);
  }

  async list(query: OperationListQuery): Promise<Page<OperationView>> {
    const { rows, total } = await this.repo.list(this.db.kysely, query, query.perPage, offsetOf(query));
    return { items: rows.map(toOperationView), total, page: query.page, perPage: query.perPage };
  }

  async get(id: number): Promise<OperationView> {
    const row = await this.repo.find(this.db.kysely, id);
    if (!row) throw notFound('Operation', id);
    return toOperationView(row);
  }

  /** A manual or failed operation runs again now; its retry budget counts from here. */
  async restart(id: number, actor: Actor): Promise<OperationView> {
    let view: OperationView;
    try {
      view = await this.db.transaction(async (trx) => {
        const before = await this.repo.find(trx, id);
        if (!before) throw notFound('Operation', id);
        const now = this.clock.now().toISOString();
        if (!(await this.repo.restart(trx, id, now))) {
          throw conflict(`Operation ${id} is ${before.status}: only a manual or failed operation can be restarted`, 'status');
        }
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
}
