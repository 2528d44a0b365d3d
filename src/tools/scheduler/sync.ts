// License sync: the upstream list of each billmanager module against our licenses. Expiry, status and
// key drift is corrected here (with history); what cannot be corrected (an upstream license nobody
// here owns, an active license the upstream does not list) becomes one drift task per finding.
import type { Logger } from 'pino';
import { systemActor, type Actor } from '../../platform/actor.js';
import type { Clock } from '../../platform/clock.js';
import type { Db } from '../../platform/db/db.js';
import { LicenseHistory } from '../../licenses/history.js';
import { driftFrom } from '../../licenses/lifecycle/index.js';
import { isUpstreamError, type UpstreamLicense } from '../../integration/processing-modules/drivers/driver.js';
import type { ProcessingModuleService } from '../../integration/processing-modules/service.js';
import type { TaskService } from '../tasks/service.js';
import { yieldToEventLoop } from './yield.js';
import { pickLocalizedOr } from './labels.js';

export interface SyncRun {
  modules: number;
  errors: number;
  upstream: number;
  corrected: number;
  orphans: number;
  missing: number;
}

interface Module {
  id: number;
  name: string;
  departmentId: number | null;
  taskLocale: string | null;
}

interface Local {
  id: number;
  upstreamId: string | null;
  remoteId: string;
  moduleId: number | null;
  status: string;
  expiresOn: string | null;
  licenseKey: string | null;
  ip: string;
  licenseName: string;
}

const CHUNK = 500;
const LOCAL_COLUMNS = ['id', 'upstreamId', 'remoteId', 'moduleId', 'status', 'expiresOn', 'licenseKey', 'ip', 'licenseName'] as const;

export class LicenseSync {
  private readonly history: LicenseHistory;
  private readonly actor: Actor = systemActor('sync');

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly modules: ProcessingModuleService,
    private readonly tasks: TaskService,
    private readonly options: { pageSize: number },
    private readonly logger?: Logger,
  ) {
    this.history = new LicenseHistory(clock);
  }

  async run(): Promise<SyncRun> {
    const modules = await this.db.kysely
      .selectFrom('processingModules')
      .leftJoin('departments', 'departments.id', 'processingModules.departmentId')
      .select(['processingModules.id', 'processingModules.name', 'processingModules.departmentId', 'processingModules.lastError', 'departments.taskLocale'])
      .where('processingModules.moduleType', '=', 'billmanager')
      .where('processingModules.enabled', '=', 1)
      .orderBy('processingModules.id')
      .execute();
    const out: SyncRun = { modules: modules.length, errors: 0, upstream: 0, corrected: 0, orphans: 0, missing: 0 };
    for (const row of modules) {
      const module: Module = { id: Number(row.id), name: row.name, departmentId: row.departmentId === null ? null : Number(row.departmentId), taskLocale: row.taskLocale };
      let list: UpstreamLicense[];
      let complete: boolean;
      try {
        ({ licenses: list, complete } = await (await this.modules.driverFor(module.id)).list());
      } catch (error) {
        out.errors += 1;
        if (isUpstreamError(error)) await this.modules.recordError(module.id, error);
        else this.logger?.error({ err: error, moduleId: module.id }, 'license sync: reading the upstream list failed');
        continue;
      }
      // The account answered: an error stored by an earlier call is over.
      await this.modules.recordCall(module.id, { ok: true }, row.lastError !== null);
      out.upstream += list.length;
      const seen = new Set<string>();
      for (let i = 0; i < list.length; i += CHUNK) {
        const chunk = list.slice(i, i + CHUNK);
        for (const u of chunk) seen.add(u.upstreamId);
        const r = await this.compareChunk(module, chunk);
        out.corrected += r.corrected;
        out.orphans += r.orphans;
      }
      // A list that may be filtered upstream proves no license missing.
      if (complete) out.missing += await this.reportMissing(module, seen);
      else this.logger?.warn({ moduleId: module.id }, 'license sync: the upstream list may be filtered; missing licenses are not reported');
    }
    return out;
  }

  private async compareChunk(module: Module, chunk: UpstreamLicense[]): Promise<{ corrected: number; orphans: number }> {
    const ids = chunk.map((u) => u.upstreamId);
    const remoteIds = chunk.map((u) => u.remoteId).filter((r): r is string => !!r);
    const [byUpstream, byRemote] = await Promise.all([
      this.db.kysely.selectFrom('licenses').select(LOCAL_COLUMNS).where('moduleId', '=', module.id).where('upstreamId', 'in', ids).execute(),
      remoteIds.length ? this.db.kysely.selectFrom('licenses').select(LOCAL_COLUMNS).where('remoteId', 'in', remoteIds).execute() : [],
    ]);
    const upstreamMap = new Map(byUpstream.map((l) => [l.upstreamId!, normalize(l)]));
    const remoteMap = new Map(byRemote.map((l) => [l.remoteId, normalize(l)]));
    const localIds = [...new Set([...upstreamMap.values()].map((l) => l.id))];
    const busy = await this.busyLicenses(localIds);
    const inFlight = await this.ordersInFlight(chunk.filter((u) => !upstreamMap.has(u.upstreamId) && !(u.remoteId && remoteMap.has(u.remoteId))));
    let corrected = 0;
    let orphans = 0;
    for (const u of chunk) {
      const local = upstreamMap.get(u.upstreamId) ?? (u.remoteId ? remoteMap.get(u.remoteId) : undefined);
      if (!local) {
        // Deleted, or (where rows carry no remoteid) an order whose purchase the worker has not confirmed yet.
        if (u.status === 'deleted' || inFlight.has(`${u.ip}\u0000${u.licenseName}`)) continue;
        orphans += 1;
        await this.openTask(module, `drift:orphan:${module.id}:${u.upstreamId}`, null, {
          drift: 'orphan',
          upstreamId: u.upstreamId,
          ip: u.ip,
          licenseName: u.licenseName || null,
          upstreamTariff: u.tariffId,
          upstreamStatus: u.status,
          expiresOn: u.expiresOn,
        });
        continue;
      }
      // Found by remote id but not bound yet: an order in flight, the operations worker adopts it.
      if (local.upstreamId !== u.upstreamId || busy.has(local.id)) continue;
      try {
        if (await this.correct(module, local, u)) corrected += 1;
      } catch (error) {
        this.logger?.error({ err: error, licenseId: local.id }, 'license sync: correcting drift failed');
      }
    }
    return { corrected, orphans };
  }

  /** IP and name of local orders not yet bound to an upstream license, among these unknown rows. */
  private async ordersInFlight(unknown: UpstreamLicense[]): Promise<Set<string>> {
    const ips = [...new Set(unknown.map((u) => u.ip).filter((ip) => ip !== ''))];
    if (!ips.length) return new Set();
    const rows = await this.db.kysely
      .selectFrom('licenses')
      .select(['ip', 'licenseName'])
      .where('upstreamId', 'is', null)
      .where('status', '=', 'processing')
      .where('ip', 'in', ips)
      .execute();
    return new Set(rows.map((r) => `${r.ip}\u0000${r.licenseName}`));
  }

  /** Licenses with an operation under way: the worker is changing them, the sync keeps out. */
  private async busyLicenses(ids: number[]): Promise<Set<number>> {
    if (!ids.length) return new Set();
    const rows = await this.db.kysely
      .selectFrom('operations')
      .select('licenseId')
      .where('licenseId', 'in', ids)
      .where('status', 'in', ['pending', 'running'])
      .execute();
    return new Set(rows.map((r) => Number(r.licenseId)));
  }

  /** Applies expiry, status and key drift (see driftFrom) in one transaction; true when anything changed. */
  private async correct(module: Module, local: Local, u: UpstreamLicense): Promise<boolean> {
    const now = this.clock.now().toISOString();
    const drift = driftFrom(local, u, now, { deleteActive: false });
    if (drift.goneWhileActive) await this.reportGone(module, local, 'deleted');
    if (!drift.events.length) return false;
    return this.db.transaction(async (trx) => {
      const changed = await trx
        .updateTable('licenses')
        .set({ ...drift.patch, updatedAt: now })
        .where('id', '=', local.id)
        .where('status', '=', local.status)
        .where((eb) => (local.expiresOn === null ? eb('expiresOn', 'is', null) : eb('expiresOn', '=', local.expiresOn)))
        .executeTakeFirst();
      if (Number(changed.numUpdatedRows) !== 1) return false; // changed meanwhile: the next sync looks again
      for (const e of drift.events) await this.history.record(trx, this.actor, { licenseId: local.id, ...e });
      return true;
    });
  }

  /** Active licenses of the module with an upstream id the upstream did not list. */
  private async reportMissing(module: Module, seen: Set<string>): Promise<number> {
    // Keyset pages along the (module_id, upstream_id) index.
    let cursor: [string, number] | null = null;
    let missing = 0;
    for (;;) {
      let q = this.db.kysely
        .selectFrom('licenses')
        .select(LOCAL_COLUMNS)
        .where('moduleId', '=', module.id)
        .where('upstreamId', 'is not', null)
        .where('status', '=', 'active');
      if (cursor) {
        const [upstreamId, id] = cursor;
        q = q.where((eb) => eb(eb.refTuple('upstreamId', 'id'), '>', eb.tuple(upstreamId, id)));
      }
      const page = await q.orderBy('upstreamId').orderBy('id').limit(this.options.pageSize).execute();
      if (!page.length) break;
      const last = page[page.length - 1]!;
      cursor = [last.upstreamId!, Number(last.id)];
      const gone = page.map(normalize).filter((l) => !seen.has(l.upstreamId!));
      const busy = await this.busyLicenses(gone.map((l) => l.id));
      for (const local of gone) {
        if (busy.has(local.id)) continue;
        await this.reportGone(module, local, 'missing');
        missing += 1;
      }
      if (page.length < this.options.pageSize) break;
      await yieldToEventLoop();
    }
    return missing;
  }

  private reportGone(module: Module, local: Local, how: 'missing' | 'deleted'): Promise<unknown> {
    return this.openTask(module, `drift:missing:${local.id}`, local.id, {
      drift: 'missing',
      licenseId: local.id,
      licenseName: local.licenseName,
      ip: local.ip,
      upstreamId: local.upstreamId,
      expiresOn: local.expiresOn,
      details: how,
    });
  }

  private openTask(module: Module, causeKey: string, licenseId: number | null, params: Record<string, string | number | null>) {
    return this.db.transaction((trx) =>
      this.tasks.openForCause(trx, {
        type: 'drift',
        causeKey,
        departmentId: module.departmentId,
        licenseId,
        moduleId: module.id,
        params: { ...params, module: pickLocalizedOr(module.name, module.taskLocale ?? 'en') },
      }),
    );
  }
}

function normalize(l: Local): Local {
  return { ...l, id: Number(l.id), moduleId: l.moduleId === null ? null : Number(l.moduleId) };
}
