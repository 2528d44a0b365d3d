// What must hold after every step of a simulated run (and, for the upstream drift check, whenever
// the run is quiet). Each check reads billrelay's database and the simulator's own record of what it
// did, and returns one plain sentence per violation (an empty list when it holds).
import type { Kysely } from 'kysely';
import type { Database } from '../../src/platform/db/schema.js';
import type { Sandbox } from '../../src/sandbox/index.js';

export interface World {
  db: Kysely<Database>;
  upstream: Sandbox;
  /** billrelay's clock (the simulator reads the same one). */
  now(): Date;
}

type Violations = string[];

const UNFINISHED = ['pending', 'running', 'manual'];
const STATUS_OF_CODE: Record<number, string> = { 1: 'ordered', 2: 'active', 3: 'suspended', 4: 'deleted', 5: 'processing' };

/** Licenses with an operation still to run or waiting for a person, or an open task. */
async function busyLicenses(w: World): Promise<Set<number>> {
  const ops = await w.db.selectFrom('operations').select('licenseId').where('status', 'in', UNFINISHED).execute();
  const tasks = await w.db.selectFrom('tasks').select('licenseId').where('status', '<>', 'done').where('licenseId', 'is not', null).execute();
  return new Set([...ops.map((o) => Number(o.licenseId)), ...tasks.map((t) => Number(t.licenseId))]);
}

/**
 * Each paid order has exactly one upstream license, or its charge was refunded, or work on it is still
 * open (an operation to run, or a task for a person). Never two purchases for one order.
 */
export async function paidOrdersDelivered(w: World): Promise<Violations> {
  const out: Violations = [];
  const charges = await w.db.selectFrom('ledgerEntries').select(['reference', 'clientId']).where('kind', '=', 'charge').where('reference', 'like', 'order:%').execute();
  const refunds = new Set((await w.db.selectFrom('ledgerEntries').select('reference').where('kind', '=', 'refund').execute()).map((r) => r.reference));
  const licenses = new Map((await w.db.selectFrom('licenses').selectAll().execute()).map((l) => [Number(l.id), l]));
  const busy = await busyLicenses(w);
  const purchases = w.upstream.control.purchases();
  for (const charge of charges) {
    const licenseId = Number(charge.reference.slice('order:'.length));
    const license = licenses.get(licenseId);
    if (!license) {
      out.push(`paid order ${charge.reference} has no license row`);
      continue;
    }
    const bought = purchases.filter((p) => p.remoteid === license.remoteId);
    if (bought.length > 1) out.push(`license ${licenseId} (remoteid ${license.remoteId}) was bought upstream ${bought.length} times: ${bought.map((b) => b.licenseId).join(', ')}`);
    const refunded = refunds.has(`refund:license:${licenseId}:${charge.reference}`);
    const delivered = bought.length === 1 && license.upstreamId === bought[0]!.licenseId && license.licenseKey !== null;
    if (!delivered && !refunded && !busy.has(licenseId)) {
      out.push(
        `paid order of license ${licenseId} (status ${license.status}, upstreamId ${license.upstreamId ?? 'none'}, ${bought.length} upstream purchase(s)) ` +
          'has neither its one upstream license, nor a refund, nor open work (operation or task)',
      );
    }
  }
  return out;
}

/** The upstream renewed no license twice from the same expiry (one period paid once upstream). */
export async function renewalsOncePerPeriod(w: World): Promise<Violations> {
  const seen = new Map<string, number>();
  for (const c of w.upstream.control.charges()) {
    if (c.func !== 'service.prolong' || !c.fromExpiry) continue;
    const key = `${c.licenseId}@${c.fromExpiry}`;
    seen.set(key, (seen.get(key) ?? 0) + 1);
  }
  return [...seen].filter(([, n]) => n > 1).map(([key, n]) => `upstream license ${key.replace('@', ' was renewed from ')} ${n} times`);
}

/** Each client's ledger adds up to its balance, each entry's running balance is right, and no balance is below the credit limit. */
export async function ledgerMatchesBalances(w: World): Promise<Violations> {
  const out: Violations = [];
  const clients = await w.db.selectFrom('clients').select(['id', 'balanceMinor', 'creditLimitMinor']).execute();
  const entries = await w.db.selectFrom('ledgerEntries').select(['id', 'clientId', 'amountMinor', 'balanceAfterMinor', 'reference']).orderBy('id').execute();
  const sums = new Map<number, bigint>();
  for (const e of entries) {
    const sum = (sums.get(Number(e.clientId)) ?? 0n) + BigInt(e.amountMinor);
    sums.set(Number(e.clientId), sum);
    if (BigInt(e.balanceAfterMinor) !== sum) out.push(`ledger entry ${e.id} (${e.reference}) of client ${e.clientId} says balance ${e.balanceAfterMinor}, the entries up to it add up to ${sum}`);
  }
  for (const c of clients) {
    const balance = BigInt(c.balanceMinor);
    const sum = sums.get(Number(c.id)) ?? 0n;
    if (balance !== sum) out.push(`client ${c.id}: balance ${balance} but its ledger adds up to ${sum}`);
    if (balance < -BigInt(c.creditLimitMinor)) out.push(`client ${c.id}: balance ${balance} is below its credit limit -${c.creditLimitMinor}`);
  }
  return out;
}

/** No operation is left running past its lease once a worker has looked for work (it would have taken it over). */
export async function noExpiredLeases(w: World): Promise<Violations> {
  const now = w.now().toISOString();
  const stale = await w.db.selectFrom('operations').select(['id', 'kind', 'leaseOwner', 'leaseExpiresAt']).where('status', '=', 'running').where('leaseExpiresAt', '<=', now).execute();
  return stale.map((o) => `operation ${o.id} (${o.kind}) is running past its lease (${o.leaseExpiresAt}, owner ${o.leaseOwner}) after a worker looked for work at ${now}`);
}

/**
 * Every license bought upstream matches it (status, expiry, IP), or has open work (a drift task, an
 * operation, a task). Only meaningful when the run is quiet: after the sync job and the worker ran.
 */
export async function licensesMatchUpstream(w: World): Promise<Violations> {
  const out: Violations = [];
  const busy = await busyLicenses(w);
  const upstream = new Map(w.upstream.control.licenses().map((l) => [l.id, l]));
  const locals = await w.db.selectFrom('licenses').selectAll().where('upstreamId', 'is not', null).where('licenseKey', 'is not', null).execute();
  for (const l of locals) {
    if (busy.has(Number(l.id))) continue;
    const up = upstream.get(l.upstreamId!);
    if (!up) {
      if (l.status !== 'deleted') out.push(`license ${l.id} (${l.status}) names upstream ${l.upstreamId}, which the upstream does not have, and no task says so`);
      continue;
    }
    const upStatus = STATUS_OF_CODE[up.status] ?? String(up.status);
    if (upStatus !== l.status) out.push(`license ${l.id} is ${l.status} here but ${upStatus} upstream (${l.upstreamId}), with no open task or operation`);
    else if (l.status !== 'deleted' && up.expiredate !== l.expiresOn) out.push(`license ${l.id} expires ${l.expiresOn} here but ${up.expiredate} upstream (${l.upstreamId}), with no open task or operation`);
    else if (l.status !== 'deleted' && up.ip !== l.ip) out.push(`license ${l.id} has IP ${l.ip} here but ${up.ip} upstream (${l.upstreamId}), with no open task or operation`);
  }
  return out;
}

/** Every open task's cause still exists: its operation (still waiting for a person), its license, its module. */
export async function taskCausesExist(w: World): Promise<Violations> {
  const out: Violations = [];
  const tasks = await w.db.selectFrom('tasks').select(['id', 'type', 'causeKey', 'licenseId', 'operationId', 'moduleId']).where('status', '<>', 'done').execute();
  for (const t of tasks) {
    const what = `open ${t.type} task ${t.id} (${t.causeKey})`;
    if (t.licenseId !== null && !(await w.db.selectFrom('licenses').select('id').where('id', '=', t.licenseId).executeTakeFirst())) out.push(`${what}: license ${t.licenseId} does not exist`);
    if (t.moduleId !== null && !(await w.db.selectFrom('processingModules').select('id').where('id', '=', t.moduleId).executeTakeFirst())) out.push(`${what}: module ${t.moduleId} does not exist`);
    const opMatch = /^operation:(\d+)$/.exec(t.causeKey);
    if (opMatch) {
      const op = await w.db.selectFrom('operations').select(['id', 'status']).where('id', '=', Number(opMatch[1])).executeTakeFirst();
      if (!op) out.push(`${what}: its operation does not exist`);
      else if (op.status === 'succeeded' || op.status === 'failed') out.push(`${what}: its operation already ended (${op.status})`);
    }
  }
  return out;
}

export type Invariant = (w: World) => Promise<Violations>;

/** Checked after every step. */
export const ALWAYS: Record<string, Invariant> = { paidOrdersDelivered, renewalsOncePerPeriod, ledgerMatchesBalances, taskCausesExist };
/** Checked right after a worker looked for work. */
export const AFTER_WORKER: Record<string, Invariant> = { noExpiredLeases };
/** Checked when the run is quiet (the end). */
export const WHEN_QUIET: Record<string, Invariant> = { licensesMatchUpstream };

export async function check(w: World, invariants: Record<string, Invariant>): Promise<string[]> {
  const out: string[] = [];
  for (const [name, invariant] of Object.entries(invariants)) for (const v of await invariant(w)) out.push(`${name}: ${v}`);
  return out;
}
