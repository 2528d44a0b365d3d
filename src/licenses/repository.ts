import { sql, type Kysely, type Selectable, type SqlBool } from 'kysely';
import type { Executor } from '../platform/db/db.js';
import { preparedFirst, preparedQuery } from '../platform/db/prepared.js';
import type { Database, LicenseTable } from '../platform/db/schema.js';

export type LicenseRow = Selectable<LicenseTable>;

/** What a license's view shows: the list reads only these (a page of rows costs by the column). */
export const VIEW_COLUMNS = [
  'id', 'clientId', 'status', 'tariffId', 'period', 'isTrial', 'ip', 'licenseName', 'licenseKey', 'expiresOn', 'autoRenew',
  'upstreamId', 'datacenterId', 'moduleId', 'priceMinor', 'currency', 'createdAt', 'updatedAt',
] as const satisfies ReadonlyArray<keyof LicenseRow>;
export type LicenseViewRow = Pick<LicenseRow, (typeof VIEW_COLUMNS)[number]>;

export interface LicenseFilter {
  clientId?: number;
  status?: string;
  /** Part of the name, IP, key, client name or e-mail, any case. */
  q?: string;
  tariffId?: number;
  moduleId?: number;
  /** Not deleted, expiring on [from, to] (YYYY-MM-DD). */
  expiring?: { from: string; to: string };
}

/** A LIKE pattern that finds `text` anywhere, its own % and _ taken literally (escape character !). */
function containsPattern(text: string): string {
  return `%${text.toLowerCase().replace(/[!%_]/g, (c) => `!${c}`)}%`;
}

/**
 * The list's filters as the prepared queries take them: one argument each, undefined when absent
 * (each combination is compiled once, see preparedQuery).
 */
type FilterArgs = [
  clientId: number | undefined,
  status: string | undefined,
  tariffId: number | undefined,
  moduleId: number | undefined,
  expiringFrom: string | undefined,
  expiringTo: string | undefined,
  pattern: string | undefined,
];

function filterArgs(filter: LicenseFilter): FilterArgs {
  return [
    filter.clientId || undefined,
    filter.status || undefined,
    filter.tariffId || undefined,
    filter.moduleId || undefined,
    filter.expiring?.from,
    filter.expiring?.to,
    filter.q ? containsPattern(filter.q) : undefined,
  ];
}

function filtered(db: Kysely<Database>, ...[clientId, status, tariffId, moduleId, expiringFrom, expiringTo, pattern]: FilterArgs) {
  let q = db.selectFrom('licenses').innerJoin('clients', 'clients.id', 'licenses.clientId');
  if (clientId !== undefined) q = q.where('licenses.clientId', '=', clientId);
  if (status !== undefined) q = q.where('licenses.status', '=', status);
  if (tariffId !== undefined) q = q.where('licenses.tariffId', '=', tariffId);
  if (moduleId !== undefined) q = q.where('licenses.moduleId', '=', moduleId);
  if (expiringFrom !== undefined && expiringTo !== undefined) {
    q = q.where('licenses.status', '<>', 'deleted').where('licenses.expiresOn', '>=', expiringFrom).where('licenses.expiresOn', '<=', expiringTo);
  }
  if (pattern !== undefined) {
    const like = (column: string) => sql<SqlBool>`lower(${sql.ref(column)}) like ${pattern} escape '!'`;
    q = q.where((eb) => eb.or([like('licenses.licenseName'), like('licenses.ip'), like('licenses.licenseKey'), like('clients.name'), like('clients.email')]));
  }
  return q;
}

const listPage = preparedQuery((db, limit: number, offset: number, ...filter: FilterArgs) =>
  filtered(db, ...filter)
    .select(VIEW_COLUMNS.map((c) => `licenses.${c}` as const))
    .select('clients.name as clientName').orderBy('licenses.id', 'desc').limit(limit).offset(offset),
);

const countAll = preparedFirst((db, ...filter: FilterArgs) => filtered(db, ...filter).select((eb) => eb.fn.countAll<number>().as('n')));

const unfinished = preparedQuery((db, licenseIds: number[]) =>
  db
    .selectFrom('operations')
    .select(['id', 'licenseId', 'kind', 'status', 'lastError'])
    .where('licenseId', 'in', licenseIds)
    .where('status', 'in', ['pending', 'running', 'manual'])
    .orderBy('id'),
);

// Read for every operation the worker runs (twice for an order): prepared.
const findLicense = preparedFirst((db, id: number) => db.selectFrom('licenses').selectAll().where('id', '=', id));
const closeUnderWay = preparedFirst((db, licenseId: number) =>
  db.selectFrom('operations').select('id').where('licenseId', '=', licenseId).where('kind', '=', 'close').where('status', 'in', ['pending', 'running', 'manual']),
);

export class LicenseRepository {
  /** The page's rows and one more, if there is one (see readPage). */
  list(db: Executor, filter: LicenseFilter, limit: number, offset: number): Promise<Array<LicenseViewRow & { clientName: string }>> {
    return listPage(db, limit, offset, ...filterArgs(filter));
  }

  async count(db: Executor, filter: LicenseFilter): Promise<number> {
    return Number((await countAll(db, ...filterArgs(filter)))?.n ?? 0);
  }

  async clientName(db: Executor, clientId: number): Promise<string> {
    const row = await db.selectFrom('clients').select('name').where('id', '=', clientId).executeTakeFirst();
    return row?.name ?? '';
  }

  find(db: Executor, id: number): Promise<LicenseRow | undefined> {
    return findLicense(db, id);
  }

  /**
   * The license, its row locked until the commit. NO KEY UPDATE: it keeps other writers of this license
   * out, but not the rows that merely refer to it (history, operations, ledger references).
   */
  findForUpdate(db: Executor, id: number): Promise<LicenseRow | undefined> {
    return db.selectFrom('licenses').selectAll().where('id', '=', id).forNoKeyUpdate().executeTakeFirst();
  }

  async insert(db: Executor, row: Omit<LicenseRow, 'id'>): Promise<number> {
    const { id } = await db.insertInto('licenses').values(row).returning('id').executeTakeFirstOrThrow();
    return Number(id);
  }

  async update(db: Executor, id: number, patch: Partial<Omit<LicenseRow, 'id'>>): Promise<void> {
    await db.updateTable('licenses').set(patch).where('id', '=', id).execute();
  }

  /** The live license that holds this upstream license, if any (all modules sell for ispmanager's one billing, whose license ids are unique). */
  findByUpstreamId(db: Executor, upstreamId: string): Promise<LicenseRow | undefined> {
    return db.selectFrom('licenses').selectAll().where('upstreamId', '=', upstreamId).where('status', '!=', 'deleted').executeTakeFirst();
  }

  /** The license's deletion under way: its close operation that has not finished, if any. */
  async closing(db: Executor, licenseId: number): Promise<number | null> {
    const row = await closeUnderWay(db, licenseId);
    return row ? row.id : null;
  }

  /** A trial already taken by this client or on this IP, in any state. */
  findTrial(db: Executor, clientId: number, ip: string) {
    return db
      .selectFrom('licenses')
      .select(['id', 'clientId', 'ip'])
      .where('isTrial', '=', 1)
      .where((eb) => eb.or([eb('clientId', '=', clientId), eb('ip', '=', ip)]))
      .executeTakeFirst();
  }

  unfinishedOperations(db: Executor, licenseIds: number[]) {
    if (!licenseIds.length) return Promise.resolve([]);
    return unfinished(db, licenseIds);
  }

  async chargedFor(db: Executor, licenseId: number): Promise<bigint> {
    const rows = await db
      .selectFrom('ledgerEntries')
      .select(['amountMinor', 'reference'])
      .where((eb) => eb.or([
        eb('reference', '=', `order:${licenseId}`),
        eb('reference', 'like', `renewal:${licenseId}:%`),
        eb('reference', 'like', `change_tariff:${licenseId}:%`),
        eb('reference', 'like', `refund:license:${licenseId}:%`),
      ]))
      .execute();
    return -rows.reduce((sum, r) => sum + r.amountMinor, 0n);
  }

  client(db: Executor, id: number) {
    return db.selectFrom('clients').select(['id', 'providerId', 'currency', 'enabled']).where('id', '=', id).executeTakeFirst();
  }

  modulesOf(db: Executor, tariffId: number) {
    return db
      .selectFrom('tariffModules')
      .innerJoin('processingModules', 'processingModules.id', 'tariffModules.processingModuleId')
      .select([
        'processingModules.id',
        'processingModules.sort',
        'processingModules.enabled',
        'processingModules.lastError',
        'processingModules.operationLimit',
        'processingModules.datacenterId',
        'processingModules.balanceMinor',
        'processingModules.minimalBalanceMinor',
      ])
      .where('tariffModules.tariffId', '=', tariffId)
      .execute();
  }

  /** Licenses not deleted that refer to a tariff or are bound to a module. */
  async countLive(db: Executor, column: 'tariffId' | 'moduleId', id: number): Promise<number> {
    const row = await db.selectFrom('licenses').select((eb) => eb.fn.countAll<number>().as('n')).where(column, '=', id).where('status', '<>', 'deleted').executeTakeFirstOrThrow();
    return Number(row.n);
  }
}
