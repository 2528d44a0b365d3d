// Auto-renewal: N days before expiry the client is charged for the next period and the prolong
// operation is created, in one transaction; the ledger reference and the operation's idempotency key
// both name the period, so however often this runs a period is paid and renewed once.
// The scan streams: keyset pages by id, never the whole table in memory.
import type { Logger } from 'pino';
import { systemActor, type Actor } from '../../platform/actor.js';
import type { Clock } from '../../platform/clock.js';
import type { Db, Executor } from '../../platform/db/db.js';
import { AppError } from '../../platform/errors.js';
import { Money } from '../../platform/money.js';
import { LicenseHistory } from '../../licenses/history.js';
import { operationKey } from '../../licenses/keys.js';
import type { LicenseLifecycle, RenewalTerms } from '../../licenses/lifecycle/index.js';
import { LicenseRepository } from '../../licenses/repository.js';
import { addDays, isoDate } from '../../platform/dates.js';
import { yieldToEventLoop } from './yield.js';
import type { ModuleBalances } from './module-balance.js';

export interface RenewalOptions {
  daysBefore: number;
  pageSize: number;
  /** Read the upstream balances before the batch (the scheduler does; a benchmark may not). */
  checkBalances?: boolean;
  /** Called after each page (a benchmark samples memory here). */
  onPage?: (scanned: number) => void;
}

export interface RenewalRun {
  scanned: number;
  renewed: number;
  alreadyRenewing: number;
  /** Due, but their deletion is under way. */
  deleting: number;
  held: number;
  unpaid: number;
  failed: number;
}

/** The note written (once a day) when the balance does not cover a renewal; the client is mailed about it. */
export const UNPAID_NOTE = 'renewal_unpaid';
/**
 * The note written (once a day) when the tariff no longer has the license's period: staff's to fix
 * (the history shows it), not the client's — they are not told their balance is short when it is not.
 */
export const UNPRICED_NOTE = 'renewal_unpriced';

interface Candidate {
  id: number;
  clientId: number;
  tariffId: number;
  period: number;
  moduleId: number | null;
  expiresOn: string | null;
}

/** A period whose prolong is on its way, done, or given up by staff (failed: abandoned) is not queued again. */
export const STARTED = ['pending', 'running', 'manual', 'succeeded', 'failed'];

export class Renewals {
  private readonly history: LicenseHistory;
  private readonly actor: Actor = systemActor('auto-renewal');
  private readonly licenses = new LicenseRepository();

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly lifecycle: LicenseLifecycle,
    private readonly balances: ModuleBalances,
    private readonly options: RenewalOptions,
    private readonly logger?: Logger,
  ) {
    this.history = new LicenseHistory(clock);
  }

  async run(): Promise<RenewalRun> {
    const held = new Set(
      this.options.checkBalances === false ? (await this.balances.holdLowModules()).held : (await this.balances.check()).held,
    );
    const today = isoDate(this.clock.now());
    const horizon = addDays(today, this.options.daysBefore);
    const out: RenewalRun = { scanned: 0, renewed: 0, alreadyRenewing: 0, deleting: 0, held: 0, unpaid: 0, failed: 0 };
    // Keyset pages in the order of the (status, expires_on) index: each page starts where the last one
    // ended, so the scan is linear and holds one page at a time however many licenses there are.
    for (const status of ['active', 'suspended'] as const) {
      let cursor: [string, number] | null = null;
      for (;;) {
        const page: Candidate[] = await this.candidates(status, horizon, cursor);
        if (!page.length) break;
        const last = page[page.length - 1]!;
        cursor = [last.expiresOn!, Number(last.id)];
        out.scanned += page.length;
        const keys = page.map((l) => prolongKey(Number(l.id), l.expiresOn!));
        const started = new Set(
          (
            await this.db.kysely.selectFrom('operations').select('idempotencyKey').where('idempotencyKey', 'in', keys).where('status', 'in', STARTED).execute()
          ).map((r) => r.idempotencyKey),
        );
        for (const license of page) {
          if (started.has(prolongKey(Number(license.id), license.expiresOn!))) {
            out.alreadyRenewing += 1;
          } else if (license.moduleId !== null && held.has(Number(license.moduleId))) {
            out.held += 1;
          } else {
            out[await this.renew(license, today)] += 1;
          }
        }
        this.options.onPage?.(out.scanned);
        if (page.length < this.options.pageSize) break;
        // SQLite answers synchronously: let HTTP requests in between pages of a long scan.
        await yieldToEventLoop();
      }
    }
    return out;
  }

  private candidates(status: 'active' | 'suspended', horizon: string, cursor: [string, number] | null): Promise<Candidate[]> {
    let q = this.db.kysely
      .selectFrom('licenses')
      .select(['id', 'clientId', 'tariffId', 'period', 'moduleId', 'expiresOn'])
      .where('status', '=', status)
      .where('expiresOn', '<=', horizon)
      .where('autoRenew', '=', 1)
      .where('isTrial', '=', 0)
      .where('period', '>', 0);
    if (cursor) q = q.where((eb) => eb(eb.refTuple('expiresOn', 'id'), '>', eb.tuple(cursor[0], cursor[1])));
    return q.orderBy('expiresOn').orderBy('id').limit(this.options.pageSize).execute();
  }

  /** Charges and creates the prolong operation together (see LicenseLifecycle); a refused charge leaves a daily note. */
  async renew(license: Candidate, today: string): Promise<'renewed' | 'unpaid' | 'failed' | 'alreadyRenewing' | 'deleting'> {
    const id = Number(license.id);
    try {
      return await this.db.transaction(async (trx) => {
        const current = await this.licenses.findForUpdate(trx, id);
        // Decided again under the license's lock: renewed, switched off or changed meanwhile.
        if (!current || current.expiresOn !== license.expiresOn || !current.autoRenew) return 'alreadyRenewing';
        const asked = await this.lifecycle.requestRenewal(trx, current, await this.termsOf(trx, license), this.actor, 'auto');
        if (asked.refused === 'deleting') return 'deleting';
        return asked.refused ? 'alreadyRenewing' : 'renewed';
      });
    } catch (error) {
      if (error instanceof AppError && (error.code === 'payment_required' || error.code === 'renewal_unpriced')) {
        // Retried on later runs; a client short of money hears about it once a day until the license expires.
        const note = error.code === 'payment_required' ? UNPAID_NOTE : UNPRICED_NOTE;
        if (license.expiresOn! >= today) await this.noteOncePerDay(id, today, note, error.message);
        return 'unpaid';
      }
      this.logger?.error({ err: error, licenseId: id }, 'auto-renewal failed');
      return 'failed';
    }
  }

  private async termsOf(db: Executor, license: Candidate): Promise<RenewalTerms> {
    const row = await db
      .selectFrom('tariffPeriods')
      .innerJoin('tariffs', 'tariffs.id', 'tariffPeriods.tariffId')
      .select(['tariffPeriods.priceMinor', 'tariffPeriods.upstreamPeriod', 'tariffs.currency'])
      .where('tariffPeriods.tariffId', '=', license.tariffId)
      .where('tariffPeriods.period', '=', license.period)
      .executeTakeFirst();
    if (!row) {
      throw new AppError('renewal_unpriced', `The tariff no longer has a ${license.period}-month period; the license cannot be renewed automatically`);
    }
    return { months: license.period, price: Money.of(row.priceMinor, row.currency), upstreamPeriod: row.upstreamPeriod };
  }

  private async noteOncePerDay(licenseId: number, today: string, note: typeof UNPAID_NOTE | typeof UNPRICED_NOTE, reason: string): Promise<void> {
    await this.db.transaction(async (trx) => {
      const noted = await trx
        .selectFrom('licenseHistory')
        .select('id')
        .where('licenseId', '=', licenseId)
        .where('event', '=', 'note')
        .where('toValue', '=', note)
        .where('createdAt', '>=', `${today}T00:00:00.000Z`)
        .executeTakeFirst();
      if (noted) return;
      await this.history.record(trx, this.actor, {
        licenseId,
        event: 'note',
        to: note,
        message: note === UNPAID_NOTE
          ? `Auto-renewal could not be paid: ${reason}. It is tried again every day until the license expires.`
          : `Auto-renewal is not possible: ${reason}. It is tried again every day until the license expires.`,
      });
    });
  }
}

const prolongKey = operationKey.prolong;
