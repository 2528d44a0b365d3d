// The worker inside the server process, as every installation runs it by default.
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Sandbox } from '../../sandbox/index.js';
import { startUpstream } from '../../../test/support/upstream.js';
import { useBillrelay } from '../../../test/support/billrelay.js';
import { connectSandboxModule, insertLicense, licenseRow, operationRow, tariffAndClient } from '../../../test/support/licenses.js';

// The worker's safety-net poll is a minute: everything below happens because a commit woke it.
const t = useBillrelay({ env: { BILLRELAY_SCHEDULER: 'off', BILLRELAY_WORKER_POLL_MS: '60000' } });
let upstream: Sandbox;

beforeAll(async () => {
  upstream = await startUpstream(t());
});
afterAll(() => upstream.close());

test('the server runs an order the moment it is committed, not at its next poll', async () => {
  const module = await connectSandboxModule(t(), upstream);
  const { tariffId, clientId } = await tariffAndClient(t(), module.id);
  // Idle since the module's creation: the next poll is a minute away.
  await new Promise((r) => setTimeout(r, 200));
  const { licenseId, operationId } = await insertLicense(t(), { clientId, tariffId });
  await expect.poll(async () => (await licenseRow(t(), licenseId)).status, { timeout: 10_000, interval: 25 }).toBe('active');
  expect(await operationRow(t(), operationId!)).toMatchObject({ status: 'succeeded', leaseOwner: null });
  expect(upstream.control.purchases().filter((p) => p.account === module.username)).toHaveLength(1);
});

test('a restart through the API is picked up at once', async () => {
  const module = await connectSandboxModule(t(), upstream, { balance: '0.00' });
  const { tariffId, clientId } = await tariffAndClient(t(), module.id);
  const { licenseId, operationId } = await insertLicense(t(), { clientId, tariffId });
  await expect.poll(async () => (await operationRow(t(), operationId!)).status, { timeout: 2_000, interval: 25 }).toBe('manual');
  const tasks = await t().admin.get(`/api/v1/tasks?licenseId=${licenseId}`);
  expect(tasks.status).toBe(200);
  expect(tasks.body.items).toHaveLength(1);
  upstream.control.upsertAccount({ username: module.username, balance: '100.00' });
  // Restarted from its task, as staff do.
  const restarted = await t().admin.post(`/api/v1/tasks/${tasks.body.items[0].id}/restart`);
  expect(restarted.status, JSON.stringify(restarted.body)).toBe(200);
  await expect.poll(async () => (await licenseRow(t(), licenseId)).status, { timeout: 2_000, interval: 25 }).toBe('active');
  expect(upstream.control.purchases().filter((p) => p.account === module.username)).toHaveLength(1);
  const after = await t().admin.get(`/api/v1/tasks?licenseId=${licenseId}`);
  expect(after.body.items[0].status).toBe('done');
});
