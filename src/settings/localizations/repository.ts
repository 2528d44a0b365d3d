import type { Executor } from '../../platform/db/db.js';
import type { LocalizationTable } from '../../platform/db/schema.js';

export type LocalizationRow = LocalizationTable;

export class LocalizationRepository {
  list(db: Executor): Promise<LocalizationRow[]> {
    return db.selectFrom('localizations').selectAll().orderBy('isDefault', 'desc').orderBy('code').execute();
  }

  find(db: Executor, code: string): Promise<LocalizationRow | undefined> {
    return db.selectFrom('localizations').selectAll().where('code', '=', code).executeTakeFirst();
  }

  async insert(db: Executor, row: LocalizationRow): Promise<void> {
    await db.insertInto('localizations').values(row).execute();
  }

  async update(db: Executor, code: string, patch: Partial<Omit<LocalizationRow, 'code'>>): Promise<void> {
    await db.updateTable('localizations').set(patch).where('code', '=', code).execute();
  }

  async clearDefault(db: Executor): Promise<void> {
    await db.updateTable('localizations').set({ isDefault: 0 }).where('isDefault', '=', 1).execute();
  }

  async remove(db: Executor, code: string): Promise<void> {
    await db.deleteFrom('localizations').where('code', '=', code).execute();
  }

  async departmentsUsing(db: Executor, code: string): Promise<number> {
    const row = await db
      .selectFrom('departments')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('taskLocale', '=', code)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async employeesUsing(db: Executor, code: string): Promise<number> {
    const row = await db
      .selectFrom('employees')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('language', '=', code)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }
}
