// Staff and departments written straight into the database, for tests of areas that only need one
// to exist (departments and employees have their own API tests).
import { hashPassword } from '../../src/platform/crypto/passwords.js';
import type { TestBillrelay } from './billrelay.js';
import type { ApiClient } from './http.js';

let employees = 0;

/** A new employee (not an administrator unless asked), logged in. */
/** A new employee, logged in; not an administrator unless asked, holding the rights given (none by default). */
export async function signedInEmployee(t: TestBillrelay, options: { isAdmin?: boolean; rights?: string[] } = {}): Promise<ApiClient> {
  const email = `employee${++employees}-${process.pid}@example.test`;
  const password = 'employee-password-1';
  const now = new Date().toISOString();
  await t.billrelay.db.kysely
    .insertInto('employees')
    .values({ email, name: 'Employee', passwordHash: await hashPassword(password), language: 'en', isAdmin: options.isAdmin ? 1 : 0, enabled: 1, createdAt: now, updatedAt: now })
    .execute();
  if (options.rights?.length) {
    const { id } = await t.billrelay.db.kysely.selectFrom('employees').select('id').where('email', '=', email).executeTakeFirstOrThrow();
    await t.billrelay.db.kysely.insertInto('employeeRights').values(options.rights.map((rightName) => ({ employeeId: Number(id), rightName }))).execute();
  }
  return t.loginAs(email, password);
}

/** A department at the end of the list, using a schedule and shown to providers' clients when given. */
export async function insertDepartment(t: TestBillrelay, options: { name?: string; businessHoursId?: number | null; providerIds?: number[] } = {}): Promise<number> {
  const db = t.billrelay.db.kysely;
  const now = new Date().toISOString();
  const { n } = await db.selectFrom('departments').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  const { id } = await db
    .insertInto('departments')
    .values({
      name: JSON.stringify({ en: options.name ?? 'Support' }),
      businessHoursId: options.businessHoursId ?? null,
      showInSupportCenter: 1,
      taskLocale: 'en',
      headEmployeeId: null,
      ticketCategoryDescription: null,
      sort: Number(n) + 1,
      createdAt: now,
      updatedAt: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  for (const providerId of options.providerIds ?? []) {
    await db.insertInto('departmentProviders').values({ departmentId: Number(id), providerId }).execute();
  }
  return Number(id);
}
