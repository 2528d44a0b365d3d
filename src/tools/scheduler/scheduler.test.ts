import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { ManualClock } from '../../platform/clock.js';
import type { Sandbox } from '../../sandbox/index.js';
import { startUpstream } from '../../../test/support/upstream.js';
import { ADMIN_EMAIL, ADMIN_PASSWORD, useBillrelay } from '../../../test/support/billrelay.js';
import {
  balanceOf,
  connectModule,
  historyOf,
  importTariff,
  insertLicense,
  newClient,
  newDepartment,
  newProvider,
  operationsOf,
  tasksWithCause,
  topUp,
  upstreamLicense,
} from '../../../test/support/scheduling.js';
import { addDays, addMonths, isoDate } from '../../platform/dates.js';
import { Scheduler } from './scheduler.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const clock = new ManualClock('2026-11-25T10:00:00Z');
// The scheduler and the operations worker stay off: the tests tick by hand and look at what was queued.
const t = useBillrelay({ clock, env: { BILLRELAY_SCHEDULER: 'off', BILLRELAY_WORKER: 'off' } });
let upstream: Sandbox;

beforeAll(async () => {
  upstream = await startUpstream(t());
});
afterAll(() => upstream.close());
// The clock runs ahead by days; a fresh admin session each time keeps the helpers working.
beforeEach(async () => {
  await t().admin.login(ADMIN_EMAIL, ADMIN_PASSWORD);
});

const db = () => t().billrelay.db.kysely;
const today = () => isoDate(clock.now());
/** Moves the clock and runs one scheduler tick, as the server's timer would. */
async function later(ms: number) {
  clock.advance(ms);
  return t().billrelay.scheduler.tick();
}

/** A module on its own upstream account, the lite tariff through it (1 month 7.20), a paying client. */
async function world(options: { clientBalance?: string; upstreamBalance?: string; minimalBalance?: string; departmentId?: number | null } = {}) {
  const module = await connectModule(t(), upstream, { balance: options.upstreamBalance, minimalBalance: options.minimalBalance, departmentId: options.departmentId });
  const provider = await newProvider(t());
  const tariff = await importTariff(t(), module.id, '55227', provider.id);
  const client = await newClient(t(), options.clientBalance ?? '100.00', provider.id);
  return { module, tariff, client };
}

const charges = (reference: string) => db().selectFrom('ledgerEntries').selectAll().where('reference', '=', reference).execute();

describe('once per tick across processes', () => {
  test('of two concurrent ticks only one runs a due job', async () => {
    let runs = 0;
    const job = {
      name: 'probe',
      schedule: { everyMinutes: 60 },
      run: async () => {
        runs += 1;
        await new Promise((resolve) => setTimeout(resolve, 20));
      },
    };
    const a = new Scheduler(t().billrelay.db, clock, undefined, 'process-a').register(job);
    const b = new Scheduler(t().billrelay.db, clock, undefined, 'process-b').register(job);
    const [ra, rb] = await Promise.all([a.tick(), b.tick()]);
    expect(runs).toBe(1);
    expect([...ra.ran, ...rb.ran]).toEqual(['probe']);
    const [again1, again2] = await Promise.all([a.tick(), b.tick()]);
    expect([...again1.ran, ...again2.ran]).toEqual([]);
    clock.advance(61 * 60_000);
    await Promise.all([a.tick(), b.tick(), a.tick()]);
    expect(runs).toBe(2);
    const row = await db().selectFrom('schedulerJobs').selectAll().where('name', '=', 'probe').executeTakeFirstOrThrow();
    expect(['process-a', 'process-b']).toContain(row.lastOwner);
    expect(row.lastResult).toMatch(/^ok/);
  });

  test('the server\'s jobs are all registered', () => {
    expect(t().billrelay.scheduler.jobNames().sort()).toEqual(['expiry', 'module-balance', 'renewal-notices', 'renewals', 'sync', 'tariff-sync', 'task-overdue', 'ticket-overdue', 'ticket-uploads']);
  });
});

describe('auto-renewal', () => {
  test('charges once per period and creates the prolong operation once, however often it runs', async () => {
    const { module, tariff, client } = await world();
    const expiresOn = addDays(today(), 2);
    const license = await insertLicense(t(), { clientId: client.id, tariffId: tariff.id, moduleId: module.id, period: 1, expiresOn });
    const notYet = await insertLicense(t(), { clientId: client.id, tariffId: tariff.id, moduleId: module.id, period: 1, expiresOn: addDays(today(), 10) });
    const manual = await insertLicense(t(), { clientId: client.id, tariffId: tariff.id, moduleId: module.id, period: 1, expiresOn, autoRenew: false });
    const trial = await insertLicense(t(), { clientId: client.id, tariffId: tariff.id, moduleId: module.id, period: -100, isTrial: true, expiresOn });

    await later(HOUR);
    await later(HOUR);
    await Promise.all([t().billrelay.scheduler.tick(), later(2 * HOUR)]);

    const reference = `renewal:${license.id}:${expiresOn}`;
    expect(await charges(reference)).toHaveLength(1);
    expect(await balanceOf(t(), client.id)).toBe('92.80');
    const ops = await operationsOf(t(), license.id);
    expect(ops).toHaveLength(1);
    expect(ops[0]).toMatchObject({ kind: 'prolong', status: 'pending', idempotencyKey: `prolong:${license.id}:${expiresOn}`, moduleId: module.id });
    expect(JSON.parse(ops[0]!.payload)).toEqual({ months: 1, upstreamPeriod: 1, periodStart: expiresOn, expectedExpiry: addMonths(expiresOn, 1), chargeReference: reference });
    const history = await historyOf(t(), license.id);
    expect(history.filter((h) => h.event === 'charge')).toHaveLength(1);
    expect(history[0]).toMatchObject({ operationId: ops[0]!.id, actorKind: 'system' });

    for (const other of [notYet, manual, trial]) expect(await operationsOf(t(), other.id)).toHaveLength(0);
  });

  test('end to end with the operations worker: the upstream license is renewed once and the license follows', async () => {
    const { module, tariff, client } = await world();
    const expiresOn = addDays(today(), 2);
    upstreamLicense(upstream, module.username, { id: '4400001', expiredate: expiresOn });
    const license = await insertLicense(t(), { clientId: client.id, tariffId: tariff.id, moduleId: module.id, period: 1, expiresOn, upstreamId: '4400001' });

    await later(HOUR);
    await t().billrelay.worker.runOnce();
    await later(HOUR);
    await t().billrelay.worker.runOnce();

    const ops = await operationsOf(t(), license.id);
    expect(ops.map((o) => [o.kind, o.status])).toEqual([['prolong', 'succeeded']]);
    const row = await db().selectFrom('licenses').select(['expiresOn', 'status']).where('id', '=', license.id).executeTakeFirstOrThrow();
    expect(row).toEqual({ expiresOn: addMonths(expiresOn, 1), status: 'active' });
    expect(upstream.state.licenses.find((l) => l.id === '4400001')!.expiredate).toBe(addMonths(expiresOn, 1));
    expect(upstream.state.charges.filter((c) => c.licenseId === '4400001')).toHaveLength(1);
    expect(await charges(`renewal:${license.id}:${expiresOn}`)).toHaveLength(1);
    expect(await balanceOf(t(), client.id)).toBe('92.80');
  });

  test('a license whose deletion is under way is not charged for its renewal, nor changed upstream any more', async () => {
    const { module, tariff, client } = await world();
    const expiresOn = addDays(today(), 2);
    const license = await insertLicense(t(), { clientId: client.id, tariffId: tariff.id, moduleId: module.id, period: 1, expiresOn });
    const deleted = await t().admin.post(`/api/v1/licenses/${license.id}/delete`);
    expect(deleted.status, JSON.stringify(deleted.body)).toBe(200);

    await later(HOUR);
    await later(HOUR);

    expect(await charges(`renewal:${license.id}:${expiresOn}`)).toHaveLength(0);
    expect(await balanceOf(t(), client.id)).toBe('100.00');
    expect((await operationsOf(t(), license.id)).map((o) => o.kind)).toEqual(['close']);
    // Nor is anything else changed upstream for it any more.
    for (const [path, body] of [[`/api/v1/licenses/${license.id}/suspend`, {}], [`/api/v1/licenses/${license.id}/new-key`, {}]] as const) {
      const refused = await t().admin.post(path, body);
      expect(refused.status, `${path}: ${JSON.stringify(refused.body)}`).toBe(409);
      expect(refused.body.error.message).toMatch(/being deleted/);
    }
    const newIp = await t().admin.patch(`/api/v1/licenses/${license.id}`, { ip: '203.0.113.77' });
    expect(newIp.status).toBe(409);
    expect((await operationsOf(t(), license.id)).map((o) => o.kind)).toEqual(['close']);
    expect(await balanceOf(t(), client.id)).toBe('100.00');
  });

  test('without enough money: a history note once a day, no operation, and it is retried the next day', async () => {
    const { module, tariff, client } = await world({ clientBalance: '1.00' });
    const expiresOn = addDays(today(), 3);
    const license = await insertLicense(t(), { clientId: client.id, tariffId: tariff.id, moduleId: module.id, period: 1, expiresOn });

    await later(HOUR);
    await later(HOUR);
    const notes = async () => (await historyOf(t(), license.id)).filter((h) => h.event === 'note' && h.toValue === 'renewal_unpaid');
    expect(await notes()).toHaveLength(1);
    expect((await notes())[0]!.message).toMatch(/Not enough money/);
    expect(await operationsOf(t(), license.id)).toHaveLength(0);
    expect(await balanceOf(t(), client.id)).toBe('1.00');

    await later(DAY);
    expect(await notes()).toHaveLength(2);
    await t().admin.login(ADMIN_EMAIL, ADMIN_PASSWORD);
    await topUp(t(), client.id, '20.00');
    await later(HOUR);
    expect(await operationsOf(t(), license.id)).toHaveLength(1);
    expect(await charges(`renewal:${license.id}:${expiresOn}`)).toHaveLength(1);
    expect(await balanceOf(t(), client.id)).toBe('13.80');
  });

  test('while the module\'s upstream balance is below its minimum renewals wait, and its department gets one task', async () => {
    const department = await newDepartment(t(), { taskLocale: 'ru' });
    const { module, tariff, client } = await world({ upstreamBalance: '10.00', minimalBalance: '50.00', departmentId: department.id });
    const expiresOn = addDays(today(), 1);
    const first = await insertLicense(t(), { clientId: client.id, tariffId: tariff.id, moduleId: module.id, period: 1, expiresOn });
    const second = await insertLicense(t(), { clientId: client.id, tariffId: tariff.id, moduleId: module.id, period: 1, expiresOn });

    await later(HOUR);
    await later(HOUR);
    for (const l of [first, second]) expect(await operationsOf(t(), l.id)).toHaveLength(0);
    expect(await balanceOf(t(), client.id)).toBe('100.00');
    const tasks = await tasksWithCause(t(), `low_balance:${module.id}`);
    expect(tasks).toHaveLength(1);
    expect(tasks[0]).toMatchObject({ type: 'low_balance', departmentId: department.id, moduleId: module.id, status: 'new', locale: 'ru' });
    expect(tasks[0]!.text).toContain('10.00');
    expect(tasks[0]!.text).toContain('50.00');

    upstream.control.upsertAccount({ username: module.username, balance: '500.00' });
    await later(HOUR);
    for (const l of [first, second]) expect(await operationsOf(t(), l.id)).toHaveLength(1);
    expect(await balanceOf(t(), client.id)).toBe('85.60');
    expect(await tasksWithCause(t(), `low_balance:${module.id}`)).toHaveLength(1);
  });
});

describe('low balance recovered', () => {
  /** The sandbox's control API, over HTTP as another process would drive it. */
  async function setUpstreamBalance(username: string, balance: string) {
    const answer = await fetch(`${upstream.url}/_control/accounts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, balance }),
    });
    expect(answer.status).toBe(200);
  }

  test('the low-balance task closes itself when a check finds the balance recovered; held renewals go on; a new drop opens a new task', async () => {
    const department = await newDepartment(t(), { taskLocale: 'ru' });
    const { module, tariff, client } = await world({ upstreamBalance: '1000.00', minimalBalance: '50.00', departmentId: department.id });
    const cause = `low_balance:${module.id}`;
    const expiresOn = addDays(today(), 1);
    const license = await insertLicense(t(), { clientId: client.id, tariffId: tariff.id, moduleId: module.id, period: 1, expiresOn });

    await setUpstreamBalance(module.username, '10.00');
    await later(HOUR); // the renewals job checks the balances before its batch
    await later(HOUR);
    const low = await tasksWithCause(t(), cause);
    expect(low).toHaveLength(1);
    expect(low[0]).toMatchObject({ type: 'low_balance', status: 'new', departmentId: department.id, closedAt: null });
    expect(await operationsOf(t(), license.id)).toHaveLength(0);

    await setUpstreamBalance(module.username, '75.50');
    await later(HOUR);
    const recovered = await tasksWithCause(t(), cause);
    expect(recovered).toHaveLength(1);
    expect(recovered[0]).toMatchObject({ id: low[0]!.id, status: 'done', closedAt: clock.now().toISOString() });
    // The note is in the task's language (the department's: Russian) and says how much there is now.
    expect(recovered[0]!.text).toContain('Баланс у поставщика восстановился: 75.50 EUR (минимальный 50.00 EUR)');
    expect(recovered[0]!.text.startsWith(low[0]!.text)).toBe(true);
    const audit = await t().admin.get(`/api/v1/audit?entity=task&entityId=${low[0]!.id}&action=task.close`);
    expect(audit.body.items[0]).toMatchObject({ actor: { kind: 'system', label: 'balance check' } });
    // The renewal that waited goes on: charged once, its prolong queued.
    expect((await operationsOf(t(), license.id)).map((o) => o.kind)).toEqual(['prolong']);
    expect(await charges(`renewal:${license.id}:${expiresOn}`)).toHaveLength(1);

    // Still fine: nothing changes.
    await later(HOUR);
    expect((await tasksWithCause(t(), cause)).map((x) => x.status)).toEqual(['done']);

    // Low again: a new task (one open per cause), and only one however often it is checked.
    await setUpstreamBalance(module.username, '5.00');
    await later(HOUR);
    await later(HOUR);
    const again = await tasksWithCause(t(), cause);
    expect(again.map((x) => x.status).sort()).toEqual(['done', 'new']);
    const reopened = again.find((x) => x.status === 'new')!;
    expect(reopened.id).not.toBe(low[0]!.id);
    expect(reopened.text).toContain('5.00');
    expect(reopened.text).not.toContain('восстановился');
  });

  test('an English department gets the note in English; exactly at the minimum counts as recovered', async () => {
    const department = await newDepartment(t(), { taskLocale: 'en' });
    const { module } = await world({ upstreamBalance: '20.00', minimalBalance: '50.00', departmentId: department.id });
    await later(HOUR);
    expect((await tasksWithCause(t(), `low_balance:${module.id}`)).map((x) => x.status)).toEqual(['new']);
    await setUpstreamBalance(module.username, '50.00');
    await later(HOUR);
    const [task] = await tasksWithCause(t(), `low_balance:${module.id}`);
    expect(task!.status).toBe('done');
    expect(task!.text).toContain('The upstream balance recovered to 50.00 EUR (minimal balance 50.00 EUR)');
  });
});

describe('check balance by hand', () => {
  const checkBalance = async (moduleId: number) => {
    const answer = await t().admin.post(`/api/v1/processing-modules/${moduleId}/check-balance`);
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    return answer.body as { balance: string; balanceBelowMinimal: boolean };
  };

  test('below the minimal balance it opens the low-balance task at once; at or above it closes it, without waiting for the scheduled check', async () => {
    const department = await newDepartment(t(), { taskLocale: 'en' });
    const { module } = await world({ upstreamBalance: '1000.00', minimalBalance: '50.00', departmentId: department.id });
    // Another module already known to be low: a check of the first one leaves it to the scheduled check.
    const { module: other } = await world({ upstreamBalance: '5.00', minimalBalance: '50.00', departmentId: department.id });
    const cause = `low_balance:${module.id}`;

    upstream.control.upsertAccount({ username: module.username, balance: '10.00' });
    expect(await checkBalance(module.id)).toMatchObject({ balance: '10.00', balanceBelowMinimal: true });
    const [task] = await tasksWithCause(t(), cause);
    expect(task).toMatchObject({ type: 'low_balance', status: 'new', departmentId: department.id, moduleId: module.id, closedAt: null });
    expect(task!.text).toContain('10.00 EUR');
    expect(await tasksWithCause(t(), `low_balance:${other.id}`)).toHaveLength(0);

    // Checked again while still low: the same task.
    await checkBalance(module.id);
    expect((await tasksWithCause(t(), cause)).map((x) => [x.id, x.status])).toEqual([[task!.id, 'new']]);

    // Topped up to exactly the minimum: the task closes with the note, at once.
    upstream.control.upsertAccount({ username: module.username, balance: '50.00' });
    expect(await checkBalance(module.id)).toMatchObject({ balance: '50.00', balanceBelowMinimal: false });
    const [closed] = await tasksWithCause(t(), cause);
    expect(closed).toMatchObject({ id: task!.id, status: 'done', closedAt: clock.now().toISOString() });
    expect(closed!.text).toContain('The upstream balance recovered to 50.00 EUR (minimal balance 50.00 EUR)');
  });

  test('a low-balance task marked done by hand while the balance is still low comes back with the next check', async () => {
    const { module } = await world({ upstreamBalance: '10.00', minimalBalance: '50.00' });
    const cause = `low_balance:${module.id}`;
    await checkBalance(module.id);
    const [task] = await tasksWithCause(t(), cause);
    // A task without an operation: Done closes it as before.
    const done = await t().admin.patch(`/api/v1/tasks/${task!.id}`, { status: 'done' });
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    expect(done.body).toMatchObject({ status: 'done' });
    await checkBalance(module.id);
    expect((await tasksWithCause(t(), cause)).map((x) => x.status).sort()).toEqual(['done', 'new']);
  });
});

describe('an abandoned renewal', () => {
  test('is refunded, not queued again by the scheduler for the same period, and not charged twice', async () => {
    // The module's account cannot pay the renewal (no minimal balance holds it back): the prolong goes to a person.
    const { module, tariff, client } = await world({ upstreamBalance: '1.00' });
    const expiresOn = addDays(today(), 2);
    upstreamLicense(upstream, module.username, { id: '4500001', expiredate: expiresOn });
    const license = await insertLicense(t(), { clientId: client.id, tariffId: tariff.id, moduleId: module.id, period: 1, expiresOn, upstreamId: '4500001' });
    await later(HOUR);
    await t().billrelay.worker.runOnce();
    const [prolong] = await operationsOf(t(), license.id);
    expect(prolong).toMatchObject({ kind: 'prolong', status: 'manual' });

    expect(await balanceOf(t(), client.id)).toBe('92.80');
    const abandoned = await t().admin.post(`/api/v1/operations/${prolong!.id}/abandon`, { reason: 'The reseller account is closed' });
    expect(abandoned.status, JSON.stringify(abandoned.body)).toBe(200);
    // The renewal did not happen: its charge comes back, once.
    expect(await balanceOf(t(), client.id)).toBe('100.00');
    await later(HOUR);
    await later(HOUR);
    expect((await operationsOf(t(), license.id)).map((o) => [o.id, o.status])).toEqual([[prolong!.id, 'failed']]);
    expect(await charges(`renewal:${license.id}:${expiresOn}`)).toHaveLength(1);
    expect(await charges(`refund:license:${license.id}:renewal:${license.id}:${expiresOn}`)).toHaveLength(1);
    expect(await balanceOf(t(), client.id)).toBe('100.00');
  });
});

describe('expiry', () => {
  test('unpaid at expiry: suspended with history and an upstream suspend; 30 days later: closed, and what still waited ends', async () => {
    const { module, tariff, client } = await world();
    const expiresOn = addDays(today(), -1);
    const license = await insertLicense(t(), { clientId: client.id, tariffId: tariff.id, moduleId: module.id, period: 1, expiresOn, autoRenew: false, upstreamId: '3999001' });
    const local = await insertLicense(t(), { clientId: client.id, tariffId: tariff.id, moduleId: module.id, period: 1, expiresOn, autoRenew: false, upstreamId: null });

    await later(DAY);
    const row = await db().selectFrom('licenses').selectAll().where('id', '=', license.id).executeTakeFirstOrThrow();
    expect(row.status).toBe('suspended');
    expect(row.suspendedAt).not.toBeNull();
    const history = await historyOf(t(), license.id);
    expect(history.find((h) => h.event === 'status')).toMatchObject({ fromValue: 'active', toValue: 'suspended' });
    const ops = await operationsOf(t(), license.id);
    expect(ops.map((o) => [o.kind, o.idempotencyKey])).toEqual([['suspend', `suspend:${license.id}:${expiresOn}`]]);
    // No upstream license: suspended here only.
    expect((await db().selectFrom('licenses').select('status').where('id', '=', local.id).executeTakeFirstOrThrow()).status).toBe('suspended');
    expect(await operationsOf(t(), local.id)).toHaveLength(0);

    await later(DAY);
    expect(await operationsOf(t(), license.id)).toHaveLength(1);

    await later(30 * DAY);
    const after = await operationsOf(t(), license.id);
    // The suspend still waiting (the worker is off here) is ended by the deletion, as when staff delete.
    expect(after.map((o) => [o.kind, o.idempotencyKey, o.status, o.lastErrorCode])).toEqual([
      ['suspend', `suspend:${license.id}:${expiresOn}`, 'failed', 'license_deleted'],
      ['close', `close:${license.id}`, 'pending', null],
    ]);
    await later(DAY);
    expect(await operationsOf(t(), license.id)).toHaveLength(2);
  });

  test('a paid renewal on its way keeps the license from being suspended', async () => {
    const { module, tariff, client } = await world();
    const expiresOn = today();
    const license = await insertLicense(t(), { clientId: client.id, tariffId: tariff.id, moduleId: module.id, period: 1, expiresOn });
    await later(DAY); // the renewal is charged and queued before the expiry job looks
    expect((await operationsOf(t(), license.id)).map((o) => o.kind)).toEqual(['prolong']);
    expect((await db().selectFrom('licenses').select('status').where('id', '=', license.id).executeTakeFirstOrThrow()).status).toBe('active');
  });
});

describe('sync', () => {
  test('corrects expiry and status drift, and reports an orphan and a missing license as one drift task each', async () => {
    const department = await newDepartment(t());
    const { module, tariff, client } = await world({ departmentId: department.id });
    upstreamLicense(upstream, module.username, { id: '4100001', expiredate: '2027-03-01' });
    upstreamLicense(upstream, module.username, { id: '4100002', expiredate: '2027-03-01', status: 3 });
    upstreamLicense(upstream, module.username, { id: '4100003', expiredate: '2027-05-01', ip: '203.0.113.77' }); // nobody's
    upstreamLicense(upstream, module.username, { id: '4100004', expiredate: '2027-05-01', status: 4 }); // deleted: not money
    const drifted = await insertLicense(t(), { clientId: client.id, tariffId: tariff.id, moduleId: module.id, expiresOn: '2027-02-01', upstreamId: '4100001', autoRenew: false });
    const suspended = await insertLicense(t(), { clientId: client.id, tariffId: tariff.id, moduleId: module.id, expiresOn: '2027-03-01', upstreamId: '4100002', autoRenew: false });
    const missing = await insertLicense(t(), { clientId: client.id, tariffId: tariff.id, moduleId: module.id, expiresOn: '2027-03-01', upstreamId: '4100099', autoRenew: false });

    await later(HOUR);
    await later(HOUR);

    const row = (id: number) => db().selectFrom('licenses').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect((await row(drifted.id)).expiresOn).toBe('2027-03-01');
    expect((await historyOf(t(), drifted.id)).filter((h) => h.event === 'expiry')).toMatchObject([{ fromValue: '2027-02-01', toValue: '2027-03-01', actorLabel: 'sync' }]);
    expect((await row(suspended.id)).status).toBe('suspended');
    expect((await historyOf(t(), suspended.id)).filter((h) => h.event === 'status')).toHaveLength(1);

    const orphan = await tasksWithCause(t(), `drift:orphan:${module.id}:4100003`);
    expect(orphan).toHaveLength(1);
    expect(orphan[0]).toMatchObject({ type: 'drift', departmentId: department.id, moduleId: module.id });
    expect(orphan[0]!.title).toContain('4100003');
    expect(orphan[0]!.text).toContain('203.0.113.77');
    expect(await tasksWithCause(t(), `drift:orphan:${module.id}:4100004`)).toHaveLength(0);
    const gone = await tasksWithCause(t(), `drift:missing:${missing.id}`);
    expect(gone).toHaveLength(1);
    expect(gone[0]).toMatchObject({ licenseId: missing.id, departmentId: department.id });
  });

  test('a local license row deleted: its upstream license becomes one orphan task', async () => {
    const { module, tariff, client } = await world();
    upstreamLicense(upstream, module.username, { id: '4200001', expiredate: '2027-03-01' });
    const license = await insertLicense(t(), { clientId: client.id, tariffId: tariff.id, moduleId: module.id, expiresOn: '2027-03-01', upstreamId: '4200001', autoRenew: false });
    await later(HOUR);
    expect(await tasksWithCause(t(), `drift:orphan:${module.id}:4200001`)).toHaveLength(0);
    await db().deleteFrom('licenseHistory').where('licenseId', '=', license.id).execute();
    await db().deleteFrom('licenses').where('id', '=', license.id).execute();
    await later(HOUR);
    await later(HOUR);
    expect(await tasksWithCause(t(), `drift:orphan:${module.id}:4200001`)).toHaveLength(1);
  });

  test('a list that may be filtered upstream reports nothing missing; an order not yet bound is no orphan', async () => {
    const { module, tariff, client } = await world();
    upstreamLicense(upstream, module.username, { id: '4400001', expiredate: '2027-03-01', ip: '203.0.113.81' });
    upstreamLicense(upstream, module.username, { id: '4400002', expiredate: '2027-03-01', ip: '203.0.113.82', status: 3 });
    const hidden = await insertLicense(t(), { clientId: client.id, tariffId: tariff.id, moduleId: module.id, expiresOn: '2027-03-01', upstreamId: '4400001', autoRenew: false });
    // The realistic upstream shows no remoteid: this processing order's license is only found by IP and name.
    const inFlight = await insertLicense(t(), { clientId: client.id, tariffId: tariff.id, moduleId: module.id, expiresOn: null, upstreamId: null, status: 'processing', ip: '203.0.113.82', licenseName: 'up-4400002', autoRenew: false });
    upstream.control.setListFilter(module.username, { status: '3' });
    upstream.control.inject({ func: 'soft.filter', fault: { error: { type: 'access', msg: 'Access denied' } }, count: 10 });
    try {
      await later(HOUR);
      await later(HOUR);
      expect(await tasksWithCause(t(), `drift:missing:${hidden.id}`)).toHaveLength(0);
      expect(await tasksWithCause(t(), `drift:orphan:${module.id}:4400002`)).toHaveLength(0);
    } finally {
      upstream.control.clear();
    }
    // Once the filter can be cleared the list is whole again, and a license really gone is reported.
    upstream.state.licenses = upstream.state.licenses.filter((l) => l.id !== '4400001');
    await later(HOUR);
    await later(HOUR);
    expect(await tasksWithCause(t(), `drift:missing:${hidden.id}`)).toHaveLength(1);
    expect(inFlight.id).toBeGreaterThan(0);
  });

  test('an upstream expiry changed through the sandbox is taken over', async () => {
    const { module, tariff, client } = await world();
    upstreamLicense(upstream, module.username, { id: '4300001', expiredate: '2027-03-01' });
    const license = await insertLicense(t(), { clientId: client.id, tariffId: tariff.id, moduleId: module.id, expiresOn: '2027-03-01', upstreamId: '4300001', autoRenew: false });
    await later(HOUR);
    upstream.state.licenses.find((l) => l.id === '4300001')!.expiredate = '2028-03-01';
    await later(HOUR);
    const row = await db().selectFrom('licenses').select('expiresOn').where('id', '=', license.id).executeTakeFirstOrThrow();
    expect(row.expiresOn).toBe('2028-03-01');
  });
});
