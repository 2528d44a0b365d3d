import type { Actor } from '../platform/actor.js';
import type { Clock } from '../platform/clock.js';
import type { Executor } from '../platform/db/db.js';
import { licenseNotices } from '../tools/messages/license-notices.js';

export interface HistoryEvent {
  licenseId: number;
  /** status | ip | license_name | key | expiry | auto_renew | tariff | charge | refund | note */
  event: string;
  from?: string | null;
  to?: string | null;
  message?: string | null;
  operationId?: number | null;
}

/** Every state change of a license: who or what, when, from → to, which operation. */
export class LicenseHistory {
  constructor(private readonly clock: Clock) {}

  record(db: Executor, actor: Actor, e: HistoryEvent): Promise<void> {
    return this.recordAll(db, actor, [e]);
  }

  /** Several events of one change in one statement, in the order given. */
  async recordAll(db: Executor, actor: Actor, events: HistoryEvent[]): Promise<void> {
    if (!events.length) return;
    const createdAt = this.clock.now().toISOString();
    await db
      .insertInto('licenseHistory')
      .values(
        events.map((e) => ({
          licenseId: e.licenseId,
          event: e.event,
          fromValue: e.from ?? null,
          toValue: e.to ?? null,
          message: e.message ?? null,
          operationId: e.operationId ?? null,
          actorKind: actor.kind,
          actorId: actor.id,
          actorLabel: actor.label,
          createdAt,
        })),
      )
      .execute();
    // What the client hears of these changes (license active, renewed, suspended…), in the same transaction.
    await licenseNotices(db, this.clock.now(), events);
  }

  list(db: Executor, licenseId: number) {
    return db.selectFrom('licenseHistory').selectAll().where('licenseId', '=', licenseId).orderBy('id', 'desc').execute();
  }
}
