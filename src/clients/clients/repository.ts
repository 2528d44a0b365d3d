import type { Kysely, Selectable } from 'kysely';
import type { Executor } from '../../platform/db/db.js';
import { preparedFirst, preparedQuery } from '../../platform/db/prepared.js';
import type { ClientTable, Database } from '../../platform/db/schema.js';

export type ClientRow = Selectable<ClientTable>;

/** The list's filters as the prepared queries take them, undefined when absent (see preparedQuery). */
type FilterArgs = [providerId: number | undefined, pattern: string | undefined];

function filterArgs(filter: { providerId?: number; search?: string }): FilterArgs {
  return [filter.providerId || undefined, filter.search ? `%${filter.search.toLowerCase()}%` : undefined];
}

function filtered(db: Kysely<Database>, ...[providerId, pattern]: FilterArgs) {
  let q = db.selectFrom('clients');
  if (providerId !== undefined) q = q.where('providerId', '=', providerId);
  if (pattern !== undefined) q = q.where((eb) => eb.or([eb('email', 'like', pattern), eb(eb.fn('lower', ['name']), 'like', pattern)]));
  return q;
}

const listPage = preparedQuery((db, limit: number, offset: number, ...filter: FilterArgs) =>
  filtered(db, ...filter).selectAll().orderBy('id').limit(limit).offset(offset),
);

const countAll = preparedFirst((db, ...filter: FilterArgs) => filtered(db, ...filter).select((eb) => eb.fn.countAll<number>().as('n')));

const byId = preparedFirst((db, id: number) => db.selectFrom('clients').selectAll().where('id', '=', id));

export class ClientRepository {
  /** The page's rows and one more, if there is one (see readPage). */
  list(db: Executor, filter: { providerId?: number; search?: string }, limit: number, offset: number): Promise<ClientRow[]> {
    return listPage(db, limit, offset, ...filterArgs(filter));
  }

  async count(db: Executor, filter: { providerId?: number; search?: string }): Promise<number> {
    return Number((await countAll(db, ...filterArgs(filter)))?.n ?? 0);
  }

  find(db: Executor, id: number): Promise<ClientRow | undefined> {
    return byId(db, id);
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
