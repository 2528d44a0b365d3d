// The license's side of every operation: what each kind changes here once it is done upstream, by the
// worker (from the upstream's answers) or by a person who did it by hand (from what they enter). One
// place, so both write the same license state and the same history.
import type { Transaction } from 'kysely';
import type { Database } from '../../platform/db/schema.js';
import type { UpstreamLicense } from '../../integration/processing-modules/drivers/driver.js';
import type { HistoryEvent } from '../history.js';
import type { OperationKind, OperationPayloads } from '../model.js';
import { driftFrom } from './drift.js';
import { statusPatch, type LicenseRow, type SuspensionCause } from './status.js';

/** Collects a change's history; the caller writes it in one statement after the change. */
export type History = (e: Omit<HistoryEvent, 'licenseId' | 'operationId'>) => Promise<void>;

/** Moves the license to `to` with what goes with it, and says so in its history. */
export async function setStatus(trx: Transaction<Database>, history: History, license: LicenseRow, to: string, now: string, extra: Partial<LicenseRow> = {}, cause?: SuspensionCause) {
  await trx.updateTable('licenses').set({ ...extra, ...statusPatch(license, to, now, cause) }).where('id', '=', license.id).execute();
  if (license.status !== to) await history({ event: 'status', from: license.status, to });
}

/**
 * A purchase's upstream id, stored as soon as it is known (money was spent for it), once: false when
 * the license already has one.
 */
export async function bindUpstreamId(trx: Transaction<Database>, history: History, license: Pick<LicenseRow, 'id'>, upstreamId: string, moduleId: number | null, now: string): Promise<boolean> {
  const updated = await trx
    .updateTable('licenses')
    .set({ upstreamId, moduleId, updatedAt: now })
    .where('id', '=', license.id)
    .where('upstreamId', 'is', null)
    .executeTakeFirst();
  if (Number(updated.numUpdatedRows) === 0) return false;
  await history({ event: 'upstream_id', from: null, to: upstreamId });
  return true;
}

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

const OPEN_WORDS = { issued: 'issued', adopted: 'adopted (found again after a lost answer)', by_hand: 'recorded by hand' } as const;
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
    if (before.status === 'suspended' && before.suspendedBy !== 'staff') await setStatus(trx, history, before, 'active', now, { expiresOn: f.expiresOn });
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
    const drift = driftFrom(before, current, now, { deleteActive: true });
    if (!drift.events.length) return;
    await trx.updateTable('licenses').set({ ...drift.patch, updatedAt: now }).where('id', '=', before.id).execute();
    for (const e of drift.events) await history(e);
  },
};

