// What each kind of operation does upstream, and the license change it commits afterwards.
// Handlers call the driver outside any transaction; the engine commits what they return in one.
import type { Selectable, Transaction } from 'kysely';
import type { Database, LicenseTable } from '../../platform/db/schema.js';
import type { HistoryEvent } from '../../licenses/history.js';
import type { OperationKind, OperationPayloads } from '../../licenses/model.js';
import type { LicenseDriver, UpstreamLicense, UpstreamLicenseStatus } from '../../integration/processing-modules/drivers/driver.js';
import type { ClaimedOperation } from './repository.js';

export type LicenseRow = Selectable<LicenseTable>;

/** A failure that needs a person, found by billrelay itself (not an upstream answer). */
export class OperationProblem extends Error {
  override name = 'OperationProblem';
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

export interface HandlerOptions {
  /** How many times the key is read before the operation is put back to wait. */
  keyPolls: number;
  keyPollMs: number;
  /** When the key is still missing: try again after this long. */
  keyWaitMs: number;
}

export interface HandlerContext<K extends OperationKind> {
  op: ClaimedOperation;
  payload: OperationPayloads[K];
  license: LicenseRow;
  driver: LicenseDriver;
  /** A previous attempt may have reached the upstream (a retry, a restart, a crashed worker). */
  doubt: boolean;
  options: HandlerOptions;
  now(): string;
  sleep(ms: number): Promise<void>;
  /** Stores the upstream id now, in its own small transaction (before waiting or giving up on this attempt). */
  persistUpstreamId(upstreamId: string): Promise<void>;
  /** Renews the lease right before spending money upstream; throws when another worker holds it now. */
  holdLease(): Promise<void>;
}

export type History = (e: Omit<HistoryEvent, 'licenseId' | 'operationId'>) => Promise<void>;

export type HandlerResult =
  | { kind: 'done'; result: Record<string, unknown>; apply: (trx: Transaction<Database>, history: History) => Promise<void> }
  | { kind: 'wait'; delayMs: number; message: string };

type Handler<K extends OperationKind> = (ctx: HandlerContext<K>) => Promise<HandlerResult>;

const noChange = (result: Record<string, unknown>): HandlerResult => ({ kind: 'done', result, apply: async () => {} });

function requireUpstreamId(license: LicenseRow): string {
  if (!license.upstreamId) throw new OperationProblem(`License ${license.id} has no upstream license yet`, 'no_upstream_license');
  return license.upstreamId;
}

async function readUpstream(ctx: HandlerContext<OperationKind>, upstreamId: string): Promise<UpstreamLicense> {
  const found = await ctx.driver.getLicense(upstreamId);
  if (!found) throw new OperationProblem(`The upstream does not know license ${upstreamId}`, 'upstream_license_missing');
  return found;
}

async function setStatus(trx: Transaction<Database>, history: History, license: LicenseRow, to: string, now: string, extra: Partial<LicenseRow> = {}) {
  const patch: Partial<LicenseRow> = { ...extra, status: to, updatedAt: now };
  if (to === 'suspended' && license.status !== 'suspended') patch.suspendedAt = now;
  if (to === 'active') patch.suspendedAt = null;
  if (to === 'deleted') patch.deletedAt = now;
  await trx.updateTable('licenses').set(patch).where('id', '=', license.id).execute();
  if (license.status !== to) await history({ event: 'status', from: license.status, to });
}

const open: Handler<'open'> = async (ctx) => {
  const { license, driver, payload } = ctx;
  let upstreamId = license.upstreamId;
  let adopted = false;
  if (!upstreamId && ctx.doubt) {
    // A previous attempt may have bought it: look it up by our remoteid before ordering again.
    const found = await driver.findByRemoteId(license.remoteId);
    if (found && found.status === 'deleted') {
      throw new OperationProblem(`The upstream license ${found.upstreamId} ordered for this license is deleted`, 'upstream_license_deleted');
    }
    if (found) {
      upstreamId = found.upstreamId;
      adopted = true;
      await ctx.persistUpstreamId(upstreamId);
    }
  }
  // A freshly bought id is stored in a commit of its own before anything can keep it waiting (a key
  // still missing, a failed read); when the first read already brings the key, it is stored with the key
  // in the final commit instead: one commit less per purchase, and a crash in between is found again by
  // remoteid like any other doubt.
  let stored = true;
  if (!upstreamId) {
    await ctx.holdLease();
    const ordered = await driver.open({
      tariffId: payload.tariffUpstreamId,
      period: payload.upstreamPeriod,
      ip: payload.ip || license.ip,
      licenseName: payload.licenseName || license.licenseName,
      remoteId: license.remoteId,
    });
    upstreamId = ordered.upstreamId;
    stored = false;
  }
  const bought = upstreamId;
  const store = async () => {
    if (stored) return;
    stored = true;
    await ctx.persistUpstreamId(bought);
  };
  // The key may be empty for a while after ordering: read it a bounded number of times.
  let confirmed: UpstreamLicense | null = null;
  for (let i = 0; i < Math.max(1, ctx.options.keyPolls); i += 1) {
    if (i > 0) {
      await store();
      await ctx.sleep(ctx.options.keyPollMs);
    }
    const read = await driver.getLicense(bought).catch(async (error: unknown) => {
      await store();
      throw error;
    });
    if (read?.licenseKey) {
      confirmed = read;
      break;
    }
  }
  if (!confirmed) {
    await store();
    return { kind: 'wait', delayMs: ctx.options.keyWaitMs, message: `The upstream has not issued the key of license ${bought} yet` };
  }
  const c = confirmed;
  const id = bought;
  return {
    kind: 'done',
    result: { upstreamId: id, expiresOn: c.expiresOn, adopted },
    async apply(trx, history) {
      const now = ctx.now();
      const fresh = await trx.selectFrom('licenses').selectAll().where('id', '=', license.id).executeTakeFirstOrThrow();
      if (fresh.upstreamId === null) await history({ event: 'upstream_id', from: null, to: id });
      const patch: Partial<LicenseRow> = { licenseKey: c.licenseKey, upstreamId: id, moduleId: ctx.op.moduleId, expiresOn: c.expiresOn, updatedAt: now };
      if (fresh.status === 'processing') await setStatus(trx, history, fresh, 'active', now, patch);
      else await trx.updateTable('licenses').set(patch).where('id', '=', license.id).execute();
      await history({ event: 'key', from: null, to: null, message: adopted ? `Adopted upstream license ${id} (found by remoteid)` : `Upstream license ${id} issued` });
      if (fresh.expiresOn !== c.expiresOn) await history({ event: 'expiry', from: fresh.expiresOn, to: c.expiresOn });
    },
  };
};

const prolong: Handler<'prolong'> = async (ctx) => {
  const upstreamId = requireUpstreamId(ctx.license);
  const before = await readUpstream(ctx, upstreamId);
  let expiresOn = before.expiresOn;
  let adopted = false;
  if (before.expiresOn && before.expiresOn >= ctx.payload.expectedExpiry) {
    adopted = true; // already renewed for this period (a lost answer, or renewed elsewhere): never twice
  } else {
    await ctx.holdLease();
    expiresOn = (await ctx.driver.prolong(upstreamId, ctx.payload.upstreamPeriod)).expiresOn;
  }
  const after = await ctx.driver.getLicense(upstreamId);
  if (after?.status === 'suspended') await ctx.driver.resume(upstreamId);
  if (after?.expiresOn) expiresOn = after.expiresOn;
  return {
    kind: 'done',
    result: { upstreamId, expiresOn, adopted },
    async apply(trx, history) {
      const now = ctx.now();
      const fresh = await trx.selectFrom('licenses').selectAll().where('id', '=', ctx.license.id).executeTakeFirstOrThrow();
      if (fresh.status === 'suspended') await setStatus(trx, history, fresh, 'active', now, { expiresOn });
      else await trx.updateTable('licenses').set({ expiresOn, updatedAt: now }).where('id', '=', fresh.id).execute();
      if (fresh.expiresOn !== expiresOn) await history({ event: 'expiry', from: fresh.expiresOn, to: expiresOn, message: adopted ? 'The upstream was already renewed for this period' : null });
    },
  };
};

const suspend: Handler<'suspend'> = async (ctx) => {
  if (ctx.license.upstreamId) {
    const current = await readUpstream(ctx, ctx.license.upstreamId);
    if (current.status !== 'suspended' && current.status !== 'deleted') await ctx.driver.suspend(ctx.license.upstreamId);
  }
  return localStatus(ctx, 'suspended');
};

const resume: Handler<'resume'> = async (ctx) => {
  const upstreamId = requireUpstreamId(ctx.license);
  const current = await readUpstream(ctx, upstreamId);
  if (current.status === 'deleted') throw new OperationProblem(`The upstream license ${upstreamId} is deleted`, 'upstream_license_deleted');
  if (current.status !== 'active') await ctx.driver.resume(upstreamId);
  return localStatus(ctx, 'active');
};

const close: Handler<'close'> = async (ctx) => {
  let upstreamId = ctx.license.upstreamId;
  if (!upstreamId) upstreamId = (await ctx.driver.findByRemoteId(ctx.license.remoteId))?.upstreamId ?? null;
  if (upstreamId) {
    const current = await ctx.driver.getLicense(upstreamId);
    if (current && current.status !== 'deleted') await ctx.driver.close(upstreamId);
  }
  return localStatus(ctx, 'deleted');
};

function localStatus(ctx: HandlerContext<OperationKind>, to: string): HandlerResult {
  return {
    kind: 'done',
    result: { status: to },
    async apply(trx, history) {
      const fresh = await trx.selectFrom('licenses').selectAll().where('id', '=', ctx.license.id).executeTakeFirstOrThrow();
      await setStatus(trx, history, fresh, to, ctx.now());
    },
  };
}

const setParams: Handler<'set_params'> = async (ctx) => {
  const upstreamId = requireUpstreamId(ctx.license);
  const current = await readUpstream(ctx, upstreamId);
  const want: { ip?: string; licenseName?: string } = {};
  if (ctx.payload.ip !== undefined && current.ip !== ctx.payload.ip) want.ip = ctx.payload.ip;
  if (ctx.payload.licenseName !== undefined && current.licenseName !== ctx.payload.licenseName) want.licenseName = ctx.payload.licenseName;
  if (Object.keys(want).length) await ctx.driver.setParams(upstreamId, want);
  return {
    kind: 'done',
    result: { ...want },
    async apply(trx, history) {
      const fresh = await trx.selectFrom('licenses').selectAll().where('id', '=', ctx.license.id).executeTakeFirstOrThrow();
      const patch: Partial<LicenseRow> = { updatedAt: ctx.now() };
      if (ctx.payload.ip !== undefined) patch.ip = ctx.payload.ip;
      if (ctx.payload.licenseName !== undefined) patch.licenseName = ctx.payload.licenseName;
      await trx.updateTable('licenses').set(patch).where('id', '=', fresh.id).execute();
      const ipFrom = ctx.payload.previousIp ?? fresh.ip;
      if (ctx.payload.ip !== undefined && ipFrom !== ctx.payload.ip) await history({ event: 'ip', from: ipFrom, to: ctx.payload.ip });
      const nameFrom = ctx.payload.previousLicenseName ?? fresh.licenseName;
      if (ctx.payload.licenseName !== undefined && nameFrom !== ctx.payload.licenseName) {
        await history({ event: 'license_name', from: nameFrom, to: ctx.payload.licenseName });
      }
    },
  };
};

const newKey: Handler<'new_key'> = async (ctx) => {
  const upstreamId = requireUpstreamId(ctx.license);
  // A second new key after a lost answer costs nothing: there is no money in it.
  let { licenseKey } = await ctx.driver.newKey(upstreamId);
  for (let i = 0; !licenseKey && i < ctx.options.keyPolls; i += 1) {
    await ctx.sleep(ctx.options.keyPollMs);
    licenseKey = (await ctx.driver.getLicense(upstreamId))?.licenseKey ?? null;
  }
  if (!licenseKey) return { kind: 'wait', delayMs: ctx.options.keyWaitMs, message: `The upstream has not issued the new key of license ${upstreamId} yet` };
  const key = licenseKey;
  return {
    kind: 'done',
    result: {},
    async apply(trx, history) {
      await trx.updateTable('licenses').set({ licenseKey: key, updatedAt: ctx.now() }).where('id', '=', ctx.license.id).execute();
      await history({ event: 'key', message: 'New license key issued' });
    },
  };
};

const changeTariff: Handler<'change_tariff'> = async (ctx) => {
  const upstreamId = requireUpstreamId(ctx.license);
  const current = await readUpstream(ctx, upstreamId);
  if (current.tariffId !== ctx.payload.tariffUpstreamId) {
    await ctx.driver.changeTariff(upstreamId, ctx.payload.tariffUpstreamId, ctx.payload.upstreamPeriod);
  }
  return {
    kind: 'done',
    result: { tariffUpstreamId: ctx.payload.tariffUpstreamId },
    async apply(trx, history) {
      const fresh = await trx.selectFrom('licenses').selectAll().where('id', '=', ctx.license.id).executeTakeFirstOrThrow();
      await trx.updateTable('licenses').set({ tariffId: ctx.payload.tariffId, updatedAt: ctx.now() }).where('id', '=', fresh.id).execute();
      if (fresh.tariffId !== ctx.payload.tariffId) await history({ event: 'tariff', from: String(fresh.tariffId), to: String(ctx.payload.tariffId) });
    },
  };
};

const LOCAL_STATUS: Partial<Record<UpstreamLicenseStatus, string>> = { active: 'active', suspended: 'suspended', deleted: 'deleted' };

const sync: Handler<'sync'> = async (ctx) => {
  const upstreamId = requireUpstreamId(ctx.license);
  const current = await readUpstream(ctx, upstreamId);
  return {
    kind: 'done',
    result: { status: current.status, expiresOn: current.expiresOn },
    async apply(trx, history) {
      const now = ctx.now();
      const fresh = await trx.selectFrom('licenses').selectAll().where('id', '=', ctx.license.id).executeTakeFirstOrThrow();
      const patch: Partial<LicenseRow> = {};
      if (current.expiresOn && current.expiresOn !== fresh.expiresOn) {
        patch.expiresOn = current.expiresOn;
        await history({ event: 'expiry', from: fresh.expiresOn, to: current.expiresOn, message: 'Corrected from the upstream' });
      }
      if (current.licenseKey && current.licenseKey !== fresh.licenseKey) {
        patch.licenseKey = current.licenseKey;
        await history({ event: 'key', message: 'Key corrected from the upstream' });
      }
      const status = LOCAL_STATUS[current.status];
      if (status && status !== fresh.status && fresh.status !== 'processing') await setStatus(trx, history, fresh, status, now, patch);
      else if (Object.keys(patch).length) await trx.updateTable('licenses').set({ ...patch, updatedAt: now }).where('id', '=', fresh.id).execute();
    },
  };
};

export const HANDLERS: { [K in OperationKind]: Handler<K> } = {
  open,
  prolong,
  suspend,
  resume,
  close,
  set_params: setParams,
  new_key: newKey,
  change_tariff: changeTariff,
  sync,
};
