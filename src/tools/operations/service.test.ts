// Tools → Running operations over HTTP: who sees an operation (its module's department, like tasks),
// abandoning a manual one for good, and what a license's deletion ends. Real operations against the
// upstream simulator, on SQLite and PostgreSQL.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Sandbox } from '../../sandbox/index.js';
import { startUpstream } from '../../../test/support/upstream.js';
import { addMonths } from '../../sandbox/dates.js';
import type { ManualClock } from '../../platform/clock.js';
import { Money } from '../../platform/money.js';
import { useBillrelay } from '../../../test/support/billrelay.js';
import type { ApiClient } from '../../../test/support/http.js';
import { connectSandboxModule, enqueue, insertLicense, licenseRow, operationRow, tariffAndClient, tasksOf, drain as drainOperation } from '../../../test/support/licenses.js';
import { connectModule, createClient, importTariff, nextIp } from '../../../test/support/scenario.js';
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
  upstream = await startUpstream(t());
  licensing = await insertDepartment(t(), { name: 'Licensing' });
  billing = await insertDepartment(t(), { name: 'Billing' });
  member = await newEmployee(t(), [licensing]);
  otherMember = await newEmployee(t(), [billing]);
  outsider = await newEmployee(t());
});
afterAll(() => upstream.close());

const clock = () => t().clock as ManualClock;

/** The shared drain (test/support/licenses.ts) on this file's billrelay. */
const drain = (operationId: number, rounds?: number) => drainOperation(t(), operationId, rounds);

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

/** An active license of the licensing department's module, whose renewal went to a person (the upstream account is empty). */
async function manualRenewal() {
  const module = await connectSandboxModule(t(), upstream, { extra: { departmentId: licensing } });
  const { tariffId, clientId } = await tariffAndClient(t(), module.id);
  const { licenseId, operationId } = await insertLicense(t(), { clientId, tariffId });
  expect((await drain(operationId!)).status).toBe('succeeded');
  const license = await licenseRow(t(), licenseId);
  upstream.control.upsertAccount({ username: module.username, balance: '0.00' });
  const expectedExpiry = addMonths(license.expiresOn!, 12);
  const prolong = await enqueue(t(), licenseId, 'prolong', { months: 12, upstreamPeriod: 12, periodStart: license.expiresOn!, expectedExpiry });
  expect(await drain(prolong.id)).toMatchObject({ status: 'manual' });
  return { module, licenseId, license, expectedExpiry, prolong };
}

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

describe('abandon', () => {
  test('a manual operation ends for good: failed with the reason, its task done, a history note and an audit entry', async () => {
    const a = await manualOpen(licensing);
    const [task] = await tasksOf(t(), a.operationId);
    expect(task).toMatchObject({ status: 'new', causeKey: `operation:${a.operationId}`, departmentId: licensing });
    const url = `/api/v1/operations/${a.operationId}/abandon`;

    // Bad input: 400 naming the field, nothing changed.
    for (const body of [{}, { reason: '' }, { reason: '   ' }, { reason: 'x'.repeat(501) }, { reason: 7 }, { reason: 'ok', extra: true }]) {
      const answer = await member.api.post(url, body);
      expect(answer.status, JSON.stringify(body)).toBe(400);
      expect(answer.body.error.code).toBe('validation');
      if (!('extra' in body)) expect(answer.body.error.field, JSON.stringify(body)).toBe('reason');
    }
    expect((await operationRow(t(), a.operationId)).status).toBe('manual');
    expect((await tasksOf(t(), a.operationId))[0]!.status).toBe('new');
    // Another department's member: as if it did not exist.
    expect((await otherMember.api.post(url, { reason: 'not mine' })).status).toBe(404);
    expect((await member.api.post('/api/v1/operations/999999999/abandon', { reason: 'gone' })).status).toBe(404);

    const abandoned = await member.api.post(url, { reason: '  Bought by hand upstream  ' });
    expect(abandoned.status, JSON.stringify(abandoned.body)).toBe(200);
    expect(abandoned.body).toMatchObject({ id: a.operationId, status: 'failed', lastError: 'Bought by hand upstream', lastErrorCode: 'abandoned', leaseOwner: null });
    expect(abandoned.body.finishedAt).toBe(clock().now().toISOString());
    expect(await operationRow(t(), a.operationId)).toMatchObject({ status: 'failed', lastError: 'Bought by hand upstream' });

    const closed = await member.api.get(`/api/v1/tasks/${task!.id}`);
    expect(closed.body).toMatchObject({ status: 'done' });
    expect(closed.body.closedAt).not.toBeNull();

    const history = (await t().admin.get(`/api/v1/licenses/${a.licenseId}/history`)).body.items as { event: string; message: string | null; operationId: number | null; actor: { kind: string } }[];
    expect(history.find((h) => h.operationId === a.operationId && h.message?.includes('abandoned'))).toMatchObject({
      event: 'note',
      message: 'Operation "open" abandoned: Bought by hand upstream',
      actor: { kind: 'employee' },
    });
    const audit = await t().admin.get(`/api/v1/audit?entity=operation&entityId=${a.operationId}&action=operation.abandon`);
    expect(audit.body.items).toHaveLength(1);
    expect(audit.body.items[0]).toMatchObject({
      actor: { kind: 'employee', id: member.id },
      before: { status: 'manual' },
      after: { status: 'failed', reason: 'Bought by hand upstream' },
    });

    // Only a manual operation can be abandoned: the answer names the status.
    const again = await member.api.post(url, { reason: 'twice' });
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: 'conflict', field: 'status' });
    expect(again.body.error.message).toContain('is failed');

    // An open given up is an order given up: the license is deleted (its close removes whatever the
    // upstream may hold by our remoteid), and the open cannot be run again.
    const ops = await t().billrelay.db.kysely.selectFrom('operations').select(['kind', 'status']).where('licenseId', '=', a.licenseId).orderBy('id').execute();
    expect(ops).toEqual([{ kind: 'open', status: 'failed' }, { kind: 'close', status: 'pending' }]);
    const restart = await member.api.post(`/api/v1/operations/${a.operationId}/restart`);
    expect(restart.status).toBe(409);
    expect(restart.body.error.message).toContain('being deleted');
    expect(a.purchases()).toHaveLength(0);
  });

  test('a failed operation that nobody paid for can be restarted; a pending one cannot be abandoned', async () => {
    const { module, licenseId, expectedExpiry, prolong } = await manualRenewal();
    const url = `/api/v1/operations/${prolong.id}/abandon`;
    expect((await member.api.post(url, { reason: 'waiting for the reseller to pay' })).status).toBe(200);

    const restarted = await member.api.post(`/api/v1/operations/${prolong.id}/restart`);
    expect(restarted.status, JSON.stringify(restarted.body)).toBe(200);
    expect(restarted.body).toMatchObject({ status: 'pending', finishedAt: null });
    const pending = await member.api.post(url, { reason: 'too early' });
    expect(pending.status).toBe(409);
    expect(pending.body.error.message).toContain('is pending');
    upstream.control.upsertAccount({ username: module.username, balance: '1000.00' });
    expect(await drain(prolong.id)).toMatchObject({ status: 'succeeded' });
    expect((await licenseRow(t(), licenseId)).expiresOn).toBe(expectedExpiry);
  });

  test('the OpenAPI document describes the reason', async () => {
    const doc = await t().anonymous().get('/api/docs/json');
    const post = doc.body.paths['/api/v1/operations/{id}/abandon']?.post;
    expect(post).toBeDefined();
    const schema = post.requestBody.content['application/json'].schema;
    expect(schema.required).toEqual(['reason']);
    expect(schema.properties.reason).toMatchObject({ type: 'string', minLength: 1, maxLength: 500 });
    expect(schema.properties.reason.description).toMatch(/why/i);
  });
});

describe('deleting a license', () => {
  test('a processing license whose open waits for a person: the open fails with the deletion, its task is done, nothing is bought', async () => {
    const a = await manualOpen(licensing);
    const deleted = await t().admin.post(`/api/v1/licenses/${a.licenseId}/delete`);
    expect(deleted.status, JSON.stringify(deleted.body)).toBe(200);
    expect(deleted.body.pendingOperations).toMatchObject([{ kind: 'close', status: 'pending' }]);
    const open = await operationRow(t(), a.operationId);
    expect(open).toMatchObject({ status: 'failed', lastErrorCode: 'license_deleted' });
    expect(open.lastError).toContain(`License ${a.licenseId} is deleted`);
    expect(open.finishedAt).not.toBeNull();
    expect((await tasksOf(t(), a.operationId)).map((task) => task.status)).toEqual(['done']);
    const history = (await t().admin.get(`/api/v1/licenses/${a.licenseId}/history`)).body.items as { message: string | null; operationId: number | null }[];
    expect(history.some((h) => h.operationId === a.operationId && h.message?.startsWith('Operation "open" abandoned: License'))).toBe(true);

    // Even with money upstream now, the open is not bought again: restarting it is refused.
    upstream.control.upsertAccount({ username: a.module.username, balance: '1000.00' });
    const restart = await t().admin.post(`/api/v1/operations/${a.operationId}/restart`);
    expect(restart.status).toBe(409);
    expect(restart.body.error.message).toMatch(/being deleted|is deleted/);
    const closeId = deleted.body.pendingOperations[0].id as number;
    expect(await drain(closeId)).toMatchObject({ status: 'succeeded' });
    expect((await licenseRow(t(), a.licenseId)).status).toBe('deleted');
    expect((await t().admin.post(`/api/v1/operations/${a.operationId}/restart`)).body.error.message).toContain('is deleted');
    expect(a.purchases()).toHaveLength(0);
  });

  test('an active license with a paid renewal still pending: the renewal fails with the deletion and is never applied upstream', async () => {
    const module = await connectSandboxModule(t(), upstream, { extra: { departmentId: licensing } });
    const { tariffId, clientId } = await tariffAndClient(t(), module.id);
    const { licenseId, operationId } = await insertLicense(t(), { clientId, tariffId });
    expect((await drain(operationId!)).status).toBe('succeeded');
    const license = await licenseRow(t(), licenseId);
    const prolong = await enqueue(t(), licenseId, 'prolong', { months: 12, upstreamPeriod: 12, periodStart: license.expiresOn!, expectedExpiry: addMonths(license.expiresOn!, 12) }, `prolong:${licenseId}:${license.expiresOn}`);
    const deleted = await t().admin.post(`/api/v1/licenses/${licenseId}/delete`);
    expect(deleted.status, JSON.stringify(deleted.body)).toBe(200);
    expect(deleted.body.pendingOperations.map((o: { kind: string }) => o.kind)).toEqual(['close']);
    expect(await operationRow(t(), prolong.id)).toMatchObject({ status: 'failed', lastErrorCode: 'license_deleted' });
    const restart = await t().admin.post(`/api/v1/operations/${prolong.id}/restart`);
    expect(restart.status).toBe(409);
    expect(restart.body.error.message).toContain('being deleted');

    expect(await drain(deleted.body.pendingOperations[0].id)).toMatchObject({ status: 'succeeded' });
    expect(await licenseRow(t(), licenseId)).toMatchObject({ status: 'deleted', expiresOn: license.expiresOn });
    expect(upstream.control.licenses().find((l) => l.id === license.upstreamId)!.status).toBe(4);
    expect(upstream.control.charges().filter((c) => c.func === 'service.prolong' && c.account === module.username)).toHaveLength(0);
  });
});

describe('an operation running when its license is deleted', () => {
  test('comes back as a retry: it does not go upstream before the close', async () => {
    const module = await connectSandboxModule(t(), upstream, { extra: { departmentId: licensing } });
    const { tariffId, clientId } = await tariffAndClient(t(), module.id);
    const { licenseId, operationId } = await insertLicense(t(), { clientId, tariffId });
    expect((await drain(operationId!)).status).toBe('succeeded');
    const license = await licenseRow(t(), licenseId);
    const prolong = await enqueue(t(), licenseId, 'prolong', { months: 12, upstreamPeriod: 12, periodStart: license.expiresOn!, expectedExpiry: addMonths(license.expiresOn!, 12) });
    const { kysely } = t().billrelay.db;
    // A worker holds it while the deletion is ordered; then it is put back to wait (as after a timeout).
    await kysely.updateTable('operations').set({ status: 'running', leaseOwner: 'elsewhere', leaseExpiresAt: new Date(clock().now().getTime() + 60_000).toISOString() }).where('id', '=', prolong.id).execute();
    const deleted = await t().admin.post(`/api/v1/licenses/${licenseId}/delete`);
    expect(deleted.status, JSON.stringify(deleted.body)).toBe(200);
    expect((await operationRow(t(), prolong.id)).status).toBe('running');
    await kysely.updateTable('operations').set({ status: 'pending', leaseOwner: null, leaseExpiresAt: null }).where('id', '=', prolong.id).execute();

    expect(await drain(prolong.id)).toMatchObject({ status: 'manual', lastErrorCode: 'license_deleted' });
    expect(upstream.control.charges().filter((c) => c.func === 'service.prolong' && c.account === module.username)).toHaveLength(0);
    const close = (deleted.body.pendingOperations as { id: number; kind: string }[]).find((o) => o.kind === 'close')!;
    expect(await drain(close.id)).toMatchObject({ status: 'succeeded' });
    expect((await licenseRow(t(), licenseId)).status).toBe('deleted');
  });
});

describe('what the client paid for and did not get is refunded', () => {
  /** A provider of its own, the lite tariff on `moduleId` for it, and a client with 500.00 who logs in. */
  async function shop(moduleId: number) {
    const provider = await t().admin.post('/api/v1/providers', { name: `Shop ${Math.random().toString(36).slice(2)}`, currency: 'EUR' });
    const tariff = await importTariff(t(), moduleId, '55227', { markupPercent: '20', providerId: provider.body.id });
    const client = await createClient(t(), { balance: '500.00', providerId: provider.body.id });
    const balance = async () => (await t().admin.get(`/api/v1/clients/${client.id}`)).body.balance as string;
    const order = async () => {
      const answer = await client.api.post('/api/v1/licenses', { tariffId: tariff.id, period: 12, licenseName: 'web', ip: nextIp(), autoRenew: true });
      expect(answer.status, JSON.stringify(answer.body)).toBe(201);
      return answer.body as { id: number; pendingOperations: { id: number; kind: string }[] };
    };
    const yearly = tariff.periods.find((p) => p.period === 12)!.price as string;
    /** 500.00 less `times` yearly prices, as the API writes it. */
    const left = (times: number) => Money.parse('500.00', 'EUR').subtract(Money.parse(yearly, 'EUR').multiplyRatio(BigInt(times), 1n)).toString();
    return { client, balance, order, yearly, left };
  }
  const refunds = (clientId: number) =>
    t().billrelay.db.kysely.selectFrom('ledgerEntries').select(['reference', 'amountMinor']).where('clientId', '=', clientId).where('kind', '=', 'refund').execute();

  test('an open given up by staff: the order is refunded once and the license deleted', async () => {
    const module = await connectModule(t(), upstream, { balance: '1.00' }, { departmentId: licensing });
    const s = await shop(module.id);
    const license = await s.order();
    expect(await s.balance()).toBe(s.left(1));
    const open = license.pendingOperations.find((o) => o.kind === 'open')!;
    expect(await drain(open.id)).toMatchObject({ status: 'manual' }); // the upstream account cannot pay

    const abandoned = await member.api.post(`/api/v1/operations/${open.id}/abandon`, { reason: 'the upstream account is closed' });
    expect(abandoned.status, JSON.stringify(abandoned.body)).toBe(200);
    expect(await s.balance()).toBe('500.00');
    expect(await refunds(s.client.id)).toEqual([{ reference: `refund:license:${license.id}:order:${license.id}`, amountMinor: Money.parse(s.yearly, 'EUR').minor }]);
    const history = (await s.client.api.get(`/api/v1/licenses/${license.id}/history`)).body.items as { message: string | null }[];
    expect(history.some((h) => h.message?.includes(`${s.yearly} EUR refunded to the client`))).toBe(true);

    // Given up stays given up: no restart, no second refund.
    expect((await member.api.post(`/api/v1/operations/${open.id}/restart`)).status).toBe(409);
    expect((await member.api.post(`/api/v1/operations/${open.id}/abandon`, { reason: 'again' })).status).toBe(409);
    const close = (await t().billrelay.db.kysely.selectFrom('operations').select('id').where('licenseId', '=', license.id).where('kind', '=', 'close').executeTakeFirstOrThrow()).id;
    expect(await drain(close)).toMatchObject({ status: 'succeeded' });
    expect((await licenseRow(t(), license.id)).status).toBe('deleted');
    expect(await refunds(s.client.id)).toHaveLength(1);
    expect(await s.balance()).toBe('500.00');
  });

  test("the task of an order waiting for a person is not done while the order waits: the license stays processing and the client charged until the operation ends", async () => {
    const module = await connectModule(t(), upstream, { balance: '1.00' }, { departmentId: licensing });
    const s = await shop(module.id);
    const license = await s.order();
    const open = license.pendingOperations.find((o) => o.kind === 'open')!;
    expect(await drain(open.id)).toMatchObject({ status: 'manual' });
    const [task] = await tasksOf(t(), open.id);
    const taskUrl = `/api/v1/tasks/${task!.id}`;
    expect((await member.api.get(taskUrl)).body.operation).toEqual({ id: open.id, kind: 'open', status: 'manual' });

    const done = await member.api.patch(taskUrl, { status: 'done' });
    expect(done.status, JSON.stringify(done.body)).toBe(409);
    expect(done.body.error).toMatchObject({ code: 'conflict', field: 'operationId', details: { operationId: open.id, operationStatus: 'manual' } });
    expect(done.body.error.message).toBe(
      `Task ${task!.id} cannot be done while operation #${open.id} (open) waits for a person: restart it, record it as done by hand, or abandon it first`,
    );
    // Nothing changed: the task is open, the license processing, the order charged.
    expect((await member.api.get(taskUrl)).body).toMatchObject({ status: 'new', closedAt: null });
    expect((await licenseRow(t(), license.id)).status).toBe('processing');
    expect(await s.balance()).toBe(s.left(1));
    // Taking it is still fine.
    expect((await member.api.patch(taskUrl, { status: 'in_progress' })).status).toBe(200);

    // Restarted, it waits to run: still not done.
    expect((await member.api.post(`${taskUrl}/restart`)).status).toBe(200);
    const waiting = await member.api.patch(taskUrl, { status: 'done' });
    expect(waiting.status).toBe(409);
    expect(waiting.body.error).toMatchObject({ field: 'operationId', details: { operationStatus: 'pending' } });
    expect(waiting.body.error.message).toContain('it closes this task when it succeeds');

    // Back to a person (still no money upstream), then abandoned: the task is done with it, the order refunded.
    expect(await drain(open.id)).toMatchObject({ status: 'manual' });
    expect((await member.api.post(`/api/v1/operations/${open.id}/abandon`, { reason: 'no money upstream' })).status).toBe(200);
    expect((await member.api.get(taskUrl)).body).toMatchObject({ status: 'done', operation: { id: open.id, status: 'failed' } });
    expect(await s.balance()).toBe('500.00');
  });

  test('a renewal given up is refunded; renewing the same period again is charged again, not delivered for free', async () => {
    const module = await connectModule(t(), upstream, {}, { departmentId: licensing });
    const s = await shop(module.id);
    const license = await s.order();
    expect(await drain(license.pendingOperations[0]!.id)).toMatchObject({ status: 'succeeded' });
    const before = await licenseRow(t(), license.id);
    upstream.control.upsertAccount({ username: module.username, balance: '0.00' });
    const first = (await s.client.api.post(`/api/v1/licenses/${license.id}/renew`, {})).body.pendingOperations[0].id as number;
    expect(await drain(first)).toMatchObject({ status: 'manual' });
    expect((await member.api.post(`/api/v1/operations/${first}/abandon`, { reason: 'the upstream account is empty' })).status).toBe(200);
    expect(await s.balance()).toBe(s.left(1));

    const again = await s.client.api.post(`/api/v1/licenses/${license.id}/renew`, {});
    expect(again.status, JSON.stringify(again.body)).toBe(200);
    expect(await s.balance()).toBe(s.left(2));
    const second = again.body.pendingOperations[0].id as number;
    expect(second).not.toBe(first);
    upstream.control.upsertAccount({ username: module.username, balance: '1000.00' });
    expect(await drain(second)).toMatchObject({ status: 'succeeded' });
    expect((await licenseRow(t(), license.id)).expiresOn).toBe(addMonths(before.expiresOn!, 12));
    expect((await refunds(s.client.id)).map((r) => r.reference)).toEqual([`refund:license:${license.id}:renewal:${license.id}:${before.expiresOn}`]);
  });

  test.each(['running', 'waiting for a retry'] as const)('a license deleted while its purchase is %s: the client is refunded, no task opens, the upstream license is closed', async (when) => {
    const module = await connectModule(t(), upstream, {}, { departmentId: licensing });
    const s = await shop(module.id);
    const license = await s.order();
    const open = license.pendingOperations.find((o) => o.kind === 'open')!;
    const worker = t().billrelay.worker;
    if (when === 'running') {
      // The upstream is slow to answer the order: the deletion comes while the worker waits for it.
      upstream.control.inject({ func: 'soft.order.param', fault: 'latency', latencyMs: 600, count: 1 });
      const run = worker.runOnce();
      for (let i = 0; i < 100 && (await operationRow(t(), open.id)).status !== 'running'; i += 1) await new Promise((r) => setTimeout(r, 10));
      expect((await t().admin.post(`/api/v1/licenses/${license.id}/delete`)).status).toBe(200);
      await run;
    } else {
      upstream.control.inject({ func: 'soft.order.param', fault: 'drop-after-commit', count: 1 });
      await worker.runOnce();
      expect(await operationRow(t(), open.id)).toMatchObject({ status: 'pending' });
      expect((await t().admin.post(`/api/v1/licenses/${license.id}/delete`)).status).toBe(200);
    }
    expect(await operationRow(t(), open.id)).toMatchObject({ status: 'failed', lastErrorCode: 'license_deleted' });
    expect(await s.balance()).toBe('500.00');
    expect(await refunds(s.client.id)).toHaveLength(1);
    const tasks = await t().billrelay.db.kysely.selectFrom('tasks').select(['id', 'status']).where('licenseId', '=', license.id).execute();
    expect(tasks.filter((task) => task.status !== 'done')).toEqual([]);
    // What the upstream sold for it is released there.
    const close = (await t().billrelay.db.kysely.selectFrom('operations').select('id').where('licenseId', '=', license.id).where('kind', '=', 'close').executeTakeFirstOrThrow()).id;
    expect(await drain(close)).toMatchObject({ status: 'succeeded' });
    const bought = upstream.control.purchases().filter((p) => p.account === module.username);
    expect(bought).toHaveLength(1);
    expect(upstream.control.licenses().find((l) => l.id === bought[0]!.licenseId)?.status).toBe(4);
    expect(await licenseRow(t(), license.id)).toMatchObject({ status: 'deleted', licenseKey: null });
    expect(await refunds(s.client.id)).toHaveLength(1);
  });

  test('a license deleted with a paid renewal still pending: the renewal is refunded, the delivered order is not', async () => {
    const module = await connectModule(t(), upstream, {}, { departmentId: licensing });
    const s = await shop(module.id);
    const license = await s.order();
    expect(await drain(license.pendingOperations[0]!.id)).toMatchObject({ status: 'succeeded' });
    const renewed = await s.client.api.post(`/api/v1/licenses/${license.id}/renew`, {});
    expect(renewed.status, JSON.stringify(renewed.body)).toBe(200);
    expect(await s.balance()).toBe(s.left(2));

    const deleted = await t().admin.post(`/api/v1/licenses/${license.id}/delete`);
    expect(deleted.status, JSON.stringify(deleted.body)).toBe(200);
    expect(await s.balance()).toBe(s.left(1));
    const [refund] = await refunds(s.client.id);
    expect(refund!.reference).toMatch(new RegExp(`^refund:license:${license.id}:renewal:${license.id}:`));
    expect(await drain(deleted.body.pendingOperations[0].id)).toMatchObject({ status: 'succeeded' });
    expect(await refunds(s.client.id)).toHaveLength(1);
  });
});


describe('done by hand', () => {
  /** A manual processing module of the licensing department serving a tariff, and a license whose open waits for a person. */
  async function manualModuleOpen() {
    const manual = await t().admin.post('/api/v1/processing-modules', { productType: 'licenses', moduleType: 'manual', name: { en: `By hand ${Math.random()}` }, departmentId: licensing });
    expect(manual.status, JSON.stringify(manual.body)).toBe(201);
    const upstreamModule = await connectSandboxModule(t(), upstream);
    const { tariffId, clientId } = await tariffAndClient(t(), upstreamModule.id);
    await t().billrelay.db.kysely.updateTable('tariffModules').set({ processingModuleId: manual.body.id }).where('tariffId', '=', tariffId).execute();
    const { licenseId, operationId } = await insertLicense(t(), { clientId, tariffId });
    expect(await drain(operationId!)).toMatchObject({ status: 'manual', lastErrorCode: 'manual_module' });
    return { moduleId: manual.body.id as number, licenseId, operationId: operationId! };
  }

  test('an open done by hand: what the person enters makes the license active, as the worker would', async () => {
    const a = await manualModuleOpen();
    const url = `/api/v1/operations/${a.operationId}/complete`;
    const good = { upstreamId: '3177001', licenseKey: 'KEY-BY-HAND-1', expiresOn: '2027-11-30', note: 'Bought in the upstream panel, ticket 4711' };
    // What is missing, unneeded or malformed is named, and nothing changes.
    for (const [body, field] of [
      [{}, 'upstreamId'],
      [{ upstreamId: '3177001', licenseKey: 'K' }, 'expiresOn'],
      [{ ...good, expiresOn: '2027-02-30' }, 'expiresOn'],
      [{ ...good, expiresOn: '30.11.2027' }, 'expiresOn'],
      [{ ...good, upstreamId: 'id with spaces' }, 'upstreamId'],
      [{ ...good, licenseKey: '   ' }, 'licenseKey'],
    ] as const) {
      const answer = await member.api.post(url, body);
      expect(answer.status, JSON.stringify(body)).toBe(400);
      expect(answer.body.error.field, JSON.stringify(body)).toBe(field);
    }
    expect((await member.api.post(url, { ...good, extra: 1 })).status).toBe(400);
    expect((await otherMember.api.post(url, good)).status).toBe(404);
    expect((await operationRow(t(), a.operationId)).status).toBe('manual');
    expect((await licenseRow(t(), a.licenseId)).status).toBe('processing');

    const done = await member.api.post(url, good);
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    expect(done.body).toMatchObject({ status: 'succeeded', lastError: null, result: { byHand: true, upstreamId: '3177001' } });
    expect(JSON.stringify(done.body)).not.toContain('KEY-BY-HAND-1'); // the key belongs to the license, not the operation
    expect(await licenseRow(t(), a.licenseId)).toMatchObject({ status: 'active', upstreamId: '3177001', licenseKey: 'KEY-BY-HAND-1', expiresOn: '2027-11-30', moduleId: a.moduleId });
    expect((await tasksOf(t(), a.operationId)).map((task) => task.status)).toEqual(['done']);
    const history = (await t().admin.get(`/api/v1/licenses/${a.licenseId}/history`)).body.items as { event: string; from: string | null; to: string | null; message: string | null; actor: { kind: string } }[];
    expect(history).toEqual(expect.arrayContaining([
      expect.objectContaining({ event: 'status', from: 'processing', to: 'active', actor: expect.objectContaining({ kind: 'employee' }) }),
      expect.objectContaining({ event: 'key', message: 'Upstream license 3177001 recorded by hand' }),
      expect.objectContaining({ event: 'note', message: 'Operation "open" done by hand: Bought in the upstream panel, ticket 4711' }),
    ]));
    const audit = await t().admin.get(`/api/v1/audit?entity=operation&entityId=${a.operationId}&action=operation.complete`);
    expect(audit.body.items).toHaveLength(1);
    expect(JSON.stringify(audit.body)).not.toContain('KEY-BY-HAND-1');

    // Done is done; and an upstream license recorded for one license cannot be recorded for another.
    const again = await member.api.post(url, good);
    expect(again.status).toBe(409);
    expect(again.body.error.field).toBe('status');
    const b = await manualModuleOpen();
    const taken = await member.api.post(`/api/v1/operations/${b.operationId}/complete`, { ...good, licenseKey: 'OTHER' });
    expect(taken.status).toBe(409);
    expect(taken.body.error).toMatchObject({ field: 'upstreamId' });
    expect(taken.body.error.message).toContain(`license ${a.licenseId}`);
  });

  test('a renewal done by hand moves the expiry; nothing is bought upstream and nothing refunded', async () => {
    const { module, licenseId, license, expectedExpiry, prolong } = await manualRenewal();
    const renewals = () => upstream.control.charges().filter((c) => c.func === 'service.prolong' && c.account === module.username);
    const url = `/api/v1/operations/${prolong.id}/complete`;

    expect((await member.api.post(url, { expiresOn: license.expiresOn })).body.error).toMatchObject({ field: 'expiresOn' });
    expect((await member.api.post(url, { expiresOn: expectedExpiry, licenseKey: 'K' })).body.error).toMatchObject({ field: 'licenseKey' });
    const done = await member.api.post(url, { expiresOn: expectedExpiry });
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    expect(await licenseRow(t(), licenseId)).toMatchObject({ status: 'active', expiresOn: expectedExpiry });
    expect(renewals()).toHaveLength(0);
    expect(await t().billrelay.db.kysely.selectFrom('ledgerEntries').select('id').where('kind', '=', 'refund').where('reference', 'like', `refund:license:${licenseId}:%`).execute()).toHaveLength(0);
  });
});
