import type { Executor } from '../../platform/db/db.js';
import type { PageQuery } from '../../platform/db/paging.js';
import { offsetOf } from '../../platform/db/paging.js';

export interface ProviderRow {
  id: number;
  name: string;
  currency: string;
  notificationEmail: string | null;
  supportEmail: string | null;
  websiteUrl: string | null;
  mailFromName: string | null;
  mailFromAddress: string | null;
  isDefault: number;
  createdAt: string;
  updatedAt: string;
}

export class ProviderRepository {
  list(db: Executor, page: PageQuery): Promise<ProviderRow[]> {
    return db.selectFrom('providers').selectAll().orderBy('id').limit(page.perPage).offset(offsetOf(page)).execute();
  }

  async count(db: Executor): Promise<number> {
    const row = await db.selectFrom('providers').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  find(db: Executor, id: number): Promise<ProviderRow | undefined> {
    return db.selectFrom('providers').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /**
   * Reads the row and, on PostgreSQL, locks it until the transaction ends, so a concurrent insert that
   * refers to it (its foreign-key check) waits for our decision. SQLite transactions are serialized anyway.
   */
  findForUpdate(db: Executor, id: number): Promise<ProviderRow | undefined> {
    return db.selectFrom('providers').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
  }

  findDefault(db: Executor): Promise<ProviderRow | undefined> {
    return db.selectFrom('providers').selectAll().where('isDefault', '=', 1).orderBy('id').executeTakeFirst();
  }

  async insert(db: Executor, row: Omit<ProviderRow, 'id'>): Promise<number> {
    const { id } = await db.insertInto('providers').values(row).returning('id').executeTakeFirstOrThrow();
    return Number(id);
  }

  async update(db: Executor, id: number, patch: Partial<Omit<ProviderRow, 'id' | 'isDefault' | 'createdAt'>>): Promise<void> {
    await db.updateTable('providers').set(patch).where('id', '=', id).execute();
  }

  async remove(db: Executor, id: number): Promise<void> {
    await db.deleteFrom('providers').where('id', '=', id).execute();
  }

  /** How many departments show themselves to this provider's clients. */
  async departmentsUsing(db: Executor, id: number): Promise<number> {
    const row = await db
      .selectFrom('departmentProviders')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('providerId', '=', id)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }
}
