// One small world for the generated tests: a module on the upstream simulator in a department, a
// tariff, two clients with a license each (the first one's with a running operation), a task in the
// module's department, a spare employee; and the rule that turns an operation's path parameters into
// real ids.
import { hashPassword } from '../../src/platform/crypto/passwords.js';
import type { Sandbox } from '../../src/sandbox/index.js';
import type { TestBillrelay } from '../support/billrelay.js';
import type { ApiClient } from '../support/http.js';
import { insertLicense } from '../support/licenses.js';
import { connectModule, createClient, importTariff, type TestClient } from '../support/scenario.js';
import { insertDepartment } from '../support/staff.js';
import { startUpstream } from '../support/upstream.js';
import { collectionOf, type ApiOperation } from './openapi.js';

export interface World {
  upstream: Sandbox;
  moduleId: number;
  tariffId: number;
  /** The department of the module, its operations and tasks. */
  workDepartmentId: number;
  otherDepartmentId: number;
  clientA: TestClient & { licenseId: number };
  clientB: TestClient & { licenseId: number };
  operationId: number;
  taskId: number;
  spareEmployeeId: number;
  /** Ids by collection path, for the path parameters that point into it. */
  ids: Record<string, string>;
  /** Named ids a body or query may ask for. */
  named: Record<string, number>;
}

export async function buildWorld(t: TestBillrelay): Promise<World> {
  const upstream = await startUpstream(t);
  // Work takes the default provider's tickets; its members see the tickets, Elsewhere's do not.
  const workDepartmentId = await insertDepartment(t, { name: 'Work', providerIds: [1] });
  const otherDepartmentId = await insertDepartment(t, { name: 'Elsewhere' });
  const module = await connectModule(t, upstream, undefined, { departmentId: workDepartmentId });
  const tariff = await importTariff(t, module.id, '55227');
  const withLicense = async (): Promise<TestClient & { licenseId: number; operationId: number | null }> => {
    const client = await createClient(t, { balance: '100.00' });
    const license = await insertLicense(t, { clientId: client.id, tariffId: tariff.id, columns: { moduleId: module.id } });
    return { ...client, licenseId: license.licenseId, operationId: license.operationId };
  };
  const clientA = await withLicense();
  const clientB = await withLicense();
  const db = t.billrelay.db;
  // The operation belongs to the module's department (an operation's department is its module's).
  await db.kysely.updateTable('operations').set({ moduleId: module.id }).where('id', '=', clientA.operationId!).execute();
  const task = await db.transaction((trx) => t.billrelay.services.tasks.openForCause(trx, {
    type: 'setup',
    causeKey: `operation:${clientA.operationId}`,
    departmentId: workDepartmentId,
    licenseId: clientA.licenseId,
    operationId: clientA.operationId,
    moduleId: module.id,
    params: { licenseId: clientA.licenseId, licenseName: 'web', ip: '198.51.100.7', operationId: clientA.operationId, operation: 'open', attempts: 1, error: 'test' },
  }));
  const upload = await clientA.api.request('POST', '/api/v1/attachments?name=note.txt', 'generated', { 'content-type': 'text/plain' });
  if (upload.status !== 201) throw new Error(`attachment: ${upload.status} ${JSON.stringify(upload.body)}`);
  const ticket = await clientA.api.post('/api/v1/tickets', { departmentId: workDepartmentId, subject: 'Generated', body: 'Hello', attachmentIds: [upload.body.id] });
  if (ticket.status !== 201) throw new Error(`ticket: ${ticket.status} ${JSON.stringify(ticket.body)}`);
  const payment = await db.kysely.selectFrom('ledgerEntries').select('id').where('clientId', '=', clientA.id).where('kind', '=', 'payment').executeTakeFirstOrThrow();
  const datacenter = await t.admin.post('/api/v1/datacenters', { name: { en: 'Generated DC' } });
  if (datacenter.status !== 201) throw new Error(`datacenter: ${datacenter.status} ${JSON.stringify(datacenter.body)}`);
  const spare = await t.admin.post('/api/v1/employees', { email: `spare-${process.pid}@example.test`, name: 'Spare', password: 'staff-password-1' });
  if (spare.status !== 201) throw new Error(`spare employee: ${spare.status} ${JSON.stringify(spare.body)}`);

  const ids: Record<string, string> = {
    '/api/v1/clients': String(clientA.id),
    '/api/v1/licenses': String(clientA.licenseId),
    '/api/v1/operations': String(clientA.operationId),
    '/api/v1/tasks': String(task.id),
    '/api/v1/processing-modules': String(module.id),
    '/api/v1/tariffs': String(tariff.id),
    '/api/v1/departments': String(workDepartmentId),
    // Never the administrator the tests act as.
    '/api/v1/employees': String(spare.body.id),
    '/api/v1/payments/webhooks': 'manual',
    '/api/v1/datacenters': String(datacenter.body.id),
    '/api/v1/tickets': String(ticket.body.id),
    '/api/v1/attachments': String(upload.body.id),
    // A collection under another id: the first client's payment (its receipt).
    '/api/v1/clients/{id}/payments': String(payment.id),
  };
  const named = {
    clientId: clientA.id,
    licenseId: clientA.licenseId,
    tariffId: tariff.id,
    processingModuleId: module.id,
    moduleId: module.id,
    providerId: 1,
    datacenterId: datacenter.body.id as number,
    departmentId: workDepartmentId,
    employeeId: spare.body.id as number,
    operationId: clientA.operationId!,
    taskId: task.id,
    ticketId: ticket.body.id as number,
  };
  return {
    upstream, moduleId: module.id, tariffId: tariff.id, workDepartmentId, otherDepartmentId,
    clientA: { ...clientA }, clientB: { ...clientB }, operationId: clientA.operationId!, taskId: task.id, spareEmployeeId: spare.body.id, ids, named,
  };
}

/** What a collection's items are called by: "code" for localizations, the parameter's own name or "id". */
function idOf(item: Record<string, unknown>, param: string): string | undefined {
  for (const key of [param, 'id', 'code']) {
    const v = item[key];
    if (typeof v === 'number' || typeof v === 'string') return String(v);
  }
  return undefined;
}

/**
 * Real values for an operation's path parameters: the world's ids, else the newest item of the
 * collection the parameter points into, as `as` lists it (the first client for client routes, so the
 * id is that client's own), else the administrator. `unresolved` lists parameters nothing was found for.
 */
export async function resolvePathParams(
  t: TestBillrelay,
  world: World,
  op: ApiOperation,
  as: ApiClient,
): Promise<{ values: Record<string, string>; unresolved: string[] }> {
  const values: Record<string, string> = {};
  const unresolved: string[] = [];
  for (const p of op.pathParams) {
    const collection = collectionOf(op.path, p.name).replace(/\{(\w+)\}/g, (_, n: string) => values[n] ?? '1');
    const known = world.ids[collectionOf(op.path, p.name)];
    if (known) {
      values[p.name] = known;
      continue;
    }
    if (p.name === 'employeeId') {
      values[p.name] = String(world.spareEmployeeId);
      continue;
    }
    let found: string | undefined;
    for (const who of [as, t.admin]) {
      const list = await who.get(collection);
      const items = list.status === 200 ? (Array.isArray(list.body) ? list.body : list.body?.items) : undefined;
      if (Array.isArray(items) && items.length) {
        found = idOf(items[items.length - 1] as Record<string, unknown>, p.name);
        if (found) break;
      }
    }
    if (found) values[p.name] = found;
    else {
      unresolved.push(p.name);
      values[p.name] = p.schema.pattern?.includes('0-9') ? '999999999' : 'zz';
    }
  }
  return { values, unresolved };
}

/** Values for an operation's required query parameters: the world's named ids, else from the schema's example or default. */
export function requiredQuery(world: World, op: ApiOperation): string {
  const parts: string[] = [];
  for (const q of op.queryParams) {
    if (!q.required) continue;
    const value = world.named[q.name] ?? q.schema.default ?? q.schema.enum?.[0] ?? '1';
    parts.push(`${encodeURIComponent(q.name)}=${encodeURIComponent(String(value))}`);
  }
  return parts.length ? `?${parts.join('&')}` : '';
}

let employees = 0;
let sharedHash: Promise<string> | undefined;

/** An employee written straight into the database (one password hash for all), in these departments, with these rights, logged in. */
export async function employeeWith(t: TestBillrelay, rights: string[], departmentIds: number[]): Promise<ApiClient> {
  const email = `generated${++employees}-${process.pid}@example.test`;
  const password = 'staff-password-1';
  sharedHash ??= hashPassword(password);
  const now = new Date().toISOString();
  const db = t.billrelay.db.kysely;
  const { id } = await db
    .insertInto('employees')
    .values({ email, name: `Generated ${employees}`, passwordHash: await sharedHash, language: 'en', isAdmin: 0, enabled: 1, createdAt: now, updatedAt: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  if (rights.length) await db.insertInto('employeeRights').values(rights.map((rightName) => ({ employeeId: Number(id), rightName }))).execute();
  for (const departmentId of departmentIds) await db.insertInto('departmentMembers').values({ departmentId, employeeId: Number(id) }).execute();
  return t.loginAs(email, password);
}
