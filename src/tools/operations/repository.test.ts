// Claiming under a lease: one holder at a time, takeover after expiry, one operation per license at a time.
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Sandbox } from '../../sandbox/index.js';
import { startUpstream } from '../../../test/support/upstream.js';
import type { ManualClock } from '../../platform/clock.js';
import { useBillrelay } from '../../../test/support/billrelay.js';
import { connectSandboxModule, enqueue, insertLicense, licenseRow, operationRow, tariffAndClient } from '../../../test/support/licenses.js';
import { OperationRepository } from './repository.js';

const t = useBillrelay({ env: { BILLRELAY_WORKER: 'off', BILLRELAY_SCHEDULER: 'off', BILLRELAY_KEY_POLL_MS: '1' } });
let upstream: Sandbox;
let repo: OperationRepository;

beforeAll(async () => {
  upstream = await startUpstream(t());
  repo = new OperationRepository(t().billrelay.db);
});
afterAll(() => upstream.close());

const clock = () => t().clock as ManualClock;
const claim = (owner: string, limit = 10) => repo.claim({ owner, now: clock().now(), leaseMs: 60_000, limit });

async function fresh() {
  const module = await connectSandboxModule(t(), upstream);
  const { tariffId, clientId } = await tariffAndClient(t(), module.id);
  return { module, tariffId, clientId };
}

test('a held lease keeps others away; once it expires another worker takes the operation over', async () => {
  const { tariffId, clientId, module } = await fresh();
  const { operationId } = await insertLicense(t(), { clientId, tariffId });
  const [mine] = (await claim('worker-a')).filter((o) => o.id === operationId);
  expect(mine).toMatchObject({ status: 'running', leaseOwner: 'worker-a', attempts: 1, moduleId: module.id, reclaimed: false });
  expect((await claim('worker-b')).some((o) => o.id === operationId)).toBe(false);

  // Renewing pushes the expiry; a stranger cannot renew it.
  expect(await repo.renewLease(operationId!, 'worker-a', new Date(clock().now().getTime() + 120_000), clock().now())).toBe(true);
  expect(await repo.renewLease(operationId!, 'worker-b', new Date(clock().now().getTime() + 120_000), clock().now())).toBe(false);
  clock().advance(61_000);
  expect((await claim('worker-b')).some((o) => o.id === operationId)).toBe(false);

  clock().advance(60_000);
  const [taken] = (await claim('worker-b')).filter((o) => o.id === operationId);
  expect(taken).toMatchObject({ leaseOwner: 'worker-b', attempts: 2, reclaimed: true });
  // The first worker's late answer is refused.
  const now = clock().now().toISOString();
  expect(await repo.finish(t().billrelay.db.kysely, operationId!, 'worker-a', { status: 'succeeded', now })).toBe(false);
  expect(await repo.finish(t().billrelay.db.kysely, operationId!, 'worker-b', { status: 'pending', nextAttemptAt: now, now })).toBe(true);
});

test('one operation per license at a time, oldest first', async () => {
  const { tariffId, clientId } = await fresh();
  const { licenseId, operationId } = await insertLicense(t(), { clientId, tariffId });
  const later = await enqueue(t(), licenseId, 'suspend', {});
  const first = await claim('worker-a');
  expect(first.map((o) => o.id)).toContain(operationId);
  expect(first.map((o) => o.id)).not.toContain(later.id);
  expect((await claim('worker-b')).map((o) => o.id)).not.toContain(later.id);
  const now = clock().now().toISOString();
  await repo.finish(t().billrelay.db.kysely, operationId!, 'worker-a', { status: 'succeeded', now });
  expect((await claim('worker-b')).map((o) => o.id)).toContain(later.id);
});

test("a module at its limit gets no more operations until one finishes", async () => {
  const module = await connectSandboxModule(t(), upstream, { extra: { operationLimit: 2 } });
  const { tariffId, clientId } = await tariffAndClient(t(), module.id);
  const ids: number[] = [];
  for (let i = 0; i < 4; i += 1) ids.push((await insertLicense(t(), { clientId, tariffId })).operationId!);
  const a = (await claim('worker-a')).filter((o) => ids.includes(o.id));
  const b = (await claim('worker-b')).filter((o) => ids.includes(o.id));
  expect(a).toHaveLength(2);
  expect(b).toHaveLength(0);
  await repo.finish(t().billrelay.db.kysely, a[0]!.id, 'worker-a', { status: 'succeeded', now: clock().now().toISOString() });
  expect((await claim('worker-b')).filter((o) => ids.includes(o.id))).toHaveLength(1);
});

test("a long queue for a module at its limit does not keep another module's operations waiting", async () => {
  // Only this test's operations are waiting.
  await t().billrelay.db.kysely.updateTable('operations').set({ status: 'succeeded', leaseOwner: null }).where('status', 'in', ['pending', 'running']).execute();
  const busy = await connectSandboxModule(t(), upstream, { extra: { operationLimit: 1 } });
  const idle = await connectSandboxModule(t(), upstream);
  const a = await tariffAndClient(t(), busy.id);
  const b = await tariffAndClient(t(), idle.id);
  const queued: number[] = [];
  for (let i = 0; i < 40; i += 1) queued.push((await insertLicense(t(), { clientId: a.clientId, tariffId: a.tariffId })).operationId!);
  const other = await insertLicense(t(), { clientId: b.clientId, tariffId: b.tariffId });
  const rebound = await insertLicense(t(), { clientId: b.clientId, tariffId: b.tariffId, withoutOpen: true });
  const suspend = await enqueue(t(), rebound.licenseId, 'suspend', {});
  await t().billrelay.db.kysely.updateTable('operations').set({ moduleId: idle.id }).where('id', '=', suspend.id).execute();

  const first = await claim('worker-a', 1);
  expect(first.map((o) => o.id)).toEqual([queued[0]]);
  // The busy module is full; the 39 behind it are more than a claim's window, and still the other
  // module's operations (one to be placed by its tariff, one bound to it) are found.
  const next = await claim('worker-a', 5);
  expect(next.map((o) => o.id).sort((x, y) => x - y)).toEqual([other.operationId!, suspend.id].sort((x, y) => x - y));
  expect(next.every((o) => o.moduleId === idle.id)).toBe(true);
  expect(await claim('worker-a', 5)).toEqual([]);
});

test('a worker that lost its lease buys nothing; one that lost it mid-purchase commits nothing, and the new holder adopts the license', async () => {
  const { tariffId, clientId, module } = await fresh();
  const engine = (t().billrelay.worker as unknown as { engine: { run(o: unknown, owner: string): Promise<string> } }).engine;
  const bought = () => upstream.control.purchases().filter((p) => p.account === module.username);
  const takeOver = (id: number) => t().billrelay.db.kysely.updateTable('operations').set({ leaseOwner: 'worker-b' }).where('id', '=', id).execute();

  // Lost before the purchase: the lease is checked right before money is spent.
  const before = await insertLicense(t(), { clientId, tariffId });
  const [early] = (await claim('worker-a')).filter((o) => o.id === before.operationId);
  await takeOver(before.operationId!);
  expect(await engine.run(early, 'worker-a')).toBe('lost');
  expect(bought()).toHaveLength(0);

  // Lost while the upstream was buying.
  const during = await insertLicense(t(), { clientId, tariffId });
  const [op] = (await claim('worker-a')).filter((o) => o.id === during.operationId);
  upstream.control.inject({ func: 'soft.order.param', fault: 'latency', latencyMs: 400, count: 1 });
  const running = engine.run(op, 'worker-a');
  await new Promise((r) => setTimeout(r, 150));
  await takeOver(during.operationId!);
  expect(await running).toBe('lost');
  expect(await operationRow(t(), during.operationId!)).toMatchObject({ status: 'running', leaseOwner: 'worker-b' });
  expect(bought()).toHaveLength(1);
  // The upstream id is a fact about money spent: kept even though the lease was lost.
  expect((await licenseRow(t(), during.licenseId)).upstreamId).toBe(bought()[0]!.licenseId);

  clock().advance(120_000);
  await t().billrelay.worker.runOnce();
  expect(await operationRow(t(), during.operationId!)).toMatchObject({ status: 'succeeded' });
  expect(await operationRow(t(), before.operationId!)).toMatchObject({ status: 'succeeded' });
  expect(bought()).toHaveLength(2);
  expect(new Set(bought().map((p) => p.remoteid))).toEqual(new Set([before.remoteId, during.remoteId]));
  expect(await licenseRow(t(), during.licenseId)).toMatchObject({ status: 'active', upstreamId: bought().find((p) => p.remoteid === during.remoteId)!.licenseId });
});
