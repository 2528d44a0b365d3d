import { sql, type Insertable, type Selectable } from 'kysely';
import type { Executor } from '../../platform/db/db.js';
import { offsetOf, type PageQuery } from '../../platform/db/paging.js';
import type { TariffPeriodTable, TariffTable } from '../../platform/db/schema.js';

export type TariffRow = Selectable<TariffTable>;
export type TariffInsert = Omit<TariffRow, 'id'>;
export type PeriodRow = Omit<Selectable<TariffPeriodTable>, 'tariffId'>;
export interface CostRow {
  months: number;
  costMinor: bigint;
}

/** A tariff with everything its view shows. */
export interface TariffRecord {
  row: TariffRow;
  periods: PeriodRow[];
  costs: CostRow[];
  moduleIds: number[];
}

/** What the tariff list may be narrowed to. */
export interface TariffFilter {
  providerId?: number;
  processingModuleId?: number;
  status?: string;
  search?: string;
}

export class TariffRepository {
  private filtered(db: Executor, filter: TariffFilter) {
    let q = db.selectFrom('tariffs');
    if (filter.providerId !== undefined) q = q.where('providerId', '=', filter.providerId);
    if (filter.status !== undefined) q = q.where('status', '=', filter.status);
    if (filter.processingModuleId !== undefined) {
      const moduleId = filter.processingModuleId;
      q = q.where('id', 'in', (eb) => eb.selectFrom('tariffModules').select('tariffId').where('processingModuleId', '=', moduleId));
    }
    if (filter.search) {
      // The name column holds every language's name (JSON): one pattern finds a name in any of them.
      // Wildcards typed in the search are matched literally. SQLite lower-cases only ASCII, so a name in
      // another script is also matched as typed.
      const escaped = filter.search.replace(/[\\%_]/g, (c) => `\\${c}`);
      const lower = `%${escaped.toLowerCase()}%`;
      const typed = `%${escaped}%`;
      const matches = (column: 'name' | 'upstreamName' | 'upstreamTariffId') =>
        sql<boolean>`(lower(${sql.ref(column)}) like ${lower} escape '\\' or ${sql.ref(column)} like ${typed} escape '\\')`;
      q = q.where((eb) => eb.or([matches('name'), matches('upstreamName'), matches('upstreamTariffId')]));
    }
    return q;
  }

  list(db: Executor, page: PageQuery, filter: TariffFilter = {}): Promise<TariffRow[]> {
    return this.filtered(db, filter).selectAll().orderBy('sort').orderBy('id').limit(page.perPage).offset(offsetOf(page)).execute();
  }

  async count(db: Executor, filter: TariffFilter = {}): Promise<number> {
    const row = await this.filtered(db, filter).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  allIds(db: Executor): Promise<Array<{ id: number }>> {
    return db.selectFrom('tariffs').select('id').orderBy('sort').orderBy('id').execute();
  }

  enabledOf(db: Executor, providerId: number): Promise<TariffRow[]> {
    return db.selectFrom('tariffs').selectAll().where('providerId', '=', providerId).where('status', '=', 'enabled').orderBy('sort').orderBy('id').execute();
  }

  find(db: Executor, id: number): Promise<TariffRow | undefined> {
    return db.selectFrom('tariffs').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** The row, locked against concurrent writers until the transaction ends (on SQLite the transaction already holds the write lock). */
  findForUpdate(db: Executor, id: number, lock: boolean): Promise<TariffRow | undefined> {
    const q = db.selectFrom('tariffs').selectAll().where('id', '=', id);
    return (lock ? q.forUpdate() : q).executeTakeFirst();
  }

  findByUpstream(db: Executor, providerId: number, upstreamTariffId: string): Promise<TariffRow | undefined> {
    return db.selectFrom('tariffs').selectAll().where('providerId', '=', providerId).where('upstreamTariffId', '=', upstreamTariffId).executeTakeFirst();
  }

  /** Periods, costs and modules of many tariffs in three queries. */
  async details(db: Executor, rows: TariffRow[]): Promise<TariffRecord[]> {
    if (!rows.length) return [];
    const ids = rows.map((r) => r.id);
    const [periods, costs, modules] = await Promise.all([
      db.selectFrom('tariffPeriods').selectAll().where('tariffId', 'in', ids).orderBy('period').execute(),
      db.selectFrom('tariffUpstreamCosts').selectAll().where('tariffId', 'in', ids).orderBy('months').execute(),
      db
        .selectFrom('tariffModules')
        .innerJoin('processingModules', 'processingModules.id', 'tariffModules.processingModuleId')
        .select(['tariffModules.tariffId', 'tariffModules.processingModuleId'])
        .where('tariffModules.tariffId', 'in', ids)
        .orderBy('processingModules.sort')
        .orderBy('processingModules.id')
        .execute(),
    ]);
    return rows.map((row) => ({
      row,
      periods: periods.filter((p) => p.tariffId === row.id).map(({ tariffId: _t, ...p }) => p),
      costs: costs.filter((c) => c.tariffId === row.id).map(({ months, costMinor }) => ({ months, costMinor })),
      moduleIds: modules.filter((m) => m.tariffId === row.id).map((m) => m.processingModuleId),
    }));
  }

  async insert(db: Executor, row: TariffInsert): Promise<number> {
    const { id } = await db.insertInto('tariffs').values(row as Insertable<TariffTable>).returning('id').executeTakeFirstOrThrow();
    return Number(id);
  }

  async update(db: Executor, id: number, patch: Partial<TariffInsert>): Promise<void> {
    await db.updateTable('tariffs').set(patch).where('id', '=', id).execute();
  }

  async remove(db: Executor, id: number): Promise<void> {
    await db.deleteFrom('tariffs').where('id', '=', id).execute();
  }

  async replacePeriods(db: Executor, tariffId: number, periods: PeriodRow[]): Promise<void> {
    await db.deleteFrom('tariffPeriods').where('tariffId', '=', tariffId).execute();
    if (periods.length) await db.insertInto('tariffPeriods').values(periods.map((p) => ({ tariffId, ...p }))).execute();
  }

  async replaceCosts(db: Executor, tariffId: number, costs: CostRow[]): Promise<void> {
    await db.deleteFrom('tariffUpstreamCosts').where('tariffId', '=', tariffId).execute();
    if (costs.length) await db.insertInto('tariffUpstreamCosts').values(costs.map((c) => ({ tariffId, ...c }))).execute();
  }

  async replaceModules(db: Executor, tariffId: number, moduleIds: number[]): Promise<void> {
    await db.deleteFrom('tariffModules').where('tariffId', '=', tariffId).execute();
    if (moduleIds.length) {
      await db.insertInto('tariffModules').values(moduleIds.map((processingModuleId) => ({ tariffId, processingModuleId }))).execute();
    }
  }

  async countByModule(db: Executor, moduleId: number): Promise<number> {
    const row = await db.selectFrom('tariffModules').select((eb) => eb.fn.countAll<number>().as('n')).where('processingModuleId', '=', moduleId).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async countByProvider(db: Executor, providerId: number): Promise<number> {
    const row = await db.selectFrom('tariffs').select((eb) => eb.fn.countAll<number>().as('n')).where('providerId', '=', providerId).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  provider(db: Executor, id: number) {
    return db.selectFrom('providers').select(['id', 'name', 'currency']).where('id', '=', id).executeTakeFirst();
  }

  modules(db: Executor, ids: number[]) {
    if (!ids.length) return Promise.resolve([]);
    return db
      .selectFrom('processingModules')
      .select(['id', 'name', 'productType', 'moduleType', 'currency'])
      .where('id', 'in', ids)
      .execute();
  }
}
