import { Referrers, type Referrer } from '../../platform/referrers.js';
import type { Actor } from '../../platform/actor.js';
import type { AuditService } from '../../platform/audit/service.js';
import type { Clock } from '../../platform/clock.js';
import type { Db, Executor } from '../../platform/db/db.js';
import { totalOf, type Page, type PageQuery } from '../../platform/db/paging.js';
import { closeGap, makeRoomAt, moveStep, moveTo } from '../../platform/db/sorting.js';
import { notFound, appError } from '../../platform/errors.js';
import { checkLocalized, pickLocalized, type LocaleCatalog } from '../../platform/i18n/localized.js';
import { commaList } from '../../platform/i18n/messages.js';
import type { LocalizationService } from '../../settings/localizations/service.js';
import { DatacenterRepository, type DatacenterRow } from './repository.js';
import type { DatacenterInput, DatacenterPatch, DatacenterView } from './schemas.js';

/** Something else that refers to data centers (processing modules do); asked before a delete. */
export type DatacenterReferrer = Referrer;

export class DatacenterService {
  private readonly repo = new DatacenterRepository();
  private readonly referrers = new Referrers();

  constructor(
    private readonly db: Db,
    private readonly audit: AuditService,
    private readonly locales: LocalizationService,
    private readonly clock: Clock,
  ) {}

  addReferrer(referrer: DatacenterReferrer): void {
    this.referrers.add(referrer);
  }

  async list(page: PageQuery, actor: Actor): Promise<Page<DatacenterView>> {
    const [rows, catalog] = await Promise.all([this.repo.list(this.db.kysely, page), this.locales.catalog()]);
    const total = await totalOf(page, rows.length, () => this.repo.count(this.db.kysely));
    const items = rows.slice(0, page.perPage).map((r) => toView(r, actor.locale, catalog));
    return { items, total, page: page.page, perPage: page.perPage };
  }

  async get(id: number, actor: Actor): Promise<DatacenterView> {
    const row = await this.repo.find(this.db.kysely, id);
    if (!row) throw notFound('Data center', id);
    return toView(row, actor.locale, await this.locales.catalog());
  }

  async create(input: DatacenterInput, actor: Actor): Promise<DatacenterView> {
    return this.db.transaction(async (trx) => {
      const catalog = await this.locales.catalog(trx);
      const name = checkLocalized(input.name, catalog, 'name');
      if (input.externalId) await this.checkExternalIdFree(trx, input.externalId, actor, catalog);
      const now = this.clock.now().toISOString();
      const sort = await makeRoomAt(trx, 'datacenters', input.sort);
      const id = await this.repo.insert(trx, {
        name: JSON.stringify(name),
        externalId: input.externalId ?? null,
        sort,
        createdAt: now,
        updatedAt: now,
      });
      const view = toView((await this.repo.find(trx, id))!, actor.locale, catalog);
      await this.audit.record(trx, actor, 'datacenter.create', 'datacenter', id, null, view);
      return view;
    });
  }

  async update(id: number, input: DatacenterPatch, actor: Actor): Promise<DatacenterView> {
    return this.db.transaction(async (trx) => {
      const before = await this.repo.find(trx, id);
      if (!before) throw notFound('Data center', id);
      const catalog = await this.locales.catalog(trx);
      if (input.externalId) await this.checkExternalIdFree(trx, input.externalId, actor, catalog, id);
      await this.repo.update(trx, id, {
        ...(input.name !== undefined ? { name: JSON.stringify(checkLocalized(input.name, catalog, 'name')) } : {}),
        ...(input.externalId !== undefined ? { externalId: input.externalId } : {}),
        updatedAt: this.clock.now().toISOString(),
      });
      if (input.sort !== undefined) await moveTo(trx, 'datacenters', id, input.sort);
      const after = (await this.repo.find(trx, id))!;
      const view = toView(after, actor.locale, catalog);
      await this.audit.record(trx, actor, 'datacenter.update', 'datacenter', id, toView(before, actor.locale, catalog), view);
      return view;
    });
  }

  /** An external id names one data center at the upstream: two of ours with the same one would be confused. */
  private async checkExternalIdFree(trx: Executor, externalId: string, actor: Actor, catalog: LocaleCatalog, exceptId?: number): Promise<void> {
    const other = await this.repo.findByExternalId(trx, externalId, exceptId);
    if (!other) return;
    const name = pickLocalized(JSON.parse(other.name), actor.locale, catalog);
    throw appError('conflict', 'datacenter.externalIdTaken', { externalId, name }, {
      field: 'externalId',
      details: { datacenterId: other.id },
    });
  }

  async move(id: number, direction: 'up' | 'down', actor: Actor): Promise<DatacenterView> {
    return this.db.transaction(async (trx) => {
      const before = await this.repo.find(trx, id);
      if (!before) throw notFound('Data center', id);
      await moveStep(trx, 'datacenters', id, direction);
      const after = (await this.repo.find(trx, id))!;
      await this.audit.record(trx, actor, 'datacenter.move', 'datacenter', id, { sort: before.sort }, { sort: after.sort });
      return toView(after, actor.locale, await this.locales.catalog(trx));
    });
  }

  async remove(id: number, actor: Actor): Promise<void> {
    await this.db.transaction(async (trx) => {
      const before = await this.repo.find(trx, id);
      if (!before) throw notFound('Data center', id);
      const catalog = await this.locales.catalog(trx);
      const uses = await this.referrers.usesOf(trx, id);
      if (uses.length) {
        const name = pickLocalized(JSON.parse(before.name), actor.locale, catalog);
        throw appError('conflict', 'inUse.datacenter', { name, uses: commaList(uses) }, { field: 'id' });
      }
      await this.repo.remove(trx, id);
      await closeGap(trx, 'datacenters', before.sort);
      await this.audit.record(trx, actor, 'datacenter.delete', 'datacenter', id, toView(before, actor.locale, catalog), null);
    });
  }
}

function toView(row: DatacenterRow, locale: string, catalog: LocaleCatalog): DatacenterView {
  const name = JSON.parse(row.name) as Record<string, string>;
  return {
    id: row.id,
    name,
    displayName: pickLocalized(name, locale, catalog),
    externalId: row.externalId,
    sort: row.sort,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}
