// N days before an auto-renewing license expires its client hears that it will be renewed: the price of
// its period, and whether their balance (with their credit limit) covers it — renewal_coming when it
// does, renewal_coming_topup saying how much is missing when not. Once per license and expiry date: the
// e-mail's key names both, and licenses already mailed are skipped before anything is rendered.
// A license whose renewal for that period has started (charged) hears nothing more from here.
import type { Logger } from 'pino';
import type { Clock } from '../../platform/clock.js';
import type { Db } from '../../platform/db/db.js';
import { addDays, isoDate } from '../../platform/dates.js';
import { operationKey } from '../../licenses/keys.js';
import { enqueueClientMessage, moneyWords } from '../messages/outbox.js';
import { STARTED } from './renewals.js';
import { yieldToEventLoop } from './yield.js';

export interface RenewalNoticeRun {
  scanned: number;
  mailed: number;
  /** Mailed already for this expiry date. */
  alreadyMailed: number;
  /** The renewal of this period has started: nothing to announce. */
  renewing: number;
  /** The tariff has no price for the license's period (the renewal will fail and say so). */
  unpriced: number;
  failed: number;
}

interface Candidate {
  id: number;
  clientId: number;
  tariffId: number;
  period: number;
  licenseName: string;
  ip: string;
  expiresOn: string | null;
  email: string;
}

const noticeKey = (licenseId: number, expiresOn: string) => `renewal_coming:${licenseId}:${expiresOn}`;

export class RenewalNotices {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly options: { daysBefore: number; pageSize: number },
    private readonly logger?: Logger,
  ) {}

  async run(): Promise<RenewalNoticeRun> {
    const now = this.clock.now();
    const today = isoDate(now);
    const horizon = addDays(today, this.options.daysBefore);
    const out: RenewalNoticeRun = { scanned: 0, mailed: 0, alreadyMailed: 0, renewing: 0, unpriced: 0, failed: 0 };
    for (const status of ['active', 'suspended'] as const) {
      let cursor: [string, number] | null = null;
      for (;;) {
        const page: Candidate[] = await this.candidates(status, today, horizon, cursor);
        if (!page.length) break;
        const last = page[page.length - 1]!;
        cursor = [last.expiresOn!, Number(last.id)];
        out.scanned += page.length;
        const mailed = new Set(
          (
            await this.db.kysely
              .selectFrom('messages')
              .select('idempotencyKey')
              .where('idempotencyKey', 'in', page.map((l) => `${noticeKey(Number(l.id), l.expiresOn!)}:${l.email.toLowerCase()}`))
              .execute()
          ).map((r) => r.idempotencyKey),
        );
        const started = new Set(
          (
            await this.db.kysely
              .selectFrom('operations')
              .select('idempotencyKey')
              .where('idempotencyKey', 'in', page.map((l) => operationKey.prolong(Number(l.id), l.expiresOn!)))
              .where('status', 'in', STARTED)
              .execute()
          ).map((r) => r.idempotencyKey),
        );
        for (const license of page) {
          const id = Number(license.id);
          if (mailed.has(`${noticeKey(id, license.expiresOn!)}:${license.email.toLowerCase()}`)) out.alreadyMailed += 1;
          else if (started.has(operationKey.prolong(id, license.expiresOn!))) out.renewing += 1;
          else {
            try {
              out[await this.notify(license, now)] += 1;
            } catch (error) {
              out.failed += 1;
              this.logger?.error({ err: error, licenseId: id }, 'mailing a coming renewal failed');
            }
          }
        }
        if (page.length < this.options.pageSize) break;
        await yieldToEventLoop();
      }
    }
    return out;
  }

  /** Auto-renewing licenses in `status` expiring from today to the horizon, a keyset page at a time. */
  private candidates(status: 'active' | 'suspended', today: string, horizon: string, cursor: [string, number] | null): Promise<Candidate[]> {
    let q = this.db.kysely
      .selectFrom('licenses')
      .innerJoin('clients', 'clients.id', 'licenses.clientId')
      .select(['licenses.id', 'licenses.clientId', 'licenses.tariffId', 'licenses.period', 'licenses.licenseName', 'licenses.ip', 'licenses.expiresOn', 'clients.email'])
      .where('licenses.status', '=', status)
      .where('licenses.expiresOn', '>=', today)
      .where('licenses.expiresOn', '<=', horizon)
      .where('licenses.autoRenew', '=', 1)
      .where('licenses.isTrial', '=', 0)
      .where('licenses.period', '>', 0);
    if (cursor) q = q.where((eb) => eb(eb.refTuple('licenses.expiresOn', 'licenses.id'), '>', eb.tuple(cursor[0], cursor[1])));
    return q.orderBy('licenses.expiresOn').orderBy('licenses.id').limit(this.options.pageSize).execute();
  }

  private notify(license: Candidate, now: Date): Promise<'mailed' | 'alreadyMailed' | 'unpriced'> {
    return this.db.transaction(async (trx) => {
      const price = await trx
        .selectFrom('tariffPeriods')
        .innerJoin('tariffs', 'tariffs.id', 'tariffPeriods.tariffId')
        .select(['tariffPeriods.priceMinor', 'tariffs.currency'])
        .where('tariffPeriods.tariffId', '=', license.tariffId)
        .where('tariffPeriods.period', '=', license.period)
        .executeTakeFirst();
      if (!price) return 'unpriced';
      const client = await trx.selectFrom('clients').select(['balanceMinor', 'creditLimitMinor', 'currency']).where('id', '=', license.clientId).executeTakeFirstOrThrow();
      // What the charge may take, as the ledger decides it: the balance down to minus the credit limit.
      const available = client.balanceMinor + client.creditLimitMinor;
      const covered = available >= price.priceMinor;
      const written = await enqueueClientMessage(trx, now, {
        clientId: license.clientId,
        event: covered ? 'renewal_coming' : 'renewal_coming_topup',
        eventKey: noticeKey(Number(license.id), license.expiresOn!),
        values: {
          licenseName: license.licenseName,
          ip: license.ip,
          expiresOn: license.expiresOn!,
          months: String(license.period),
          amount: moneyWords(price.priceMinor, price.currency),
          available: moneyWords(available > 0n ? available : 0n, client.currency),
          missing: moneyWords(covered ? 0n : price.priceMinor - available, price.currency),
        },
        entityType: 'license',
        entityId: Number(license.id),
      });
      return written ? 'mailed' : 'alreadyMailed';
    });
  }
}
