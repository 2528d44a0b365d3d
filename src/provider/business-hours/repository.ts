import type { Executor } from '../../platform/db/db.js';
import type { PageQuery } from '../../platform/db/paging.js';
import { offsetOf } from '../../platform/db/paging.js';

export interface BusinessHoursRow {
  id: number;
  name: string;
  timeZone: string;
  /** JSON: seven WeekDay entries, Monday first. */
  days: string;
  /** JSON: local dates "YYYY-MM-DD", sorted. */
  holidays: string;
  createdAt: string;
  updatedAt: string;
}

export class BusinessHoursRepository {
  list(db: Executor, page: PageQuery): Promise<BusinessHoursRow[]> {
    return db.selectFrom('businessHours').selectAll().orderBy('id').limit(page.perPage).offset(offsetOf(page)).execute();
  }

  async count(db: Executor): Promise<number> {
    const row = await db.selectFrom('businessHours').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  find(db: Executor, id: number): Promise<BusinessHoursRow | undefined> {
    return db.selectFrom('businessHours').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async insert(db: Executor, row: Omit<BusinessHoursRow, 'id'>): Promise<number> {
    const { id } = await db.insertInto('businessHours').values(row).returning('id').executeTakeFirstOrThrow();
    return Number(id);
  }

  async update(db: Executor, id: number, patch: Partial<Omit<BusinessHoursRow, 'id' | 'createdAt'>>): Promise<void> {
    await db.updateTable('businessHours').set(patch).where('id', '=', id).execute();
  }

  async remove(db: Executor, id: number): Promise<void> {
    await db.deleteFrom('businessHours').where('id', '=', id).execute();
  }

  /** How many departments compute their due times with this schedule. */
  async departmentsUsing(db: Executor, id: number): Promise<number> {
    const row = await db
      .selectFrom('departments')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('businessHoursId', '=', id)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }
}
