// Licenses straight into the database (with their `open` operation, as an order would leave them),
// for tests of the areas behind ordering: running operations, tasks, the scheduler.
import { randomBytes } from 'node:crypto';
import type { OperationKind, OperationPayloads } from '../../src/licenses/model.js';
import { enqueueOperation } from '../../src/licenses/outbox.js';
import type { Sandbox } from '../../src/sandbox/index.js';
import type { TestBillrelay } from './billrelay.js';
import type { ManualClock } from '../../src/platform/clock.js';

export interface TestLicenseInput {
  clientId: number;
  tariffId: number;
  /** Months; 12 unless given. */
  period?: number;
  ip?: string;
  licenseName?: string;
  datacenterId?: number | null;
  /** Skip the open operation (e.g. to build an already active license). */
  withoutOpen?: boolean;
  /** Columns to set directly (status, upstreamId, moduleId, expiresOn, licenseKey…). */
  columns?: Partial<{ status: string; upstreamId: string | null; moduleId: number | null; expiresOn: string | null; licenseKey: string | null }>;
}

let counter = 0;

/** Inserts a license (status processing) and its open operation in one transaction. */
export async function insertLicense(t: TestBillrelay, input: TestLicenseInput): Promise<{ licenseId: number; operationId: number | null; remoteId: string }> {
  const { db, clock } = t.billrelay;
  counter += 1;
  const tariff = await db.kysely.selectFrom('tariffs').select(['upstreamTariffId', 'currency']).where('id', '=', input.tariffId).executeTakeFirstOrThrow();
  const period = input.period ?? 12;
  const ip = input.ip ?? `198.51.100.${(counter % 250) + 1}`;
  const licenseName = input.licenseName ?? `web${counter}`;
  const remoteId = `brt${randomBytes(8).toString('hex')}`;
  return db.transaction(async (trx) => {
    const now = clock.now().toISOString();
    const { id } = await trx
      .insertInto('licenses')
      .values({
        clientId: input.clientId,
        tariffId: input.tariffId,
        period,
        isTrial: 0,
        licenseName,
        ip,
        autoRenew: 0,
        datacenterId: input.datacenterId ?? null,
        status: 'processing',
        licenseKey: null,
        upstreamId: null,
        remoteId,
        moduleId: null,
        expiresOn: null,
        priceMinor: 1000n,
        currency: tariff.currency,
        suspendedAt: null,
        deletedAt: null,
        createdAt: now,
        updatedAt: now,
        ...input.columns,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const licenseId = Number(id);
    if (input.withoutOpen) return { licenseId, operationId: null, remoteId };
    const op = await enqueueOperation(trx, clock, {
      licenseId,
      kind: 'open',
      payload: { tariffUpstreamId: tariff.upstreamTariffId, upstreamPeriod: period, ip, licenseName, remoteId, datacenterId: input.datacenterId ?? null },
      idempotencyKey: `open:${licenseId}`,
    });
    return { licenseId, operationId: op.id, remoteId };
  });
}

/** Enqueues an operation of any kind on an existing license. */
export async function enqueue<K extends OperationKind>(t: TestBillrelay, licenseId: number, kind: K, payload: OperationPayloads[K], idempotencyKey?: string) {
  const { db, clock } = t.billrelay;
  return db.transaction((trx) => enqueueOperation(trx, clock, { licenseId, kind, payload, idempotencyKey: idempotencyKey ?? `${kind}:${licenseId}:${randomBytes(4).toString('hex')}` }));
}

export function licenseRow(t: TestBillrelay, licenseId: number) {
  return t.billrelay.db.kysely.selectFrom('licenses').selectAll().where('id', '=', licenseId).executeTakeFirstOrThrow();
}

export function operationRow(t: TestBillrelay, operationId: number) {
  return t.billrelay.db.kysely.selectFrom('operations').selectAll().where('id', '=', operationId).executeTakeFirstOrThrow();
}

export function tasksOf(t: TestBillrelay, operationId: number) {
  return t.billrelay.db.kysely.selectFrom('tasks').selectAll().where('operationId', '=', operationId).execute();
}

// Set-up steps through the API (the same as test/support/scenario.ts, kept here so this file stands alone).

let unique = 0;
const nextName = () => `${Date.now().toString(36)}${(unique++).toString(36)}`;

/** A billmanager module on its own sandbox account (so purchases can be counted per module). */
export async function connectSandboxModule(t: TestBillrelay, upstream: Sandbox, options: { balance?: string; extra?: Record<string, unknown> } = {}) {
  const username = `ops-${nextName()}`;
  const password = 'partner-password';
  upstream.control.upsertAccount({ username, password, balance: options.balance ?? '1000.00' });
  const answer = await t.admin.post('/api/v1/processing-modules', {
    productType: 'licenses',
    moduleType: 'billmanager',
    connection: { url: upstream.url, username, password },
    name: { en: `ispmanager ${username}` },
    ...options.extra,
  });
  if (answer.status !== 201) throw new Error(`connect module: ${answer.status} ${JSON.stringify(answer.body)}`);
  return { ...(answer.body as { id: number; departmentId: number | null }), username };
}

/** A new provider (one tariff plan per provider and upstream tariff), a tariff on the module, and a client. */
export async function tariffAndClient(t: TestBillrelay, moduleId: number, upstreamTariffId = '55227') {
  const provider = await t.admin.post('/api/v1/providers', { name: `Reseller ${nextName()}`, currency: 'EUR' });
  if (provider.status !== 201) throw new Error(`provider: ${provider.status} ${JSON.stringify(provider.body)}`);
  const tariff = await t.admin.post('/api/v1/tariffs/import', { processingModuleId: moduleId, upstreamTariffId, providerId: provider.body.id, markupPercent: '20' });
  if (tariff.status !== 201) throw new Error(`tariff: ${tariff.status} ${JSON.stringify(tariff.body)}`);
  const client = await t.admin.post('/api/v1/clients', {
    name: 'Client', email: `client-${nextName()}@example.test`, password: 'client-password', language: 'en', providerId: provider.body.id,
  });
  if (client.status !== 201) throw new Error(`client: ${client.status} ${JSON.stringify(client.body)}`);
  return { tariffId: tariff.body.id as number, clientId: client.body.id as number, providerId: provider.body.id as number };
}

/** What the suites that run operations by hand set: no background worker, short upstream deadlines and backoff. */
export const OPERATIONS_TEST_ENV = {
  BILLRELAY_WORKER: 'off',
  BILLRELAY_UPSTREAM_CONNECT_TIMEOUT_MS: '300',
  BILLRELAY_UPSTREAM_READ_TIMEOUT_MS: '700',
  BILLRELAY_OPERATION_RETRY_BASE_MS: '1000',
  BILLRELAY_OPERATION_RETRY_MAX_MS: '60000',
  BILLRELAY_KEY_WAIT_MS: '1000',
  BILLRELAY_KEY_POLLS: '3',
};

/**
 * Runs the worker, moving the test's clock past any backoff, until the operation is finished or handed
 * to a person (the clock must be a ManualClock).
 */
export async function drain(t: TestBillrelay, operationId: number, rounds = 20) {
  const clock = t.clock as ManualClock;
  for (let i = 0; i < rounds; i += 1) {
    await t.billrelay.worker.runOnce();
    const op = await operationRow(t, operationId);
    if (op.status !== 'pending' && op.status !== 'running') return op;
    clock.advance(120_000);
  }
  return operationRow(t, operationId);
}
