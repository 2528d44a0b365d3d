import type { Executor } from '../../platform/db/db.js';

/** The rows the dashboard adds up; reads only. */
export class DashboardRepository {
  modules(db: Executor) {
    return db.selectFrom('processingModules').select(['id', 'name', 'currency', 'balanceMinor', 'moduleType', 'sort']).orderBy('sort').orderBy('id').execute();
  }

  /** Purchases and renewals that went through upstream since `since` (ISO instant). */
  boughtSince(db: Executor, since: string) {
    return db
      .selectFrom('operations')
      .innerJoin('licenses', 'licenses.id', 'operations.licenseId')
      .select(['operations.kind', 'operations.payload', 'operations.moduleId', 'licenses.moduleId as licenseModuleId', 'licenses.tariffId', 'licenses.period', 'licenses.currency'])
      .where('operations.status', '=', 'succeeded')
      .where('operations.kind', 'in', ['open', 'prolong'])
      .where('operations.finishedAt', '>=', since)
      .execute();
  }

  upstreamCosts(db: Executor, tariffIds: number[]) {
    if (!tariffIds.length) return Promise.resolve([]);
    return db.selectFrom('tariffUpstreamCosts').selectAll().where('tariffId', 'in', tariffIds).execute();
  }

  tariffs(db: Executor, ids: number[]) {
    if (!ids.length) return Promise.resolve([]);
    return db.selectFrom('tariffs').select(['id', 'name', 'currency']).where('id', 'in', ids).execute();
  }

  expiring(db: Executor, from: string, to: string) {
    return db
      .selectFrom('licenses')
      .innerJoin('clients', 'clients.id', 'licenses.clientId')
      .select(['licenses.id', 'licenses.licenseName', 'licenses.clientId', 'clients.name as clientName', 'licenses.status', 'licenses.expiresOn', 'licenses.autoRenew'])
      .where('licenses.status', 'in', ['active', 'suspended'])
      .where('licenses.expiresOn', '>=', from)
      .where('licenses.expiresOn', '<=', to)
      .orderBy('licenses.expiresOn')
      .orderBy('licenses.id')
      .limit(100)
      .execute();
  }

  /** Charges and refunds posted in [from, to) (ISO instants). */
  chargesAndRefunds(db: Executor, from: string, to: string) {
    return db
      .selectFrom('ledgerEntries')
      .select(['kind', 'amountMinor', 'currency', 'reference'])
      .where('kind', 'in', ['charge', 'refund'])
      .where('createdAt', '>=', from)
      .where('createdAt', '<', to)
      .execute();
  }

  ordersBetween(db: Executor, from: string, to: string) {
    return db.selectFrom('licenses').select(['id', 'currency']).where('createdAt', '>=', from).where('createdAt', '<', to).execute();
  }

  licenseTariffs(db: Executor, ids: number[]) {
    if (!ids.length) return Promise.resolve([]);
    return db.selectFrom('licenses').select(['id', 'tariffId', 'currency']).where('id', 'in', ids).execute();
  }
}
