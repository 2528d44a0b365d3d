// What each kind of operation does upstream, and the license change it commits afterwards.
// Handlers call the driver outside any transaction; the engine commits what they return in one.
import type { OperationKind, OperationPayloads } from '../../licenses/model.js';
import { OUTCOMES, type Apply, type LicenseRow } from '../../licenses/lifecycle/index.js';
import {
  UpstreamInsufficientFunds,
  type LicenseDriver,
  type OrderLookup,
  type UpstreamLicense,
} from '../../integration/processing-modules/drivers/driver.js';
import type { ClaimedOperation } from './repository.js';

export type { LicenseRow };
export { OUTCOMES, outcomeFor, type History, type OutcomeContext, type OutcomeFacts } from '../../licenses/lifecycle/index.js';

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
  /** The pause before the second read; it doubles before each further one. */
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
  /** Adds facts to the operation's payload in a commit of its own, so a later attempt knows them. */
  remember(facts: Record<string, unknown>): Promise<void>;
  /** What finding a lost order upstream needs (the license's IP, name, tariff, remoteid, day sent). */
  orderLookup(): Promise<OrderLookup>;
}

export type HandlerResult =
  | { kind: 'done'; result: Record<string, unknown>; apply: Apply }
  | { kind: 'wait'; delayMs: number; message: string };

type Handler<K extends OperationKind> = (ctx: HandlerContext<K>) => Promise<HandlerResult>;

/** Before the n-th read again (n ≥ 1): short at first, since the key usually comes at once, then doubling. */
export function keyPause(options: HandlerOptions, n: number): number {
  return options.keyPollMs * 2 ** (n - 1);
}


function requireUpstreamId(license: LicenseRow): string {
  if (!license.upstreamId) throw new OperationProblem(`License ${license.id} has no upstream license yet`, 'no_upstream_license');
  return license.upstreamId;
}

async function readUpstream(ctx: HandlerContext<OperationKind>, upstreamId: string): Promise<UpstreamLicense> {
  const found = await ctx.driver.getLicense(upstreamId);
  if (!found) throw new OperationProblem(`The upstream does not know license ${upstreamId}`, 'upstream_license_missing');
  return found;
}

/**
 * After any doubt, what the upstream holds decides: our license found (adopt it), several that fit (a
 * person), nothing in a complete list (order again, same remoteid), nothing in a list that may be
 * filtered (a person: absence proves nothing there).
 */
async function findLostOrder(ctx: HandlerContext<'open'>): Promise<UpstreamLicense | null> {
  const { license, payload } = ctx;
  const lookup = {
    ...(await ctx.orderLookup()),
    tariffId: payload.tariffUpstreamId,
    ip: payload.ip || license.ip,
    licenseName: payload.licenseName || license.licenseName,
  };
  const result = await ctx.driver.findOrder(lookup);
  switch (result.found) {
    case 'one':
      if (result.license.status === 'deleted') {
        throw new OperationProblem(`The upstream license ${result.license.upstreamId} ordered for this license is deleted`, 'upstream_license_deleted');
      }
      return result.license;
    case 'several':
      throw new OperationProblem(
        `Several upstream licenses fit this order (${result.candidates.map((c) => c.upstreamId).join(', ')}): ` +
          'a person decides which one is ours; nothing more is bought',
        'upstream_order_ambiguous',
      );
    case 'unknown':
      throw new OperationProblem(`Cannot tell whether the lost order reached the upstream: ${result.reason}`, 'upstream_list_incomplete');
    case 'none':
      return null;
  }
}

const open: Handler<'open'> = async (ctx) => {
  const { license, driver, payload } = ctx;
  let upstreamId = license.upstreamId;
  let adopted = false;
  if (!upstreamId && ctx.doubt) {
    const found = await findLostOrder(ctx);
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
  let last: UpstreamLicense | null = null;
  for (let i = 0; i < Math.max(1, ctx.options.keyPolls); i += 1) {
    if (i > 0) {
      await store();
      await ctx.sleep(keyPause(ctx.options, i));
    }
    last = await driver.getLicense(bought).catch(async (error: unknown) => {
      await store();
      throw error;
    });
    if (last?.licenseKey) {
      confirmed = last;
      break;
    }
  }
  if (!confirmed) {
    await store();
    // Accepted but never paid (too little upstream balance with skipbasket): no key will ever come.
    if (last?.status === 'ordered') {
      throw new UpstreamInsufficientFunds({
        func: 'soft.order.param',
        upstreamMessage: `license ${bought} was ordered but is still unpaid upstream: top up the upstream balance and pay it there, then restart`,
      });
    }
    return { kind: 'wait', delayMs: ctx.options.keyWaitMs, message: `The upstream has not issued the key of license ${bought} yet` };
  }
  return {
    kind: 'done',
    result: { upstreamId: bought, expiresOn: confirmed.expiresOn, adopted },
    apply: OUTCOMES.open(ctx, { upstreamId: bought, licenseKey: confirmed.licenseKey!, expiresOn: confirmed.expiresOn, how: adopted ? 'adopted' : 'issued' }),
  };
};

/**
 * Whether a renewal happened is read from what changed upstream: the expiry read right before the
 * renewal was sent is stored first, and after any doubt a different expiry means it went through
 * (the upstream renews a license that is not active from today, so "below what we expected" proves
 * nothing). Only an unchanged expiry allows sending it again.
 */
const prolong: Handler<'prolong'> = async (ctx) => {
  const upstreamId = requireUpstreamId(ctx.license);
  const before = await readUpstream(ctx, upstreamId);
  const sentFrom = ctx.payload.upstreamExpiryBeforeSend;
  const alreadyDone = sentFrom !== undefined && before.expiresOn !== sentFrom;
  const from = alreadyDone ? sentFrom : before.expiresOn;
  if (!alreadyDone) {
    // A suspended license is renewed upstream from today, losing the time it has left (or gaining
    // nothing when today plus the period is its expiry): with time left it is resumed first, so the
    // renewal continues from its expiry; one staff suspended is suspended again below.
    if (before.status === 'suspended' && before.expiresOn !== null && before.expiresOn > ctx.now().slice(0, 10)) {
      await ctx.driver.resume(upstreamId);
    }
    await ctx.remember({ upstreamExpiryBeforeSend: before.expiresOn });
    await ctx.holdLease();
    await ctx.driver.prolong(upstreamId, ctx.payload.upstreamPeriod);
  }
  const after = await readUpstream(ctx, upstreamId);
  if (!after.expiresOn || (from !== null && after.expiresOn <= from)) {
    throw new OperationProblem(
      `The upstream took the renewal of license ${upstreamId} but its expiry did not move (${from ?? 'none'} → ${after.expiresOn ?? 'none'}): check it upstream`,
      'renewal_not_extended',
    );
  }
  // A paid renewal resumes a license suspended for non-payment, as in BILLmanager; one suspended by
  // staff stays suspended (the upstream may have resumed it with the renewal: suspend it again).
  if (ctx.license.suspendedBy === 'staff') {
    if (after.status === 'active') await ctx.driver.suspend(upstreamId);
  } else if (after.status === 'suspended') {
    await ctx.driver.resume(upstreamId);
  }
  const expiresOn = after.expiresOn;
  const adopted = alreadyDone;
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

/** A license deleted before its purchase was confirmed: whatever the order left upstream is closed too. */
async function findUnboundForClose(ctx: HandlerContext<'close'>): Promise<string | null> {
  const result = await ctx.driver.findOrder(await ctx.orderLookup());
  switch (result.found) {
    case 'one':
      return result.license.upstreamId;
    case 'none':
      return null;
    case 'several':
      throw new OperationProblem(
        `Several upstream licenses fit the deleted order (${result.candidates.map((c) => c.upstreamId).join(', ')}): close ours by hand`,
        'upstream_order_ambiguous',
      );
    case 'unknown':
      throw new OperationProblem(`Cannot tell whether the deleted order reached the upstream: ${result.reason}`, 'upstream_list_incomplete');
  }
}

const close: Handler<'close'> = async (ctx) => {
  let upstreamId = ctx.license.upstreamId;
  if (!upstreamId) upstreamId = await findUnboundForClose(ctx);
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
  if (Object.keys(want).length) await ctx.driver.setParams(upstreamId, want, ctx.license.remoteId);
  return { kind: 'done', result: { ...want }, apply: OUTCOMES.set_params(ctx, {}) };
};

const newKey: Handler<'new_key'> = async (ctx) => {
  const upstreamId = requireUpstreamId(ctx.license);
  // A second new key after a lost answer costs nothing: there is no money in it.
  let { licenseKey } = await ctx.driver.newKey(upstreamId, ctx.license.remoteId);
  for (let i = 0; !licenseKey && i < ctx.options.keyPolls; i += 1) {
    await ctx.sleep(keyPause(ctx.options, i + 1));
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

const sync: Handler<'sync'> = async (ctx) => {
  const upstreamId = requireUpstreamId(ctx.license);
  const current = await readUpstream(ctx, upstreamId);
  return { kind: 'done', result: { status: current.status, expiresOn: current.expiresOn }, apply: OUTCOMES.sync(ctx, current) };
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
