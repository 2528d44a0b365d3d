// At expiry without a renewal the license is suspended here (and upstream, by a suspend operation);
// N days after expiry a suspended license is closed (the operations worker deletes it upstream and here).
import type { Logger } from 'pino';
import { systemActor, type Actor } from '../../platform/actor.js';
import type { Clock } from '../../platform/clock.js';
import type { Db, Executor } from '../../platform/db/db.js';
import type { LicenseLifecycle } from '../../licenses/lifecycle/index.js';
import { addDays, isoDate } from '../../platform/dates.js';
import { yieldToEventLoop } from './yield.js';
import { operationKey } from '../../licenses/keys.js';

const prolongKey = operationKey.prolong;

export interface ExpiryOptions {
  closeAfterDays: number;
  pageSize: number;
}

export interface ExpiryRun {
  suspended: number;
  suspendOperations: number;
  closeOperations: number;
  /** Expired, but a paid renewal is still on its way. */
  renewing: number;
  failed: number;
}

interface Row {
  id: number;
  expiresOn: string | null;
  upstreamId: string | null;
  moduleId: number | null;
}

export class Expiry {
  private readonly actor: Actor = systemActor('expiry');
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly lifecycle: LicenseLifecycle,
    private readonly options: ExpiryOptions,
    private readonly logger?: Logger,
  ) {
  }

  async run(): Promise<ExpiryRun> {
    const today = isoDate(this.clock.now());
    const out: ExpiryRun = { suspended: 0, suspendOperations: 0, closeOperations: 0, renewing: 0, failed: 0 };
    // Valid through expires_on, as upstream: expired once that day is over.
    for await (const page of this.pages('active', today)) {
      const renewing = await this.renewingKeys(page);
      for (const license of page) {
        if (renewing.has(prolongKey(license.id, license.expiresOn!))) {
          out.renewing += 1;
          continue;
        }
        try {
          const result = await this.suspend(license);
          if (result.suspended) out.suspended += 1;
          if (result.operation) out.suspendOperations += 1;
        } catch (error) {
          out.failed += 1;
          this.logger?.error({ err: error, licenseId: license.id }, 'suspending an expired license failed');
        }
      }
    }
    for await (const page of this.pages('suspended', addDays(today, -this.options.closeAfterDays))) {
      const renewing = await this.renewingKeys(page);
      for (const license of page) {
        if (renewing.has(prolongKey(license.id, license.expiresOn!))) continue;
        try {
          if (await this.close(license)) out.closeOperations += 1;
        } catch (error) {
          out.failed += 1;
          this.logger?.error({ err: error, licenseId: license.id }, 'closing a long-expired license failed');
        }
      }
    }
    return out;
  }

  /** Licenses in `status` whose expiry is before `before`, a keyset page at a time. */
  private async *pages(status: 'active' | 'suspended', before: string): AsyncGenerator<Row[]> {
    // Keyset pages in the order of the (status, expires_on) index: linear, one page in memory.
    let cursor: [string, number] | null = null;
    for (;;) {
      let q = this.db.kysely
        .selectFrom('licenses')
        .select(['id', 'expiresOn', 'upstreamId', 'moduleId'])
        .where('status', '=', status)
        .where('expiresOn', '<', before);
      if (cursor) {
        const [expiresOn, id] = cursor;
        q = q.where((eb) => eb(eb.refTuple('expiresOn', 'id'), '>', eb.tuple(expiresOn, id)));
      }
      const page = await q.orderBy('expiresOn').orderBy('id').limit(this.options.pageSize).execute();
      if (!page.length) return;
      const last = page[page.length - 1]!;
      cursor = [last.expiresOn!, Number(last.id)];
      yield page.map((r) => ({ ...r, id: Number(r.id), moduleId: r.moduleId === null ? null : Number(r.moduleId) }));
      if (page.length < this.options.pageSize) return;
      await yieldToEventLoop();
    }
  }

  /** Renewals that are paid and not finished (or waiting for a person): such a license is not expired. */
  private async renewingKeys(page: Row[], db: Executor = this.db.kysely): Promise<Set<string>> {
    const keys = page.map((l) => prolongKey(l.id, l.expiresOn!));
    const rows = await db
      .selectFrom('operations')
      .select('idempotencyKey')
      .where('idempotencyKey', 'in', keys)
      .where('status', 'in', ['pending', 'running', 'manual'])
      .execute();
    return new Set(rows.map((r) => r.idempotencyKey));
  }

  private suspend(license: Row): Promise<{ suspended: boolean; operation: boolean }> {
    return this.db.transaction((trx) => this.lifecycle.suspendAtExpiry(trx, license, this.actor));
  }

  private close(license: Row): Promise<boolean> {
    return this.db.transaction(async (trx) => {
      // Decided again under the license's lock: a renewal paid meanwhile (by the renewal job in another
      // process, or by the client) keeps it.
      const current = await trx.selectFrom('licenses').select(['status', 'expiresOn']).where('id', '=', license.id).forNoKeyUpdate().executeTakeFirst();
      if (current?.status !== 'suspended' || current.expiresOn !== license.expiresOn) return false;
      if ((await this.renewingKeys([license], trx)).size) return false;
      const op = await this.lifecycle.requestDeletion(trx, { ...license, status: current.status }, this.actor, {
        to: 'close_ordered',
        message: `Suspended since it expired on ${license.expiresOn}, more than ${this.options.closeAfterDays} days ago: the license is deleted`,
      });
      return op.created;
    });
  }
}
