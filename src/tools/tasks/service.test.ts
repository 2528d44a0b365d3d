import { beforeAll, describe, expect, test } from 'vitest';
import { ManualClock } from '../../platform/clock.js';
import { systemActor, type Actor } from '../../platform/actor.js';
import { useBillrelay } from '../../../test/support/billrelay.js';
import { newClient, newDepartment, newEmployee, officeHours } from '../../../test/support/scheduling.js';
import type { TaskCause } from './open-task.js';

const clock = new ManualClock('2026-11-25T10:00:00Z');
const t = useBillrelay({ clock, env: { BILLRELAY_SCHEDULER: 'off', BILLRELAY_WORKER: 'off' } });

const tasks = () => t().billrelay.services.tasks;
const open = (cause: TaskCause) => t().billrelay.db.transaction((trx) => tasks().openForCause(trx, cause));
let seq = 0;
const cause = (departmentId: number | null, extra: Partial<TaskCause> = {}): TaskCause => ({
  type: 'setup',
  causeKey: `operation:test-${++seq}`,
  departmentId,
  params: { licenseId: 7, licenseName: 'web1', ip: '198.51.100.7', operationId: 12, operation: 'open', attempts: 8, error: 'upstream timeout' },
  ...extra,
});

let department: { id: number };
let member: Awaited<ReturnType<typeof newEmployee>>;
let outsider: Awaited<ReturnType<typeof newEmployee>>;

beforeAll(async () => {
  const hours = await officeHours(t());
  department = await newDepartment(t(), { businessHoursId: hours.id });
  member = await newEmployee(t(), [department.id]);
  outsider = await newEmployee(t());
});

describe('who sees a task', () => {
  test('members of its department and administrators see it; other employees get 404, clients 403', async () => {
    const { id } = await open(cause(department.id));
    expect((await member.api.get(`/api/v1/tasks/${id}`)).status).toBe(200);
    expect((await t().admin.get(`/api/v1/tasks/${id}`)).status).toBe(200);
    expect((await outsider.api.get(`/api/v1/tasks/${id}`)).status).toBe(404);
    expect((await outsider.api.patch(`/api/v1/tasks/${id}`, { status: 'done' })).status).toBe(404);
    expect((await outsider.api.post(`/api/v1/tasks/${id}/restart`)).status).toBe(404);

    const mine = await member.api.get(`/api/v1/tasks?departmentId=${department.id}`);
    expect(mine.body.items.map((x: { id: number }) => x.id)).toContain(id);
    const theirs = await outsider.api.get('/api/v1/tasks');
    expect(theirs.status).toBe(200);
    expect(theirs.body.items.map((x: { id: number }) => x.id)).not.toContain(id);
    expect((await t().admin.get(`/api/v1/tasks?status=new&type=setup`)).body.items.map((x: { id: number }) => x.id)).toContain(id);

    const client = await newClient(t());
    const email = (await t().admin.get(`/api/v1/clients/${client.id}`)).body.email;
    const asClient = await t().loginAs(email, 'client-password');
    expect((await asClient.get('/api/v1/tasks')).status).toBe(403);
    expect((await asClient.get(`/api/v1/tasks/${id}`)).status).toBe(403);
    expect((await t().anonymous().get('/api/v1/tasks')).status).toBe(401);
  });

  test('a cause without a department goes to the first department, which only its members and administrators see', async () => {
    const { id } = await open(cause(null, { departmentId: null }));
    const row = await t().billrelay.db.kysely.selectFrom('tasks').select('departmentId').where('id', '=', id).executeTakeFirstOrThrow();
    // No department given: the first department by sort (the seeded sales department).
    expect(row.departmentId).not.toBeNull();
    expect((await member.api.get(`/api/v1/tasks/${id}`)).status).toBe(404);
    expect((await t().admin.get(`/api/v1/tasks/${id}`)).status).toBe(200);
  });
});

describe('one task per cause', () => {
  test('the same cause twice is one task; closing it frees the cause for a new task later', async () => {
    const c = cause(department.id);
    const first = await open(c);
    const second = await open(c);
    expect(first.created).toBe(true);
    expect(second).toEqual({ id: first.id, created: false });
    const rows = await t().billrelay.db.kysely.selectFrom('tasks').select('id').where('causeKey', '=', c.causeKey).execute();
    expect(rows).toHaveLength(1);

    const done = await member.api.patch(`/api/v1/tasks/${first.id}`, { status: 'done' });
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ status: 'done' });
    expect(done.body.closedAt).not.toBeNull();
    const third = await open(c);
    expect(third.created).toBe(true);
    expect(third.id).not.toBe(first.id);

    // The closed one cannot be reopened while another task for the cause is open.
    const reopen = await member.api.patch(`/api/v1/tasks/${first.id}`, { status: 'new' });
    expect(reopen.status).toBe(409);
  });

  test('concurrent callers still get one task', async () => {
    const c = cause(department.id);
    const results = await Promise.all([open(c), open(c), open(c)]);
    expect(new Set(results.map((r) => r.id)).size).toBe(1);
    expect(results.filter((r) => r.created)).toHaveLength(1);
  });
});

describe('due time and language', () => {
  test('created Friday 17:00 with a 09–18 schedule and 4 working hours: due Monday 12:00', async () => {
    clock.set('2026-11-27T17:00:00Z'); // a Friday
    const { id } = await open(cause(department.id, { type: 'setup' }));
    clock.set('2026-11-30T12:00:01Z');
    const late = await tasks().get(id, systemActor());
    clock.set('2026-11-25T10:00:00Z'); // back, so the test sessions stay valid
    const task = (await member.api.get(`/api/v1/tasks/${id}`)).body;
    expect(task.dueAt).toBe('2026-11-30T12:00:00.000Z');
    expect(task.overdue).toBe(false);
    expect(late.overdue).toBe(true);
  });

  test('a department without business hours: due after plain hours', async () => {
    const plain = await newDepartment(t(), { businessHoursId: null });
    const { id } = await open(cause(plain.id, { type: 'low_balance', params: { module: 'EU', balance: '5.00', minimalBalance: '50.00', currency: 'EUR' } }));
    const task = (await t().admin.get(`/api/v1/tasks/${id}`)).body;
    expect(task.dueAt).toBe('2026-11-25T12:00:00.000Z'); // low_balance: 2 h
  });

  test('a Russian department gets its title and text in Russian; an English one in English', async () => {
    const ru = await newDepartment(t(), { taskLocale: 'ru' });
    const { id } = await open(cause(ru.id));
    const task = (await t().admin.get(`/api/v1/tasks/${id}`)).body;
    expect(task.locale).toBe('ru');
    expect(task.title).toBe('Подключить лицензию web1 (198.51.100.7)');
    expect(task.text).toContain('Последняя ошибка: upstream timeout');

    const en = (await t().admin.get(`/api/v1/tasks/${(await open(cause(department.id))).id}`)).body;
    expect(en.title).toBe('Set up license web1 (198.51.100.7)');
    expect(en.text).toContain('Last error: upstream timeout');
  });

  test('a line whose parameters are unknown is left out', async () => {
    const { id } = await open(cause(department.id, { params: { licenseName: 'web2', ip: '198.51.100.8' } }));
    const task = (await t().admin.get(`/api/v1/tasks/${id}`)).body;
    expect(task.title).toBe('Set up license web2 (198.51.100.8)');
    expect(task.text).not.toContain('{');
    expect(task.text).not.toContain('Last error');
  });
});

describe('working on a task', () => {
  test('the performer must be a member of the department', async () => {
    const { id } = await open(cause(department.id));
    const wrong = await t().admin.patch(`/api/v1/tasks/${id}`, { performerId: outsider.id });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.field).toBe('performerId');
    const taken = await member.api.patch(`/api/v1/tasks/${id}`, { status: 'in_progress', performerId: member.id });
    expect(taken.status).toBe(200);
    expect(taken.body).toMatchObject({ status: 'in_progress', performerId: member.id, performer: { id: member.id } });
    expect((await member.api.patch(`/api/v1/tasks/${id}`, {})).status).toBe(400);
  });

  test('take: I become the performer and the task is in progress; the view and the audit log say who took it and when', async () => {
    const { id } = await open(cause(department.id));
    const taken = await member.api.post(`/api/v1/tasks/${id}/take`);
    expect(taken.status, JSON.stringify(taken.body)).toBe(200);
    expect(taken.body).toMatchObject({
      status: 'in_progress',
      performerId: member.id,
      performer: { id: member.id },
      assignedBy: { id: member.id },
      assignedAt: clock.now().toISOString(),
    });
    expect(taken.body.performer.displayName).toMatch(/^Staff /);
    expect((await t().admin.get(`/api/v1/tasks/${id}`)).body).toMatchObject({ performer: { id: member.id }, assignedBy: { id: member.id } });
    const audit = await t().admin.get(`/api/v1/audit?entity=task&entityId=${id}&action=task.take`);
    expect(audit.body.items).toHaveLength(1);
    expect(audit.body.items[0]).toMatchObject({
      actor: { kind: 'employee', id: member.id },
      before: { status: 'new', performerId: null },
      after: { status: 'in_progress', performerId: member.id, assignedById: member.id },
    });

    // Not one's to see: as if it did not exist. Done: reopen it first.
    expect((await outsider.api.post(`/api/v1/tasks/${id}/take`)).status).toBe(404);
    expect((await member.api.patch(`/api/v1/tasks/${id}`, { status: 'done' })).status).toBe(200);
    const late = await member.api.post(`/api/v1/tasks/${id}/take`);
    expect(late.status).toBe(409);
    expect(late.body.error.field).toBe('status');
  });

  test("assign: to a member of the task's department by anyone who may work it; anyone else is 422 on employeeId, an unknown employee 404", async () => {
    const colleague = await newEmployee(t(), [department.id]);
    const { id } = await open(cause(department.id));
    const url = `/api/v1/tasks/${id}/assign`;

    const assigned = await member.api.post(url, { employeeId: colleague.id });
    expect(assigned.status, JSON.stringify(assigned.body)).toBe(200);
    // Assigned, not started: the status stays.
    expect(assigned.body).toMatchObject({ status: 'new', performerId: colleague.id, performer: { id: colleague.id }, assignedBy: { id: member.id }, assignedAt: clock.now().toISOString() });
    expect((await colleague.api.get(`/api/v1/tasks/${id}`)).body).toMatchObject({ performer: { id: colleague.id }, assignedBy: { id: member.id } });
    const audit = await t().admin.get(`/api/v1/audit?entity=task&entityId=${id}&action=task.assign`);
    expect(audit.body.items[0]).toMatchObject({
      actor: { kind: 'employee', id: member.id },
      before: { performerId: null },
      after: { status: 'new', performerId: colleague.id, assignedById: member.id },
    });

    // Whoever works a task is not deleted from under it.
    const remove = await t().admin.delete(`/api/v1/employees/${colleague.id}`);
    expect(remove.status).toBe(409);
    expect(remove.body.error.message).toContain('1 task(s)');

    const stranger = await member.api.post(url, { employeeId: outsider.id });
    expect(stranger.status).toBe(422);
    expect(stranger.body.error).toMatchObject({ code: 'unprocessable', field: 'employeeId' });
    expect(stranger.body.error.message).toContain("is not a member of the task's department");
    const unknown = await member.api.post(url, { employeeId: 999_999 });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toMatchObject({ code: 'not_found', field: 'employeeId' });
    expect((await member.api.post(url, {})).status).toBe(400);
    // Someone who may not work it cannot hand it out either.
    expect((await outsider.api.post(url, { employeeId: member.id })).status).toBe(404);
    expect((await t().admin.get(`/api/v1/tasks/${id}`)).body.performerId).toBe(colleague.id);

    // An administrator may assign it too; a disabled member cannot get it.
    const back = await t().admin.post(url, { employeeId: member.id });
    expect(back.status).toBe(200);
    expect(back.body.performerId).toBe(member.id);
    const leaving = await newEmployee(t(), [department.id]);
    expect((await t().admin.patch(`/api/v1/employees/${leaving.id}`, { enabled: false })).status).toBe(200);
    const disabled = await member.api.post(url, { employeeId: leaving.id });
    expect(disabled.status).toBe(422);
    expect(disabled.body.error.field).toBe('employeeId');
  });

  test('restart re-runs the task\'s operation through the operations area, as the member who asked', async () => {
    const license = await t().billrelay.db.kysely.selectFrom('licenses').select('id').executeTakeFirst();
    const calls: Array<{ id: number; actor: Actor }> = [];
    const original = (tasks() as unknown as { restartOperation?: unknown }).restartOperation;
    tasks().setRestartOperation(async (id, actor) => {
      calls.push({ id, actor });
      return { id, status: 'pending' };
    });
    try {
      const { id } = await open(cause(department.id, { operationId: null, licenseId: license?.id ?? null }));
      // No operation: nothing to restart.
      expect((await member.api.post(`/api/v1/tasks/${id}/restart`)).status).toBe(422);

      const withOp = await t().billrelay.db.transaction(async (trx) => {
        const op = await insertOperation(trx);
        return tasks().openForCause(trx, cause(department.id, { operationId: op, causeKey: `operation:${op}` }));
      });
      const restarted = await member.api.post(`/api/v1/tasks/${withOp.id}/restart`);
      expect(restarted.status, JSON.stringify(restarted.body)).toBe(200);
      expect(restarted.body.task).toMatchObject({ id: withOp.id, status: 'in_progress' });
      expect(restarted.body.operation).toMatchObject({ status: 'pending' });
      expect(calls).toHaveLength(1);
      expect(calls[0]!.actor).toMatchObject({ kind: 'employee', id: member.id });
      const task = (await t().admin.get(`/api/v1/tasks/${withOp.id}`)).body;
      expect(calls[0]!.id).toBe(task.operationId);
    } finally {
      if (original) tasks().setRestartOperation(original as never);
    }
  });
});

describe('restart through the running-operations area', () => {
  test('a manual operation restarted from its task is pending again; a second restart is a conflict', async () => {
    const task = await t().billrelay.db.transaction(async (trx) => {
      const op = await insertOperation(trx);
      return tasks().openForCause(trx, cause(department.id, { operationId: op, causeKey: `operation:${op}` }));
    });
    const restarted = await member.api.post(`/api/v1/tasks/${task.id}/restart`);
    expect(restarted.status, JSON.stringify(restarted.body)).toBe(200);
    expect(restarted.body.task.status).toBe('in_progress');
    const opId = restarted.body.task.operationId as number;
    const op = await t().billrelay.db.kysely.selectFrom('operations').select('status').where('id', '=', opId).executeTakeFirstOrThrow();
    expect(op.status).toBe('pending');
    expect((await member.api.post(`/api/v1/tasks/${task.id}/restart`)).status).toBe(409);
  });
});

/** A manual operation on a fresh license row (the tasks area only needs the ids to exist). */
function insertOperation(trx: any): Promise<number> {
  return insertBare(trx, clock.now().toISOString());
}

async function insertBare(trx: any, now: string): Promise<number> {
  // Licenses need a client and a tariff; the restart test does not care which.
  const provider = await trx.selectFrom('providers').select(['id', 'currency']).executeTakeFirstOrThrow();
  const client = await trx
    .insertInto('clients')
    .values({ providerId: provider.id, email: `op-${Date.now()}-${Math.random()}@example.test`, name: 'Op', passwordHash: 'x', language: 'en', country: null, enabled: 1, currency: provider.currency, createdAt: now, updatedAt: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  const tariff = await trx
    .insertInto('tariffs')
    .values({ providerId: provider.id, productType: 'licenses', name: '{"en":"T"}', upstreamTariffId: `x-${Math.random()}`, upstreamName: 'T', currency: provider.currency, status: 'disabled', sort: 1000 + seq, lastSyncedAt: null, createdAt: now, updatedAt: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  const license = await trx
    .insertInto('licenses')
    .values({ clientId: client.id, tariffId: tariff.id, period: 1, isTrial: 0, licenseName: 'web', ip: '198.51.100.9', autoRenew: 0, datacenterId: null, status: 'processing', licenseKey: null, upstreamId: null, remoteId: `br-${Math.random()}`, moduleId: null, expiresOn: null, priceMinor: 720n, currency: provider.currency, suspendedAt: null, deletedAt: null, createdAt: now, updatedAt: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  const op = await trx
    .insertInto('operations')
    .values({ licenseId: license.id, kind: 'open', payload: '{}', status: 'manual', attempts: 8, attemptsAtRestart: 0, nextAttemptAt: now, leaseOwner: null, leaseExpiresAt: null, moduleId: null, lastError: 'boom', lastErrorCode: 'x', result: null, idempotencyKey: `open:${license.id}`, createdAt: now, updatedAt: now, finishedAt: null })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(op.id);
}
