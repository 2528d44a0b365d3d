// Worker processes (`billrelay worker`) sharing one database: one killed with SIGKILL mid-purchase, and
// two racing over many operations. Exactly one upstream purchase per license either way.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, expect, test } from 'vitest';
import type { Sandbox } from '../../sandbox/index.js';
import { startUpstream } from '../../../test/support/upstream.js';
import { useBillrelay } from '../../../test/support/billrelay.js';
import { testDatabaseKind } from '../../../test/support/database.js';
import { connectSandboxModule, insertLicense, licenseRow, operationRow, tariffAndClient } from '../../../test/support/licenses.js';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const t = useBillrelay({ env: { BILLRELAY_WORKER: 'off', BILLRELAY_SCHEDULER: 'off' } });
let upstream: Sandbox;
const children: ChildProcess[] = [];

beforeAll(async () => {
  upstream = await startUpstream(t());
});
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});
afterAll(() => upstream.close());

/** `billrelay worker` against the test's database, in its own process. */
function spawnWorker(env: Record<string, string> = {}) {
  const { database } = t();
  const output: string[] = [];
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/cli/main.ts'), 'worker'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      // A suite run under faketime (to prove it does not depend on today's date) moves the worker's clock too.
      ...Object.fromEntries(Object.entries(process.env).filter(([k]) => k === 'LD_PRELOAD' || k.startsWith('FAKETIME'))),
      BILLRELAY_DATA_DIR: database.dataDir,
      ...(database.databaseUrl ? { DATABASE_URL: database.databaseUrl } : {}),
      BILLRELAY_SCHEDULER: 'off',
      BILLRELAY_WEB_DIR: path.join(database.dataDir, 'no-web'),
      BILLRELAY_WORKER_POLL_MS: '50',
      BILLRELAY_KEY_POLL_MS: '20',
      BILLRELAY_OPERATION_LEASE_MS: '1500',
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d: Buffer) => output.push(d.toString()));
  child.stderr!.on('data', (d: Buffer) => output.push(d.toString()));
  children.push(child);
  return { child, output };
}

async function until<T>(what: string, check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 30_000, diagnostics: () => string = () => ''): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}\n${diagnostics()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('a separate worker stays up while idle and still takes new work; SIGTERM ends it cleanly', async () => {
  const module = await connectSandboxModule(t(), upstream);
  const { tariffId, clientId } = await tariffAndClient(t(), module.id);
  const worker = spawnWorker();
  await until('the worker to start', () => worker.output.join('').includes('is running'), 30_000, () => worker.output.join(''));
  // Idle well past the moment an unref'd timer alone let the process end.
  await new Promise((r) => setTimeout(r, 3_000));
  expect(worker.child.exitCode, worker.output.join('')).toBeNull();
  const { licenseId } = await insertLicense(t(), { clientId, tariffId });
  await until('the idle worker to run a new order', async () => (await licenseRow(t(), licenseId)).status === 'active', 30_000, () => worker.output.join(''));
  worker.child.kill('SIGTERM');
  const code = await new Promise((r) => worker.child.once('exit', (c) => r(c)));
  expect(code).toBe(0);
});

test.skipIf(testDatabaseKind !== 'postgres')('on PostgreSQL a separate worker is woken by the commit of a new operation (LISTEN/NOTIFY), not its poll', async () => {
  const module = await connectSandboxModule(t(), upstream);
  const { tariffId, clientId } = await tariffAndClient(t(), module.id);
  const worker = spawnWorker({ BILLRELAY_WORKER_POLL_MS: '60000' });
  await until('the worker to start', () => worker.output.join('').includes('is running'), 30_000, () => worker.output.join(''));
  await new Promise((r) => setTimeout(r, 300));
  // Committed by this process (the test's billrelay, whose own worker is off).
  const { licenseId } = await insertLicense(t(), { clientId, tariffId });
  await until('the woken worker to run the order', async () => (await licenseRow(t(), licenseId)).status === 'active', 15_000, () => worker.output.join(''));
});

test('a worker killed with SIGKILL mid-purchase: another takes the operation over, adopts the license, buys nothing twice', async () => {
  const module = await connectSandboxModule(t(), upstream);
  const { tariffId, clientId } = await tariffAndClient(t(), module.id);
  const { licenseId, operationId, remoteId } = await insertLicense(t(), { clientId, tariffId });
  const purchases = () => upstream.control.purchases().filter((p) => p.account === module.username);
  // The upstream buys, then never answers.
  upstream.control.inject({ func: 'soft.order.param', fault: 'hang-after-commit', count: 1 });

  const first = spawnWorker();
  await until('the first worker to buy', () => purchases().length === 1, 30_000, () => first.output.join(''));
  const running = await operationRow(t(), operationId!);
  expect(running).toMatchObject({ status: 'running', attempts: 1 });
  expect(running.leaseOwner).toMatch(/:\d+:[0-9a-f]+$/);
  first.child.kill('SIGKILL');
  await new Promise((r) => first.child.once('exit', r));

  const second = spawnWorker();
  const done = await until(
    'the second worker to finish the operation',
    async () => {
      const op = await operationRow(t(), operationId!);
      return op.status === 'succeeded' ? op : undefined;
    },
    30_000,
    () => second.output.join(''),
  );
  expect(done.leaseOwner).toBeNull();
  expect(done.attempts).toBe(2);
  expect(JSON.parse(done.result!)).toMatchObject({ adopted: true });
  expect(purchases()).toHaveLength(1);
  expect(purchases()[0]!.remoteid).toBe(remoteId);
  expect(await licenseRow(t(), licenseId)).toMatchObject({ status: 'active', upstreamId: purchases()[0]!.licenseId });
  second.child.kill('SIGTERM');
  await new Promise((r) => second.child.once('exit', r));
});

test.skipIf(testDatabaseKind === 'sqlite')('two worker processes on one PostgreSQL database never run an operation twice', async () => {
  const module = await connectSandboxModule(t(), upstream, { balance: '10000.00', extra: { operationLimit: 8 } });
  const { tariffId, clientId } = await tariffAndClient(t(), module.id);
  const count = 40;
  const ops: number[] = [];
  for (let i = 0; i < count; i += 1) {
    ops.push((await insertLicense(t(), { clientId, tariffId, ip: `203.0.113.${i + 1}`, licenseName: `race${i}` })).operationId!);
  }
  upstream.control.inject({ func: 'soft.order.param', fault: 'latency', latencyMs: 30 });
  try {
    const workers = [spawnWorker(), spawnWorker()];
    await until(
      'every operation to finish',
      async () => {
        const left = await t().billrelay.db.kysely.selectFrom('operations').select('id').where('id', 'in', ops).where('status', '<>', 'succeeded').execute();
        return left.length === 0;
      },
      60_000,
      () => workers.map((w) => w.output.join('')).join('\n---\n'),
    ).catch(async (error: unknown) => {
      const left = await t().billrelay.db.kysely.selectFrom('operations').selectAll().where('id', 'in', ops).where('status', '<>', 'succeeded').execute();
      throw new Error(`${String(error)}\n${JSON.stringify(left.slice(0, 3))}`);
    });
    const purchases = upstream.control.purchases().filter((p) => p.account === module.username);
    expect(purchases).toHaveLength(count);
    expect(new Set(purchases.map((p) => p.remoteid)).size).toBe(count);
    const orders = upstream.control.calls('soft.order.param').filter((c) => c.account === module.username);
    expect(orders).toHaveLength(count);
    const rows = await t().billrelay.db.kysely.selectFrom('operations').select(['attempts']).where('id', 'in', ops).execute();
    expect(rows.every((r) => r.attempts === 1)).toBe(true);
    for (const w of workers) w.child.kill('SIGTERM');
    await Promise.all(workers.map((w) => new Promise((r) => (w.child.exitCode !== null ? r(null) : w.child.once('exit', r)))));
  } finally {
    upstream.control.clear();
  }
}, 90_000);

test('a slow upstream call longer than the lease: the lease is renewed, so no other worker buys the license again', async () => {
  const module = await connectSandboxModule(t(), upstream);
  const { tariffId, clientId } = await tariffAndClient(t(), module.id);
  const { licenseId, operationId } = await insertLicense(t(), { clientId, tariffId });
  const purchases = () => upstream.control.purchases().filter((p) => p.account === module.username);
  // 4 s on the purchase against a 1.5 s lease.
  upstream.control.inject({ func: 'soft.order.param', fault: 'latency', latencyMs: 4_000, count: 1 });
  const workers = [spawnWorker(), spawnWorker()];
  const done = await until(
    'the operation to finish',
    async () => {
      const op = await operationRow(t(), operationId!);
      return op.status === 'succeeded' ? op : undefined;
    },
    30_000,
    () => workers.map((w) => w.output.join('')).join('\n---\n'),
  );
  expect(done.attempts).toBe(1);
  expect(purchases()).toHaveLength(1);
  expect(upstream.control.calls('soft.order.param').filter((c) => c.account === module.username)).toHaveLength(1);
  expect((await licenseRow(t(), licenseId)).status).toBe('active');
  for (const w of workers) w.child.kill('SIGTERM');
  await Promise.all(workers.map((w) => new Promise((r) => (w.child.exitCode !== null ? r(null) : w.child.once('exit', r)))));
}, 60_000);
