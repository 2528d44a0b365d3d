import { describe, expect, test } from 'vitest';
import { useBillrelay } from '../../../test/support/billrelay.js';
import { createClient } from '../../../test/support/scenario.js';
import { translate } from '../i18n/messages.js';
import { AREAS, describeRight, rightMessage, RIGHTS_CATALOG } from './rights.js';

const t = useBillrelay();
const PASSWORD = 'staff-password-1';
let counter = 0;

async function employee(extra: Record<string, unknown> = {}) {
  counter += 1;
  const email = `rights${counter}@example.test`;
  const created = await t().admin.post('/api/v1/employees', { email, name: `Rights ${counter}`, password: PASSWORD, ...extra });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return { id: created.body.id as number, email, session: await t().loginAs(email, PASSWORD) };
}

async function department(extra: Record<string, unknown> = {}) {
  counter += 1;
  const created = await t().admin.post('/api/v1/departments', { name: { en: `Rights dept ${counter}` }, ...extra });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body as { id: number; rights: string[]; memberIds: number[] };
}

describe('access rights', () => {
  test('the catalog lists read and change per menu area and the money rights; any employee may read it', async () => {
    const { session } = await employee();
    const answer = await session.get('/api/v1/rights');
    expect(answer.status).toBe(200);
    const names = answer.body.items.map((r: { name: string }) => r.name);
    for (const area of AREAS) expect(names).toEqual(expect.arrayContaining([`${area}.read`, `${area}.change`]));
    expect(names).toEqual(expect.arrayContaining(['client.payment', 'client.correction', 'client.credit_limit', 'client.password', 'client.impersonate', 'license.refund']));
    expect(answer.body.items.find((r: { name: string }) => r.name === 'tariffs.change')).toMatchObject({ group: 'tariffs', level: 'change' });
    expect(answer.body.items.find((r: { name: string }) => r.name === 'license.refund')).toMatchObject({ group: 'money', level: 'money' });
    expect((await t().anonymous().get('/api/v1/rights')).status).toBe(401);
  });

  test('an employee without a right gets 403 naming it; a right given directly opens the area', async () => {
    const { id, session } = await employee();
    const refused = await session.get('/api/v1/tariffs');
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('forbidden');
    expect(refused.body.error.message).toContain('tariffs.read');
    expect(refused.body.error.details).toEqual({ right: 'tariffs.read' });
    expect((await session.get('/api/v1/auth/me')).body.rights).toEqual([]);

    const given = await t().admin.patch(`/api/v1/employees/${id}`, { rights: ['tariffs.read', 'operations.read'] });
    expect(given.status, JSON.stringify(given.body)).toBe(200);
    expect(given.body.rights).toEqual(['operations.read', 'tariffs.read']);
    // The same session, the next request: the right is there.
    expect((await session.get('/api/v1/tariffs')).status).toBe(200);
    expect((await session.get('/api/v1/auth/me')).body.rights).toEqual(['operations.read', 'tariffs.read']);
    // Read is not change.
    const write = await session.post('/api/v1/operations/1/abandon', { reason: 'x' });
    expect(write.status).toBe(403);
    expect(write.body.error.details).toEqual({ right: 'operations.change' });
  });

  test('the 403 says in the caller\'s language what the right allows; English keeps the catalog\'s words', async () => {
    for (const { name } of RIGHTS_CATALOG) {
      const { key, params } = rightMessage(name);
      expect(translate('en', key, params), name).toBe(describeRight(name));
      const ru = translate('ru', key, params);
      expect(ru, name).toBeDefined();
      expect(ru, name).not.toBe(describeRight(name));
    }
    const { session } = await employee();
    const en = await session.get('/api/v1/tariffs', { 'accept-language': 'en' });
    expect(en.body.error.message).toBe('You need the right tariffs.read (Tariff plans: see)');
    const ru = await session.get('/api/v1/tariffs', { 'accept-language': 'ru' });
    expect(ru.status).toBe(403);
    expect(ru.body.error).toMatchObject({ code: 'forbidden', message: 'Нужно право tariffs.read (Тарифные планы: просмотр)', details: { right: 'tariffs.read' } });
    const refund = await session.post('/api/v1/licenses/1/refund', { amount: '1.00', comment: 'x' }, { 'accept-language': 'ru', 'idempotency-key': 'r1' });
    expect(refund.body.error.message).toBe('Нужно право license.refund (Возвращать деньги за лицензию)');
  });

  test('change includes read', async () => {
    const { session } = await employee({ rights: ['datacenters.change'] });
    expect((await session.get('/api/v1/datacenters')).status).toBe(200);
    expect((await session.get('/api/v1/auth/me')).body.rights).toEqual(['datacenters.change', 'datacenters.read']);
    const created = await session.post('/api/v1/datacenters', { name: { en: `DC by clerk ${counter}` } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    // Nothing of another area.
    expect((await session.get('/api/v1/processing-modules')).status).toBe(403);
  });

  test('a right through a department works while the employee is a member, and stops when removed', async () => {
    const dept = await department({ rights: ['providers.read'] });
    expect(dept.rights).toEqual(['providers.read']);
    const { id, session } = await employee({ departmentIds: [dept.id] });
    expect((await session.get('/api/v1/providers')).status).toBe(200);
    expect((await session.get('/api/v1/auth/me')).body.rights).toEqual(['providers.read']);
    // The view shows direct rights only; the department is listed.
    expect((await t().admin.get(`/api/v1/employees/${id}`)).body).toMatchObject({ rights: [], departmentIds: [dept.id] });

    expect((await t().admin.delete(`/api/v1/departments/${dept.id}/members/${id}`)).status).toBe(204);
    expect((await session.get('/api/v1/providers')).status).toBe(403);

    // Back in, then the department loses the right: gone as well.
    expect((await t().admin.post(`/api/v1/departments/${dept.id}/members`, { employeeId: id })).status).toBe(201);
    expect((await session.get('/api/v1/providers')).status).toBe(200);
    expect((await t().admin.patch(`/api/v1/departments/${dept.id}`, { rights: [] })).body.rights).toEqual([]);
    expect((await session.get('/api/v1/providers')).status).toBe(403);
  });

  test('a revoked right stops working at the next request, for sessions and API tokens alike', async () => {
    const { id, session } = await employee({ rights: ['tasks.read'] });
    const token = await session.post('/api/v1/auth/tokens', { name: 'script' });
    expect(token.status).toBe(201);
    const viaToken = t().anonymous();
    viaToken.bearer = token.body.token;
    expect((await session.get('/api/v1/tasks')).status).toBe(200);
    expect((await viaToken.get('/api/v1/tasks')).status).toBe(200);
    expect((await t().admin.patch(`/api/v1/employees/${id}`, { rights: [] })).status).toBe(200);
    expect((await session.get('/api/v1/tasks')).status).toBe(403);
    expect((await viaToken.get('/api/v1/tasks')).status).toBe(403);
  });

  test('unknown rights are refused naming the field and the right', async () => {
    const e = await t().admin.post('/api/v1/employees', { email: 'bad-right@example.test', name: 'X', password: PASSWORD, rights: ['tariffs.read', 'tariffs.destroy'] });
    expect(e.status).toBe(400);
    expect(e.body.error).toMatchObject({ field: 'rights', details: { right: 'tariffs.destroy' } });
    expect(e.body.error.message).toContain('tariffs.destroy');
    const d = await t().admin.post('/api/v1/departments', { name: { en: 'Bad rights' }, rights: ['admin'] });
    expect(d.status).toBe(400);
    expect(d.body.error).toMatchObject({ field: 'rights', details: { right: 'admin' } });
    const dept = await department();
    expect((await t().admin.patch(`/api/v1/departments/${dept.id}`, { rights: ['nope'] })).body.error.field).toBe('rights');
    expect((await t().admin.get(`/api/v1/departments/${dept.id}`)).body.rights).toEqual([]);
  });

  test('an employee with employees.change cannot grant rights or administration, to others or to itself', async () => {
    const manager = await employee({ rights: ['employees.change', 'departments.change'] });
    const other = await employee();
    const cases: Array<[Promise<{ status: number; body: any }>, string]> = [
      [manager.session.patch(`/api/v1/employees/${manager.id}`, { rights: ['employees.change', 'audit.read'] }), 'rights'],
      [manager.session.patch(`/api/v1/employees/${other.id}`, { rights: ['client.payment'] }), 'rights'],
      [manager.session.patch(`/api/v1/employees/${manager.id}`, { isAdmin: true }), 'isAdmin'],
      [manager.session.post('/api/v1/employees', { email: 'escalate@example.test', name: 'E', password: PASSWORD, isAdmin: true }), 'isAdmin'],
      [manager.session.post('/api/v1/employees', { email: 'escalate2@example.test', name: 'E', password: PASSWORD, rights: ['audit.read'] }), 'rights'],
      [manager.session.post('/api/v1/departments', { name: { en: 'Escalation' }, rights: ['audit.read'] }), 'rights'],
    ];
    for (const [request, field] of cases) {
      const refused = await request;
      expect(refused.status, JSON.stringify(refused.body)).toBe(403);
      expect(refused.body.error.field).toBe(field);
    }
    // Nor through a department that gives rights, nor by editing an administrator's account.
    const powerful = await department({ rights: ['audit.read'] });
    expect((await manager.session.post(`/api/v1/departments/${powerful.id}/members`, { employeeId: manager.id })).status).toBe(403);
    expect((await manager.session.patch(`/api/v1/departments/${powerful.id}`, { memberIds: [manager.id] })).status).toBe(403);
    expect((await manager.session.patch(`/api/v1/employees/${manager.id}`, { departmentIds: [powerful.id] })).status).toBe(403);
    const adminId = (await t().admin.get('/api/v1/auth/me')).body.id;
    expect((await manager.session.patch(`/api/v1/employees/${adminId}`, { password: 'taken-over-pass-9' })).status).toBe(403);
    expect((await manager.session.get('/api/v1/audit')).status).toBe(403);
    expect((await t().admin.get(`/api/v1/employees/${manager.id}`)).body).toMatchObject({ isAdmin: false, rights: ['departments.change', 'employees.change'], departmentIds: [] });

    // What employees.change is for still works, and sending the same rights again (a whole form) is no change.
    const edited = await manager.session.patch(`/api/v1/employees/${other.id}`, { name: 'Renamed', rights: [], isAdmin: false });
    expect(edited.status, JSON.stringify(edited.body)).toBe(200);
    const plain = await department();
    expect((await manager.session.post(`/api/v1/departments/${plain.id}/members`, { employeeId: other.id })).status).toBe(201);
  });

  test('money rights are separate from clients.change and work on their own', async () => {
    const client = await createClient(t());
    const clerk = await employee({ rights: ['clients.change'] });
    const refused = await clerk.session.post(`/api/v1/clients/${client.id}/payments`, { amount: '5.00' });
    expect(refused.body.error.details).toEqual({ right: 'client.payment' });
    const cashier = await employee({ rights: ['client.payment'] });
    expect((await cashier.session.post(`/api/v1/clients/${client.id}/payments`, { amount: '5.00' })).status).toBe(201);
    // client.payment is no way into the clients area.
    expect((await cashier.session.get('/api/v1/clients')).body.error.details).toEqual({ right: 'clients.read' });
    expect((await cashier.session.post(`/api/v1/clients/${client.id}/corrections`, { amount: '-1.00', comment: 'x' })).body.error.details).toEqual({ right: 'client.correction' });
  });

  test('clients keep using their own data without any right; a client is never let into staff routes', async () => {
    const client = await createClient(t());
    expect((await client.api.get(`/api/v1/clients/${client.id}`)).status).toBe(200);
    expect((await client.api.get(`/api/v1/clients/${client.id}/ledger`)).status).toBe(200);
    expect((await client.api.get('/api/v1/licenses')).status).toBe(200);
    expect((await client.api.get('/api/v1/auth/me')).body.rights).toBeUndefined();
    expect((await client.api.get('/api/v1/tariffs')).status).toBe(403);
    expect((await client.api.get('/api/v1/rights')).status).toBe(403);
    // An employee needs the right for the same routes.
    const { session } = await employee();
    expect((await session.get(`/api/v1/clients/${client.id}`)).body.error.details).toEqual({ right: 'clients.read' });
    expect((await session.get('/api/v1/licenses')).body.error.details).toEqual({ right: 'licenses.read' });
  });

  test('administrators hold every right; /auth/me lists them sorted', async () => {
    const me = (await t().admin.get('/api/v1/auth/me')).body;
    expect(me.rights).toEqual(RIGHTS_CATALOG.map((r) => r.name).sort());
  });

  test('rights changes are audited with before and after', async () => {
    const e = await employee();
    await t().admin.patch(`/api/v1/employees/${e.id}`, { rights: ['audit.read'] });
    const dept = await department();
    await t().admin.patch(`/api/v1/departments/${dept.id}`, { rights: ['tasks.change'] });
    const employeeAudit = (await t().admin.get(`/api/v1/audit?entity=employee&entityId=${e.id}`)).body.items;
    expect(employeeAudit[0]).toMatchObject({ action: 'employee.update', before: { rights: [] }, after: { rights: ['audit.read'] } });
    const deptAudit = (await t().admin.get(`/api/v1/audit?entity=department&entityId=${dept.id}`)).body.items;
    expect(deptAudit[0]).toMatchObject({ action: 'department.update', before: { rights: [] }, after: { rights: ['tasks.change'] } });
  });
});

/**
 * Operations any logged-in user, any employee or nobody may call, on purpose: everything else under
 * /api/v1 is a staff operation and must say which right it needs.
 */
const WITHOUT_RIGHT: Record<string, string> = {
  'POST /api/v1/auth/login': 'public',
  'POST /api/v1/auth/logout': 'public',
  'POST /api/v1/auth/register': 'public: clients sign up',
  'GET /api/v1/auth/site': "public: the login page shows whose site it is (the provider's name only)",
  'POST /api/v1/auth/password-reset': 'public: a forgotten password',
  'POST /api/v1/auth/password-reset/confirm': 'public: the mailed token is the proof',
  'POST /api/v1/auth/confirm-email': 'public: the mailed token is the proof',
  'POST /api/v1/auth/confirm-email/resend': 'the logged-in client, for its own address',
  'GET /api/v1/auth/me': 'whoever is logged in',
  'POST /api/v1/auth/tokens': "an employee's own API tokens",
  'GET /api/v1/auth/tokens': "an employee's own API tokens",
  'DELETE /api/v1/auth/tokens/{id}': "an employee's own API tokens",
  'GET /api/v1/rights': 'the catalog itself, for every employee',
  'GET /api/v1/localizations': 'every logged-in user picks a language from it',
  'GET /api/v1/localizations/{code}': 'every logged-in user picks a language from it',
  'GET /api/v1/catalog': 'what clients can order',
  'POST /api/v1/auth/impersonation/end': 'ends a "log in as client" session: the way back for whoever opened it',
  'GET /api/v1/dashboard': 'any employee; each part is left out without the read right of its area',
  'POST /api/v1/payments/webhooks/{gateway}': 'payment gateways, signed',
  'POST /api/v1/payments/webhooks/{gateway}/{providerId}': "a provider's card gateway, signed with its webhook secret",
};

describe('OpenAPI', () => {
  test('every staff operation says which right it needs, in the extension and in its description', async () => {
    const doc = (await t().anonymous().get('/api/docs/json')).body as { paths: Record<string, Record<string, { description?: string; 'x-billrelay-right'?: string }>> };
    const known = new Set(RIGHTS_CATALOG.map((r) => r.name));
    const missing: string[] = [];
    const seen = new Set<string>();
    for (const [path, operations] of Object.entries(doc.paths)) {
      if (!path.startsWith('/api/v1/')) continue;
      for (const [method, op] of Object.entries(operations)) {
        const key = `${method.toUpperCase()} ${path}`;
        seen.add(key);
        const right = op['x-billrelay-right'];
        if (right === undefined) {
          if (!(key in WITHOUT_RIGHT)) missing.push(key);
          continue;
        }
        expect(known.has(right as never), `${key}: ${right}`).toBe(true);
        expect(op.description?.split(`Right: \`${right}\``).length, `${key}: the right once in the description`).toBe(2);
      }
    }
    expect(missing, 'staff operations without x-billrelay-right').toEqual([]);
    // The exceptions are real operations (no stale entries hiding a renamed route).
    for (const key of Object.keys(WITHOUT_RIGHT)) expect(seen, key).toContain(key);
    expect(doc.paths['/api/v1/licenses/{id}/refund']!.post!['x-billrelay-right']).toBe('license.refund');
    expect(doc.paths['/api/v1/tariffs']!.get!['x-billrelay-right']).toBe('tariffs.read');
  });
});
