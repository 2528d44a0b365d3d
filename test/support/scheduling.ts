// Helpers for the tasks and scheduler suites: staff, departments and modules through the API, and
// licenses written straight into the database (what ordering would have left behind).
import { randomUUID } from 'node:crypto';
import type { Sandbox } from '../../src/sandbox/index.js';
import type { TestBillrelay } from './billrelay.js';
import type { ApiClient } from './http.js';

let counter = 0;
const unique = () => `${Date.now().toString(36)}${(counter++).toString(36)}`;

function must<T = any>(what: string, answer: { status: number; body: any }, status = 201): T {
  if (answer.status !== status) throw new Error(`${what}: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body as T;
}

const workday = { active: true, allDay: false, begin: '09:00', end: '18:00' };
const dayOff = { active: false, allDay: false, begin: '09:00', end: '18:00' };

/** Monday to Friday 09:00–18:00 in the given zone. */
export async function officeHours(t: TestBillrelay, timeZone = 'UTC'): Promise<{ id: number }> {
  return must('business hours', await t.admin.post('/api/v1/business-hours', {
    name: `Office ${unique()}`, timeZone, days: [workday, workday, workday, workday, workday, dayOff, dayOff],
  }));
}

export async function newDepartment(t: TestBillrelay, options: { taskLocale?: string; businessHoursId?: number | null; memberIds?: number[] } = {}) {
  return must<{ id: number }>('department', await t.admin.post('/api/v1/departments', {
    name: { en: `Processing ${unique()}`, ru: `Обработка ${unique()}` },
    taskLocale: options.taskLocale ?? 'en',
    businessHoursId: options.businessHoursId ?? null,
    memberIds: options.memberIds ?? [],
  }));
}

/** An employee (not an administrator) logged in with a cookie session. */
/** The rights of staff who work tasks and operations: which ones they see is up to their departments. */
export const WORKS_TASKS = ['tasks.change', 'operations.change'];

/** An employee, logged in, in these departments; by default holding the rights to work tasks and operations. */
export async function newEmployee(t: TestBillrelay, departmentIds: number[] = [], rights: string[] = WORKS_TASKS): Promise<{ id: number; api: ApiClient }> {
  const email = `staff-${unique()}@example.test`;
  const body = must<{ id: number }>('employee', await t.admin.post('/api/v1/employees', {
    email, name: `Staff ${unique()}`, password: 'staff-password-1', language: 'en', departmentIds, rights,
  }));
  return { id: body.id, api: await t.loginAs(email, 'staff-password-1') };
}

/** A billmanager module on its own sandbox account. */
export async function connectModule(
  t: TestBillrelay,
  upstream: Sandbox,
  options: { balance?: string; minimalBalance?: string; departmentId?: number | null } = {},
): Promise<{ id: number; username: string }> {
  const username = `partner-${unique()}`;
  upstream.control.upsertAccount({ username, password: 'partner-password', balance: options.balance ?? '1000.00' });
  const body = must<{ id: number }>('module', await t.admin.post('/api/v1/processing-modules', {
    productType: 'licenses',
    moduleType: 'billmanager',
    connection: { url: upstream.url, username, password: 'partner-password' },
    name: { en: `ispmanager ${username}`, ru: `ispmanager ${username} (ru)` },
    minimalBalance: options.minimalBalance ?? '0',
    departmentId: options.departmentId ?? null,
  }));
  return { id: body.id, username };
}

/** A provider selling in EUR (one tariff per provider and upstream tariff: a fresh provider per scenario). */
export async function newProvider(t: TestBillrelay): Promise<{ id: number }> {
  return must('provider', await t.admin.post('/api/v1/providers', { name: `Reseller ${unique()}`, currency: 'EUR' }));
}

/** The upstream tariff imported for the default provider (lite: 6.00/60.00 upstream, +20 %: 7.20/72.00). */
export async function importTariff(t: TestBillrelay, moduleId: number, upstreamTariffId = '55227', providerId = 1) {
  return must<{ id: number; periods: { period: number; price: string }[] }>('tariff', await t.admin.post('/api/v1/tariffs/import', {
    processingModuleId: moduleId, upstreamTariffId, providerId, markupPercent: '20',
  }));
}

export async function newClient(t: TestBillrelay, balance?: string, providerId = 1): Promise<{ id: number }> {
  const client = must<{ id: number }>('client', await t.admin.post('/api/v1/clients', {
    name: 'Client', email: `client-${unique()}@example.test`, password: 'client-password', language: 'en', providerId,
  }));
  if (balance) await topUp(t, client.id, balance);
  return client;
}

export async function topUp(t: TestBillrelay, clientId: number, amount: string): Promise<void> {
  must('payment', await t.admin.post(`/api/v1/clients/${clientId}/payments`, { amount, method: 'bank_transfer' }));
}

export async function balanceOf(t: TestBillrelay, clientId: number): Promise<string> {
  return must<{ balance: string }>('client', await t.admin.get(`/api/v1/clients/${clientId}`), 200).balance;
}

export interface LicenseRow {
  clientId: number;
  tariffId: number;
  moduleId: number | null;
  period?: number;
  status?: 'processing' | 'active' | 'suspended' | 'deleted';
  expiresOn: string | null;
  autoRenew?: boolean;
  isTrial?: boolean;
  upstreamId?: string | null;
  licenseKey?: string | null;
  ip?: string;
  licenseName?: string;
  remoteId?: string;
  suspendedAt?: string | null;
}

/** A license row as ordering leaves it once the upstream confirmed it. */
export async function insertLicense(t: TestBillrelay, row: LicenseRow): Promise<{ id: number; remoteId: string }> {
  const now = t.clock.now().toISOString();
  const remoteId = row.remoteId ?? `br-${randomUUID()}`;
  const { id } = await t.billrelay.db.kysely
    .insertInto('licenses')
    .values({
      clientId: row.clientId,
      tariffId: row.tariffId,
      period: row.period ?? 1,
      isTrial: row.isTrial ? 1 : 0,
      licenseName: row.licenseName ?? `web-${unique()}`,
      ip: row.ip ?? `198.51.100.${(counter % 250) + 1}`,
      autoRenew: row.autoRenew === false ? 0 : 1,
      datacenterId: null,
      status: row.status ?? 'active',
      licenseKey: row.licenseKey ?? null,
      upstreamId: row.upstreamId === undefined ? `${3_900_000 + counter++}` : row.upstreamId,
      remoteId,
      moduleId: row.moduleId,
      expiresOn: row.expiresOn,
      priceMinor: 720n,
      currency: 'EUR',
      suspendedAt: row.suspendedAt ?? null,
      deletedAt: null,
      createdAt: now,
      updatedAt: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { id: Number(id), remoteId };
}

/** A license the sandbox holds for an account (status 2 active, 3 suspended, 4 deleted). */
export function upstreamLicense(upstream: Sandbox, owner: string, l: { id: string; remoteid?: string | null; expiredate: string; ip?: string; status?: 2 | 3 | 4; key?: string }) {
  upstream.state.licenses.push({
    id: l.id,
    owner,
    remoteid: l.remoteid ?? null,
    pricelist: '55227',
    period: 1,
    ip: l.ip ?? '203.0.113.10',
    licname: `up-${l.id}`,
    key: l.key ?? `KEY-${l.id}`,
    keyPendingReads: 0,
    keyReadyAt: 0,
    status: l.status ?? 2,
    suspendedBy: null,
    autoprolong: null,
    createdate: '2026-01-01',
    expiredate: l.expiredate,
  });
}

export async function historyOf(t: TestBillrelay, licenseId: number) {
  return t.billrelay.db.kysely.selectFrom('licenseHistory').selectAll().where('licenseId', '=', licenseId).orderBy('id').execute();
}

export async function operationsOf(t: TestBillrelay, licenseId: number) {
  return t.billrelay.db.kysely.selectFrom('operations').selectAll().where('licenseId', '=', licenseId).orderBy('id').execute();
}

export async function tasksWithCause(t: TestBillrelay, causeKey: string) {
  return t.billrelay.db.kysely.selectFrom('tasks').selectAll().where('causeKey', '=', causeKey).execute();
}
