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
  return {
    kind: 'done',
    result: { upstreamId: bought, expiresOn: confirmed.expiresOn, adopted },
    apply: OUTCOMES.open(ctx, { upstreamId: bought, licenseKey: confirmed.licenseKey!, expiresOn: confirmed.expiresOn, how: adopted ? 'adopted' : 'issued' }),
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
    apply: OUTCOMES.prolong(ctx, { expiresOn, how: adopted ? 'adopted' : 'renewed' }),
  };
};

const suspend: Handler<'suspend'> = async (ctx) => {
  if (ctx.license.upstreamId) {
    const current = await readUpstream(ctx, ctx.license.upstreamId);
    if (current.status !== 'suspended' && current.status !== 'deleted') await ctx.driver.suspend(ctx.license.upstreamId);
  }
  return { kind: 'done', result: { status: 'suspended' }, apply: OUTCOMES.suspend(ctx, {}) };
};

const resume: Handler<'resume'> = async (ctx) => {
  const upstreamId = requireUpstreamId(ctx.license);
  const current = await readUpstream(ctx, upstreamId);
  if (current.status === 'deleted') throw new OperationProblem(`The upstream license ${upstreamId} is deleted`, 'upstream_license_deleted');
  if (current.status !== 'active') await ctx.driver.resume(upstreamId);
  return { kind: 'done', result: { status: 'active' }, apply: OUTCOMES.resume(ctx, {}) };
};

const close: Handler<'close'> = async (ctx) => {
  let upstreamId = ctx.license.upstreamId;
  if (!upstreamId) upstreamId = (await ctx.driver.findByRemoteId(ctx.license.remoteId))?.upstreamId ?? null;
  if (upstreamId) {
    const current = await ctx.driver.getLicense(upstreamId);
    if (current && current.status !== 'deleted') await ctx.driver.close(upstreamId);
  }
  return { kind: 'done', result: { status: 'deleted' }, apply: OUTCOMES.close(ctx, {}) };
};

const setParams: Handler<'set_params'> = async (ctx) => {
  const upstreamId = requireUpstreamId(ctx.license);
  const current = await readUpstream(ctx, upstreamId);
  const want: { ip?: string; licenseName?: string } = {};
  if (ctx.payload.ip !== undefined && current.ip !== ctx.payload.ip) want.ip = ctx.payload.ip;
  if (ctx.payload.licenseName !== undefined && current.licenseName !== ctx.payload.licenseName) want.licenseName = ctx.payload.licenseName;
  if (Object.keys(want).length) await ctx.driver.setParams(upstreamId, want);
  return { kind: 'done', result: { ...want }, apply: OUTCOMES.set_params(ctx, {}) };
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
  return { kind: 'done', result: {}, apply: OUTCOMES.new_key(ctx, { licenseKey, how: 'issued' }) };
};

const changeTariff: Handler<'change_tariff'> = async (ctx) => {
  const upstreamId = requireUpstreamId(ctx.license);
  const current = await readUpstream(ctx, upstreamId);
  if (current.tariffId !== ctx.payload.tariffUpstreamId) {
    await ctx.driver.changeTariff(upstreamId, ctx.payload.tariffUpstreamId, ctx.payload.upstreamPeriod);
  }
  return { kind: 'done', result: { tariffUpstreamId: ctx.payload.tariffUpstreamId }, apply: OUTCOMES.change_tariff(ctx, {}) };
};

const LOCAL_STATUS: Partial<Record<UpstreamLicenseStatus, string>> = { active: 'active', suspended: 'suspended', deleted: 'deleted' };

const sync: Handler<'sync'> = async (ctx) => {
  const upstreamId = requireUpstreamId(ctx.license);
  const current = await readUpstream(ctx, upstreamId);
  return { kind: 'done', result: { status: current.status, expiresOn: current.expiresOn }, apply: OUTCOMES.sync(ctx, current) };
};

// ---------------------------------------------------------------------------------------------
// What each kind changes here once it is done upstream: by the worker (from the upstream's answers) or
// by a person who did it by hand (from what they enter). One place, so both write the same license
// state and the same history.

/** What an outcome needs of the operation it finishes. */
export interface OutcomeContext<K extends OperationKind> {
  license: LicenseRow;
  op: { moduleId: number | null };
  payload: OperationPayloads[K];
  now(): string;
}

/** The facts an outcome is built from; `how` words the history. */
export interface OutcomeFacts {
  open: { upstreamId: string; licenseKey: string; expiresOn: string | null; how: 'issued' | 'adopted' | 'by_hand' };
  prolong: { expiresOn: string | null; how: 'renewed' | 'adopted' | 'by_hand' };
  suspend: Record<string, never>;
  resume: Record<string, never>;
  close: Record<string, never>;
  set_params: Record<string, never>;
  new_key: { licenseKey: string; how: 'issued' | 'by_hand' };
  change_tariff: Record<string, never>;
  sync: Partial<Pick<UpstreamLicense, 'status' | 'expiresOn' | 'licenseKey'>>;
}

export type Apply = (trx: Transaction<Database>, history: History) => Promise<void>;
type Outcome<K extends OperationKind> = (ctx: OutcomeContext<K>, facts: OutcomeFacts[K]) => Apply;

const fresh = (trx: Transaction<Database>, license: LicenseRow) => trx.selectFrom('licenses').selectAll().where('id', '=', license.id).executeTakeFirstOrThrow();

const toStatus = (to: string): Outcome<'suspend' | 'resume' | 'close'> => (ctx) => async (trx, history) => {
  await setStatus(trx, history, await fresh(trx, ctx.license), to, ctx.now());
};

const OPEN_WORDS = { issued: 'issued', adopted: 'adopted (found by remoteid)', by_hand: 'recorded by hand' } as const;
const PROLONG_WORDS = { renewed: null, adopted: 'The upstream was already renewed for this period', by_hand: 'Renewed by hand' } as const;

/** The outcome of an operation whose kind is known only at run time (a row of the operations table). */
export function outcomeFor(kind: OperationKind, ctx: OutcomeContext<OperationKind>, facts: unknown): Apply {
  return (OUTCOMES[kind] as unknown as Outcome<OperationKind>)(ctx, facts as never);
}

export const OUTCOMES: { [K in OperationKind]: Outcome<K> } = {
  open: (ctx, f) => async (trx, history) => {
    const now = ctx.now();
    const before = await fresh(trx, ctx.license);
    if (before.upstreamId === null) await history({ event: 'upstream_id', from: null, to: f.upstreamId });
    const patch: Partial<LicenseRow> = { licenseKey: f.licenseKey, upstreamId: f.upstreamId, moduleId: ctx.op.moduleId ?? before.moduleId, expiresOn: f.expiresOn, updatedAt: now };
    if (before.status === 'processing') await setStatus(trx, history, before, 'active', now, patch);
    else await trx.updateTable('licenses').set(patch).where('id', '=', before.id).execute();
    await history({ event: 'key', from: null, to: null, message: `Upstream license ${f.upstreamId} ${OPEN_WORDS[f.how]}` });
    if (before.expiresOn !== f.expiresOn) await history({ event: 'expiry', from: before.expiresOn, to: f.expiresOn });
  },
  prolong: (ctx, f) => async (trx, history) => {
    const now = ctx.now();
    const before = await fresh(trx, ctx.license);
    if (before.status === 'suspended') await setStatus(trx, history, before, 'active', now, { expiresOn: f.expiresOn });
    else await trx.updateTable('licenses').set({ expiresOn: f.expiresOn, updatedAt: now }).where('id', '=', before.id).execute();
    if (before.expiresOn !== f.expiresOn) await history({ event: 'expiry', from: before.expiresOn, to: f.expiresOn, message: PROLONG_WORDS[f.how] });
  },
  suspend: toStatus('suspended'),
  resume: toStatus('active'),
  close: toStatus('deleted'),
  set_params: (ctx) => async (trx, history) => {
    const before = await fresh(trx, ctx.license);
    const patch: Partial<LicenseRow> = { updatedAt: ctx.now() };
    if (ctx.payload.ip !== undefined) patch.ip = ctx.payload.ip;
    if (ctx.payload.licenseName !== undefined) patch.licenseName = ctx.payload.licenseName;
    await trx.updateTable('licenses').set(patch).where('id', '=', before.id).execute();
    const ipFrom = ctx.payload.previousIp ?? before.ip;
    if (ctx.payload.ip !== undefined && ipFrom !== ctx.payload.ip) await history({ event: 'ip', from: ipFrom, to: ctx.payload.ip });
    const nameFrom = ctx.payload.previousLicenseName ?? before.licenseName;
    if (ctx.payload.licenseName !== undefined && nameFrom !== ctx.payload.licenseName) {
      await history({ event: 'license_name', from: nameFrom, to: ctx.payload.licenseName });
    }
  },
  new_key: (ctx, f) => async (trx, history) => {
    await trx.updateTable('licenses').set({ licenseKey: f.licenseKey, updatedAt: ctx.now() }).where('id', '=', ctx.license.id).execute();
    await history({ event: 'key', message: f.how === 'by_hand' ? 'New license key recorded by hand' : 'New license key issued' });
  },
  change_tariff: (ctx) => async (trx, history) => {
    const before = await fresh(trx, ctx.license);
    await trx.updateTable('licenses').set({ tariffId: ctx.payload.tariffId, updatedAt: ctx.now() }).where('id', '=', before.id).execute();
    if (before.tariffId !== ctx.payload.tariffId) await history({ event: 'tariff', from: String(before.tariffId), to: String(ctx.payload.tariffId) });
  },
  sync: (ctx, current) => async (trx, history) => {
    const now = ctx.now();
    const before = await fresh(trx, ctx.license);
    const patch: Partial<LicenseRow> = {};
    if (current.expiresOn && current.expiresOn !== before.expiresOn) {
      patch.expiresOn = current.expiresOn;
      await history({ event: 'expiry', from: before.expiresOn, to: current.expiresOn, message: 'Corrected from the upstream' });
    }
    if (current.licenseKey && current.licenseKey !== before.licenseKey) {
      patch.licenseKey = current.licenseKey;
      await history({ event: 'key', message: 'Key corrected from the upstream' });
    }
    const status = current.status ? LOCAL_STATUS[current.status] : undefined;
    if (status && status !== before.status && before.status !== 'processing') await setStatus(trx, history, before, status, now, patch);
    else if (Object.keys(patch).length) await trx.updateTable('licenses').set({ ...patch, updatedAt: now }).where('id', '=', before.id).execute();
  },
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
