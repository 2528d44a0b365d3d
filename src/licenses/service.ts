import type { MessageRef } from '../platform/i18n/messages.js';
import type { Actor } from '../platform/actor.js';
import { systemActor } from '../platform/actor.js';
import type { AuditService } from '../platform/audit/service.js';
import type { Clock } from '../platform/clock.js';
import type { Db, Executor } from '../platform/db/db.js';
import { readPage, type Page, type PageQuery } from '../platform/db/paging.js';
import { AppError, notFound, appError } from '../platform/errors.js';
import { Money, parseAmount, roundHalfAwayFromZero } from '../platform/money.js';
import type { LedgerService } from '../clients/ledger/service.js';
import { chooseModule } from '../integration/processing-modules/module-choice.js';
import type { ProcessingModuleService } from '../integration/processing-modules/service.js';
import { callUpstream } from '../integration/processing-modules/upstream-errors.js';
import type { TariffService } from '../products/tariffs/service.js';
import { addDays, addMonths, daysBetween, isoDate } from '../platform/dates.js';
import type { LicenseHistory } from './history.js';
import { refuseIp } from './ip.js';
import type { LicenseStatus } from './model.js';
import type { ChangeRequest, LicenseLifecycle, RenewalRefusal } from './lifecycle/index.js';
import { refundReference } from './keys.js';
import { LicenseRepository, type LicenseFilter, type LicenseRow, type LicenseViewRow } from './repository.js';
import type { ChangeTariffPreview, LicenseListQuery, LicenseOrder, LicenseOrderCheck, LicensePatch, LicenseView } from './schemas.js';

const TRIAL_PERIOD = -100;

interface Sellable {
  tariffId: number;
  upstreamTariffId: string;
  providerId: number;
  period: number;
  upstreamPeriod: number;
  price: Money;
  moduleIds: number[];
}


export class LicenseService {
  private readonly repo = new LicenseRepository();

  constructor(
    private readonly db: Db,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly ledger: LedgerService,
    private readonly tariffs: TariffService,
    private readonly modules: ProcessingModuleService,
    private readonly history: LicenseHistory,
    private readonly lifecycle: LicenseLifecycle,
  ) {
  }

  /** Tariffs and processing modules ask this before they are deleted. */
  async usedBy(db: Executor, column: 'tariffId' | 'moduleId', id: number): Promise<MessageRef | undefined> {
    const n = await this.repo.countLive(db, column, id);
    return n ? { key: 'uses.licenses', params: { count: n } } : undefined;
  }

  /**
   * An order: the upstream IP pre-check first, then in ONE transaction the charge
   * (reference order:<license>), the license (processing) and its open operation. The license
   * becomes active only when the operations worker has the upstream's confirmation.
   */
  async order(input: LicenseOrder, actor: Actor): Promise<LicenseView> {
    const { clientId, sellable, isTrial } = await this.checkOrder(input, actor);
    return this.db.transaction(async (trx) => {
      if (isTrial) await this.refuseSecondTrial(trx, clientId, input.ip);
      const license = await this.lifecycle.requestOrder(trx, {
        clientId,
        tariffId: sellable.tariffId,
        upstreamTariffId: sellable.upstreamTariffId,
        period: input.period,
        upstreamPeriod: sellable.upstreamPeriod,
        isTrial,
        licenseName: input.licenseName,
        ip: input.ip,
        autoRenew: !isTrial && input.autoRenew,
        datacenterId: input.datacenterId ?? null,
        price: sellable.price,
      }, actor);
      const id = license.id;
      const view = await this.toView(trx, license);
      await this.audit.record(trx, actor, 'license.order', 'license', id, null, view);
      return view;
    });
  }

  /**
   * Everything an order checks before money moves, changing nothing: the client, the address (format,
   * public range), the tariff and period on sale, one trial per client and IP, and the upstream's own
   * IP check. A client asks this before paying (and before topping up for an order).
   */
  async checkOrder(input: LicenseOrderCheck, actor: Actor): Promise<{ clientId: number; sellable: Sellable; isTrial: boolean }> {
    const clientId = this.orderingClient(input, actor);
    const client = await this.repo.client(this.db.kysely, clientId);
    if (!client || (actor.kind === 'client' && actor.id !== clientId)) throw notFound('Client', clientId);
    if (!client.enabled) throw appError('conflict', 'client.disabled', {}, { field: 'clientId' });
    const ipProblem = refuseIp(input.ip);
    if (ipProblem) throw ipRefused(input.ip, ipProblem);
    const sellable = await this.sellable(input.tariffId, input.period, client.providerId);
    const isTrial = input.period === TRIAL_PERIOD;
    if (isTrial) await this.refuseSecondTrial(this.db.kysely, clientId, input.ip);
    await this.precheckIp(sellable, input.ip, input.datacenterId ?? null);
    return { clientId, sellable, isTrial };
  }

  async list(query: LicenseListQuery, page: PageQuery, actor: Actor): Promise<Page<LicenseView>> {
    const { expiringWithinDays, ...rest } = query;
    const filter: LicenseFilter = { ...rest, q: rest.q || undefined };
    if (expiringWithinDays !== undefined) {
      const today = isoDate(this.clock.now());
      filter.expiring = { from: today, to: addDays(today, expiringWithinDays) };
    }
    if (actor.kind === 'client') filter.clientId = actor.id;
    const { rows, total } = await readPage(
      page,
      (limit, offset) => this.repo.list(this.db.kysely, filter, limit, offset),
      () => this.repo.count(this.db.kysely, filter),
    );
    const ops = await this.repo.unfinishedOperations(this.db.kysely, rows.map((r) => r.id));
    return { items: rows.map((r) => viewOf(r, ops.filter((o) => o.licenseId === r.id), r.clientName)), total, page: page.page, perPage: page.perPage };
  }

  async get(id: number, actor: Actor): Promise<LicenseView> {
    return this.toView(this.db.kysely, await this.visible(this.db.kysely, id, actor));
  }

  async historyOf(id: number, actor: Actor) {
    await this.visible(this.db.kysely, id, actor);
    const rows = await this.history.list(this.db.kysely, id);
    return rows.map((r) => ({
      id: r.id,
      at: r.createdAt,
      event: r.event,
      from: r.fromValue,
      to: r.toValue,
      message: r.message,
      operationId: r.operationId,
      // A client learns that support did it, not which employee (their names and e-mails are staff's own).
      actor: { kind: r.actorKind, label: actor.kind === 'client' && r.actorKind === 'employee' ? 'support' : r.actorLabel },
    }));
  }

  /** IP or name changes go upstream (set_params); auto-renewal is ours alone. */
  async update(id: number, input: LicensePatch, actor: Actor): Promise<LicenseView> {
    if (input.ip !== undefined) {
      const problem = refuseIp(input.ip);
      if (problem) throw ipRefused(input.ip, problem);
    }
    return this.db.transaction(async (trx) => {
      const license = await this.visible(trx, id, actor, true);
      if (input.autoRenew !== undefined && input.autoRenew !== !!license.autoRenew) {
        if (input.autoRenew) await this.lifecycle.requireRenewable(trx, license);
        await this.repo.update(trx, id, { autoRenew: input.autoRenew ? 1 : 0, updatedAt: this.clock.now().toISOString() });
        await this.history.record(trx, actor, { licenseId: id, event: 'auto_renew', from: String(!!license.autoRenew), to: String(input.autoRenew) });
      }
      const ipChanges = input.ip !== undefined && input.ip !== license.ip;
      const nameChanges = input.licenseName !== undefined && input.licenseName !== license.licenseName;
      if (ipChanges || nameChanges) {
        const change = { kind: 'set_params' as const, ...(ipChanges ? { ip: input.ip } : {}), ...(nameChanges ? { licenseName: input.licenseName } : {}) };
        await this.lifecycle.requestChange(trx, license, change, actor, ipChanges ? 'ip' : 'licenseName');
      }
      // What was asked, field by field: an IP or name change is made upstream later (see the history).
      const before: Record<string, unknown> = {};
      const asked: Record<string, unknown> = {};
      if (ipChanges) [before.ip, asked.ip] = [license.ip, input.ip];
      if (nameChanges) [before.licenseName, asked.licenseName] = [license.licenseName, input.licenseName];
      if (input.autoRenew !== undefined && input.autoRenew !== !!license.autoRenew) [before.autoRenew, asked.autoRenew] = [!!license.autoRenew, input.autoRenew];
      await this.audit.record(trx, actor, 'license.update', 'license', id, before, asked);
      const after = (await this.repo.find(trx, id))!;
      return this.toView(trx, after);
    });
  }

  async newKey(id: number, actor: Actor): Promise<LicenseView> {
    return this.change(id, { kind: 'new_key' }, actor);
  }

  /** Renew now for a period: charged with the same reference the auto-renewal uses, so the period is paid once. */
  async renew(id: number, period: number | undefined, actor: Actor): Promise<LicenseView> {
    // The price is read before the transaction: on SQLite a read outside it would wait for it.
    const current = await this.visible(this.db.kysely, id, actor);
    const client = (await this.repo.client(this.db.kysely, current.clientId))!;
    const sellable = await this.sellable(current.tariffId, period ?? current.period, client.providerId);
    return this.db.transaction(async (trx) => {
      const license = await this.visible(trx, id, actor, true);
      const terms = { months: sellable.period, upstreamPeriod: sellable.upstreamPeriod, price: sellable.price };
      const asked = await this.lifecycle.requestRenewal(trx, license, terms, actor, 'now');
      if (asked.refused) throw renewalRefused(asked.refused, license);
      return this.toView(trx, license);
    });
  }

  /**
   * Another tariff of the same provider. Price rule: the difference between the new and the old
   * price of the license's period, for the time left until expiry (days left / days in the period),
   * rounded half away from zero to the minor unit; charged when positive, never refunded when not.
   */
  async changeTariff(id: number, tariffId: number, actor: Actor): Promise<LicenseView> {
    const current = await this.visible(this.db.kysely, id, actor);
    const client = (await this.repo.client(this.db.kysely, current.clientId))!;
    const target = await this.sellable(tariffId, current.period, client.providerId);
    return this.db.transaction(async (trx) => {
      const license = await this.visible(trx, id, actor, true);
      const { difference } = this.priceDifference(license, target.price);
      await this.lifecycle.requestTariffChange(trx, license, { tariffId, tariffUpstreamId: target.upstreamTariffId, upstreamPeriod: target.upstreamPeriod }, difference, actor);
      return this.toView(trx, license);
    });
  }

  /** What changeTariff would charge now, by the same rule, without changing anything (asked before confirming). */
  async previewTariffChange(id: number, tariffId: number, actor: Actor): Promise<ChangeTariffPreview> {
    const license = await this.visible(this.db.kysely, id, actor);
    const client = (await this.repo.client(this.db.kysely, license.clientId))!;
    const target = await this.sellable(tariffId, license.period, client.providerId);
    const { difference, daysLeft, periodDays } = this.priceDifference(license, target.price);
    return {
      tariffId,
      currency: license.currency,
      currentPrice: Money.of(license.priceMinor, license.currency).toString(),
      newPrice: target.price.toString(),
      difference: difference.toString(),
      daysLeft,
      periodDays,
    };
  }

  async suspend(id: number, actor: Actor): Promise<LicenseView> {
    return this.change(id, { kind: 'suspend' }, actor);
  }

  async resume(id: number, actor: Actor): Promise<LicenseView> {
    return this.change(id, { kind: 'resume' }, actor);
  }

  /** The close operation deletes it upstream and here; what still waited to run for it ends now (see LicenseLifecycle). */
  async remove(id: number, actor: Actor): Promise<LicenseView> {
    return this.db.transaction(async (trx) => {
      const license = await this.visible(trx, id, actor, true);
      const close = await this.lifecycle.requestDeletion(trx, license, actor, { message: 'Deletion requested' });
      await this.audit.record(trx, actor, 'license.close', 'license', id, null, { operationId: close.operationId });
      return this.toView(trx, license);
    });
  }

  /** Money back to the balance, at most what was charged for the license. */
  async refund(id: number, amountText: string, comment: string, actor: Actor): Promise<{ license: LicenseView; balance: string }> {
    return this.db.transaction(async (trx) => {
      const license = await this.visible(trx, id, actor, true);
      const amount = parseAmount(amountText, license.currency);
      if (amount.minor <= 0n) throw appError('validation', 'value.amountPositive', {}, { field: 'amount' });
      const refundable = await this.repo.chargedFor(trx, id);
      if (amount.minor > refundable) {
        throw appError('unprocessable', 'money.refundLimit', { amount: Money.of(refundable, license.currency).toString(), currency: license.currency }, { field: 'amount' });
      }
      await this.ledger.postIn(trx, { clientId: license.clientId, kind: 'refund', amount, reference: refundReference.manual(id), comment }, actor);
      await this.history.record(trx, actor, { licenseId: id, event: 'refund', message: `${amount.toString()} ${amount.currency} refunded: ${comment}` });
      const balance = await this.ledger.balance(license.clientId, trx);
      return { license: await this.toView(trx, license), balance: balance.toString() };
    });
  }

  // -------------------------------------------------------------------------------------------

  private orderingClient(input: { clientId?: number | undefined }, actor: Actor): number {
    if (actor.kind === 'client') {
      if (input.clientId !== undefined && input.clientId !== actor.id) throw notFound('Client', input.clientId);
      return actor.id;
    }
    if (actor.kind !== 'employee') throw appError('unauthorized', 'auth.required');
    if (input.clientId === undefined) throw appError('validation', 'license.whichClient', {}, { field: 'clientId' });
    return input.clientId;
  }

  /** The tariff and period as the provider sells them now: enabled, not at a loss. */
  private async sellable(tariffId: number, period: number, providerId: number): Promise<Sellable> {
    const tariff = await this.tariffs.get(tariffId, systemActor()).catch((error: unknown) => {
      if (error instanceof AppError && error.code === 'not_found') throw appError('validation', 'license.noTariff', { tariffId }, { field: 'tariffId' });
      throw error;
    });
    if (tariff.providerId !== providerId || tariff.status !== 'enabled') {
      throw appError('validation', 'license.tariffNotOnSale', { tariffId }, { field: 'tariffId' });
    }
    const p = tariff.periods.find((x) => x.period === period);
    if (!p || !p.enabled || p.marginNegative) {
      const offered = tariff.periods.filter((x) => x.enabled && !x.marginNegative).map((x) => x.period);
      throw appError('validation', 'license.periodNotSold', { period, offered: offered.length ? offered.join(', ') : { key: 'list.none' } }, { field: 'period' });
    }
    return {
      tariffId,
      upstreamTariffId: tariff.upstreamTariffId,
      providerId,
      period,
      upstreamPeriod: p.upstreamPeriod,
      price: Money.parse(p.price, tariff.currency),
      moduleIds: tariff.processingModuleIds,
    };
  }

  private async refuseSecondTrial(db: Executor, clientId: number, ip: string): Promise<void> {
    const trial = await this.repo.findTrial(db, clientId, ip);
    if (trial) {
      throw trial.clientId === clientId
        ? appError('conflict', 'license.trialClient', {}, { field: 'period' })
        : appError('conflict', 'license.trialIp', { ip }, { field: 'ip' });
    }
  }

  /** The upstream's soft.checkip runs before any money moves; its refusal is shown as it is. */
  private async precheckIp(sellable: Sellable, ip: string, datacenterId: number | null): Promise<void> {
    const candidates = await this.repo.modulesOf(this.db.kysely, sellable.tariffId);
    const module = chooseModule(
      candidates.map((m) => ({
        id: m.id,
        sort: m.sort,
        enabled: !!m.enabled,
        hasError: !!m.lastError,
        runningOperations: 0,
        operationLimit: m.operationLimit,
        datacenterId: m.datacenterId,
        held: belowMinimalBalance(m),
      })),
      { datacenterId },
    );
    if (!module) {
      throw datacenterId
        ? appError('unprocessable', 'license.noModuleInDatacenter', {}, { field: 'datacenterId' })
        : appError('unprocessable', 'license.noModule', {}, { field: 'tariffId' });
    }
    // Chosen last, so held means every module that could serve it is: nothing would be bought, so nothing is charged.
    if (module.held) {
      throw appError('unprocessable', 'license.modulesHeld', {}, { field: 'tariffId' });
    }
    const driver = await this.modules.driverFor(module.id);
    try {
      await callUpstream(() => driver.checkIp({ tariffId: sellable.upstreamTariffId, period: sellable.upstreamPeriod, ip }), 'ip');
    } catch (error) {
      if (error instanceof AppError && error.code === 'upstream_value') throw new AppError('ip_refused', error.message, { field: 'ip' });
      throw error;
    }
  }

  private priceDifference(license: LicenseRow, newPrice: Money): { difference: Money; daysLeft: number; periodDays: number } {
    const oldPrice = Money.of(license.priceMinor, license.currency);
    const diff = newPrice.subtract(oldPrice);
    if (!license.expiresOn) return { difference: Money.zero(license.currency), daysLeft: 0, periodDays: 0 };
    const today = isoDate(this.clock.now());
    const periodStart = addMonths(license.expiresOn, -license.period);
    const periodDays = Math.max(1, daysBetween(periodStart, license.expiresOn));
    const daysLeft = Math.min(periodDays, Math.max(0, daysBetween(today, license.expiresOn)));
    if (diff.minor <= 0n) return { difference: Money.zero(license.currency), daysLeft, periodDays };
    return { difference: Money.of(roundHalfAwayFromZero(diff.minor * BigInt(daysLeft), BigInt(periodDays)), license.currency), daysLeft, periodDays };
  }

  /** A change the worker carries out upstream (see LicenseLifecycle.requestChange), audited. */
  private async change(id: number, change: ChangeRequest, actor: Actor): Promise<LicenseView> {
    return this.db.transaction(async (trx) => {
      const license = await this.visible(trx, id, actor, true);
      const { operationId } = await this.lifecycle.requestChange(trx, license, change, actor);
      await this.audit.record(trx, actor, `license.${change.kind}`, 'license', id, null, { operationId });
      return this.toView(trx, license);
    });
  }

  /**
   * The license, if the actor may see it. `lock` (inside a transaction that changes it): its row is
   * locked until the commit, so a deletion, a charge and the renewal job never decide on the same
   * license at once (PostgreSQL; SQLite's transactions hold the write lock anyway).
   */
  private async visible(db: Executor, id: number, actor: Actor, lock = false): Promise<LicenseRow> {
    const row = lock ? await this.repo.findForUpdate(db, id) : await this.repo.find(db, id);
    if (!row || (actor.kind === 'client' && row.clientId !== actor.id)) throw notFound('License', id);
    if (actor.kind === 'anonymous') throw appError('unauthorized', 'auth.required');
    return row;
  }

  private async toView(db: Executor, row: LicenseRow): Promise<LicenseView> {
    const fresh = (await this.repo.find(db, row.id)) ?? row;
    return viewOf(fresh, await this.repo.unfinishedOperations(db, [row.id]), await this.repo.clientName(db, fresh.clientId));
  }
}

function viewOf(row: LicenseViewRow, ops: Array<{ id: number; kind: string; status: string; lastError: string | null }>, clientName: string): LicenseView {
  return {
    id: row.id,
    clientId: row.clientId,
    clientName,
    status: row.status as LicenseStatus,
    tariffId: row.tariffId,
    period: row.period,
    isTrial: !!row.isTrial,
    ip: row.ip,
    licenseName: row.licenseName,
    licenseKey: row.licenseKey,
    expiresAt: row.expiresOn,
    autoRenew: !!row.autoRenew,
    upstreamId: row.upstreamId,
    datacenterId: row.datacenterId,
    moduleId: row.moduleId,
    price: Money.of(row.priceMinor, row.currency).toString(),
    currency: row.currency,
    pendingOperations: ops.map((o) => ({ id: o.id, kind: o.kind, status: o.status, lastError: o.lastError })),
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

/** The module's upstream balance, as last read, is below its minimal balance. */
function belowMinimalBalance(m: { balanceMinor: bigint | number | null; minimalBalanceMinor: bigint | number }): boolean {
  return m.balanceMinor !== null && BigInt(m.balanceMinor) < BigInt(m.minimalBalanceMinor);
}

/** Why a renewal asked for now cannot be, in words for the person asking. */
function renewalRefused(reason: RenewalRefusal, license: LicenseRow): AppError {
  switch (reason) {
    case 'trial':
      return appError('unprocessable', 'license.trialRenew', {}, { field: 'id' });
    case 'not_renewable_now':
      return appError('conflict', 'license.statusRenew', { status: license.status }, { field: 'id' });
    case 'no_expiry':
      return appError('conflict', 'license.noExpiry', {}, { field: 'id' });
    case 'deleting':
      return appError('conflict', 'license.deleting', {}, { field: 'id' });
  }
}

/** An address no license can be bought for: the English reason as refuseIp words it, the others from the catalog. */
function ipRefused(ip: string, problem: string): AppError {
  const key = problem.includes('is not an IPv4 address') ? 'ip.notIpv4' : 'ip.notPublic';
  return new AppError('validation', `ip: ${problem}`, { field: 'ip', key, params: { ip } });
}
