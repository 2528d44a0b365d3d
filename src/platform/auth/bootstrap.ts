import { randomBytes } from 'node:crypto';
import type { Clock } from '../clock.js';
import { checkNewPassword } from '../crypto/password-policy.js';
import { hashPassword } from '../crypto/passwords.js';
import type { Db } from '../db/db.js';
import { isUniqueViolation } from '../db/dialect.js';
import { AppError, appError } from '../errors.js';

export interface AdminCreated {
  id: number;
  email: string;
  /** Set only when the password was generated: shown once, never stored in clear. */
  generatedPassword?: string;
}

/** Creates an administrator account (first start and `billrelay admin create`). */
export async function createAdministrator(
  db: Db,
  clock: Clock,
  input: { email: string; password?: string; name?: string; language?: string },
): Promise<AdminCreated> {
  const email = input.email.trim().toLowerCase();
  if (!/^[^@\s]+@[^@\s]+$/.test(email)) throw new AppError('validation', `"${input.email}" is not an e-mail address`, { field: 'email' });
  const generatedPassword = input.password ? undefined : randomBytes(12).toString('base64url');
  const password = input.password ?? generatedPassword!;
  if (input.password) checkNewPassword(password, email);
  const now = clock.now().toISOString();
  try {
    const { id } = await db.kysely
      .insertInto('employees')
      .values({
        email,
        name: input.name ?? 'Administrator',
        passwordHash: await hashPassword(password),
        language: input.language ?? 'en',
        isAdmin: 1,
        enabled: 1,
        // Whoever installs billrelay set the address themselves: nothing to confirm.
        emailConfirmedAt: now,
        createdAt: now,
        updatedAt: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return { id: Number(id), email, generatedPassword };
  } catch (error) {
    if (isUniqueViolation(error)) throw appError('conflict', 'email.employeeTaken', { email }, { field: 'email' });
    throw error;
  }
}

/** On the very first start (no employee at all) an administrator is created. */
export async function ensureFirstAdministrator(
  db: Db,
  clock: Clock,
  env: { adminEmail?: string; adminPassword?: string },
): Promise<AdminCreated | undefined> {
  const any = await db.kysely.selectFrom('employees').select('id').limit(1).executeTakeFirst();
  if (any) return undefined;
  return createAdministrator(db, clock, { email: env.adminEmail ?? 'admin@billrelay.local', password: env.adminPassword });
}
