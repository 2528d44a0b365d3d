// The outbox's queries: listing for staff, and the sender's claim / finish under a lease.
import { sql, type Selectable } from 'kysely';
import type { Executor } from '../../platform/db/db.js';
import type { Db } from '../../platform/db/db.js';
import type { MessageTable } from '../../platform/db/schema.js';
import { pageLimit, totalOf, offsetOf, type PageQuery } from '../../platform/db/paging.js';

export type MessageRow = Selectable<MessageTable>;
export type MessageStatus = 'pending' | 'sending' | 'sent' | 'failed';

export interface MessageFilter {
  status?: MessageStatus;
  recipient?: string;
  clientId?: number;
}

export class MessageRepository {
  constructor(private readonly db: Db) {}

  find(db: Executor, id: number): Promise<MessageRow | undefined> {
    return db.selectFrom('messages').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async list(filter: MessageFilter, page: PageQuery): Promise<{ rows: MessageRow[]; total: number }> {
    const db = this.db.kysely;
    let q = db.selectFrom('messages');
    if (filter.status) q = q.where('status', '=', filter.status);
    if (filter.clientId) q = q.where('clientId', '=', filter.clientId);
    if (filter.recipient) {
      const pattern = `%${filter.recipient.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      q = q.where(sql<boolean>`lower(recipient_address) like ${pattern} escape '\\'`);
    }
    const rows = await q.selectAll().orderBy('id', 'desc').limit(pageLimit(page)).offset(offsetOf(page)).execute();
    const total = await totalOf(page, rows.length, async () => Number((await q.select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n));
    return { rows: rows.slice(0, page.perPage), total };
  }

  /**
   * Claims up to `limit` due messages for `owner`: each goes to 'sending' with a lease and one more
   * attempt, committed before anything is sent (see sender.ts for why).
   */
  claim(owner: string, now: Date, leaseMs: number, limit: number): Promise<MessageRow[]> {
    const at = now.toISOString();
    const until = new Date(now.getTime() + leaseMs).toISOString();
    return this.db.transaction(async (trx) => {
      const due = await trx
        .selectFrom('messages')
        .select('id')
        .where('status', '=', 'pending')
        .where('nextAttemptAt', '<=', at)
        .orderBy('nextAttemptAt')
        .orderBy('id')
        .limit(limit)
        .forUpdate()
        .skipLocked()
        .execute();
      if (!due.length) return [];
      const ids = due.map((r) => Number(r.id));
      await trx
        .updateTable('messages')
        .set((eb) => ({ status: 'sending', leaseOwner: owner, leaseExpiresAt: until, attempts: eb('attempts', '+', 1), updatedAt: at }))
        .where('id', 'in', ids)
        .where('status', '=', 'pending')
        .execute();
      return trx.selectFrom('messages').selectAll().where('id', 'in', ids).where('leaseOwner', '=', owner).where('status', '=', 'sending').orderBy('id').execute();
    });
  }

  /** Ends a claimed message (sent, pending again later, or failed) if `owner` still holds it. */
  async finish(id: number, owner: string, patch: { status: MessageStatus; nextAttemptAt?: string; lastError?: string | null; sentAt?: string | null }, now: Date): Promise<boolean> {
    const result = await this.db.kysely
      .updateTable('messages')
      .set({ ...patch, leaseOwner: null, leaseExpiresAt: null, updatedAt: now.toISOString() })
      .where('id', '=', id)
      .where('status', '=', 'sending')
      .where('leaseOwner', '=', owner)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** Messages still 'sending' after their lease: the sender died mid-send. They go to a person, never resent blindly. */
  async failAbandoned(now: Date, reason: string): Promise<number> {
    const at = now.toISOString();
    const result = await this.db.kysely
      .updateTable('messages')
      .set({ status: 'failed', lastError: reason, leaseOwner: null, leaseExpiresAt: null, updatedAt: at })
      .where('status', '=', 'sending')
      .where('leaseExpiresAt', '<', at)
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  /** The provider's name, own sender and support address, for From and Reply-To. */
  providerOf(id: number | null): Promise<{ name: string; supportEmail: string | null; mailFromName: string | null; mailFromAddress: string | null } | undefined> {
    if (id === null) return Promise.resolve(undefined);
    return this.db.kysely.selectFrom('providers').select(['name', 'supportEmail', 'mailFromName', 'mailFromAddress']).where('id', '=', id).executeTakeFirst();
  }
}
