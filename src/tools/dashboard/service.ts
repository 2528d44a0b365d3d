// The landing page's numbers, computed from what we recorded: how long each upstream balance lasts at
// the spending of the last 30 days, what expires soon, today's orders and revenue, and the margin of each
// tariff. Spending and cost are our purchases and renewals that went through upstream (succeeded open and
// prolong operations) at the tariff's upstream cost for the upstream period bought.
import { hasRight } from '../../platform/auth/rights.js';
import type { Actor } from '../../platform/actor.js';
import type { Clock } from '../../platform/clock.js';
import type { Db, Executor } from '../../platform/db/db.js';
import { addDays, isoDate } from '../../platform/dates.js';
import { pickLocalized, type LocaleCatalog } from '../../platform/i18n/localized.js';
import { Money } from '../../platform/money.js';
import type { OperationPayloads } from '../../licenses/model.js';
import { upstreamCostOf, type UpstreamCosts } from '../../products/tariffs/pricing.js';
import { DashboardRepository } from './repository.js';
import type { DashboardView } from './schemas.js';

export const WINDOW_DAYS = 30;
export const EXPIRING_DAYS = 14;
const DAY_MS = 86_400_000;

interface Catalogs {
  catalog(): Promise<LocaleCatalog>;
}

/** The license a charge or refund of the ledger is for (see licenses/keys.ts), or null for any other entry. */
export function licenseOfReference(reference: string): number | null {
  const m = /^(?:order|renewal|change_tariff):(\d+)(?::|$)/.exec(reference) ?? /^refund:license:(\d+):/.exec(reference);
  return m ? Number(m[1]) : null;
}

export class DashboardService {
  private readonly repo = new DashboardRepository();

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly locales: Catalogs,
  ) {}

  async summary(actor: Actor): Promise<DashboardView> {
    const db = this.db.kysely;
    const now = this.clock.now();
    const today = isoDate(now);
    const dayStart = `${today}T00:00:00.000Z`;
    const dayEnd = `${addDays(today, 1)}T00:00:00.000Z`;
    const since = new Date(now.getTime() - WINDOW_DAYS * DAY_MS).toISOString();
    const until = new Date(now.getTime() + 1).toISOString();
    const [catalog, modules, bought, expiring, todayEntries, orders, windowEntries] = await Promise.all([
      this.locales.catalog(),
      this.repo.modules(db),
      this.repo.boughtSince(db, since),
      this.repo.expiring(db, today, addDays(today, EXPIRING_DAYS)),
      this.repo.chargesAndRefunds(db, dayStart, dayEnd),
      this.repo.ordersBetween(db, dayStart, dayEnd),
      this.repo.chargesAndRefunds(db, since, until),
    ]);

    const { spentByModule, costByTariff } = await this.upstreamSpending(db, bought);

    // Revenue of the window by tariff: the license's charges less its refunds.
    const licenseIds = [...new Set(windowEntries.map((e) => licenseOfReference(e.reference)).filter((id): id is number => id !== null))];
    const licenseTariff = new Map((await this.repo.licenseTariffs(db, licenseIds)).map((l) => [l.id, l.tariffId]));
    const revenueByTariff = new Map<number, bigint>();
    for (const e of windowEntries) {
      const licenseId = licenseOfReference(e.reference);
      const tariffId = licenseId === null ? undefined : licenseTariff.get(licenseId);
      if (tariffId === undefined) continue;
      revenueByTariff.set(tariffId, (revenueByTariff.get(tariffId) ?? 0n) - BigInt(e.amountMinor));
    }
    const tariffIds = [...new Set([...revenueByTariff.keys(), ...costByTariff.keys()])];
    const tariffs = await this.repo.tariffs(db, tariffIds);

    // Today, one line per currency.
    const totals = new Map<string, { orders: number; revenue: bigint }>();
    const totalOf = (currency: string) => totals.get(currency) ?? totals.set(currency, { orders: 0, revenue: 0n }).get(currency)!;
    for (const o of orders) totalOf(o.currency).orders += 1;
    for (const e of todayEntries) if (licenseOfReference(e.reference) !== null) totalOf(e.currency).revenue -= BigInt(e.amountMinor);

    return this.readableBy(actor, {
      today,
      windowDays: WINDOW_DAYS,
      expiringDays: EXPIRING_DAYS,
      modules: modules.map((m) => {
        const currency = m.currency;
        const spent = spentByModule.get(m.id) ?? 0n;
        const balance = m.balanceMinor === null ? null : BigInt(m.balanceMinor);
        return {
          moduleId: m.id,
          displayName: pickLocalized(JSON.parse(m.name), actor.locale, catalog),
          currency,
          balance: balance === null || !currency ? null : Money.of(balance, currency).toString(),
          spent: currency ? Money.of(spent, currency).toString() : '0',
          daysLeft: daysLeft(balance, spent),
        };
      }),
      expiring: expiring.map((l) => ({
        id: l.id,
        licenseName: l.licenseName,
        clientId: l.clientId,
        clientName: l.clientName,
        status: l.status,
        expiresAt: l.expiresOn!,
        autoRenew: !!l.autoRenew,
      })),
      todayTotals: [...totals.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([currency, t]) => ({ currency, orders: t.orders, revenue: Money.of(t.revenue, currency).toString() })),
      margins: tariffs
        .map((tariff) => {
          const revenue = revenueByTariff.get(tariff.id) ?? 0n;
          const cost = costByTariff.get(tariff.id) ?? 0n;
          return {
            tariffId: tariff.id,
            displayName: pickLocalized(JSON.parse(tariff.name), actor.locale, catalog),
            currency: tariff.currency,
            revenue: Money.of(revenue, tariff.currency).toString(),
            upstreamCost: Money.of(cost, tariff.currency).toString(),
            margin: Money.of(revenue - cost, tariff.currency).toString(),
          };
        })
        .sort((a, b) => a.displayName.localeCompare(b.displayName) || a.tariffId - b.tariffId),
    });
  }

  /**
   * Each module's upstream balance as last read and the days it lasts at the spending of the last
   * WINDOW_DAYS (null: nothing spent, or never read): the dashboard's numbers, for /metrics.
   */
  async moduleRunway(): Promise<Array<{ moduleId: number; name: string; currency: string | null; balanceMinor: bigint | null; daysLeft: number | null }>> {
    const db = this.db.kysely;
    const since = new Date(this.clock.now().getTime() - WINDOW_DAYS * DAY_MS).toISOString();
    const [catalog, modules, bought] = await Promise.all([this.locales.catalog(), this.repo.modules(db), this.repo.boughtSince(db, since)]);
    const { spentByModule } = await this.upstreamSpending(db, bought);
    return modules.map((m) => {
      const balance = m.balanceMinor === null ? null : BigInt(m.balanceMinor);
      return {
        moduleId: m.id,
        name: pickLocalized(JSON.parse(m.name), catalog.defaultCode, catalog),
        currency: m.currency,
        balanceMinor: balance,
        daysLeft: daysLeft(balance, spentByModule.get(m.id) ?? 0n),
      };
    });
  }

  /** What the purchases and renewals bought since the window's start cost upstream, by module and by tariff. */
  private async upstreamSpending(db: Executor, bought: Awaited<ReturnType<DashboardRepository['boughtSince']>>) {
    const costRows = await this.repo.upstreamCosts(db, [...new Set(bought.map((b) => b.tariffId))]);
    const costs = new Map<number, Map<number, Money>>();
    for (const c of costRows) {
      const currency = bought.find((b) => b.tariffId === c.tariffId)!.currency;
      if (!costs.has(c.tariffId)) costs.set(c.tariffId, new Map());
      costs.get(c.tariffId)!.set(c.months, Money.of(BigInt(c.costMinor), currency));
    }
    const spentByModule = new Map<number, bigint>();
    const costByTariff = new Map<number, bigint>();
    for (const b of bought) {
      const tariffCosts: UpstreamCosts = costs.get(b.tariffId) ?? new Map();
      const payload = JSON.parse(b.payload) as Partial<OperationPayloads['open'] & OperationPayloads['prolong']>;
      const period = b.kind === 'prolong' ? (payload.months ?? b.period) : b.period;
      const cost = payload.upstreamPeriod === undefined ? null : upstreamCostOf(period, payload.upstreamPeriod, tariffCosts);
      if (!cost) continue;
      const moduleId = b.moduleId ?? b.licenseModuleId;
      if (moduleId !== null) spentByModule.set(moduleId, (spentByModule.get(moduleId) ?? 0n) + cost.minor);
      costByTariff.set(b.tariffId, (costByTariff.get(b.tariffId) ?? 0n) + cost.minor);
    }
    return { spentByModule, costByTariff };
  }

  /** Each part only for those who may read its area: balances, licenses, money (tariffs' revenue and margins). */
  private readableBy(actor: Actor, view: DashboardView): DashboardView {
    return {
      ...view,
      modules: hasRight(actor, 'processing-modules.read') ? view.modules : [],
      expiring: hasRight(actor, 'licenses.read') ? view.expiring : [],
      todayTotals: hasRight(actor, 'tariffs.read') ? view.todayTotals : [],
      margins: hasRight(actor, 'tariffs.read') ? view.margins : [],
    };
  }
}

/** How many whole days `balance` lasts spending `spent` per WINDOW_DAYS; null when nothing was spent. */
export function daysLeft(balance: bigint | null, spent: bigint): number | null {
  if (balance === null || spent <= 0n) return null;
  if (balance <= 0n) return 0;
  return Number((balance * BigInt(WINDOW_DAYS)) / spent);
}
