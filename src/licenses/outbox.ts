// A license's running operations are written here, in the transaction of the change that needs them
// (the transactional outbox); Tools → Running operations runs them. The license area owns the writing,
// so it never depends on the area that runs them.
import type { Clock } from '../platform/clock.js';
import { raiseOnCommit, type Executor } from '../platform/db/db.js';

/** Raised by every transaction that adds an operation: workers look at once instead of at their next poll. */
export const OPERATIONS_TOPIC = 'operations';
import type { OperationKind, OperationPayloads } from './model.js';

export interface NewOperation<K extends OperationKind = OperationKind> {
  licenseId: number;
  kind: K;
  payload: OperationPayloads[K];
  /** One operation per key while unfinished, and once it succeeded: "open:12", "prolong:12:2027-01-31". */
  idempotencyKey: string;
  moduleId?: number | null;
  runAt?: Date;
}

/**
 * Adds a running operation in the caller's transaction (the transactional outbox: the license
 * change and the work to do about it commit together). An unfinished or succeeded operation with
 * the same key is returned instead of a second one.
 */
export async function enqueueOperation(db: Executor, clock: Clock, op: NewOperation): Promise<{ id: number; created: boolean }> {
  const existing = await db
    .selectFrom('operations')
    .select('id')
    .where('idempotencyKey', '=', op.idempotencyKey)
    .where('status', 'in', ['pending', 'running', 'manual', 'succeeded'])
    .executeTakeFirst();
  if (existing) return { id: existing.id, created: false };
  const now = clock.now().toISOString();
  const { id } = await db
    .insertInto('operations')
    .values({
      licenseId: op.licenseId,
      kind: op.kind,
      payload: JSON.stringify(op.payload),
      status: 'pending',
      attempts: 0,
      attemptsAtRestart: 0,
      nextAttemptAt: (op.runAt ?? clock.now()).toISOString(),
      leaseOwner: null,
      leaseExpiresAt: null,
      moduleId: op.moduleId ?? null,
      lastError: null,
      lastErrorCode: null,
      result: null,
      idempotencyKey: op.idempotencyKey,
      createdAt: now,
      updatedAt: now,
      finishedAt: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  raiseOnCommit(db, OPERATIONS_TOPIC);
  return { id: Number(id), created: true };
}
