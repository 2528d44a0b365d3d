import type { Selectable } from 'kysely';
import type { Executor } from '../../platform/db/db.js';
import { offsetOf, type PageQuery } from '../../platform/db/paging.js';
import type { ClientTable } from '../../platform/db/schema.js';

export type ClientRow = Selectable<ClientTable>;

export class ClientRepository {
  private filtered(db: Executor, filter: { providerId?: number; search?: string }) {
    let q = db.selectFrom('clients');
    if (filter.providerId) q = q.where('providerId', '=', filter.providerId);
    if (filter.search) {
      const like = `%${filter.search.toLowerCase()}%`;
      q = q.where((eb) => eb.or([eb('email', 'like', like), eb(eb.fn('lower', ['name']), 'like', like)]));
    }
    return q;
  }

  list(db: Executor, filter: { providerId?: number; search?: string }, page: PageQuery): Promise<ClientRow[]> {
    return this.filtered(db, filter).selectAll().orderBy('id').limit(page.perPage).offset(offsetOf(page)).execute();
  }

  async count(db: Executor, filter: { providerId?: number; search?: string }): Promise<number> {
    const row = await this.filtered(db, filter).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  find(db: Executor, id: number): Promise<ClientRow | undefined> {
    return db.selectFrom('clients').selectAll().where('id', '=', id).executeTakeFirst();
  }

  findByEmail(db: Executor, email: string): Promise<ClientRow | undefined> {
    return db.selectFrom('clients').selectAll().where('email', '=', email).executeTakeFirst();
  }

  async employeeEmailExists(db: Executor, email: string): Promise<boolean> {
    return !!(await db.selectFrom('employees').select('id').where('email', '=', email).executeTakeFirst());
  }

  provider(db: Executor, id: number) {
    return db.selectFrom('providers').select(['id', 'name', 'currency']).where('id', '=', id).executeTakeFirst();
  }

  defaultProvider(db: Executor) {
    return db.selectFrom('providers').select(['id', 'name', 'currency']).where('isDefault', '=', 1).executeTakeFirst();
  }

  /** Providers with a website, the default first, then by id: the first whose site is `host` wins. */
  providersWithWebsite(db: Executor) {
    return db
      .selectFrom('providers')
      .select(['id', 'name', 'websiteUrl'])
      .where('websiteUrl', 'is not', null)
      .orderBy('isDefault', 'desc')
      .orderBy('id')
      .execute();
  }

  async insert(db: Executor, row: Omit<ClientRow, 'id' | 'balanceMinor'>): Promise<number> {
    const { id } = await db.insertInto('clients').values(row).returning('id').executeTakeFirstOrThrow();
    return Number(id);
  }

  async update(db: Executor, id: number, patch: Partial<Omit<ClientRow, 'id' | 'balanceMinor' | 'currency' | 'providerId'>>): Promise<void> {
    await db.updateTable('clients').set(patch).where('id', '=', id).execute();
  }

  async countForProvider(db: Executor, providerId: number): Promise<number> {
    const row = await db.selectFrom('clients').select((eb) => eb.fn.countAll<number>().as('n')).where('providerId', '=', providerId).executeTakeFirstOrThrow();
    return Number(row.n);
  }
}
