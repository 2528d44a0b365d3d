import { commaList, translate, type MessageParam, type MessageRef } from '../../platform/i18n/messages.js';
import { Referrers, type Referrer } from '../../platform/referrers.js';
import { systemActor, type Actor } from '../../platform/actor.js';
import type { AuditService } from '../../platform/audit/service.js';
import type { Clock } from '../../platform/clock.js';
import type { Db, Executor } from '../../platform/db/db.js';
import { isUniqueViolation } from '../../platform/db/dialect.js';
import type { Page } from '../../platform/db/paging.js';
import { closeGap, makeRoomAt, moveStep } from '../../platform/db/sorting.js';
import { AppError, appError, notFound } from '../../platform/errors.js';
import { checkLocalized, pickLocalized, type LocaleCatalog, type LocalizedText } from '../../platform/i18n/localized.js';
import { Money, MoneyError } from '../../platform/money.js';
import type { LocalizationService } from '../../settings/localizations/service.js';
import type { UpstreamTariff } from '../../integration/processing-modules/drivers/driver.js';
import type { ProcessingModuleService } from '../../integration/processing-modules/service.js';
import { callUpstream } from '../../integration/processing-modules/upstream-errors.js';
import {
  TRIAL_PERIOD,
  byPeriod,
  compatiblePeriods,
  isMarginNegative,
  markupPrice,
  upstreamCostOf,
  type UpstreamCosts,
} from './pricing.js';
import { TariffRepository, type CostRow, type PeriodRow, type TariffRecord } from './repository.js';
import type {
  CatalogQuery,
  CatalogView,
  SyncAllView,
  TariffImport,
  TariffImportPreview,
  TariffListQuery,
  TariffPatch,
  TariffPeriodView,
  TariffSyncView,
  TariffView,
} from './schemas.js';

/** Something bound to tariffs (licenses); asked before a tariff is deleted. */
export type TariffReferrer = Referrer;

type ModuleRef = { id: number; name: string; productType: string; moduleType: string; currency: string | null };
/** One module's price list, or why it could not be read. */
type PriceListResult = { ok: true; tariffs: UpstreamTariff[] } | { ok: false; error: AppError };

export class TariffService {
  private readonly repo = new TariffRepository();
  private readonly referrers = new Referrers();

  constructor(
    private readonly db: Db,
    private readonly audit: AuditService,
    private readonly locales: LocalizationService,
    private readonly clock: Clock,
    private readonly modules: ProcessingModuleService,
  ) {}

  addReferrer(referrer: TariffReferrer): void {
    this.referrers.add(referrer);
  }

  /** Processing modules ask this before they are deleted. */
  async usedByModule(db: Executor, moduleId: number): Promise<MessageRef | undefined> {
    const n = await this.repo.countByModule(db, moduleId);
    return n ? { key: n === 1 ? 'uses.tariffPlan' : 'uses.tariffPlans', params: { count: n } } : undefined;
  }

  /** Providers ask this before they are deleted or change their currency. */
  async usedByProvider(db: Executor, providerId: number): Promise<MessageRef | undefined> {
    const n = await this.repo.countByProvider(db, providerId);
    return n ? { key: n === 1 ? 'uses.tariffPlan' : 'uses.tariffPlans', params: { count: n } } : undefined;
  }

  async list(query: TariffListQuery, actor: Actor): Promise<Page<TariffView>> {
    const db = this.db.kysely;
    const filter = { providerId: query.providerId, processingModuleId: query.processingModuleId, status: query.status, search: query.search };
    const [rows, total, catalog] = await Promise.all([this.repo.list(db, query, filter), this.repo.count(db, filter), this.locales.catalog()]);
    const records = await this.repo.details(db, rows);
    return { items: records.map((r) => toView(r, actor.locale, catalog)), total, page: query.page, perPage: query.perPage };
  }

  async get(id: number, actor: Actor): Promise<TariffView> {
    return toView(await this.mustLoad(this.db.kysely, id), actor.locale, await this.locales.catalog());
  }

  /** Products → Tariff plans → Import: one upstream tariff of a module's price list, for one provider. */
  async import(input: TariffImport, actor: Actor): Promise<TariffView> {
    const { catalog, module, provider, upstream, costs, periods } = await this.prepareImport(input);
    return this.db.transaction(async (trx) => {
      await this.refuseDuplicate(trx, provider, input.upstreamTariffId);
      const now = this.clock.now().toISOString();
      let id: number;
      try {
        id = await this.repo.insert(trx, {
          providerId: provider.id,
          productType: input.productType,
          name: JSON.stringify(input.name ?? { [catalog.defaultCode]: upstream.name }),
          upstreamTariffId: upstream.id,
          upstreamName: upstream.name,
          currency: provider.currency,
          status: 'disabled',
          sort: await makeRoomAt(trx, 'tariffs'),
          lastSyncedAt: now,
          createdAt: now,
          updatedAt: now,
        });
      } catch (error) {
        if (isUniqueViolation(error)) throw duplicate(provider, input.upstreamTariffId);
        throw error;
      }
      await this.repo.replacePeriods(trx, id, periods);
      await this.repo.replaceCosts(trx, id, costRows(costs));
      await this.repo.replaceModules(trx, id, [module.id]);
      const view = toView(await this.mustLoad(trx, id), actor.locale, catalog);
      await this.audit.record(trx, actor, 'tariff.import', 'tariff', id, null, view);
      return view;
    });
  }

  /**
   * What an import with this body would store: each period's price beside its upstream cost and the margin,
   * read from the module's price list now. The same checks as the import; nothing is stored.
   */
  async previewImport(input: TariffImport): Promise<TariffImportPreview> {
    const { provider, upstream, costs, periods } = await this.prepareImport(input);
    const views = periods.map((p) => periodView(p, provider.currency, costs));
    const warnings = views
      .filter((p) => p.enabled && p.marginNegative)
      .map((p) => `${inEnglish(lossMessage(p.period, p.price, p.upstreamCost!, provider.currency))}: the tariff cannot be enabled until the price is raised or the period disabled`);
    return { upstreamTariffId: upstream.id, upstreamName: upstream.name, currency: provider.currency, periods: views, warnings };
  }

  /** The checks and the arithmetic of an import, up to what it would store (the price list is read outside any transaction). */
  private async prepareImport(input: TariffImport) {
    const db = this.db.kysely;
    const catalog = await this.locales.catalog();
    if (input.name) checkLocalized(input.name, catalog, 'name');
    const module = await this.mustFindModule(db, input.processingModuleId, 'processingModuleId');
    if (module.productType !== input.productType) {
      throw appError('unprocessable', 'tariff.moduleSells', { id: module.id, sells: module.productType, wanted: input.productType }, { field: 'processingModuleId' });
    }
    const provider = await this.repo.provider(db, input.providerId);
    if (!provider) throw appError('validation', 'tariff.noProvider', { id: input.providerId }, { field: 'providerId' });
    await this.refuseDuplicate(db, provider, input.upstreamTariffId);

    const priceList = await this.readPriceList(module.id);
    const upstream = priceList.find((t) => t.id === input.upstreamTariffId);
    if (!upstream) {
      throw appError('unprocessable', 'tariff.notInPriceList', { id: module.id, tariff: input.upstreamTariffId, offered: commaList(priceList.map((t) => t.id)) }, {
        field: 'upstreamTariffId',
      });
    }
    if (upstream.currency !== provider.currency) throw currencyMismatch(upstream.currency, provider, 'providerId');

    const costs = costsOf([upstream]);
    const mapping = this.checkMapping(input.periodMapping ?? [], costs, 'periodMapping');
    const periods = input.markupPercent !== undefined
      ? periodsFromMarkup(input.markupPercent, costs, mapping)
      : periodsFromPrices(input.prices ?? [], costs, mapping, provider.currency);
    return { catalog, module, provider, upstream, costs, periods };
  }

  /** Name, prices, enabled flags and period mapping. An enabled tariff must stay sellable after the change. */
  async update(id: number, input: TariffPatch, actor: Actor): Promise<TariffView> {
    return this.db.transaction(async (trx) => {
      const before = await this.mustLoad(trx, id, true);
      const catalog = await this.locales.catalog(trx);
      if (input.name) checkLocalized(input.name, catalog, 'name');
      const currency = before.row.currency;
      const costs = costMap(before.costs, currency);
      const working = new Map(before.periods.map((p) => [p.period, { ...p }]));
      // Which request entry touched which period, so that a refusal names the field that caused it.
      const touched = new Map<number, { price?: string; enabled?: string; mapping?: string }>();
      const touch = (period: number, aspect: 'price' | 'enabled' | 'mapping', field: string) =>
        touched.set(period, { ...touched.get(period), [aspect]: field });

      (input.periods ?? []).forEach((entry, i) => {
        const existing = working.get(entry.period);
        if (!existing && entry.price === undefined) {
          throw appError('validation', 'tariff.newPeriodPrice', { field: `periods.${i}.price`, period: periodLabel(entry.period) }, { field: `periods.${i}.price` });
        }
        const priceMinor = entry.price !== undefined ? parsePrice(entry.price, currency, `periods.${i}.price`) : existing!.priceMinor;
        working.set(entry.period, {
          period: entry.period,
          priceMinor,
          upstreamPeriod: existing?.upstreamPeriod ?? entry.period,
          enabled: entry.enabled !== undefined ? (entry.enabled ? 1 : 0) : (existing?.enabled ?? 0),
        });
        if (entry.price !== undefined || !existing) touch(entry.period, 'price', `periods.${i}.price`);
        if (entry.enabled !== undefined || !existing) touch(entry.period, 'enabled', `periods.${i}.enabled`);
      });

      (input.periodMapping ?? []).forEach((entry, i) => {
        const target = working.get(entry.period);
        if (!target) {
          throw appError('unprocessable', 'tariff.periodMissing', { period: periodLabel(entry.period) }, {
            field: `periodMapping.${i}.period`,
          });
        }
        if (entry.upstreamPeriod !== null) this.checkMapping([{ period: entry.period, upstreamPeriod: entry.upstreamPeriod }], costs, 'periodMapping', i);
        target.upstreamPeriod = entry.upstreamPeriod ?? entry.period;
        touch(entry.period, 'mapping', `periodMapping.${i}.upstreamPeriod`);
      });

      // A period the upstream does not sell cannot be enabled, unless it is mapped to one it sells.
      for (const [period, fields] of touched) {
        const p = working.get(period)!;
        if ((fields.enabled || fields.mapping) && p.enabled && upstreamCostOf(p.period, p.upstreamPeriod, costs) === null) {
          throw appError(
            'unprocessable',
            'tariff.periodNotSoldEnable',
            { upstreamPeriod: periodLabel(p.upstreamPeriod), tariff: before.row.upstreamTariffId, period: periodLabel(period) },
            { field: (fields.enabled ?? fields.mapping)!, details: { period } },
          );
        }
      }
      const periods = [...working.values()].sort(byPeriod);
      if (before.row.status === 'enabled') {
        if (!periods.some((p) => p.enabled)) {
          const field = [...touched.values()].find((f) => f.enabled)?.enabled ?? 'periods';
          throw appError('unprocessable', 'tariff.needsEnabledPeriod', {}, { field });
        }
        for (const [period, fields] of touched) {
          const p = working.get(period)!;
          const cost = upstreamCostOf(p.period, p.upstreamPeriod, costs);
          const price = Money.of(p.priceMinor, currency);
          if (p.enabled && isMarginNegative(price, cost)) {
            throw appError('unprocessable', 'tariff.lossEnabled', { loss: lossMessage(period, price.toString(), cost!.toString(), currency) }, {
              field: (fields.price ?? fields.enabled ?? fields.mapping)!,
              details: { period, price: price.toString(), upstreamCost: cost!.toString() },
            });
          }
        }
      }

      await this.repo.update(trx, id, {
        ...(input.name ? { name: JSON.stringify(input.name) } : {}),
        updatedAt: this.clock.now().toISOString(),
      });
      await this.repo.replacePeriods(trx, id, periods);
      const view = toView(await this.mustLoad(trx, id), actor.locale, catalog);
      await this.audit.record(trx, actor, 'tariff.update', 'tariff', id, toView(before, actor.locale, catalog), view);
      return view;
    });
  }

  /** The modules that may serve the tariff; the module choice (module-choice.ts) picks among them per operation. */
  async setModules(id: number, moduleIds: number[], actor: Actor): Promise<TariffView> {
    return this.db.transaction(async (trx) => {
      const before = await this.mustLoad(trx, id, true);
      const found = new Map((await this.repo.modules(trx, moduleIds)).map((m) => [m.id, m]));
      moduleIds.forEach((moduleId, i) => {
        const module = found.get(moduleId);
        const field = `processingModuleIds.${i}`;
        if (!module) throw appError('validation', 'tariff.noModule', { field, id: moduleId }, { field });
        if (module.productType !== before.row.productType) {
          throw appError('unprocessable', 'tariff.moduleSells', { id: moduleId, sells: module.productType, wanted: before.row.productType }, { field });
        }
        if (module.currency !== null && module.currency !== before.row.currency) {
          throw appError(
            'currency_mismatch',
            'tariff.moduleCurrency',
            { id: moduleId, upstream: module.currency, currency: before.row.currency },
            { field, details: { upstreamCurrency: module.currency, providerCurrency: before.row.currency } },
          );
        }
      });
      await this.repo.replaceModules(trx, id, moduleIds);
      await this.repo.update(trx, id, { updatedAt: this.clock.now().toISOString() });
      const catalog = await this.locales.catalog(trx);
      const view = toView(await this.mustLoad(trx, id), actor.locale, catalog);
      await this.audit.record(trx, actor, 'tariff.modules', 'tariff', id, { processingModuleIds: before.moduleIds }, { processingModuleIds: view.processingModuleIds });
      return view;
    });
  }

  /**
   * Enabling needs at least one enabled period, each sold upstream and none priced below its upstream cost;
   * the refusal names the period. Disabling always works.
   */
  async setStatus(id: number, status: 'enabled' | 'disabled', actor: Actor): Promise<TariffView> {
    return this.db.transaction(async (trx) => {
      const before = await this.mustLoad(trx, id, true);
      const catalog = await this.locales.catalog(trx);
      if (status === 'enabled') checkSellable(toView(before, actor.locale, catalog));
      if (before.row.status !== status) {
        await this.repo.update(trx, id, { status, updatedAt: this.clock.now().toISOString() });
      }
      const view = toView(await this.mustLoad(trx, id), actor.locale, catalog);
      if (before.row.status !== status) {
        await this.audit.record(trx, actor, status === 'enabled' ? 'tariff.enable' : 'tariff.disable', 'tariff', id, { status: before.row.status }, { status });
      }
      return view;
    });
  }

  async move(id: number, direction: 'up' | 'down', actor: Actor): Promise<TariffView> {
    return this.db.transaction(async (trx) => {
      const before = await this.mustLoad(trx, id);
      await moveStep(trx, 'tariffs', id, direction);
      const after = await this.mustLoad(trx, id);
      await this.audit.record(trx, actor, 'tariff.move', 'tariff', id, { sort: before.row.sort }, { sort: after.row.sort });
      return toView(after, actor.locale, await this.locales.catalog(trx));
    });
  }

  async remove(id: number, actor: Actor): Promise<void> {
    await this.db.transaction(async (trx) => {
      const before = await this.mustLoad(trx, id, true);
      const catalog = await this.locales.catalog(trx);
      const uses = await this.referrers.usesOf(trx, id);
      if (uses.length) {
        const name = pickLocalized(JSON.parse(before.row.name), actor.locale, catalog);
        throw appError('conflict', 'inUse.tariff', { name, uses: commaList(uses) }, { field: 'id' });
      }
      await this.repo.remove(trx, id);
      await closeGap(trx, 'tariffs', before.row.sort);
      await this.audit.record(trx, actor, 'tariff.delete', 'tariff', id, toView(before, actor.locale, catalog), null);
    });
  }

  /**
   * Re-reads the upstream price lists of the tariff's modules and stores the changed costs. A period now
   * priced below its cost is flagged (marginNegative) and hidden from the catalog, never sold at a loss.
   */
  async sync(id: number, actor: Actor): Promise<TariffSyncView> {
    const record = await this.mustLoad(this.db.kysely, id);
    const modules = await this.upstreamModules(this.db.kysely, record);
    if (!modules.length) {
      throw appError('unprocessable', 'tariff.nothingToSync', {}, { field: 'processingModuleIds' });
    }
    const lists = new Map<number, PriceListResult>();
    await Promise.all(modules.map(async (m) => lists.set(m.id, await this.tryPriceList(m.id))));
    const outcome = this.costsFromLists(record, modules, lists);
    if ('error' in outcome) throw outcome.error;
    return this.applySync(id, outcome.costs, outcome.warnings, actor);
  }

  /** The daily sync: every tariff, each module's price list read once. One tariff's failure does not stop the others. */
  async syncAll(actor: Actor = systemActor('tariff-sync')): Promise<SyncAllView> {
    const rows = await this.repo.allIds(this.db.kysely);
    const lists = new Map<number, PriceListResult>();
    const result: SyncAllView = { synced: 0, changed: 0, failed: [] };
    for (const { id } of rows) {
      try {
        const row = await this.repo.find(this.db.kysely, id);
        if (!row) continue; // deleted meanwhile
        const [record] = await this.repo.details(this.db.kysely, [row]);
        const modules = await this.upstreamModules(this.db.kysely, record!);
        if (!modules.length) continue; // nothing upstream to compare with (manual modules only)
        for (const m of modules) if (!lists.has(m.id)) lists.set(m.id, await this.tryPriceList(m.id));
        const outcome = this.costsFromLists(record!, modules, lists);
        if ('error' in outcome) throw outcome.error;
        const synced = await this.applySync(id, outcome.costs, outcome.warnings, actor);
        result.synced += 1;
        if (synced.changes.length) result.changed += 1;
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        result.failed.push({ tariffId: id, code: error.code, message: error.message });
      }
    }
    return result;
  }

  /** What a client sees: the provider's enabled tariffs with their sellable periods, in the caller's language. */
  async catalog(query: CatalogQuery, actor: Actor): Promise<CatalogView> {
    let providerId: number;
    if (actor.kind === 'client') {
      if (query.providerId !== undefined && query.providerId !== actor.providerId) {
        throw appError('forbidden', 'tariff.ownCatalog', {}, { field: 'providerId' });
      }
      providerId = actor.providerId;
    } else {
      if (query.providerId === undefined) throw appError('validation', 'tariff.whoseCatalog', {}, { field: 'providerId' });
      providerId = query.providerId;
    }
    const db = this.db.kysely;
    const provider = await this.repo.provider(db, providerId);
    if (!provider) throw notFound('Provider', providerId);
    const [records, catalog] = await Promise.all([this.repo.enabledOf(db, providerId).then((rows) => this.repo.details(db, rows)), this.locales.catalog()]);
    const items = records
      .map((record) => {
        const view = toView(record, actor.locale, catalog);
        return {
          id: view.id,
          productType: view.productType,
          displayName: view.displayName,
          periods: view.periods.filter(isSellable).map((p) => ({ period: p.period, price: p.price })),
        };
      })
      .filter((item) => item.periods.length > 0);
    return { providerId, providerName: provider.name, currency: provider.currency, items };
  }

  // -------------------------------------------------------------------------------------------

  private async applySync(id: number, costs: UpstreamCosts, warnings: string[], actor: Actor): Promise<TariffSyncView> {
    return this.db.transaction(async (trx) => {
      const before = await this.mustLoad(trx, id, true);
      const currency = before.row.currency;
      const old = costMap(before.costs, currency);
      const changes = [...new Set([...old.keys(), ...costs.keys()])]
        .sort((a, b) => a - b)
        .filter((months) => !sameMoney(old.get(months), costs.get(months)))
        .map((months) => ({ upstreamPeriod: months, before: old.get(months)?.toString() ?? null, after: costs.get(months)?.toString() ?? null }));
      const now = this.clock.now().toISOString();
      if (changes.length) await this.repo.replaceCosts(trx, id, costRows(costs));
      await this.repo.update(trx, id, { lastSyncedAt: now, ...(changes.length ? { updatedAt: now } : {}) });
      const catalog = await this.locales.catalog(trx);
      const view = toView(await this.mustLoad(trx, id), actor.locale, catalog);
      if (changes.length) await this.audit.record(trx, actor, 'tariff.sync', 'tariff', id, { costs: costRows(old) }, { costs: costRows(costs), changes });
      const flagged = view.periods.filter((p) => p.enabled && (p.marginNegative || p.upstreamCost === null));
      const notes = flagged.map((p) =>
        p.upstreamCost === null
          ? `Period ${periodWords(p.period)}: the upstream no longer sells ${periodWords(p.upstreamPeriod)}; the catalog hides it`
          : `Period ${periodWords(p.period)}: price ${p.price} is below the upstream cost ${p.upstreamCost}; the catalog hides it until the price is raised`,
      );
      return { ...view, changes, warnings: [...warnings, ...notes] };
    });
  }

  /** The highest cost per upstream period among the modules that list the tariff: whichever module buys, no loss. */
  private costsFromLists(
    record: TariffRecord,
    modules: ModuleRef[],
    lists: Map<number, PriceListResult>,
  ): { costs: UpstreamCosts; warnings: string[] } | { error: AppError } {
    const found: UpstreamTariff[] = [];
    const warnings: string[] = [];
    for (const module of modules) {
      const list = lists.get(module.id)!;
      if (!list.ok) return { error: list.error };
      const upstream = list.tariffs.find((t) => t.id === record.row.upstreamTariffId);
      if (!upstream) {
        warnings.push(`Processing module ${module.id} does not sell upstream tariff "${record.row.upstreamTariffId}"`);
        continue;
      }
      if (upstream.currency !== record.row.currency) {
        return {
          error: appError(
            'currency_mismatch',
            'tariff.listCurrency',
            { id: module.id, upstream: upstream.currency, currency: record.row.currency },
            { field: 'processingModuleIds', details: { upstreamCurrency: upstream.currency, providerCurrency: record.row.currency } },
          ),
        };
      }
      found.push(upstream);
    }
    if (!found.length) warnings.push(`No processing module sells upstream tariff "${record.row.upstreamTariffId}" any more; the catalog hides the tariff`);
    return { costs: costsOf(found), warnings };
  }

  private async upstreamModules(db: Executor, record: TariffRecord): Promise<ModuleRef[]> {
    const rows = await this.repo.modules(db, record.moduleIds);
    return rows.filter((m) => m.moduleType !== 'manual').sort((a, b) => record.moduleIds.indexOf(a.id) - record.moduleIds.indexOf(b.id));
  }

  private async readPriceList(moduleId: number): Promise<UpstreamTariff[]> {
    const driver = await this.modules.driverFor(moduleId);
    return callUpstream(() => driver.priceList(), 'processingModuleId');
  }

  private async tryPriceList(moduleId: number): Promise<PriceListResult> {
    try {
      return { ok: true, tariffs: await this.readPriceList(moduleId) };
    } catch (error) {
      if (error instanceof AppError) return { ok: false, error };
      throw error;
    }
  }

  /** Each mapped upstream period must be one the upstream sells, and of the same kind (trial for trial). */
  private checkMapping(entries: Array<{ period: number; upstreamPeriod: number }>, costs: UpstreamCosts, key: string, offset = 0): Map<number, number> {
    const mapping = new Map<number, number>();
    entries.forEach((entry, j) => {
      const field = `${key}.${offset + j}.upstreamPeriod`;
      if (!compatiblePeriods(entry.period, entry.upstreamPeriod)) {
        throw appError('unprocessable', 'tariff.trialMapping', { period: periodLabel(entry.period), upstreamPeriod: periodLabel(entry.upstreamPeriod) }, { field });
      }
      if (!costs.has(entry.upstreamPeriod)) {
        throw appError('unprocessable', 'tariff.upstreamNotSold', { period: periodLabel(entry.upstreamPeriod), sold: soldList(costs) }, { field });
      }
      mapping.set(entry.period, entry.upstreamPeriod);
    });
    return mapping;
  }

  private async refuseDuplicate(db: Executor, provider: { id: number; name: string }, upstreamTariffId: string): Promise<void> {
    if (await this.repo.findByUpstream(db, provider.id, upstreamTariffId)) throw duplicate(provider, upstreamTariffId);
  }

  private async mustFindModule(db: Executor, id: number, field: string): Promise<ModuleRef> {
    const [module] = await this.repo.modules(db, [id]);
    if (!module) throw appError('validation', 'tariff.noModule', { field, id }, { field });
    return module;
  }

  private async mustLoad(db: Executor, id: number, lock = false): Promise<TariffRecord> {
    const row = await this.repo.findForUpdate(db, id, lock);
    if (!row) throw notFound('Tariff plan', id);
    return (await this.repo.details(db, [row]))[0]!;
  }
}

// ---------------------------------------------------------------------------------------------

function toView(record: TariffRecord, locale: string, catalog: LocaleCatalog): TariffView {
  const { row } = record;
  const name = JSON.parse(row.name) as LocalizedText;
  const costs = costMap(record.costs, row.currency);
  return {
    id: row.id,
    providerId: row.providerId,
    productType: row.productType as TariffView['productType'],
    name,
    displayName: pickLocalized(name, locale, catalog),
    upstreamTariffId: row.upstreamTariffId,
    upstreamName: row.upstreamName,
    processingModuleIds: record.moduleIds,
    periods: [...record.periods].sort(byPeriod).map((p) => periodView(p, row.currency, costs)),
    status: row.status as TariffView['status'],
    sort: row.sort,
    currency: row.currency,
    lastSyncedAt: row.lastSyncedAt,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

function periodView(p: PeriodRow, currency: string, costs: UpstreamCosts): TariffPeriodView {
  const price = Money.of(p.priceMinor, currency);
  const cost = upstreamCostOf(p.period, p.upstreamPeriod, costs);
  return {
    period: p.period,
    price: price.toString(),
    upstreamCost: cost?.toString() ?? null,
    upstreamPeriod: p.upstreamPeriod,
    enabled: !!p.enabled,
    marginNegative: isMarginNegative(price, cost),
    margin: cost ? price.subtract(cost).toString() : null,
  };
}

/** A period a client may order: enabled, bought upstream, and not at a loss. */
function isSellable(p: TariffPeriodView): boolean {
  return p.enabled && p.upstreamCost !== null && !p.marginNegative;
}

function checkSellable(view: TariffView): void {
  const enabled = view.periods.filter((p) => p.enabled);
  if (!enabled.length) {
    throw appError('unprocessable', 'tariff.noEnabledPeriod', { name: view.displayName }, { field: 'periods' });
  }
  for (const p of enabled) {
    const index = view.periods.indexOf(p);
    if (p.upstreamCost === null) {
      throw appError('unprocessable', 'tariff.periodUnsellable', { period: periodLabel(p.period), upstreamPeriod: periodLabel(p.upstreamPeriod) }, {
        field: `periods.${index}.enabled`,
        details: { period: p.period },
      });
    }
    if (p.marginNegative) {
      throw appError('unprocessable', 'tariff.lossRaise', { loss: lossMessage(p.period, p.price, p.upstreamCost, view.currency) }, {
        field: `periods.${index}.price`,
        details: { period: p.period, price: p.price, upstreamCost: p.upstreamCost },
      });
    }
  }
}

function lossMessage(period: number, price: string, upstreamCost: string, currency: string): MessageRef {
  return { key: 'tariff.loss', params: { period: periodLabel(period), price, cost: upstreamCost, currency } };
}

/** Selling prices from a markup; the trial is free. Mapped periods are priced on what covering them costs. */
function periodsFromMarkup(markupPercent: string, costs: UpstreamCosts, mapping: Map<number, number>): PeriodRow[] {
  const periods = new Set([...costs.keys(), ...mapping.keys()]);
  return [...periods].sort((a, b) => a - b).map((period) => {
    const upstreamPeriod = mapping.get(period) ?? period;
    const cost = upstreamCostOf(period, upstreamPeriod, costs)!;
    return {
      period,
      priceMinor: period === TRIAL_PERIOD ? 0n : markupPrice(cost, markupPercent).minor,
      upstreamPeriod,
      enabled: 1,
    };
  });
}

/** Explicit prices are enabled; other upstream periods come disabled at their cost, the trial enabled and free. */
function periodsFromPrices(prices: Array<{ period: number; price: string }>, costs: UpstreamCosts, mapping: Map<number, number>, currency: string): PeriodRow[] {
  const rows = new Map<number, PeriodRow>();
  for (const period of new Set([...costs.keys(), ...mapping.keys()])) {
    const upstreamPeriod = mapping.get(period) ?? period;
    const trial = period === TRIAL_PERIOD;
    rows.set(period, {
      period,
      priceMinor: trial ? 0n : upstreamCostOf(period, upstreamPeriod, costs)!.minor,
      upstreamPeriod,
      enabled: trial ? 1 : 0,
    });
  }
  prices.forEach((entry, i) => {
    const upstreamPeriod = mapping.get(entry.period) ?? entry.period;
    if (upstreamCostOf(entry.period, upstreamPeriod, costs) === null) {
      throw appError(
        'unprocessable',
        'tariff.upstreamNotSoldMap',
        { period: periodLabel(entry.period), sold: soldList(costs) },
        { field: `prices.${i}.period` },
      );
    }
    rows.set(entry.period, { period: entry.period, priceMinor: parsePrice(entry.price, currency, `prices.${i}.price`), upstreamPeriod, enabled: 1 });
  });
  return [...rows.values()].sort(byPeriod);
}

/** One cost per upstream period that we can sell on (months, trial), the highest when several lists name it. */
function costsOf(tariffs: UpstreamTariff[]): Map<number, Money> {
  const costs = new Map<number, Money>();
  for (const tariff of tariffs) {
    for (const p of tariff.periods) {
      if (p.months !== TRIAL_PERIOD && p.months <= 0) continue; // lifetime (0) and day (-50) are not sold here
      const known = costs.get(p.months);
      if (!known || known.lessThan(p.cost)) costs.set(p.months, p.cost);
    }
  }
  return costs;
}

function costMap(rows: CostRow[], currency: string): Map<number, Money> {
  return new Map(rows.map((c) => [c.months, Money.of(c.costMinor, currency)]));
}

function costRows(costs: UpstreamCosts): CostRow[] {
  return [...costs].sort(([a], [b]) => a - b).map(([months, cost]) => ({ months, costMinor: cost.minor }));
}

function sameMoney(a: Money | undefined, b: Money | undefined): boolean {
  return a === undefined || b === undefined ? a === b : a.equals(b);
}

function parsePrice(text: string, currency: string, field: string): bigint {
  try {
    return Money.parse(text, currency).minor;
  } catch (error) {
    if (error instanceof MoneyError) throw appError('validation', 'value.money', { field, reason: error.message }, { field });
    throw error;
  }
}

/** "the trial", "1 month", "12 months", in the reader's language. */
function periodLabel(period: number): MessageRef {
  if (period === TRIAL_PERIOD) return { key: 'period.trial' };
  return period === 1 ? { key: 'period.month' } : { key: 'period.months', params: { count: period } };
}

/** A catalog message in English (import and sync warnings are English only). */
function inEnglish({ key, params }: MessageRef): string {
  return translate('en', key, params)!;
}

const periodWords = (period: number) => inEnglish(periodLabel(period));

function soldList(costs: UpstreamCosts): MessageParam {
  const sold = [...costs.keys()].sort((a, b) => a - b).map(periodLabel);
  return sold.length ? commaList(sold) : { key: 'list.nothing' };
}

function currencyMismatch(upstreamCurrency: string, provider: { name: string; currency: string }, field: string): AppError {
  return appError(
    'currency_mismatch',
    'tariff.providerCurrency',
    { upstream: upstreamCurrency, provider: provider.name, currency: provider.currency },
    { field, details: { upstreamCurrency, providerCurrency: provider.currency } },
  );
}

function duplicate(provider: { name: string }, upstreamTariffId: string): AppError {
  return appError('conflict', 'tariff.duplicate', { provider: provider.name, tariff: upstreamTariffId }, { field: 'upstreamTariffId' });
}
