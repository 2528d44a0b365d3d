import type { Selectable } from 'kysely';
import type { Executor } from '../../platform/db/db.js';
import { offsetOf, type PageQuery } from '../../platform/db/paging.js';
import type { LedgerEntryTable } from '../../platform/db/schema.js';

export type LedgerEntryRow = Selectable<LedgerEntryTable>;

/** The running balance is a 64-bit column: it stays within ±(2^63 − 1) minor units. */
export const BALANCE_LIMIT_MINOR = 2n ** 63n - 1n;

export class LedgerRepository {
  findByReference(db: Executor, reference: string): Promise<LedgerEntryRow | undefined> {
    return db.selectFrom('ledgerEntries').selectAll().where('reference', '=', reference).executeTakeFirst();
  }

  /**
   * Moves the running balance atomically, only for the client's currency and only when it stays at
   * or above -creditLimit: one conditional UPDATE is a row lock on PostgreSQL and serialized on
   * SQLite, so two concurrent charges can never both pass the check. Nor may the balance leave what
   * the column holds (PostgreSQL fails the statement, SQLite silently turns it into a float). The
   * conditions compare the balance with bounds computed without adding to it, so they cannot
   * overflow themselves. Returns the new balance, or undefined when refused (the caller finds out why).
   */
  async applyToBalance(db: Executor, clientId: number, amountMinor: bigint, currency: string, allowBelowLimit: boolean): Promise<bigint | undefined> {
    let q = db
      .updateTable('clients')
      .set((eb) => ({ balanceMinor: eb('balanceMinor', '+', amountMinor) }))
      .where('id', '=', clientId)
      .where('currency', '=', currency)
      .where('balanceMinor', amountMinor < 0n ? '>=' : '<=', amountMinor < 0n ? -BALANCE_LIMIT_MINOR - amountMinor : BALANCE_LIMIT_MINOR - amountMinor);
    if (!allowBelowLimit && amountMinor < 0n) {
      q = q.where((eb) => eb('balanceMinor', '>=', eb(eb.neg(eb.ref('creditLimitMinor')), '-', amountMinor)));
    }
    const row = await q.returning('balanceMinor').executeTakeFirst();
    return row?.balanceMinor;
  }

  async insert(db: Executor, row: Omit<LedgerEntryRow, 'id'>): Promise<LedgerEntryRow> {
    return db.insertInto('ledgerEntries').values(row).returningAll().executeTakeFirstOrThrow();
  }

  private filtered(db: Executor, clientId: number, kind?: string) {
    let q = db.selectFrom('ledgerEntries').where('clientId', '=', clientId);
    if (kind) q = q.where('kind', '=', kind);
    return q;
  }

  list(db: Executor, clientId: number, page: PageQuery, kind?: string): Promise<LedgerEntryRow[]> {
    return this.filtered(db, clientId, kind).selectAll().orderBy('id', 'desc').limit(page.perPage).offset(offsetOf(page)).execute();
  }

  async count(db: Executor, clientId: number, kind?: string): Promise<number> {
    const row = await this.filtered(db, clientId, kind).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** The balance as the sum of the entries: what the running total must always equal. */
  async sumOf(db: Executor, clientId: number): Promise<bigint> {
    const row = await db
      .selectFrom('ledgerEntries')
      .select((eb) => eb.fn.coalesce(eb.fn.sum<bigint | string | number>('amountMinor'), eb.lit(0)).as('total'))
      .where('clientId', '=', clientId)
      .executeTakeFirstOrThrow();
    return BigInt(row.total as bigint | string | number);
  }

  /** A payment of this client (nothing for another client's entry or another kind). */
  payment(db: Executor, clientId: number, entryId: number): Promise<LedgerEntryRow | undefined> {
    return db.selectFrom('ledgerEntries').selectAll().where('id', '=', entryId).where('clientId', '=', clientId).where('kind', '=', 'payment').executeTakeFirst();
  }

  /** Who paid and to whom: what a receipt names. */
  receiptParties(db: Executor, clientId: number) {
    return db
      .selectFrom('clients')
      .innerJoin('providers', 'providers.id', 'clients.providerId')
      .select(['clients.id', 'clients.name', 'clients.email', 'clients.language', 'providers.name as providerName', 'providers.websiteUrl', 'providers.supportEmail'])
      .where('clients.id', '=', clientId)
      .executeTakeFirst();
  }

  client(db: Executor, clientId: number) {
    return db.selectFrom('clients').select(['id', 'currency', 'balanceMinor', 'creditLimitMinor']).where('id', '=', clientId).executeTakeFirst();
  }
}
