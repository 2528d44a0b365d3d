// Running operations against the upstream simulator, with its fault injection, on SQLite and PostgreSQL.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Sandbox } from '../../sandbox/index.js';
import { startUpstream } from '../../../test/support/upstream.js';
import { addMonths } from '../../sandbox/dates.js';
import type { ManualClock } from '../../platform/clock.js';
import { useBillrelay } from '../../../test/support/billrelay.js';
import { connectSandboxModule, enqueue, insertLicense, licenseRow, operationRow, tariffAndClient, tasksOf, drain as drainOperation, OPERATIONS_TEST_ENV } from '../../../test/support/licenses.js';

const t = useBillrelay({
  env: OPERATIONS_TEST_ENV,
});
let upstream: Sandbox;
let clientId: number;

beforeAll(async () => {
  upstream = await startUpstream(t());
});
afterAll(() => upstream.close());

const clock = () => t().clock as ManualClock;
const worker = () => t().billrelay.worker;

/** A module on its own upstream account (so purchases can be counted per test) and a tariff on it. */
async function setup(options: { balance?: string; operationLimit?: number; manual?: boolean; departmentId?: number } = {}) {
  const module = options.manual
    ? await (async () => {
        const answer = await t().admin.post('/api/v1/processing-modules', { productType: 'licenses', moduleType: 'manual', name: { en: 'By hand' } });
        expect(answer.status, JSON.stringify(answer.body)).toBe(201);
        return { ...(answer.body as { id: number; departmentId: number | null }), username: '' };
      })()
    : await connectSandboxModule(t(), upstream, {
        balance: options.balance,
        extra: {
          ...(options.operationLimit ? { operationLimit: options.operationLimit } : {}),
          ...(options.departmentId ? { departmentId: options.departmentId } : {}),
        },
      });
  const tariffModule = options.manual ? await connectSandboxModule(t(), upstream) : module;
  const made = await tariffAndClient(t(), tariffModule.id);
  const tariff = { id: made.tariffId };
  clientId = made.clientId;
  if (options.manual) {
    // The tariff served by the manual module only.
    await t().billrelay.db.kysely.updateTable('tariffModules').set({ processingModuleId: module.id }).where('tariffId', '=', tariff.id).execute();
  }
  const purchases = () => upstream.control.purchases().filter((p) => p.account === module.username);
  return { module, tariff, purchases };
}

/** The shared drain (test/support/licenses.ts) on this file's billrelay. */
const drain = (operationId: number, rounds?: number) => drainOperation(t(), operationId, rounds);

describe('open', () => {
  test('buys the license once; it becomes active with its key and expiry only after the upstream confirmed it', async () => {
    const { tariff, purchases, module } = await setup();
    const { licenseId, operationId, remoteId } = await insertLicense(t(), { clientId, tariffId: tariff.id });
    expect((await licenseRow(t(), licenseId)).status).toBe('processing');
    const op = await drain(operationId!);
    expect(op).toMatchObject({ status: 'succeeded', attempts: 1, moduleId: module.id, leaseOwner: null });
    const license = await licenseRow(t(), licenseId);
    const upstreamLicense = upstream.control.licenses().find((l) => l.remoteid === remoteId)!;
    expect(license).toMatchObject({ status: 'active', upstreamId: upstreamLicense.id, moduleId: module.id, licenseKey: upstreamLicense.key, expiresOn: upstreamLicense.expiredate });
    expect(license.licenseKey).toBeTruthy();
    expect(purchases()).toHaveLength(1);
    const history = await t().billrelay.db.kysely.selectFrom('licenseHistory').selectAll().where('licenseId', '=', licenseId).execute();
    expect(history).toEqual(expect.arrayContaining([
      expect.objectContaining({ event: 'status', fromValue: 'processing', toValue: 'active', operationId, actorLabel: 'operations' }),
      expect.objectContaining({ event: 'upstream_id', toValue: upstreamLicense.id }),
    ]));
  });

  test.each(['drop-after-commit', 'hang-after-commit'] as const)('%s on soft.order.param: exactly one license bought, adopted by remoteid', async (fault) => {
    const { tariff, purchases } = await setup();
    const { licenseId, operationId, remoteId } = await insertLicense(t(), { clientId, tariffId: tariff.id });
    upstream.control.inject({ func: 'soft.order.param', fault, count: 1 });
    const op = await drain(operationId!);
    expect(op.status).toBe('succeeded');
    expect(JSON.parse(op.result!)).toMatchObject({ adopted: true });
    expect(purchases()).toHaveLength(1);
    expect(purchases()[0]!.remoteid).toBe(remoteId);
    expect(await licenseRow(t(), licenseId)).toMatchObject({ status: 'active', upstreamId: purchases()[0]!.licenseId });
  });

  test.each(['timeout', 'http-500', 'reset'] as const)('%s on soft.order.param (nothing bought) is retried and buys once', async (fault) => {
    const { tariff, purchases } = await setup();
    const { licenseId, operationId } = await insertLicense(t(), { clientId, tariffId: tariff.id });
    upstream.control.inject({ func: 'soft.order.param', fault, count: 2 });
    const op = await drain(operationId!);
    expect(op).toMatchObject({ status: 'succeeded', attempts: 3 });
    expect(JSON.parse(op.result!)).toMatchObject({ adopted: false });
    expect(purchases()).toHaveLength(1);
    expect((await licenseRow(t(), licenseId)).status).toBe('active');
  });

  test('5xx and resets on the key reads are retried too', async () => {
    const { tariff, purchases } = await setup();
    const { licenseId, operationId } = await insertLicense(t(), { clientId, tariffId: tariff.id });
    upstream.control.inject({ func: 'soft.edit', fault: 'http-500', count: 3 });
    upstream.control.inject({ func: 'soft', fault: 'reset', count: 2 });
    await worker().runOnce();
    // The purchase went through and its key read failed: the upstream id is kept before the retry waits.
    expect(await operationRow(t(), operationId!)).toMatchObject({ status: 'pending' });
    expect((await licenseRow(t(), licenseId)).upstreamId).toBe(purchases()[0]!.licenseId);
    const op = await drain(operationId!);
    expect(op.status).toBe('succeeded');
    expect(purchases()).toHaveLength(1);
    expect((await licenseRow(t(), licenseId)).status).toBe('active');
  });

  test('a key that is slow to come: the license stays processing, the operation waits, the next attempt only reads', async () => {
    const { tariff, purchases } = await setup();
    upstream.control.configure({ keyDelay: { reads: 5 } });
    try {
      const { licenseId, operationId } = await insertLicense(t(), { clientId, tariffId: tariff.id });
      await worker().runOnce();
      expect(await operationRow(t(), operationId!)).toMatchObject({ status: 'pending', lastErrorCode: 'waiting' });
      expect(await licenseRow(t(), licenseId)).toMatchObject({ status: 'processing', licenseKey: null });
      expect((await licenseRow(t(), licenseId)).upstreamId).toBeTruthy();
      const op = await drain(operationId!);
      expect(op.status).toBe('succeeded');
      expect(purchases()).toHaveLength(1);
      expect(upstream.control.calls('soft.order.param').filter((c) => c.account === purchases()[0]!.account)).toHaveLength(1);
      expect((await licenseRow(t(), licenseId)).status).toBe('active');
    } finally {
      upstream.control.configure({ keyDelay: { reads: 1 } });
    }
  });

  test('insufficient upstream funds: manual and exactly one task; a restart after topping up succeeds', async () => {
    const departments = await t().admin.get('/api/v1/departments');
    const department = (departments.body.items as { id: number }[]).at(-1)!;
    const { tariff, purchases, module } = await setup({ balance: '1.00', departmentId: department.id });
    expect(module.departmentId).toBe(department.id);
    const { licenseId, operationId } = await insertLicense(t(), { clientId, tariffId: tariff.id });
    for (let i = 0; i < 4; i += 1) {
      await worker().runOnce();
      clock().advance(600_000);
    }
    const op = await operationRow(t(), operationId!);
    expect(op).toMatchObject({ status: 'manual', attempts: 1 });
    expect(op.lastError).toMatch(/balance|funds/i);
    const tasks = await tasksOf(t(), operationId!);
    expect(tasks).toHaveLength(1);
    expect(tasks[0]).toMatchObject({ type: 'setup', causeKey: `operation:${operationId}`, licenseId, moduleId: module.id, departmentId: module.departmentId });
    expect(purchases()).toHaveLength(0);
    expect((await licenseRow(t(), licenseId)).status).toBe('processing');
    const moduleRow = await t().billrelay.db.kysely.selectFrom('processingModules').select(['lastError']).where('id', '=', module.id).executeTakeFirstOrThrow();
    expect(moduleRow.lastError).toBeTruthy();

    // A restart of an operation that is not manual is refused.
    upstream.control.upsertAccount({ username: module.username, balance: '1000.00' });
    const restarted = await t().admin.post(`/api/v1/operations/${operationId}/restart`);
    expect(restarted.status, JSON.stringify(restarted.body)).toBe(200);
    expect(restarted.body).toMatchObject({ status: 'pending', attemptsAtRestart: 1 });
    expect((await t().admin.post(`/api/v1/operations/${operationId}/restart`)).status).toBe(409);
    const done = await drain(operationId!);
    expect(done).toMatchObject({ status: 'succeeded', attempts: 2 });
    expect(purchases()).toHaveLength(1);
    expect((await licenseRow(t(), licenseId)).status).toBe('active');
    expect(await tasksOf(t(), operationId!)).toHaveLength(1);
  });

  test('a permanent upstream refusal (value) goes to a person at once', async () => {
    const { tariff, purchases } = await setup();
    const { operationId } = await insertLicense(t(), { clientId, tariffId: tariff.id });
    upstream.control.inject({ func: 'soft.order.param', fault: { error: { type: 'value', object: 'ip', msg: 'The IP address is not allowed' } }, count: 1 });
    const op = await drain(operationId!);
    expect(op).toMatchObject({ status: 'manual', attempts: 1, lastErrorCode: 'upstream_value' });
    expect(await tasksOf(t(), operationId!)).toHaveLength(1);
    expect(purchases()).toHaveLength(0);
  });

  test('transient failures that never stop go to a person after the retry limit, with one task', async () => {
    const { tariff, purchases } = await setup();
    const { operationId } = await insertLicense(t(), { clientId, tariffId: tariff.id });
    upstream.control.inject({ func: 'soft.order.param', fault: 'http-500', count: 100 });
    try {
      const op = await drain(operationId!, 30);
      expect(op).toMatchObject({ status: 'manual', attempts: 8, lastErrorCode: 'upstream_unreachable' });
      expect(await tasksOf(t(), operationId!)).toHaveLength(1);
      expect(purchases()).toHaveLength(0);
    } finally {
      upstream.control.clear();
    }
  });

  test('a manual processing module: manual and a task at once, nothing bought', async () => {
    const { tariff, module } = await setup({ manual: true });
    const { operationId } = await insertLicense(t(), { clientId, tariffId: tariff.id });
    const op = await drain(operationId!);
    expect(op).toMatchObject({ status: 'manual', moduleId: module.id, lastErrorCode: 'manual_module' });
    expect(await tasksOf(t(), operationId!)).toHaveLength(1);
  });

  test("a module's operation limit is never exceeded", async () => {
    const { tariff, purchases, module } = await setup({ operationLimit: 2 });
    const ops = [];
    for (let i = 0; i < 7; i += 1) ops.push((await insertLicense(t(), { clientId, tariffId: tariff.id })).operationId!);
    upstream.control.inject({ func: 'soft.order.param', fault: 'latency', latencyMs: 150, count: 7 });
    let maxRunning = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const { n } = await t().billrelay.db.kysely
          .selectFrom('operations')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('moduleId', '=', module.id)
          .where('status', '=', 'running')
          .executeTakeFirstOrThrow();
        maxRunning = Math.max(maxRunning, Number(n));
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
    await worker().runOnce();
    sampling = false;
    await sampler;
    expect(maxRunning).toBeGreaterThan(0);
    expect(maxRunning).toBeLessThanOrEqual(2);
    // On a loaded machine a slow purchase can outlive the test's short read timeout; it is then resolved
    // by what the upstream holds on the next round, never bought again.
    for (const id of ops) expect(await drain(id)).toMatchObject({ status: 'succeeded' });
    expect(purchases()).toHaveLength(7);
  });
});

describe("a module's status is its last call's", () => {
  const status = async (moduleId: number) => {
    const answer = await t().admin.get(`/api/v1/processing-modules/${moduleId}`);
    expect(answer.status).toBe(200);
    return { status: answer.body.status as string, code: (answer.body.lastError?.code ?? null) as string | null };
  };

  test('one order refused (a value) leaves it enabled; a refused login marks it; the next operation that goes through clears it', async () => {
    const { tariff, module } = await setup();
    const refused = await insertLicense(t(), { clientId, tariffId: tariff.id });
    upstream.control.inject({ func: 'soft.order.param', fault: { error: { type: 'value', object: 'ip', msg: 'The IP address is not allowed' } }, count: 1 });
    expect(await drain(refused.operationId!)).toMatchObject({ status: 'manual', lastErrorCode: 'upstream_value' });
    // About that order only: the module still works, and nobody has to check its balance to say so.
    expect(await status(module.id)).toEqual({ status: 'enabled', code: null });
    const next = await insertLicense(t(), { clientId, tariffId: tariff.id });
    expect(await drain(next.operationId!)).toMatchObject({ status: 'succeeded' });
    expect(await status(module.id)).toEqual({ status: 'enabled', code: null });

    // The account itself fails: the module is in error.
    upstream.control.upsertAccount({ username: module.username, password: 'changed-elsewhere' });
    const locked = await insertLicense(t(), { clientId, tariffId: tariff.id });
    expect(await drain(locked.operationId!)).toMatchObject({ status: 'manual', lastErrorCode: 'upstream_auth' });
    expect(await status(module.id)).toEqual({ status: 'error', code: 'upstream_auth' });

    // Fixed upstream: the first operation through the module clears it, without a balance check.
    upstream.control.upsertAccount({ username: module.username, password: 'partner-password' });
    expect((await t().admin.post(`/api/v1/operations/${locked.operationId}/restart`)).status).toBe(200);
    expect(await drain(locked.operationId!)).toMatchObject({ status: 'succeeded' });
    expect(await status(module.id)).toEqual({ status: 'enabled', code: null });
  });

  test('an unreachable upstream marks it while the operation is still retried', async () => {
    const { tariff, module } = await setup();
    const { operationId } = await insertLicense(t(), { clientId, tariffId: tariff.id });
    upstream.control.inject({ func: 'soft.order.param', fault: 'http-500', count: 1 });
    await worker().runOnce();
    expect(await operationRow(t(), operationId!)).toMatchObject({ status: 'pending', lastErrorCode: 'upstream_unreachable' });
    expect(await status(module.id)).toEqual({ status: 'error', code: 'upstream_unreachable' });
    expect(await drain(operationId!)).toMatchObject({ status: 'succeeded' });
    expect(await status(module.id)).toEqual({ status: 'enabled', code: null });
  });
});

describe('prolong and the other kinds', () => {
  async function activeLicense() {
    const s = await setup();
    const { licenseId, operationId } = await insertLicense(t(), { clientId, tariffId: s.tariff.id });
    expect((await drain(operationId!)).status).toBe('succeeded');
    return { ...s, licenseId, license: await licenseRow(t(), licenseId) };
  }

  test('drop-after-commit on service.prolong: exactly one renewal applied', async () => {
    const { licenseId, license, module } = await activeLicense();
    const expectedExpiry = addMonths(license.expiresOn!, 12);
    const { id } = await enqueue(t(), licenseId, 'prolong', { months: 12, upstreamPeriod: 12, periodStart: license.expiresOn!, expectedExpiry }, `prolong:${licenseId}:${license.expiresOn}`);
    upstream.control.inject({ func: 'service.prolong', fault: 'drop-after-commit', count: 1 });
    const op = await drain(id);
    expect(op.status).toBe('succeeded');
    expect(JSON.parse(op.result!)).toMatchObject({ adopted: true, expiresOn: expectedExpiry });
    const renewals = upstream.control.charges().filter((c) => c.func === 'service.prolong' && c.account === module.username);
    expect(renewals).toHaveLength(1);
    expect(await licenseRow(t(), licenseId)).toMatchObject({ status: 'active', expiresOn: expectedExpiry });
    // The same period enqueued again is the same operation: never a second renewal.
    const again = await enqueue(t(), licenseId, 'prolong', { months: 12, upstreamPeriod: 12, periodStart: license.expiresOn!, expectedExpiry }, `prolong:${licenseId}:${license.expiresOn}`);
    expect(again).toEqual({ id, created: false });
  });

  test('suspend, resume, set params, new key, sync and close', async () => {
    const { licenseId, license } = await activeLicense();
    const run = async (kind: Parameters<typeof enqueue>[2], payload: object) => {
      const { id } = await enqueue(t(), licenseId, kind, payload as never);
      const op = await drain(id);
      expect(op.status, `${kind}: ${op.lastError}`).toBe('succeeded');
      return licenseRow(t(), licenseId);
    };
    const upstreamOf = () => upstream.control.licenses().find((l) => l.id === license.upstreamId)!;
    expect(await run('suspend', {})).toMatchObject({ status: 'suspended' });
    expect(upstreamOf().status).toBe(3);
    // Already suspended upstream: done without a second call.
    const suspends = upstream.control.calls('soft.suspend').length;
    expect(await run('suspend', {})).toMatchObject({ status: 'suspended' });
    expect(upstream.control.calls('soft.suspend')).toHaveLength(suspends);
    expect(await run('resume', {})).toMatchObject({ status: 'active', suspendedAt: null });
    expect(upstreamOf().status).toBe(2);
    expect(await run('set_params', { ip: '198.51.100.200', previousIp: license.ip })).toMatchObject({ ip: '198.51.100.200' });
    expect(upstreamOf().ip).toBe('198.51.100.200');
    const renewed = await run('new_key', {});
    expect(renewed.licenseKey).toBe(upstreamOf().key);
    expect(renewed.licenseKey).not.toBe(license.licenseKey);
    upstream.control.shiftDays(0);
    expect(await run('sync', {})).toMatchObject({ status: 'active', expiresOn: upstreamOf().expiredate });
    expect(await run('close', {})).toMatchObject({ status: 'deleted' });
    expect(upstreamOf().status).toBe(4);

    // Once deleted, nothing reaches the upstream for it any more: a prolong that slipped through goes to a person.
    const charges = upstream.control.charges().length;
    const expectedExpiry = addMonths(renewed.expiresOn!, 12);
    const { id } = await enqueue(t(), licenseId, 'prolong', { months: 12, upstreamPeriod: 12, periodStart: renewed.expiresOn!, expectedExpiry });
    expect(await drain(id)).toMatchObject({ status: 'manual', lastErrorCode: 'license_deleted' });
    expect(upstream.control.charges()).toHaveLength(charges);
    expect(upstream.control.calls('service.prolong').filter((c) => c.account === upstreamOf().owner)).toHaveLength(0);
  });
});

describe('a manual processing module is a driver like any other', () => {
  // Whatever an operation asks its driver first (a read, a lookup of a lost order, a write), the manual
  // driver refuses, and the operation goes to a person.
  const active = { status: 'active', upstreamId: 'manual-1', expiresOn: '2031-01-01', licenseKey: 'KEY-MANUAL' };
  let manual: Awaited<ReturnType<typeof setup>>;
  let owner: number;
  beforeAll(async () => {
    manual = await setup({ manual: true });
    owner = clientId;
  });

  /** Runs the operation; it must be a person's at once, from the manual module, with nothing sent upstream. */
  async function expectHandedToAPerson(operationId: number, attempts = 1) {
    const calls = upstream.control.calls().length;
    const op = await drain(operationId);
    expect(op, op.lastError ?? '').toMatchObject({ status: 'manual', attempts, moduleId: manual.module.id, lastErrorCode: 'manual_module' });
    expect(await tasksOf(t(), operationId)).toHaveLength(1);
    expect(upstream.control.calls()).toHaveLength(calls);
  }

  test.each([
    ['open (driver.open first)', {}],
    ['open of a license already bought (driver.getLicense first)', { upstreamId: 'manual-0' }],
  ])('%s', async (_, columns) => {
    const { operationId } = await insertLicense(t(), { clientId: owner, tariffId: manual.tariff.id, columns });
    await expectHandedToAPerson(operationId!);
  });

  test('a restarted open, in doubt whether it was bought (driver.findOrder first)', async () => {
    const { operationId } = await insertLicense(t(), { clientId: owner, tariffId: manual.tariff.id });
    await expectHandedToAPerson(operationId!);
    expect((await t().admin.post(`/api/v1/operations/${operationId}/restart`)).status).toBe(200);
    await expectHandedToAPerson(operationId!, 2);
  });

  test.each([
    { kind: 'prolong', status: 'active', payload: () => ({ months: 12, upstreamPeriod: 12, periodStart: active.expiresOn, expectedExpiry: addMonths(active.expiresOn, 12) }) },
    { kind: 'suspend', status: 'active' },
    { kind: 'resume', status: 'suspended' },
    { kind: 'set_params', status: 'active', payload: () => ({ ip: '198.51.100.201', previousIp: '198.51.100.1' }) },
    { kind: 'new_key', status: 'active' },
    { kind: 'change_tariff', status: 'active', payload: () => ({ tariffId: manual.tariff.id, tariffUpstreamId: '55228', upstreamPeriod: 12, previousTariffId: manual.tariff.id }) },
    { kind: 'sync', status: 'active' },
    { kind: 'close', status: 'active' },
    // Nothing bought yet: the close looks for what the order may have left upstream (driver.findOrder first).
    { kind: 'close', status: 'processing', upstreamId: null },
  ] as const)('$kind of a $status license', async (c) => {
    const columns = { ...active, status: c.status, upstreamId: c.upstreamId === undefined ? active.upstreamId : c.upstreamId, moduleId: manual.module.id };
    const { licenseId } = await insertLicense(t(), { clientId: owner, tariffId: manual.tariff.id, withoutOpen: true, columns });
    const { id } = await enqueue(t(), licenseId, c.kind, (c.payload?.() ?? {}) as never);
    await expectHandedToAPerson(id);
  });
});

describe('the API', () => {
  test('lists and shows operations to staff only', async () => {
    const { tariff } = await setup();
    const { licenseId, operationId } = await insertLicense(t(), { clientId, tariffId: tariff.id });
    const list = await t().admin.get(`/api/v1/operations?licenseId=${licenseId}`);
    expect(list.status).toBe(200);
    expect(list.body).toMatchObject({ total: 1, items: [{ id: operationId, kind: 'open', status: 'pending', licenseId }] });
    const pending = await t().admin.get('/api/v1/operations?status=pending&kind=open&perPage=500');
    expect(pending.body.items.map((o: { id: number }) => o.id)).toContain(operationId);
    const one = await t().admin.get(`/api/v1/operations/${operationId}`);
    expect(one.body).toMatchObject({ id: operationId, idempotencyKey: `open:${licenseId}`, payload: { upstreamPeriod: 12 } });
    expect((await t().admin.get('/api/v1/operations/999999')).status).toBe(404);
    expect((await t().anonymous().get('/api/v1/operations')).status).toBe(401);
    await drain(operationId!);
  });
});
