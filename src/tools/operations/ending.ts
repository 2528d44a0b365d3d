// An operation ended for good (abandoned by staff, ended by a deletion, or an order whose license was
// deleted before delivery): whatever ended it and however its row was marked failed, the same follows.
import type { Actor } from '../../platform/actor.js';
import type { Executor } from '../../platform/db/db.js';
import type { Money } from '../../platform/money.js';
import type { ChargeRefunds, PaidOperation } from '../../licenses/charges.js';
import type { LicenseHistory } from '../../licenses/history.js';
import type { LicenseRow } from '../../licenses/repository.js';
import type { TaskSink } from './task-sink.js';

export class OperationEnding {
  constructor(
    private readonly tasks: TaskSink,
    private readonly refunds: ChargeRefunds,
    private readonly history: LicenseHistory,
  ) {}

  /**
   * After the row is marked failed, in the same transaction: its task is done, what the client paid
   * for it and did not get is given back (see ChargeRefunds), and the license's history says so.
   * The caller holds the license's lock.
   */
  async ended(trx: Executor, op: PaidOperation & { id: number; licenseId: number }, license: LicenseRow | undefined, words: { refund: string; note: string }, actor: Actor): Promise<Money | null> {
    await this.tasks.closeForCause(trx, `operation:${op.id}`, actor);
    const refunded = license ? await this.refunds.refundUndelivered(trx, op, license, words.refund, actor) : null;
    const paidBack = refunded ? `; ${refunded.toString()} ${refunded.currency} refunded to the client` : '';
    await this.history.record(trx, actor, { licenseId: op.licenseId, operationId: op.id, event: 'note', message: `${words.note}${paidBack}` });
    return refunded;
  }
}
