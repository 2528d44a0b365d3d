import { describe, expect, test } from 'vitest';
import { systemActor } from '../../platform/actor.js';
import { ADMIN_EMAIL, ADMIN_PASSWORD, useBillrelay } from '../../../test/support/billrelay.js';

const t = useBillrelay();
const PASSWORD = 'employee-password-1';
let counter = 0;

async function createEmployee(extra: Record<string, unknown> = {}) {
  counter += 1;
  const answer = await t().admin.post('/api/v1/employees', { email: `employee${counter}@example.test`, name: `Employee ${counter}`, password: PASSWORD, ...extra });
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  return answer.body as { id: number; email: string; name: string; departmentIds: number[] };
}

async function createDepartment(name: string, extra: Record<string, unknown> = {}) {
  const answer = await t().admin.post('/api/v1/departments', { name: { en: name }, ...extra });
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  return answer.body as { id: number };
}

async function adminId(): Promise<number> {
  return (await t().admin.get('/api/v1/auth/me')).body.id;
}

describe('Provider → Employees', () => {
  test('an administrator creates an employee; the e-mail is stored lowercased and no password comes back', async () => {
    const created = await t().admin.post('/api/v1/employees', { email: '  Anna.Smith@Example.TEST ', name: 'Anna Smith', password: PASSWORD });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.any(Number),
      email: 'anna.smith@example.test',
      name: 'Anna Smith',
      language: 'en',
      isAdmin: false,
      enabled: true,
      // Until the link mailed to the address is opened (email-confirmation.test.ts).
      emailConfirmed: false,
      departmentIds: [],
      rights: [],
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    expect(JSON.stringify(created.body)).not.toMatch(/password|argon/i);

    const fetched = await t().admin.get(`/api/v1/employees/${created.body.id}`);
    expect(fetched.body).toEqual(created.body);
    // The employee logs in with any case of the e-mail.
    const session = await t().loginAs('ANNA.SMITH@example.test', PASSWORD);
    expect((await session.get('/api/v1/auth/me')).body).toMatchObject({ email: 'anna.smith@example.test', isAdmin: false });
  });

  test('the list is paged with a total', async () => {
    await createEmployee();
    await createEmployee();
    const all = await t().admin.get('/api/v1/employees?perPage=500');
    expect(all.status).toBe(200);
    const total = all.body.total as number;
    expect(all.body.items).toHaveLength(total);
    expect(all.body.items[0].email).toBe(ADMIN_EMAIL);
    const last = await t().admin.get(`/api/v1/employees?page=${total}&perPage=1`);
    expect(last.body).toMatchObject({ total, page: total, perPage: 1 });
    expect(last.body.items).toEqual([all.body.items[total - 1]]);
    expect((await t().admin.get('/api/v1/employees?perPage=0')).body.error.field).toBe('perPage');
    // Search by part of the name or e-mail, any case.
    const found = await t().admin.get(`/api/v1/employees?search=${encodeURIComponent(all.body.items[total - 1].name.toUpperCase())}`);
    expect(found.body.items.map((e: { id: number }) => e.id)).toContain(all.body.items[total - 1].id);
    expect(found.body.total).toBeLessThan(total);
    expect((await t().admin.get('/api/v1/employees?search=ADMIN@example')).body.items.map((e: { email: string }) => e.email)).toEqual([ADMIN_EMAIL]);
  });

  test('invalid input is refused naming the field', async () => {
    const base = { email: 'valid@example.test', name: 'Valid', password: PASSWORD };
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ ...base, password: 'short' }, 'password'],
      [{ ...base, email: 'not-an-email' }, 'email'],
      [{ ...base, name: '   ' }, 'name'],
      [{ ...base, language: 'de' }, 'language'],
      [{ ...base, language: 'not a code' }, 'language'],
      [{ ...base, departmentIds: [999999] }, 'departmentIds'],
      [{ ...base, isAdmin: 'yes' }, 'isAdmin'],
    ];
    for (const [body, field] of cases) {
      const answer = await t().admin.post('/api/v1/employees', body);
      expect(answer.status, JSON.stringify(body)).toBe(400);
      expect(answer.body.error.field, JSON.stringify(answer.body)).toBe(field);
    }
    expect((await t().admin.post('/api/v1/employees', { ...base, color: 'red' })).status).toBe(400);
    expect((await t().admin.post('/api/v1/employees', { email: 'x@example.test', name: 'X' })).body.error.field).toBe('password');
    expect((await t().admin.get('/api/v1/employees?perPage=500')).body.items.map((e: { email: string }) => e.email)).not.toContain('valid@example.test');
  });

  test('an e-mail is unique whatever its case', async () => {
    const a = await createEmployee({ email: 'dup@example.test' });
    const b = await createEmployee();
    const again = await t().admin.post('/api/v1/employees', { email: 'DUP@example.TEST', name: 'Dup', password: PASSWORD });
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: 'conflict', field: 'email' });
    const renamed = await t().admin.patch(`/api/v1/employees/${b.id}`, { email: 'Dup@Example.test' });
    expect(renamed.status).toBe(409);
    expect(renamed.body.error.field).toBe('email');
    // Keeping one's own e-mail is not a conflict.
    expect((await t().admin.patch(`/api/v1/employees/${a.id}`, { email: 'DUP@example.test', name: 'Dup 2' })).status).toBe(200);
  });

  test('editing changes the name, language, role and departments', async () => {
    const sales = await createDepartment('E-Sales');
    const support = await createDepartment('E-Support');
    const e = await createEmployee({ departmentIds: [support.id, sales.id, sales.id] });
    expect(e.departmentIds).toEqual([sales.id, support.id].sort((x, y) => x - y));

    const edited = await t().admin.patch(`/api/v1/employees/${e.id}`, { name: 'Renamed', language: 'ru', isAdmin: true, departmentIds: [support.id] });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({ name: 'Renamed', language: 'ru', isAdmin: true, departmentIds: [support.id] });
    const members = await t().admin.get(`/api/v1/departments/${sales.id}/members`);
    expect(members.body.items.map((m: { id: number }) => m.id)).not.toContain(e.id);

    const bad = await t().admin.patch(`/api/v1/employees/${e.id}`, { departmentIds: [support.id, 999999] });
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe('departmentIds');
    expect((await t().admin.get(`/api/v1/employees/${e.id}`)).body.departmentIds).toEqual([support.id]);
    expect((await t().admin.patch(`/api/v1/employees/${e.id}`, { language: 'xx' })).body.error.field).toBe('language');
  });

  test('an unknown employee is a 404', async () => {
    expect((await t().admin.get('/api/v1/employees/999999')).status).toBe(404);
    expect((await t().admin.patch('/api/v1/employees/999999', { name: 'X' })).status).toBe(404);
    expect((await t().admin.delete('/api/v1/employees/999999')).status).toBe(404);
    expect((await t().admin.get('/api/v1/employees/abc')).status).toBe(400);
  });

  test('anonymous callers get 401; an employee needs employees.read to read and employees.change to write', async () => {
    const anon = t().anonymous();
    expect((await anon.get('/api/v1/employees')).status).toBe(401);
    expect((await anon.post('/api/v1/employees', { email: 'a@example.test', name: 'A', password: PASSWORD })).status).toBe(401);

    const nobody = await createEmployee();
    const refused = await (await t().loginAs(nobody.email, PASSWORD)).get('/api/v1/employees');
    expect(refused.status).toBe(403);
    expect(refused.body.error.details).toEqual({ right: 'employees.read' });

    const staff = await createEmployee({ rights: ['employees.read'] });
    const session = await t().loginAs(staff.email, PASSWORD);
    expect((await session.get('/api/v1/employees')).status).toBe(200);
    expect((await session.get(`/api/v1/employees/${staff.id}`)).status).toBe(200);
    expect((await session.post('/api/v1/employees', { email: 'b@example.test', name: 'B', password: PASSWORD })).status).toBe(403);
    expect((await session.patch(`/api/v1/employees/${staff.id}`, { isAdmin: true })).status).toBe(403);
    expect((await session.delete(`/api/v1/employees/${await adminId()}`)).status).toBe(403);
    expect((await t().admin.get(`/api/v1/employees/${staff.id}`)).body.isAdmin).toBe(false);
  });

  test('a disabled employee can no longer log in and its open session stops working', async () => {
    const e = await createEmployee();
    const session = await t().loginAs(e.email, PASSWORD);
    expect((await session.get('/api/v1/auth/me')).status).toBe(200);

    expect((await t().admin.patch(`/api/v1/employees/${e.id}`, { enabled: false })).body.enabled).toBe(false);
    expect((await session.get('/api/v1/auth/me')).status).toBe(401);
    expect((await session.get('/api/v1/employees')).status).toBe(401);
    expect((await t().anonymous().login(e.email, PASSWORD)).status).toBe(401);

    await t().admin.patch(`/api/v1/employees/${e.id}`, { enabled: true });
    expect((await t().anonymous().login(e.email, PASSWORD)).status).toBe(200);
  });

  test('a new password ends the sessions opened with the old one', async () => {
    const e = await createEmployee();
    const session = await t().loginAs(e.email, PASSWORD);
    const other = await t().loginAs(e.email, PASSWORD);
    expect((await t().admin.patch(`/api/v1/employees/${e.id}`, { password: 'a-brand-new-password' })).status).toBe(200);
    expect((await session.get('/api/v1/auth/me')).status).toBe(401);
    expect((await other.get('/api/v1/auth/me')).status).toBe(401);
    expect((await t().anonymous().login(e.email, PASSWORD)).status).toBe(401);
    const fresh = await t().loginAs(e.email, 'a-brand-new-password');
    // A change that is not about access leaves sessions alone.
    await t().admin.patch(`/api/v1/employees/${e.id}`, { name: 'Still logged in' });
    expect((await fresh.get('/api/v1/auth/me')).body.name).toBe('Still logged in');
  });

  test('an administrator cannot disable, demote or delete themself', async () => {
    const me = await adminId();
    for (const [body, field] of [[{ enabled: false }, 'enabled'], [{ isAdmin: false }, 'isAdmin']] as const) {
      const answer = await t().admin.patch(`/api/v1/employees/${me}`, body);
      expect(answer.status).toBe(409);
      expect(answer.body.error.field).toBe(field);
    }
    const del = await t().admin.delete(`/api/v1/employees/${me}`);
    expect(del.status).toBe(409);
    expect(del.body.error.field).toBe('id');
    expect((await t().admin.get(`/api/v1/employees/${me}`)).body).toMatchObject({ isAdmin: true, enabled: true });
    // Other edits of oneself are fine.
    expect((await t().admin.patch(`/api/v1/employees/${me}`, { name: 'Chief', isAdmin: true, enabled: true })).status).toBe(200);
  });

  test('another administrator can be demoted, disabled and deleted, but never the last enabled one', async () => {
    const me = await adminId();
    const second = await createEmployee({ isAdmin: true });
    const secondSession = await t().loginAs(second.email, PASSWORD);
    expect((await t().admin.patch(`/api/v1/employees/${second.id}`, { isAdmin: false })).status).toBe(200);
    expect((await secondSession.post('/api/v1/employees', { email: 'x1@example.test', name: 'X', password: PASSWORD })).status).toBe(403);
    await t().admin.patch(`/api/v1/employees/${second.id}`, { isAdmin: true });

    // Disable every other administrator: the first one is now the last enabled one.
    const all = (await t().admin.get('/api/v1/employees?perPage=500')).body.items as Array<{ id: number; isAdmin: boolean; enabled: boolean }>;
    for (const e of all.filter((x) => x.isAdmin && x.enabled && x.id !== me)) {
      expect((await t().admin.patch(`/api/v1/employees/${e.id}`, { enabled: false })).status).toBe(200);
    }
    // No administrator session can reach that case over HTTP (the caller is an enabled administrator itself),
    // so the rule is asked of the service directly, as the command line would.
    const { employees } = t().billrelay.services;
    await expect(employees.update(me, { isAdmin: false }, systemActor(), 'http://localhost')).rejects.toMatchObject({ code: 'conflict', field: 'isAdmin' });
    await expect(employees.update(me, { enabled: false }, systemActor(), 'http://localhost')).rejects.toMatchObject({ code: 'conflict', field: 'enabled' });
    await expect(employees.remove(me, systemActor())).rejects.toMatchObject({ code: 'conflict', field: 'id' });
    // A disabled administrator may be demoted and deleted: it was not in charge.
    expect((await t().admin.patch(`/api/v1/employees/${second.id}`, { isAdmin: false })).status).toBe(200);
    expect((await t().admin.delete(`/api/v1/employees/${second.id}`)).status).toBe(204);
    expect((await t().admin.get(`/api/v1/employees/${second.id}`)).status).toBe(404);
  });

  test('two administrators demoting each other at the same moment leave one of them in charge', async () => {
    const a = await createEmployee({ isAdmin: true });
    const b = await createEmployee({ isAdmin: true });
    // Only these two stay enabled administrators.
    const me = await adminId();
    const sa = await t().loginAs(a.email, PASSWORD);
    const sb = await t().loginAs(b.email, PASSWORD);
    expect((await sa.patch(`/api/v1/employees/${me}`, { enabled: false })).status).toBe(200);
    const all = (await sa.get('/api/v1/employees?perPage=500')).body.items as Array<{ id: number; isAdmin: boolean; enabled: boolean }>;
    for (const e of all.filter((x) => x.isAdmin && x.enabled && x.id !== a.id && x.id !== b.id)) {
      expect((await sa.patch(`/api/v1/employees/${e.id}`, { enabled: false })).status).toBe(200);
    }

    const answers = await Promise.all([sa.patch(`/api/v1/employees/${b.id}`, { isAdmin: false }), sb.patch(`/api/v1/employees/${a.id}`, { isAdmin: false })]);
    const statuses = answers.map((x) => x.status);
    expect(statuses.filter((s) => s === 200), JSON.stringify(answers.map((x) => x.body))).toHaveLength(1);
    expect(statuses.filter((s) => s === 403 || s === 409)).toHaveLength(1);
    const after = (await sa.get('/api/v1/employees?perPage=500')).body.items as Array<{ isAdmin: boolean; enabled: boolean }>;
    expect(after.filter((x) => x.isAdmin && x.enabled)).toHaveLength(1);

    // Put the first administrator back in charge for the tests that follow.
    const winner = statuses[0] === 200 ? sa : sb;
    expect((await winner.patch(`/api/v1/employees/${me}`, { enabled: true })).status).toBe(200);
    expect((await t().admin.login(ADMIN_EMAIL, 'admin-password-1')).status).toBe(200);
  });

  test('an employee who heads a department cannot be deleted or leave it; the message names the department', async () => {
    const head = await createEmployee();
    const dept = await createDepartment('Service processing', { memberIds: [head.id], headEmployeeId: head.id });
    const del = await t().admin.delete(`/api/v1/employees/${head.id}`);
    expect(del.status).toBe(409);
    expect(del.body.error.message).toContain('Service processing');
    const leave = await t().admin.patch(`/api/v1/employees/${head.id}`, { departmentIds: [] });
    expect(leave.status).toBe(409);
    expect(leave.body.error).toMatchObject({ field: 'departmentIds', message: expect.stringContaining('Service processing') });

    // Once another head is chosen, the employee goes, and with it the membership.
    expect((await t().admin.patch(`/api/v1/departments/${dept.id}`, { headEmployeeId: null })).status).toBe(200);
    expect((await t().admin.delete(`/api/v1/employees/${head.id}`)).status).toBe(204);
    expect((await t().admin.get(`/api/v1/departments/${dept.id}`)).body.memberIds).toEqual([]);
  });

  test('a weak password is refused naming the field; your own needs the current one', async () => {
    const weak = await t().admin.post('/api/v1/employees', { email: 'weak@example.test', name: 'Weak', password: 'qwerty123' });
    expect(weak.status).toBe(400);
    expect(weak.body.error.field).toBe('password');
    const e = await createEmployee();
    const withEmail = await t().admin.patch(`/api/v1/employees/${e.id}`, { password: `${e.email}!` });
    expect(withEmail.body.error).toMatchObject({ field: 'password', message: expect.stringContaining('e-mail') });
    // Another employee's password needs no current one; an administrator's own does.
    expect((await t().admin.patch(`/api/v1/employees/${e.id}`, { password: 'set-by-admin-77' })).status).toBe(200);
    const me = await adminId();
    const own = await t().admin.patch(`/api/v1/employees/${me}`, { password: 'own-new-password-3' });
    expect(own.status).toBe(400);
    expect(own.body.error.field).toBe('currentPassword');
    const wrong = await t().admin.patch(`/api/v1/employees/${me}`, { password: 'own-new-password-3', currentPassword: 'not-it' });
    expect(wrong.status).toBe(403);
    expect((await t().anonymous().login(ADMIN_EMAIL, ADMIN_PASSWORD)).status).toBe(200);
  });

  test('every change is audited without the password or its hash', async () => {
    const e = await createEmployee({ name: 'Audited' });
    await t().admin.patch(`/api/v1/employees/${e.id}`, { password: 'secret-password-2', name: 'Audited 2' });
    await t().admin.delete(`/api/v1/employees/${e.id}`);
    const audit = await t().admin.get(`/api/v1/audit?entity=employee&entityId=${e.id}`);
    expect(audit.body.items.map((x: { action: string }) => x.action)).toEqual(['employee.delete', 'employee.update', 'employee.create']);
    const [deleted, updated, created] = audit.body.items;
    expect(created).toMatchObject({ actor: { kind: 'employee', label: ADMIN_EMAIL }, before: null, after: { email: e.email, name: 'Audited' } });
    expect(updated).toMatchObject({ before: { name: 'Audited' }, after: { name: 'Audited 2', password: 'changed' } });
    expect(deleted).toMatchObject({ before: { name: 'Audited 2' }, after: null });
    const text = JSON.stringify(audit.body);
    for (const secret of [PASSWORD, 'secret-password-2', '$argon2', 'passwordHash']) expect(text).not.toContain(secret);

    const row = await t().billrelay.db.kysely.selectFrom('auditLog').selectAll().where('entity', '=', 'employee').execute();
    expect(JSON.stringify(row)).not.toMatch(/argon2|secret-password-2|employee-password-1/);
  });
});
