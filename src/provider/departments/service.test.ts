import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { useBillrelay } from '../../../test/support/billrelay.js';

const t = useBillrelay();
const PASSWORD = 'employee-password-1';
let counter = 0;

type Department = {
  id: number;
  displayName: string;
  sort: number;
  memberIds: number[];
  providerIds: number[];
  headEmployeeId: number | null;
  businessHoursId: number | null;
};

async function createEmployee(extra: Record<string, unknown> = {}) {
  counter += 1;
  const answer = await t().admin.post('/api/v1/employees', { email: `d-employee${counter}@example.test`, name: `Employee ${counter}`, password: PASSWORD, ...extra });
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  return answer.body as { id: number; email: string; name: string };
}

async function createDept(name: string, extra: Record<string, unknown> = {}) {
  const answer = await t().admin.post('/api/v1/departments', { name: { en: name }, ...extra });
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  return answer.body as Department;
}

async function listDepts() {
  return (await t().admin.get('/api/v1/departments?perPage=500')).body.items as Department[];
}

/** Empties every department and deletes it, so a test starts from no departments. */
async function clear() {
  for (const d of await listDepts()) {
    if (d.headEmployeeId !== null || d.memberIds.length) await t().admin.patch(`/api/v1/departments/${d.id}`, { headEmployeeId: null, memberIds: [] });
    expect((await t().admin.delete(`/api/v1/departments/${d.id}`)).status).toBe(204);
  }
}

// Business hours and providers belong to other areas: created through their API, as an administrator would.
async function createBusinessHours(name: string): Promise<number> {
  const day = (active: boolean) => ({ active, allDay: false, begin: '09:00', end: '18:00' });
  const days = [true, true, true, true, true, false, false].map(day);
  const answer = await t().admin.post('/api/v1/business-hours', { name, timeZone: 'UTC', days });
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  return answer.body.id;
}

async function createProvider(name: string): Promise<number> {
  const answer = await t().admin.post('/api/v1/providers', { name, currency: 'EUR' });
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  return answer.body.id;
}

describe('Provider → Departments', () => {
  test('the sales and technical support departments exist from the first start', async () => {
    const db = t().billrelay.db.kysely;
    const firstHours = await db.selectFrom('businessHours').select('id').orderBy('id').limit(1).executeTakeFirst();
    const defaultProvider = await db.selectFrom('providers').select('id').where('isDefault', '=', 1).executeTakeFirst();
    const items = await listDepts();
    expect(items.map((d) => [d.displayName, d.sort])).toEqual([['Sales department', 1], ['Technical support', 2]]);
    for (const d of items) {
      expect(d).toMatchObject({
        taskLocale: 'en',
        businessHoursId: Number(firstHours!.id),
        providerIds: [Number(defaultProvider!.id)],
        headEmployeeId: null,
        memberIds: [],
      });
    }
    const ru = await t().admin.get('/api/v1/departments', { 'accept-language': 'ru' });
    expect(ru.body.items.map((d: Department) => d.displayName)).toEqual(['Отдел продаж', 'Техническая поддержка']);
  });

  test('the seed takes the first business hours and the default provider, and runs only once', async () => {
    await clear();
    const db = t().billrelay.db.kysely;
    // Both are seeded at the first start by their own areas, before departments.
    const hours = (await db.selectFrom('businessHours').select('id').orderBy('id').limit(1).executeTakeFirstOrThrow()).id;
    const provider = (await db.selectFrom('providers').select('id').where('isDefault', '=', 1).executeTakeFirstOrThrow()).id;
    await createBusinessHours('Later hours');
    await createProvider('Not the default');

    await t().billrelay.services.departments.seed();
    const seeded = await listDepts();
    expect(seeded.map((d) => [d.displayName, d.sort, d.businessHoursId, d.providerIds])).toEqual([
      ['Sales department', 1, Number(hours), [Number(provider)]],
      ['Technical support', 2, Number(hours), [Number(provider)]],
    ]);
    await t().billrelay.services.departments.seed();
    expect(await listDepts()).toEqual(seeded);
  });

  test('an administrator creates a department with every setting and sees it in both languages', async () => {
    const hours = await createBusinessHours('Support hours');
    const provider = await createProvider('Reseller');
    const anna = await createEmployee();
    const boris = await createEmployee();
    const created = await t().admin.post('/api/v1/departments', {
      name: { en: 'Service processing', ru: 'Отдел обработки услуг' },
      businessHoursId: hours,
      showInSupportCenter: true,
      taskLocale: 'ru',
      providerIds: [provider, provider],
      memberIds: [boris.id, anna.id],
      headEmployeeId: anna.id,
      ticketCategoryDescription: { en: 'Orders and renewals', ru: 'Заказы и продления' },
      sort: 1,
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({
      name: { en: 'Service processing', ru: 'Отдел обработки услуг' },
      displayName: 'Service processing',
      businessHoursId: hours,
      showInSupportCenter: true,
      taskLocale: 'ru',
      providerIds: [provider],
      memberIds: [anna.id, boris.id],
      headEmployeeId: anna.id,
      ticketCategoryDescription: { en: 'Orders and renewals', ru: 'Заказы и продления' },
      displayTicketCategoryDescription: 'Orders and renewals',
      sort: 1,
    });
    const ru = await t().admin.get(`/api/v1/departments/${created.body.id}`, { 'accept-language': 'ru-RU,ru;q=0.9' });
    expect(ru.body).toMatchObject({ displayName: 'Отдел обработки услуг', displayTicketCategoryDescription: 'Заказы и продления' });

    const members = await t().admin.get(`/api/v1/departments/${created.body.id}/members`);
    expect(members.body.total).toBe(2);
    expect(members.body.items).toEqual(
      expect.arrayContaining([
        { id: anna.id, email: anna.email, name: anna.name, enabled: true, isHead: true },
        { id: boris.id, email: boris.email, name: boris.name, enabled: true, isHead: false },
      ]),
    );
    expect((await t().admin.get(`/api/v1/employees/${anna.id}`)).body.departmentIds).toEqual([created.body.id]);

    const defaults = await createDept('Defaults');
    expect(defaults).toMatchObject({ businessHoursId: null, showInSupportCenter: false, taskLocale: 'en', providerIds: [], memberIds: [], headEmployeeId: null });
  });

  test('invalid input is refused naming the field, and nothing is created', async () => {
    const before = await listDepts();
    const outsider = await createEmployee();
    const cases: Array<[Record<string, unknown>, number, string]> = [
      [{ name: { ru: 'Только русский' } }, 400, 'name.en'],
      [{ name: { en: 'X', xx: 'Y' } }, 400, 'name.xx'],
      [{ name: { en: 'X' }, taskLocale: 'de' }, 400, 'taskLocale'],
      [{ name: { en: 'X' }, taskLocale: 'no way' }, 400, 'taskLocale'],
      [{ name: { en: 'X' }, businessHoursId: 999999 }, 400, 'businessHoursId'],
      [{ name: { en: 'X' }, providerIds: [999999] }, 400, 'providerIds'],
      [{ name: { en: 'X' }, memberIds: [outsider.id, 999999] }, 400, 'memberIds'],
      [{ name: { en: 'X' }, headEmployeeId: 999999 }, 400, 'headEmployeeId'],
      [{ name: { en: 'X' }, headEmployeeId: outsider.id }, 422, 'headEmployeeId'],
      [{ name: { en: 'X' }, ticketCategoryDescription: { ru: 'Описание' } }, 400, 'ticketCategoryDescription.en'],
      [{ name: { en: 'X' }, sort: 0 }, 400, 'sort'],
      [{ name: { en: 'X' }, showInSupportCenter: 'yes' }, 400, 'showInSupportCenter'],
    ];
    for (const [body, status, field] of cases) {
      const answer = await t().admin.post('/api/v1/departments', body);
      expect(answer.status, JSON.stringify(body)).toBe(status);
      expect(answer.body.error.field, JSON.stringify(answer.body)).toBe(field);
    }
    expect((await t().admin.post('/api/v1/departments', { name: { en: 'X' }, color: 'red' })).status).toBe(400);
    expect(await listDepts()).toEqual(before);
  });

  test('editing changes settings and membership; the head must stay a member', async () => {
    const a = await createEmployee();
    const b = await createEmployee();
    const dept = await createDept('Editable', { memberIds: [a.id] });
    const edited = await t().admin.patch(`/api/v1/departments/${dept.id}`, {
      name: { en: 'Edited', ru: 'Изменён' },
      memberIds: [a.id, b.id],
      headEmployeeId: b.id,
      showInSupportCenter: true,
      taskLocale: 'ru',
      ticketCategoryDescription: { en: 'About' },
    });
    expect(edited.status, JSON.stringify(edited.body)).toBe(200);
    expect(edited.body).toMatchObject({ displayName: 'Edited', memberIds: [a.id, b.id].sort((x, y) => x - y), headEmployeeId: b.id, taskLocale: 'ru' });

    const dropHead = await t().admin.patch(`/api/v1/departments/${dept.id}`, { memberIds: [a.id] });
    expect(dropHead.status).toBe(409);
    expect(dropHead.body.error.field).toBe('memberIds');
    const notMember = await t().admin.patch(`/api/v1/departments/${dept.id}`, { memberIds: [a.id], headEmployeeId: b.id });
    expect(notMember.status).toBe(422);
    expect(notMember.body.error.field).toBe('headEmployeeId');
    // Changing head and membership together is fine.
    const swapped = await t().admin.patch(`/api/v1/departments/${dept.id}`, { memberIds: [a.id], headEmployeeId: a.id, ticketCategoryDescription: null });
    expect(swapped.body).toMatchObject({ memberIds: [a.id], headEmployeeId: a.id, ticketCategoryDescription: null, displayTicketCategoryDescription: null });

    expect((await t().admin.patch(`/api/v1/departments/${dept.id}`, { taskLocale: 'xx' })).body.error.field).toBe('taskLocale');
    expect((await t().admin.patch(`/api/v1/departments/${dept.id}`, { businessHoursId: 999999 })).body.error.field).toBe('businessHoursId');
    expect((await t().admin.patch(`/api/v1/departments/${dept.id}`, { providerIds: [999999] })).body.error.field).toBe('providerIds');
    expect((await t().admin.get(`/api/v1/departments/${dept.id}`)).body).toMatchObject({ taskLocale: 'ru', businessHoursId: null, providerIds: [] });
  });

  test('an unknown department or member is a 404', async () => {
    expect((await t().admin.get('/api/v1/departments/999999')).status).toBe(404);
    expect((await t().admin.patch('/api/v1/departments/999999', { showInSupportCenter: true })).status).toBe(404);
    expect((await t().admin.delete('/api/v1/departments/999999')).status).toBe(404);
    expect((await t().admin.post('/api/v1/departments/999999/move', { direction: 'up' })).status).toBe(404);
    expect((await t().admin.get('/api/v1/departments/999999/members')).status).toBe(404);
    const e = await createEmployee();
    expect((await t().admin.post('/api/v1/departments/999999/members', { employeeId: e.id })).status).toBe(404);
    const dept = await createDept('Members 404');
    const missing = await t().admin.post(`/api/v1/departments/${dept.id}/members`, { employeeId: 999999 });
    expect(missing.status).toBe(404);
    expect(missing.body.error.field).toBe('employeeId');
    const notMember = await t().admin.delete(`/api/v1/departments/${dept.id}/members/${e.id}`);
    expect(notMember.status).toBe(404);
    expect(notMember.body.error.field).toBe('employeeId');
  });

  test('members are added and removed; the head and a department with members are protected', async () => {
    const head = await createEmployee();
    const helper = await createEmployee();
    const dept = await createDept('Technical department', { memberIds: [head.id], headEmployeeId: head.id });

    const added = await t().admin.post(`/api/v1/departments/${dept.id}/members`, { employeeId: helper.id });
    expect(added.status).toBe(201);
    expect(added.body).toEqual({ id: helper.id, email: helper.email, name: helper.name, enabled: true, isHead: false });
    const again = await t().admin.post(`/api/v1/departments/${dept.id}/members`, { employeeId: helper.id });
    expect(again.status).toBe(409);
    expect(again.body.error.field).toBe('employeeId');
    expect((await t().admin.get(`/api/v1/employees/${helper.id}`)).body.departmentIds).toEqual([dept.id]);

    const removeHead = await t().admin.delete(`/api/v1/departments/${dept.id}/members/${head.id}`);
    expect(removeHead.status).toBe(409);
    expect(removeHead.body.error.message).toContain('Technical department');

    const deleteFull = await t().admin.delete(`/api/v1/departments/${dept.id}`);
    expect(deleteFull.status).toBe(409);
    expect(deleteFull.body.error.message).toContain('still has 2 members');

    expect((await t().admin.delete(`/api/v1/departments/${dept.id}/members/${helper.id}`)).status).toBe(204);
    expect((await t().admin.get(`/api/v1/departments/${dept.id}/members`)).body.items.map((m: { id: number }) => m.id)).toEqual([head.id]);
    await t().admin.patch(`/api/v1/departments/${dept.id}`, { headEmployeeId: null });
    expect((await t().admin.delete(`/api/v1/departments/${dept.id}/members/${head.id}`)).status).toBe(204);
    expect((await t().admin.delete(`/api/v1/departments/${dept.id}`)).status).toBe(204);
    expect((await t().admin.get(`/api/v1/departments/${dept.id}`)).status).toBe(404);
  });

  test('a department that something else still uses cannot be deleted', async () => {
    const dept = await createDept('Used by a module');
    let moduleExists = true;
    t().billrelay.services.departments.addReferrer(async (_db, id) => (moduleExists && id === dept.id ? 'processing module "ispmanager EU"' : undefined));
    const refused = await t().admin.delete(`/api/v1/departments/${dept.id}`);
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ field: 'id', message: expect.stringContaining('processing module "ispmanager EU"') });
    expect((await t().admin.get(`/api/v1/departments/${dept.id}`)).status).toBe(200);
    moduleExists = false;
    expect((await t().admin.delete(`/api/v1/departments/${dept.id}`)).status).toBe(204);
  });

  test('the list is sorted lowest first, paged, and moves keep the order 1..N without gaps', async () => {
    await clear();
    const a = await createDept('A');
    const b = await createDept('B');
    const c = await createDept('C');
    const first = await createDept('First', { sort: 1 });
    expect((await listDepts()).map((d) => d.displayName)).toEqual(['First', 'A', 'B', 'C']);

    const up = await t().admin.post(`/api/v1/departments/${c.id}/move`, { direction: 'up' });
    expect(up.status).toBe(200);
    expect(up.body.sort).toBe(3);
    expect((await listDepts()).map((d) => d.displayName)).toEqual(['First', 'A', 'C', 'B']);
    await t().admin.post(`/api/v1/departments/${first.id}/move`, { direction: 'up' }); // already first: stays
    await t().admin.post(`/api/v1/departments/${b.id}/move`, { direction: 'down' }); // already last: stays
    await t().admin.post(`/api/v1/departments/${first.id}/move`, { direction: 'down' });
    expect((await listDepts()).map((d) => [d.displayName, d.sort])).toEqual([['A', 1], ['First', 2], ['C', 3], ['B', 4]]);

    expect((await t().admin.patch(`/api/v1/departments/${b.id}`, { sort: 1 })).body.sort).toBe(1);
    expect((await t().admin.patch(`/api/v1/departments/${a.id}`, { sort: 99 })).body.sort).toBe(4);
    expect((await listDepts()).map((d) => [d.displayName, d.sort])).toEqual([['B', 1], ['First', 2], ['C', 3], ['A', 4]]);

    await t().admin.delete(`/api/v1/departments/${first.id}`);
    expect((await listDepts()).map((d) => [d.displayName, d.sort])).toEqual([['B', 1], ['C', 2], ['A', 3]]);

    const page2 = await t().admin.get('/api/v1/departments?page=2&perPage=2');
    expect(page2.body).toMatchObject({ total: 3, page: 2, perPage: 2 });
    expect(page2.body.items.map((d: Department) => d.displayName)).toEqual(['A']);

    const badMove = await t().admin.post(`/api/v1/departments/${b.id}/move`, { direction: 'sideways' });
    expect(badMove.status).toBe(400);
    expect(badMove.body.error.field).toBe('direction');
  });

  test('anonymous callers get 401; an employee needs departments.read to read and departments.change to write', async () => {
    const dept = await createDept('Guarded');
    const anon = t().anonymous();
    expect((await anon.get('/api/v1/departments')).status).toBe(401);
    expect((await anon.get(`/api/v1/departments/${dept.id}/members`)).status).toBe(401);
    expect((await anon.post('/api/v1/departments', { name: { en: 'X' } })).status).toBe(401);

    const nobody = await createEmployee();
    const refused = await (await t().loginAs(nobody.email, PASSWORD)).get('/api/v1/departments');
    expect(refused.status).toBe(403);
    expect(refused.body.error.details).toEqual({ right: 'departments.read' });

    const staff = await createEmployee({ rights: ['departments.read'] });
    const session = await t().loginAs(staff.email, PASSWORD);
    expect((await session.get('/api/v1/departments')).status).toBe(200);
    expect((await session.get(`/api/v1/departments/${dept.id}`)).status).toBe(200);
    expect((await session.get(`/api/v1/departments/${dept.id}/members`)).status).toBe(200);
    expect((await session.post('/api/v1/departments', { name: { en: 'X' } })).status).toBe(403);
    expect((await session.patch(`/api/v1/departments/${dept.id}`, { showInSupportCenter: true })).status).toBe(403);
    expect((await session.post(`/api/v1/departments/${dept.id}/move`, { direction: 'up' })).status).toBe(403);
    expect((await session.post(`/api/v1/departments/${dept.id}/members`, { employeeId: staff.id })).status).toBe(403);
    expect((await session.delete(`/api/v1/departments/${dept.id}`)).status).toBe(403);
    expect((await t().admin.get(`/api/v1/departments/${dept.id}`)).body).toMatchObject({ showInSupportCenter: false, memberIds: [] });
  });

  test('every change is in the audit log', async () => {
    const e = await createEmployee();
    const dept = await createDept('Audited');
    await t().admin.patch(`/api/v1/departments/${dept.id}`, { showInSupportCenter: true });
    await t().admin.post(`/api/v1/departments/${dept.id}/move`, { direction: 'up' });
    await t().admin.post(`/api/v1/departments/${dept.id}/members`, { employeeId: e.id });
    await t().admin.delete(`/api/v1/departments/${dept.id}/members/${e.id}`);
    await t().admin.delete(`/api/v1/departments/${dept.id}`);
    const audit = await t().admin.get(`/api/v1/audit?entity=department&entityId=${dept.id}`);
    expect(audit.body.items.map((x: { action: string }) => x.action)).toEqual([
      'department.delete',
      'department.member_remove',
      'department.member_add',
      'department.move',
      'department.update',
      'department.create',
    ]);
    const byAction = Object.fromEntries(audit.body.items.map((x: { action: string }) => [x.action, x]));
    expect(byAction['department.create']).toMatchObject({ actor: { kind: 'employee' }, before: null, after: { name: { en: 'Audited' } } });
    expect(byAction['department.update']).toMatchObject({ before: { showInSupportCenter: false }, after: { showInSupportCenter: true } });
    expect(byAction['department.member_add']).toMatchObject({ after: { employeeId: e.id } });
    expect(byAction['department.delete']).toMatchObject({ before: { displayName: 'Audited' }, after: null });
  });

  test('random bodies get a 4xx and leave the departments unchanged', async () => {
    const before = await listDepts();
    const keys = ['name', 'businessHoursId', 'showInSupportCenter', 'taskLocale', 'providerIds', 'headEmployeeId', 'ticketCategoryDescription', 'memberIds', 'sort'];
    const body = fc.oneof(
      fc.anything(),
      fc.record(Object.fromEntries(keys.map((k) => [k, fc.anything()])), { requiredKeys: [] }),
      fc.record({
        name: fc.dictionary(fc.constantFrom('ru', 'de', 'EN', ''), fc.string()),
        taskLocale: fc.constantFrom('en', 'ru', 'de'),
        sort: fc.oneof(fc.integer(), fc.double()),
      }),
      fc.record({
        name: fc.constant({ en: 'Valid name' }),
        businessHoursId: fc.oneof(fc.integer({ min: 100000, max: 200000 }), fc.string(), fc.double()),
        providerIds: fc.array(fc.oneof(fc.integer({ min: 100000, max: 200000 }), fc.constant(-1))),
        memberIds: fc.array(fc.integer({ min: 100000, max: 200000 }), { minLength: 1 }),
      }, { requiredKeys: ['name', 'memberIds'] }),
    ).filter((v) => {
      // Keep the bodies that cannot be valid: a string default-locale name with nothing else wrong might be.
      const o = v as { name?: { en?: unknown }; memberIds?: unknown[] } | null;
      if (typeof o !== 'object' || o === null || Array.isArray(o)) return true;
      if (Array.isArray(o.memberIds) && o.memberIds.length) return true;
      return typeof o.name?.en !== 'string';
    });
    await fc.assert(
      fc.asyncProperty(body, async (value) => {
        const answer = await t().admin.request('POST', '/api/v1/departments', JSON.stringify(value) ?? 'null', { 'content-type': 'application/json' });
        expect(answer.status, JSON.stringify(answer.body)).toBeGreaterThanOrEqual(400);
        expect(answer.status).toBeLessThan(500);
      }),
      { numRuns: 80 },
    );
    expect(await listDepts()).toEqual(before);
  });

  test('random patches never break the server or the 1..N order', async () => {
    const target = await createDept('Patched at random');
    const keys = ['name', 'businessHoursId', 'showInSupportCenter', 'taskLocale', 'providerIds', 'headEmployeeId', 'ticketCategoryDescription', 'memberIds', 'sort'];
    const patch = fc.oneof(
      fc.anything(),
      fc.record(Object.fromEntries(keys.map((k) => [k, fc.oneof(fc.anything(), fc.integer({ min: -5, max: 50 }), fc.constant(null))])), { requiredKeys: [] }),
    );
    await fc.assert(
      fc.asyncProperty(patch, async (value) => {
        const answer = await t().admin.request('PATCH', `/api/v1/departments/${target.id}`, JSON.stringify(value) ?? 'null', { 'content-type': 'application/json' });
        expect(answer.status, JSON.stringify(answer.body)).toBeLessThan(500);
      }),
      { numRuns: 80 },
    );
    const after = await listDepts();
    expect(after.map((d) => d.sort)).toEqual(after.map((_, i) => i + 1));
    expect(after.find((d) => d.id === target.id)?.displayName).toBeTruthy();
  });
});
