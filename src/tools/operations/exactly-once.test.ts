// Buy once, renew once, against the upstream as public evidence shows it (the simulator's realistic
// profile: no remoteid in list rows or forms, the tariff's name in list rows, renewals of a license
// that is not active counted from today), with lost answers, on SQLite and PostgreSQL.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Sandbox } from '../../sandbox/index.js';
import { addMonths } from '../../sandbox/dates.js';
import type { ManualClock } from '../../platform/clock.js';
import { ADMIN_EMAIL, ADMIN_PASSWORD, useBillrelay } from '../../../test/support/billrelay.js';
import { startUpstream } from '../../../test/support/upstream.js';
import { connectSandboxModule, enqueue, insertLicense, licenseRow, operationRow, tariffAndClient, tasksOf, drain as drainOperation, OPERATIONS_TEST_ENV } from '../../../test/support/licenses.js';

const t = useBillrelay({
  env: OPERATIONS_TEST_ENV,
});
let upstream: Sandbox;

beforeAll(async () => {
  upstream = await startUpstream(t());
  expect(upstream.state.profile).toBe('realistic');
});
afterAll(() => upstream.close());

const clock = () => t().clock as ManualClock;

async function setup(options: { balance?: string } = {}) {
  const module = await connectSandboxModule(t(), upstream, { balance: options.balance });
  const { tariffId, clientId } = await tariffAndClient(t(), module.id);
  const mine = <T extends { account: string }>(rows: T[]) => rows.filter((r) => r.account === module.username);
  return {
    module,
    tariffId,
    clientId,
    purchases: () => mine(upstream.control.purchases()),
    renewals: () => mine(upstream.control.charges()).filter((c) => c.func === 'service.prolong'),
    orders: () => upstream.control.calls('soft.order.param').filter((c) => c.account === module.username),
  };
}

/** The shared drain (test/support/licenses.ts) on this file's billrelay. */
const drain = (operationId: number, rounds?: number) => drainOperation(t(), operationId, rounds);

describe('an order whose answer was lost, against an upstream that does not echo remoteid', () => {
  test('the one license fitting IP, name and tariff is adopted: one purchase, active, no person', async () => {
    const s = await setup();
    const { licenseId, operationId, remoteId } = await insertLicense(t(), { clientId: s.clientId, tariffId: s.tariffId });
    upstream.control.inject({ func: 'soft.order.param', fault: 'drop-after-commit', count: 1 });
    const op = await drain(operationId!);
    expect(op.status, op.lastError ?? '').toBe('succeeded');
    expect(JSON.parse(op.result!)).toMatchObject({ adopted: true });
    expect(s.purchases()).toHaveLength(1);
    expect(s.orders()).toHaveLength(1);
    // The upstream never showed our remoteid back, yet the license is ours and active.
    expect(upstream.control.licenses().find((l) => l.id === s.purchases()[0]!.licenseId)?.remoteid).toBe(remoteId);
    expect(await licenseRow(t(), licenseId)).toMatchObject({ status: 'active', upstreamId: s.purchases()[0]!.licenseId });
    expect(await tasksOf(t(), operationId!)).toHaveLength(0);
  });

  test('an order that never arrived (nothing fits, the list complete) is sent again with the same remoteid', async () => {
    const s = await setup();
    const { licenseId, operationId, remoteId } = await insertLicense(t(), { clientId: s.clientId, tariffId: s.tariffId });
    upstream.control.inject({ func: 'soft.order.param', fault: 'timeout', count: 1 });
    const op = await drain(operationId!);
    expect(op).toMatchObject({ status: 'succeeded', attempts: 2 });
    expect(s.orders()).toHaveLength(2);
    expect(s.purchases()).toMatchObject([{ remoteid: remoteId }]);
    expect((await licenseRow(t(), licenseId)).status).toBe('active');
  });

  test('two licenses fit equally: a person decides, nothing more is bought', async () => {
    const s = await setup();
    const { licenseId, operationId } = await insertLicense(t(), { clientId: s.clientId, tariffId: s.tariffId });
    upstream.control.inject({ func: 'soft.order.param', fault: 'drop-after-commit', count: 1 });
    await t().billrelay.worker.runOnce();
    // Meanwhile a twin appears upstream (ordered by hand in its panel, say).
    const bought = upstream.state.licenses.find((l) => l.id === s.purchases()[0]!.licenseId)!;
    upstream.state.licenses.push({ ...bought, id: '3888888', remoteid: null });
    const op = await drain(operationId!);
    expect(op).toMatchObject({ status: 'manual', lastErrorCode: 'upstream_order_ambiguous' });
    expect(op.lastError).toContain('3888888');
    expect(await tasksOf(t(), operationId!)).toHaveLength(1);
    expect(s.orders()).toHaveLength(1);
    expect(await licenseRow(t(), licenseId)).toMatchObject({ status: 'processing', upstreamId: null });
  });

  test('a list filter saved upstream that cannot be cleared: absence proves nothing, a person looks, nothing is re-sent', async () => {
    const s = await setup();
    const { operationId } = await insertLicense(t(), { clientId: s.clientId, tariffId: s.tariffId });
    upstream.control.setListFilter(s.module.username, { status: '3' });
    upstream.control.inject({ func: 'soft.filter', fault: { error: { type: 'access', msg: 'Access denied' } }, count: 50 });
    upstream.control.inject({ func: 'soft.order.param', fault: 'drop-after-commit', count: 1 });
    try {
      const op = await drain(operationId!);
      expect(op).toMatchObject({ status: 'manual', lastErrorCode: 'upstream_list_incomplete' });
      expect(s.orders()).toHaveLength(1);
      expect(s.purchases()).toHaveLength(1);
    } finally {
      upstream.control.clear();
    }
  });

  test('a filter that hides the new license is cleared before the lookup, and the license is found', async () => {
    const s = await setup();
    const { licenseId, operationId } = await insertLicense(t(), { clientId: s.clientId, tariffId: s.tariffId });
    upstream.control.setListFilter(s.module.username, { status: '3' });
    upstream.control.inject({ func: 'soft.order.param', fault: 'drop-after-commit', count: 1 });
    const op = await drain(operationId!);
    expect(op.status, op.lastError ?? '').toBe('succeeded');
    expect(s.orders()).toHaveLength(1);
    expect((await licenseRow(t(), licenseId)).status).toBe('active');
  });

  test('an order accepted but left unpaid upstream goes to a person as insufficient funds, not polled forever', async () => {
    const s = await setup({ balance: '1.00' });
    upstream.control.configure({ quirks: { lowBalanceOrder: 'unpaid' } });
    try {
      const { licenseId, operationId } = await insertLicense(t(), { clientId: s.clientId, tariffId: s.tariffId });
      const op = await drain(operationId!);
      expect(op).toMatchObject({ status: 'manual', attempts: 1, lastErrorCode: 'upstream_insufficient_funds' });
      const license = await licenseRow(t(), licenseId);
      // The unpaid upstream license is remembered, so paying it there and restarting buys nothing new.
      expect(license).toMatchObject({ status: 'processing', licenseKey: null });
      expect(license.upstreamId).toBeTruthy();
      expect(await tasksOf(t(), operationId!)).toMatchObject([{ type: 'setup' }]);
      expect(s.purchases()).toHaveLength(0);

      const unpaid = upstream.state.licenses.find((l) => l.id === license.upstreamId)!;
      unpaid.status = 2;
      unpaid.keyPendingReads = 0;
      expect((await t().admin.post(`/api/v1/operations/${operationId}/restart`)).status).toBe(200);
      expect(await drain(operationId!)).toMatchObject({ status: 'succeeded' });
      expect(s.orders()).toHaveLength(1);
      expect(await licenseRow(t(), licenseId)).toMatchObject({ status: 'active', licenseKey: unpaid.key });
    } finally {
      upstream.control.configure({ quirks: { lowBalanceOrder: 'error' } });
    }
  });
});

describe('renewals are judged by what changed upstream', () => {
  async function activeLicense(s: Awaited<ReturnType<typeof setup>>, period = 12) {
    const { licenseId, operationId } = await insertLicense(t(), { clientId: s.clientId, tariffId: s.tariffId, period });
    expect((await drain(operationId!)).status).toBe('succeeded');
    return licenseRow(t(), licenseId);
  }

  test('a suspended license with time left is resumed before its renewal, which continues from its expiry once despite a lost answer', async () => {
    const s = await setup();
    const license = await activeLicense(s);
    // Suspended (here and upstream) before its expiry: renewed as it is, the upstream would count from today.
    expect((await drain((await enqueue(t(), license.id, 'suspend', {})).id)).status).toBe('succeeded');
    const expectedExpiry = addMonths(license.expiresOn!, 1);
    const { id } = await enqueue(t(), license.id, 'prolong', { months: 1, upstreamPeriod: 1, periodStart: license.expiresOn!, expectedExpiry });
    upstream.control.inject({ func: 'service.prolong', fault: 'drop-after-commit', count: 1 });
    const op = await drain(id);
    expect(op.status, op.lastError ?? '').toBe('succeeded');
    expect(s.renewals()).toHaveLength(1);
    expect(upstream.control.calls('service.prolong').filter((c) => c.account === s.module.username)).toHaveLength(1);
    const upstreamLicense = upstream.control.licenses().find((l) => l.id === license.upstreamId)!;
    expect(upstreamLicense.expiredate).toBe(expectedExpiry);
    expect((await licenseRow(t(), license.id)).expiresOn).toBe(expectedExpiry);
  });

  test('the expiry stored before sending decides: unchanged allows one re-send, so a renewal that never arrived is sent again once', async () => {
    const s = await setup();
    const license = await activeLicense(s);
    const expectedExpiry = addMonths(license.expiresOn!, 12);
    const { id } = await enqueue(t(), license.id, 'prolong', { months: 12, upstreamPeriod: 12, periodStart: license.expiresOn!, expectedExpiry });
    upstream.control.inject({ func: 'service.prolong', fault: 'timeout', count: 1 });
    await t().billrelay.worker.runOnce();
    const waiting = await operationRow(t(), id);
    expect(waiting.status).toBe('pending');
    expect(JSON.parse(waiting.payload)).toMatchObject({ upstreamExpiryBeforeSend: license.expiresOn });
    const op = await drain(id);
    expect(op.status, op.lastError ?? '').toBe('succeeded');
    expect(s.renewals()).toHaveLength(1);
    expect(await licenseRow(t(), license.id)).toMatchObject({ status: 'active', expiresOn: expectedExpiry });
  });

  // This and the next move the shared clock by weeks: the last tests of the file.
  test('a license suspended by staff stays suspended through a renewal, which extends it; staff resume it', async () => {
    const s = await setup();
    const license = await activeLicense(s, 1);
    const suspended = await t().admin.post(`/api/v1/licenses/${license.id}/suspend`);
    expect(suspended.status, JSON.stringify(suspended.body)).toBe(200);
    await t().billrelay.worker.runOnce();
    expect(await licenseRow(t(), license.id)).toMatchObject({ status: 'suspended', suspendedBy: 'staff' });
    // Three days before its expiry, as auto-renewal would.
    clock().advance(27 * 86_400_000);
    await t().admin.login(ADMIN_EMAIL, ADMIN_PASSWORD);
    const { id } = await enqueue(t(), license.id, 'prolong', { months: 1, upstreamPeriod: 1, periodStart: license.expiresOn!, expectedExpiry: addMonths(license.expiresOn!, 1) });
    const op = await drain(id);
    expect(op.status, op.lastError ?? '').toBe('succeeded');
    const upstreamLicense = () => upstream.control.licenses().find((l) => l.id === license.upstreamId)!;
    expect(upstreamLicense().expiredate > license.expiresOn!).toBe(true);
    expect(upstreamLicense().status).toBe(3);
    expect(await licenseRow(t(), license.id)).toMatchObject({ status: 'suspended', suspendedBy: 'staff', expiresOn: upstreamLicense().expiredate });
    expect((await t().admin.post(`/api/v1/licenses/${license.id}/resume`)).status).toBe(200);
    await t().billrelay.worker.runOnce();
    expect(await licenseRow(t(), license.id)).toMatchObject({ status: 'active', suspendedBy: null });
    expect(upstreamLicense().status).toBe(2);
  });


  test('a license suspended at expiry for non-payment: one renewal despite a lost answer, resumed upstream and here', async () => {
    const s = await setup();
    const license = await activeLicense(s, 1);
    clock().advance(40 * 86_400_000);
    await t().admin.login(ADMIN_EMAIL, ADMIN_PASSWORD);
    await t().billrelay.db.kysely.updateTable('licenses').set({ status: 'suspended', suspendedAt: clock().now().toISOString() }).where('id', '=', license.id).execute();
    expect((await drain((await enqueue(t(), license.id, 'sync', {})).id)).status).toBe('succeeded');
    expect(upstream.control.licenses().find((l) => l.id === license.upstreamId)?.status).toBe(3);
    const { id } = await enqueue(t(), license.id, 'prolong', { months: 1, upstreamPeriod: 1, periodStart: license.expiresOn!, expectedExpiry: addMonths(license.expiresOn!, 1) });
    upstream.control.inject({ func: 'service.prolong', fault: 'drop-after-commit', count: 1 });
    const op = await drain(id);
    expect(op.status, op.lastError ?? '').toBe('succeeded');
    expect(s.renewals()).toHaveLength(1);
    // Renewed from the day of the renewal (a month and more after the old expiry), as the upstream does.
    const renewed = upstream.control.licenses().find((l) => l.id === license.upstreamId)!;
    expect(renewed.status).toBe(2);
    expect(renewed.expiredate > addMonths(license.expiresOn!, 1)).toBe(true);
    expect(await licenseRow(t(), license.id)).toMatchObject({ status: 'active', expiresOn: renewed.expiredate, suspendedAt: null });
  });
});
