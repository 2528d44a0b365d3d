import type { Executor } from '../../platform/db/db.js';
import type { PageQuery } from '../../platform/db/paging.js';
import { offsetOf, pageLimit } from '../../platform/db/paging.js';
import { preparedQuery } from '../../platform/db/prepared.js';

export interface DatacenterRow {
  id: number;
  name: string;
  externalId: string | null;
  sort: number;
  createdAt: string;
  updatedAt: string;
}

const listPage = preparedQuery((db, limit: number, offset: number) =>
  db.selectFrom('datacenters').selectAll().orderBy('sort').orderBy('id').limit(limit).offset(offset),
);

export class DatacenterRepository {
  /** The page's rows and one more, if there is one (see totalOf). */
  list(db: Executor, page: PageQuery): Promise<DatacenterRow[]> {
    return listPage(db, pageLimit(page), offsetOf(page));
  }

  async count(db: Executor): Promise<number> {
    const row = await db.selectFrom('datacenters').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  find(db: Executor, id: number): Promise<DatacenterRow | undefined> {
    return db.selectFrom('datacenters').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** Another data center with this external id, if any. */
  findByExternalId(db: Executor, externalId: string, exceptId?: number): Promise<DatacenterRow | undefined> {
    let q = db.selectFrom('datacenters').selectAll().where('externalId', '=', externalId);
    if (exceptId !== undefined) q = q.where('id', '!=', exceptId);
    return q.executeTakeFirst();
  }

  async insert(db: Executor, row: Omit<DatacenterRow, 'id'>): Promise<number> {
    const { id } = await db.insertInto('datacenters').values(row).returning('id').executeTakeFirstOrThrow();
    return Number(id);
  }

  async update(db: Executor, id: number, patch: Partial<Omit<DatacenterRow, 'id' | 'sort'>>): Promise<void> {
    await db.updateTable('datacenters').set(patch).where('id', '=', id).execute();
  }

  async remove(db: Executor, id: number): Promise<void> {
    await db.deleteFrom('datacenters').where('id', '=', id).execute();
  }
}
