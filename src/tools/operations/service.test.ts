// Tools → Running operations over HTTP: who sees an operation (its module's department, like tasks).
// Real operations against the upstream simulator, on SQLite and PostgreSQL.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startSandbox, type Sandbox } from '../../sandbox/index.js';
import type { ManualClock } from '../../platform/clock.js';
import { useBillrelay } from '../../../test/support/billrelay.js';
import type { ApiClient } from '../../../test/support/http.js';
import { connectSandboxModule, insertLicense, operationRow, tariffAndClient, tasksOf } from '../../../test/support/licenses.js';
import { insertDepartment } from '../../../test/support/staff.js';
import { newEmployee } from '../../../test/support/scheduling.js';

const t = useBillrelay({
  env: {
    BILLRELAY_WORKER: 'off',
    BILLRELAY_OPERATION_RETRY_BASE_MS: '1000',
    BILLRELAY_OPERATION_RETRY_MAX_MS: '60000',
    BILLRELAY_KEY_WAIT_MS: '1000',
    BILLRELAY_KEY_POLLS: '3',
  },
});
let upstream: Sandbox;
let licensing: number;
let billing: number;
let member: { id: number; api: ApiClient };
let otherMember: { id: number; api: ApiClient };
let outsider: { id: number; api: ApiClient };

beforeAll(async () => {
  upstream = await startSandbox();
  licensing = await insertDepartment(t(), { name: 'Licensing' });
  billing = await insertDepartment(t(), { name: 'Billing' });
  member = await newEmployee(t(), [licensing]);
  otherMember = await newEmployee(t(), [billing]);
  outsider = await newEmployee(t());
});
afterAll(() => upstream.close());

const clock = () => t().clock as ManualClock;

/** Runs the worker, moving the clock past any backoff, until the operation is finished or handed to a person. */
async function drain(operationId: number, rounds = 20) {
  for (let i = 0; i < rounds; i += 1) {
    await t().billrelay.worker.runOnce();
    const op = await operationRow(t(), operationId);
    if (op.status !== 'pending' && op.status !== 'running') return op;
    clock().advance(120_000);
  }
  return operationRow(t(), operationId);
}

/** A module of `departmentId` (none: null) whose account cannot pay, and a license whose open went to a person. */
async function manualOpen(departmentId: number | null) {
  const module = await connectSandboxModule(t(), upstream, { balance: '1.00', extra: departmentId ? { departmentId } : {} });
  const { tariffId, clientId } = await tariffAndClient(t(), module.id);
  const { licenseId, operationId } = await insertLicense(t(), { clientId, tariffId });
  const op = await drain(operationId!);
  expect(op).toMatchObject({ status: 'manual', moduleId: module.id });
  const purchases = () => upstream.control.purchases().filter((p) => p.account === module.username);
  return { module, licenseId, operationId: operationId!, purchases };
}

const ids = (answer: { body: { items: { id: number }[] } }) => answer.body.items.map((o) => o.id);

describe('who sees an operation', () => {
  test("members of its module's department and administrators; other employees get 404 on get, restart and abandon", async () => {
    const a = await manualOpen(licensing);
    const b = await manualOpen(billing);
    const none = await manualOpen(null);

    const mine = await member.api.get('/api/v1/operations?perPage=500');
    expect(mine.status).toBe(200);
    expect(ids(mine)).toContain(a.operationId);
    expect(ids(mine)).not.toContain(b.operationId);
    expect(ids(mine)).not.toContain(none.operationId);
    expect(mine.body.total).toBe(mine.body.items.length);
    // Filters narrow within the scope.
    const filtered = await member.api.get(`/api/v1/operations?status=manual&kind=open&licenseId=${a.licenseId}`);
    expect(filtered.body).toMatchObject({ total: 1, items: [{ id: a.operationId }] });
    expect((await member.api.get(`/api/v1/operations?licenseId=${b.licenseId}`)).body).toMatchObject({ total: 0, items: [] });
    expect((await otherMember.api.get('/api/v1/operations?perPage=500')).body.items.map((o: { id: number }) => o.id)).toEqual(
      expect.arrayContaining([b.operationId]),
    );

    expect((await member.api.get(`/api/v1/operations/${a.operationId}`)).body).toMatchObject({ id: a.operationId, status: 'manual' });
    for (const hidden of [b.operationId, none.operationId]) {
      const get = await member.api.get(`/api/v1/operations/${hidden}`);
      expect(get.status).toBe(404);
      expect(get.body.error).toMatchObject({ code: 'not_found', message: `Operation ${hidden} does not exist` });
      expect((await member.api.post(`/api/v1/operations/${hidden}/restart`)).status).toBe(404);
      expect((await member.api.post(`/api/v1/operations/${hidden}/abandon`, { reason: 'not mine' })).status).toBe(404);
      expect((await operationRow(t(), hidden)).status).toBe('manual');
    }

    // No department: nothing to see.
    const nothing = await outsider.api.get('/api/v1/operations?perPage=500');
    expect(nothing.body).toMatchObject({ total: 0, items: [] });
    expect((await outsider.api.get(`/api/v1/operations/${a.operationId}`)).status).toBe(404);

    // Administrators see all of them, the ones without a department too.
    const all = await t().admin.get('/api/v1/operations?perPage=500');
    expect(ids(all)).toEqual(expect.arrayContaining([a.operationId, b.operationId, none.operationId]));
    expect((await t().admin.get(`/api/v1/operations/${none.operationId}`)).status).toBe(200);

    // Clients are not staff; anonymous callers are not logged in.
    const { clientId } = await tariffAndClient(t(), a.module.id);
    const email = (await t().admin.get(`/api/v1/clients/${clientId}`)).body.email;
    const client = await t().loginAs(email, 'client-password');
    expect((await client.get('/api/v1/operations')).status).toBe(403);
    expect((await client.get(`/api/v1/operations/${a.operationId}`)).status).toBe(403);
    expect((await t().anonymous().get(`/api/v1/operations/${a.operationId}`)).status).toBe(401);
  });

  test("an operation whose module has no department: its task goes to the first department, whose members restart it from the task but do not see it under operations", async () => {
    const none = await manualOpen(null);
    const [task] = await tasksOf(t(), none.operationId);
    expect(task).toBeDefined();
    const firstDepartment = Number(task!.departmentId);
    const first = await newEmployee(t(), [firstDepartment]);
    expect((await first.api.get(`/api/v1/tasks/${task!.id}`)).status).toBe(200);
    expect((await first.api.get(`/api/v1/operations/${none.operationId}`)).status).toBe(404);
    expect((await first.api.post(`/api/v1/operations/${none.operationId}/restart`)).status).toBe(404);
    const restarted = await first.api.post(`/api/v1/tasks/${task!.id}/restart`);
    expect(restarted.status, JSON.stringify(restarted.body)).toBe(200);
    expect(restarted.body.operation).toMatchObject({ id: none.operationId, status: 'pending' });
  });
});
