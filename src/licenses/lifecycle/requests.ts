// The license's transitions that are asked for here and done upstream by an operation: each checks the
// license's state, writes the change, its history, its charge and its operation in the caller's
// transaction. Whoever asks (a client, staff, the scheduler) calls these and repeats none of their rules.
import { randomBytes } from 'node:crypto';
import type { Actor } from '../../platform/actor.js';
import type { Clock } from '../../platform/clock.js';
import type { Executor } from '../../platform/db/db.js';
import { addMonths } from '../../platform/dates.js';
import type { Money } from '../../platform/money.js';
import type { LedgerService } from '../../clients/ledger/service.js';
import type { ChargeRefunds } from '../charges.js';
import type { LicenseHistory } from '../history.js';
import { chargeReference, operationKey } from '../keys.js';
import { appError } from '../../platform/errors.js';
import type { LicenseStatus, OperationKind, OperationPayloads } from '../model.js';
import { enqueueOperation, type NewOperation } from '../outbox.js';
import { LicenseRepository } from '../repository.js';
import { statusPatch, type LicenseRow } from './status.js';

/** What else a deletion ends, in its transaction (the operations area: the license's waiting operations). */
export type OnDeletion = (trx: Executor, licenseId: number, closeOperationId: number, actor: Actor) => Promise<unknown>;

/** A renewal's period as the tariff sells it now. */
export interface RenewalTerms {
  months: number;
  upstreamPeriod: number;
  price: Money;
}

export type RenewalRefusal = 'trial' | 'not_renewable_now' | 'no_expiry' | 'deleting';

export type RenewalRequest = { refused: RenewalRefusal } | { refused: null; operationId: number; created: boolean; charged: boolean };

/** A change staff or the client ask for that the worker carries out upstream. */
export type ChangeRequest =
  | { kind: 'suspend' }
  | { kind: 'resume' }
  | { kind: 'new_key' }
  | { kind: 'set_params'; ip?: string; licenseName?: string };

/** The statuses each request needs; a license being deleted takes none of them. */
const NEEDS: Record<ChangeRequest['kind'] | 'change_tariff' | 'close', LicenseStatus[]> = {
  suspend: ['active'],
  resume: ['suspended'],
  new_key: ['active'],
  set_params: ['active'],
  change_tariff: ['active'],
  close: ['active', 'suspended', 'processing'],
};

const CHANGE_WORDS: Record<ChangeRequest['kind'], string> = {
  suspend: 'Suspension requested',
  resume: 'Resumption requested',
  new_key: 'New license key requested',
  set_params: 'Change requested',
};

/** An order as the tariff sells it now (checked by the caller: sellable, IP allowed, trial once). */
export interface OrderTerms {
  clientId: number;
  tariffId: number;
  upstreamTariffId: string;
  period: number;
  upstreamPeriod: number;
  isTrial: boolean;
  licenseName: string;
  ip: string;
  autoRenew: boolean;
  datacenterId: number | null;
  price: Money;
}

export class LicenseLifecycle {
  private readonly repo = new LicenseRepository();
  private readonly deletionHooks: OnDeletion[] = [];

  constructor(
    private readonly clock: Clock,
    private readonly history: LicenseHistory,
    private readonly ledger: LedgerService,
    private readonly refunds: ChargeRefunds,
  ) {}

  /** Wired in app.ts: the operations area ends what a deleted license no longer needs. */
  onDeletion(hook: OnDeletion): void {
    this.deletionHooks.push(hook);
  }

  /**
   * An order: the license (processing, with our remoteid), its charge (reference order:<license>) and
   * its open operation, together. It becomes active only when the worker has the upstream's confirmation.
   */
  async requestOrder(trx: Executor, order: OrderTerms, actor: Actor): Promise<LicenseRow> {
    const now = this.clock.now().toISOString();
    const id = await this.repo.insert(trx, {
      clientId: order.clientId,
      tariffId: order.tariffId,
      period: order.period,
      isTrial: order.isTrial ? 1 : 0,
      licenseName: order.licenseName,
      ip: order.ip,
      autoRenew: order.autoRenew ? 1 : 0,
      datacenterId: order.datacenterId,
      status: 'processing',
      licenseKey: null,
      upstreamId: null,
      remoteId: `br${randomBytes(8).toString('hex')}`,
      moduleId: null,
      expiresOn: null,
      priceMinor: order.price.minor,
      currency: order.price.currency,
      suspendedAt: null,
      suspendedBy: null,
      deletedAt: null,
      createdAt: now,
      updatedAt: now,
    });
    if (order.price.minor > 0n) {
      await this.ledger.postIn(trx, { clientId: order.clientId, kind: 'charge', amount: order.price, reference: chargeReference.order(id), comment: `License ${order.licenseName} (${order.ip})` }, actor);
    }
    const license = (await this.repo.find(trx, id))!;
    const op = await enqueueOperation(trx, this.clock, {
      licenseId: id,
      kind: 'open',
      payload: { tariffUpstreamId: order.upstreamTariffId, upstreamPeriod: order.upstreamPeriod, ip: order.ip, licenseName: order.licenseName, remoteId: license.remoteId, datacenterId: order.datacenterId },
      idempotencyKey: operationKey.open(id),
    });
    const price = `${order.price.toString()} ${order.price.currency}`;
    await this.history.record(trx, actor, { licenseId: id, event: 'status', from: null, to: 'processing', message: `Ordered for ${price}`, operationId: op.id });
    return license;
  }

  /**
   * Charges for the period after the current expiry and queues its renewal. The charge's reference and
   * the operation's key both name the period, so it is paid and renewed once however often this is
   * asked (a period whose charge was refunded is charged again under a new reference).
   * `license` must be locked by the caller.
   */
  async requestRenewal(trx: Executor, license: LicenseRow, terms: RenewalTerms, actor: Actor, asked: 'now' | 'auto'): Promise<RenewalRequest> {
    if (license.isTrial) return { refused: 'trial' };
    if (license.status !== 'active' && license.status !== 'suspended') return { refused: 'not_renewable_now' };
    if (!license.expiresOn) return { refused: 'no_expiry' };
    if ((await this.repo.closing(trx, license.id)) !== null) return { refused: 'deleting' };
    const periodStart = license.expiresOn;
    const reference = await this.refunds.chargeable(trx, license.id, chargeReference.renewal(license.id, periodStart));
    let charged = false;
    if (terms.price.minor > 0n) {
      const comment = asked === 'auto' ? `Auto-renewal of license #${license.id} for ${terms.months} month(s) from ${periodStart}` : `Renewal of ${license.licenseName} from ${periodStart}`;
      charged = (await this.ledger.postIn(trx, { clientId: license.clientId, kind: 'charge', amount: terms.price, reference, comment }, actor)).created;
    }
    const op = await enqueueOperation(trx, this.clock, {
      licenseId: license.id,
      kind: 'prolong',
      payload: { months: terms.months, upstreamPeriod: terms.upstreamPeriod, periodStart, expectedExpiry: addMonths(periodStart, terms.months), chargeReference: reference },
      idempotencyKey: operationKey.prolong(license.id, periodStart),
      moduleId: license.moduleId,
    });
    if (charged || op.created) {
      const amount = `${terms.price.toString()} ${terms.price.currency}`;
      const message = asked === 'auto' ? `Auto-renewal for ${terms.months} month(s) from ${periodStart}: ${amount} charged` : `Renewal for ${terms.months} month(s) from ${periodStart}: ${amount}`;
      await this.history.record(trx, actor, { licenseId: license.id, event: 'charge', to: terms.price.toString(), message, operationId: op.id });
    }
    return { refused: null, operationId: op.id, created: op.created, charged };
  }

  /**
   * Suspend, resume, a new key, a new IP or name: the license's status allows it and it is not being
   * deleted (else a conflict naming `field`), then the operation and a history note. The caller holds
   * the license's lock.
   */
  async requestChange(trx: Executor, license: LicenseRow, change: ChangeRequest, actor: Actor, field = 'id'): Promise<{ operationId: number }> {
    await this.requireAllowed(trx, license, change.kind, field);
    const { kind, payload, key, message } = this.describe(license, change);
    const op = await enqueueOperation(trx, this.clock, { licenseId: license.id, kind, payload, idempotencyKey: key, moduleId: license.moduleId } as NewOperation);
    await this.history.record(trx, actor, { licenseId: license.id, event: 'note', message, operationId: op.id });
    return { operationId: op.id };
  }

  /**
   * Another tariff: charged `difference` when it is positive (once per tariff and period, see keys.ts),
   * then the operation. A trial changes no tariff; the same tariff is no change.
   */
  async requestTariffChange(trx: Executor, license: LicenseRow, target: { tariffId: number; tariffUpstreamId: string; upstreamPeriod: number }, difference: Money, actor: Actor): Promise<{ operationId: number }> {
    if (license.isTrial) throw appError('unprocessable', 'license.trialTariff', {}, { field: 'tariffId' });
    await this.requireAllowed(trx, license, 'change_tariff', 'tariffId');
    if (target.tariffId === license.tariffId) throw appError('validation', 'license.sameTariff', {}, { field: 'tariffId' });
    const charged = difference.minor > 0n ? await this.refunds.chargeable(trx, license.id, chargeReference.tariffChange(license.id, target.tariffId, license.expiresOn)) : undefined;
    if (charged) {
      await this.ledger.postIn(trx, { clientId: license.clientId, kind: 'charge', amount: difference, reference: charged, comment: `Tariff change of ${license.licenseName}` }, actor);
    }
    const payload: OperationPayloads['change_tariff'] = { ...target, previousTariffId: license.tariffId, ...(charged ? { chargeReference: charged } : {}) };
    const op = await enqueueOperation(trx, this.clock, {
      licenseId: license.id,
      kind: 'change_tariff' as const,
      payload,
      idempotencyKey: operationKey.changeTariff(license.id, target.tariffId, license.expiresOn),
      moduleId: license.moduleId,
    });
    const paid = difference.minor > 0n ? difference.toString() : '0';
    await this.history.record(trx, actor, { licenseId: license.id, event: 'note', message: `Tariff change requested (charged ${paid} ${difference.currency})`, operationId: op.id });
    return { operationId: op.id };
  }

  /** Auto-renewal may be switched on only for a license that can be renewed and is not being deleted. */
  async requireRenewable(trx: Executor, license: LicenseRow): Promise<void> {
    if (license.isTrial) throw appError('unprocessable', 'license.trialRenew', {}, { field: 'autoRenew' });
    await this.requireNotDeleting(trx, license, 'autoRenew');
  }

  /**
   * Deletes the license upstream and here (its close operation, one per license whoever asks), and
   * ends what still waited to run for it. The caller holds the license's lock.
   */
  async requestDeletion(trx: Executor, license: Pick<LicenseRow, 'id' | 'moduleId' | 'status'>, actor: Actor, note: { message: string; to?: string; moduleId?: number | null }): Promise<{ operationId: number; created: boolean }> {
    requireStatus(license, NEEDS.close, 'id');
    const op = await enqueueOperation(trx, this.clock, {
      licenseId: license.id,
      kind: 'close',
      payload: {},
      idempotencyKey: operationKey.close(license.id),
      moduleId: license.moduleId ?? note.moduleId ?? null,
    });
    if (op.created) {
      await this.history.record(trx, actor, { licenseId: license.id, event: 'note', to: note.to ?? null, message: note.message, operationId: op.id });
      for (const hook of this.deletionHooks) await hook(trx, license.id, op.id, actor);
    }
    return { operationId: op.id, created: op.created };
  }

  /**
   * Expired without a renewal: suspended here now (for non-payment, so a paid renewal resumes it) and
   * upstream by a suspend operation. Nothing happens when the license moved on meanwhile.
   */
  async suspendAtExpiry(trx: Executor, license: Pick<LicenseRow, 'id' | 'expiresOn' | 'upstreamId' | 'moduleId'>, actor: Actor): Promise<{ suspended: boolean; operation: boolean }> {
    const now = this.clock.now().toISOString();
    const changed = await trx
      .updateTable('licenses')
      .set(statusPatch({ status: 'active' }, 'suspended', now, 'expiry'))
      .where('id', '=', license.id)
      .where('status', '=', 'active')
      .where('expiresOn', '=', license.expiresOn)
      .executeTakeFirst();
    if (Number(changed.numUpdatedRows) !== 1) return { suspended: false, operation: false };
    // The upstream license is still active as far as we know: suspend it there too.
    const op = license.upstreamId
      ? await enqueueOperation(trx, this.clock, {
          licenseId: license.id,
          kind: 'suspend',
          payload: {},
          idempotencyKey: operationKey.suspendAtExpiry(license.id, license.expiresOn),
          moduleId: license.moduleId,
        })
      : null;
    await this.history.record(trx, actor, {
      licenseId: license.id,
      event: 'status',
      from: 'active',
      to: 'suspended',
      message: `Expired on ${license.expiresOn} without a renewal`,
      operationId: op?.id ?? null,
    });
    return { suspended: true, operation: !!op?.created };
  }

  private async requireAllowed(trx: Executor, license: LicenseRow, kind: keyof typeof NEEDS, field: string): Promise<void> {
    requireStatus(license, NEEDS[kind], field);
    await this.requireNotDeleting(trx, license, field);
  }

  /** Until its close has run, a license being deleted keeps its status; nothing may charge for it or change it upstream. */
  private async requireNotDeleting(trx: Executor, license: LicenseRow, field: string): Promise<void> {
    const closing = await this.repo.closing(trx, license.id);
    if (closing !== null) throw appError('conflict', 'license.deletingOp', { operation: closing }, { field });
  }

  private describe(license: LicenseRow, change: ChangeRequest): { kind: OperationKind; payload: Record<string, unknown>; key: string; message: string } {
    switch (change.kind) {
      case 'suspend':
        return { kind: 'suspend', payload: {}, key: operationKey.suspend(license.id), message: CHANGE_WORDS.suspend };
      case 'resume':
        return { kind: 'resume', payload: {}, key: operationKey.resume(license.id), message: CHANGE_WORDS.resume };
      case 'new_key':
        return { kind: 'new_key', payload: {}, key: operationKey.newKey(license.id), message: CHANGE_WORDS.new_key };
      case 'set_params': {
        const ip = change.ip !== undefined && change.ip !== license.ip ? change.ip : undefined;
        const name = change.licenseName !== undefined && change.licenseName !== license.licenseName ? change.licenseName : undefined;
        const what = [ip !== undefined && `IP ${license.ip} → ${ip}`, name !== undefined && `name ${license.licenseName} → ${name}`].filter(Boolean).join(', ');
        return {
          kind: 'set_params',
          payload: { ...(ip !== undefined ? { ip, previousIp: license.ip } : {}), ...(name !== undefined ? { licenseName: name, previousLicenseName: license.licenseName } : {}) },
          key: operationKey.setParams(license.id),
          message: `${CHANGE_WORDS.set_params}: ${what}`,
        };
      }
    }
  }
}

function requireStatus(license: Pick<LicenseRow, 'status'>, allowed: LicenseStatus[], field: string): void {
  if (!allowed.includes(license.status as LicenseStatus)) {
    throw appError('conflict', 'license.status', { status: license.status, allowed }, { field });
  }
}
