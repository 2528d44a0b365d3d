import type { Selectable } from 'kysely';
import type { Executor } from '../../platform/db/db.js';
import { offsetOf, type PageQuery } from '../../platform/db/paging.js';
import { preparedFirst } from '../../platform/db/prepared.js';
import type { ProcessingModuleTable } from '../../platform/db/schema.js';

export type ModuleRow = Selectable<ProcessingModuleTable>;
export type ModuleInsert = Omit<ModuleRow, 'id'>;

const findModule = preparedFirst((db, id: number) => db.selectFrom('processingModules').selectAll().where('id', '=', id));

export class ProcessingModuleRepository {
  list(db: Executor, page: PageQuery): Promise<ModuleRow[]> {
    return db.selectFrom('processingModules').selectAll().orderBy('sort').orderBy('id').limit(page.perPage).offset(offsetOf(page)).execute();
  }

  all(db: Executor): Promise<ModuleRow[]> {
    return db.selectFrom('processingModules').selectAll().orderBy('sort').orderBy('id').execute();
  }

  async count(db: Executor): Promise<number> {
    const row = await db.selectFrom('processingModules').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** Read by every operation the worker runs: prepared (see preparedQuery). */
  find(db: Executor, id: number): Promise<ModuleRow | undefined> {
    return findModule(db, id);
  }

  async insert(db: Executor, row: ModuleInsert): Promise<number> {
    const { id } = await db.insertInto('processingModules').values(row).returning('id').executeTakeFirstOrThrow();
    return Number(id);
  }

  async update(db: Executor, id: number, patch: Partial<ModuleInsert>): Promise<void> {
    await db.updateTable('processingModules').set(patch).where('id', '=', id).execute();
  }

  /** Forgets the stored error; writes nothing when there is none. */
  async clearError(db: Executor, id: number): Promise<void> {
    await db.updateTable('processingModules').set({ lastError: null, lastErrorCode: null, lastErrorAt: null }).where('id', '=', id).where('lastError', 'is not', null).execute();
  }

  async remove(db: Executor, id: number): Promise<void> {
    await db.deleteFrom('processingModules').where('id', '=', id).execute();
  }

  async countWhere(db: Executor, column: 'datacenterId' | 'departmentId', id: number): Promise<number> {
    const row = await db.selectFrom('processingModules').select((eb) => eb.fn.countAll<number>().as('n')).where(column, '=', id).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  datacenterName(db: Executor, id: number) {
    return db.selectFrom('datacenters').select(['id', 'name']).where('id', '=', id).executeTakeFirst();
  }

  departmentName(db: Executor, id: number) {
    return db.selectFrom('departments').select(['id', 'name']).where('id', '=', id).executeTakeFirst();
  }

  /** The currencies of the providers a department serves; the default provider's when it names none. */
  async sellingCurrencies(db: Executor, departmentId: number | null): Promise<Array<{ name: string; currency: string }>> {
    if (departmentId !== null) {
      const rows = await db
        .selectFrom('departmentProviders')
        .innerJoin('providers', 'providers.id', 'departmentProviders.providerId')
        .select(['providers.name', 'providers.currency'])
        .where('departmentProviders.departmentId', '=', departmentId)
        .execute();
      if (rows.length) return rows;
    }
    return db.selectFrom('providers').select(['name', 'currency']).where('isDefault', '=', 1).execute();
  }

  async allSealedPasswords(db: Executor): Promise<Array<{ id: number; passwordSealed: string }>> {
    const rows = await db.selectFrom('processingModules').select(['id', 'passwordSealed']).where('passwordSealed', 'is not', null).execute();
    return rows.map((r) => ({ id: r.id, passwordSealed: r.passwordSealed! }));
  }
}
