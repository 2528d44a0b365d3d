import type { Executor } from '../db/db.js';
import { preparedFirst } from '../db/prepared.js';

// Read on every authenticated request: compiled once (see preparedQuery).
const sessionByHash = preparedFirst((db, idHash: string, now: string) =>
  db.selectFrom('sessions').selectAll().where('idHash', '=', idHash).where('expiresAt', '>', now),
);

const employeeById = preparedFirst((db, id: number) => db.selectFrom('employees').selectAll().where('id', '=', id));

const tokenByHash = preparedFirst((db, tokenHash: string) =>
  db
    .selectFrom('apiTokens')
    .innerJoin('employees', 'employees.id', 'apiTokens.employeeId')
    .select(['apiTokens.id as tokenId', 'apiTokens.lastUsedAt', 'employees.id', 'employees.email', 'employees.name', 'employees.isAdmin', 'employees.enabled', 'employees.language'])
    .where('apiTokens.tokenHash', '=', tokenHash),
);

export class AuthRepository {
  findEmployeeByEmail(db: Executor, email: string) {
    return db.selectFrom('employees').selectAll().where('email', '=', email).executeTakeFirst();
  }

  findEmployee(db: Executor, id: number) {
    return employeeById(db, id);
  }

  async insertSession(db: Executor, row: { idHash: string; principalKind: string; principalId: number; csrfToken: string; createdAt: string; expiresAt: string; impersonatorId: number | null }) {
    await db.insertInto('sessions').values(row).execute();
  }

  findSession(db: Executor, idHash: string, now: string) {
    return sessionByHash(db, idHash, now);
  }

  async deleteSession(db: Executor, idHash: string) {
    await db.deleteFrom('sessions').where('idHash', '=', idHash).execute();
  }

  async deleteExpiredSessions(db: Executor, now: string) {
    await db.deleteFrom('sessions').where('expiresAt', '<=', now).execute();
  }

  async deleteSessionsOf(db: Executor, principalKind: string, principalId: number) {
    await db.deleteFrom('sessions').where('principalKind', '=', principalKind).where('principalId', '=', principalId).execute();
  }

  findToken(db: Executor, tokenHash: string) {
    return tokenByHash(db, tokenHash);
  }

  async touchToken(db: Executor, tokenId: number, at: string) {
    await db.updateTable('apiTokens').set({ lastUsedAt: at }).where('id', '=', tokenId).execute();
  }

  insertToken(db: Executor, row: { employeeId: number; name: string; tokenHash: string; createdAt: string }) {
    return db.insertInto('apiTokens').values(row).returning('id').executeTakeFirstOrThrow();
  }

  listTokens(db: Executor, employeeId: number) {
    return db.selectFrom('apiTokens').select(['id', 'name', 'createdAt', 'lastUsedAt']).where('employeeId', '=', employeeId).orderBy('id').execute();
  }

  async deleteToken(db: Executor, employeeId: number, id: number): Promise<boolean> {
    const result = await db.deleteFrom('apiTokens').where('id', '=', id).where('employeeId', '=', employeeId).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  /** A login attempt, recorded before its password is checked; a successful login removes it again. */
  async recordAttempt(db: Executor, email: string, ip: string, at: string) {
    await db.insertInto('loginFailures').values({ email, ip, createdAt: at }).execute();
  }

  /** Attempts since a time that failed or still run: for this account from this address, and from this address at all. */
  async attemptsSince(db: Executor, email: string, ip: string, since: string): Promise<{ account: number; address: number }> {
    const row = await db
      .selectFrom('loginFailures')
      .select((eb) => [
        eb.fn.countAll<number>().as('address'),
        eb.fn.sum<number>(eb.case().when('email', '=', email).then(1).else(0).end()).as('account'),
      ])
      .where('ip', '=', ip)
      .where('createdAt', '>', since)
      .executeTakeFirstOrThrow();
    return { account: Number(row.account ?? 0), address: Number(row.address) };
  }

  /** After a successful login: this account's attempts from this address, and everyone's expired ones. */
  async clearAttempts(db: Executor, email: string, ip: string, olderThan: string) {
    await db
      .deleteFrom('loginFailures')
      .where((eb) => eb.or([eb.and([eb('email', '=', email), eb('ip', '=', ip)]), eb('createdAt', '<=', olderThan)]))
      .execute();
  }
}

/** Mailed one-time tokens (password reset, e-mail confirmation), found by their sha256. */
export class AuthTokenRepository {
  insert(db: Executor, row: { tokenHash: string; kind: 'password_reset' | 'email_confirmation'; principalKind: 'employee' | 'client'; principalId: number; email: string; expiresAt: string; createdAt: string }) {
    return db.insertInto('authTokens').values({ ...row, usedAt: null }).returning('id').executeTakeFirstOrThrow();
  }

  find(db: Executor, tokenHash: string) {
    return db.selectFrom('authTokens').selectAll().where('tokenHash', '=', tokenHash).executeTakeFirst();
  }

  /** Uses the token now, unless it was used or expired meanwhile: false then. */
  async use(db: Executor, id: number, now: string): Promise<boolean> {
    const result = await db
      .updateTable('authTokens')
      .set({ usedAt: now })
      .where('id', '=', id)
      .where('usedAt', 'is', null)
      .where('expiresAt', '>', now)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** The principal's other tokens of this kind stop working (a new password makes older reset links void). */
  async useAllOf(db: Executor, principalKind: string, principalId: number, kind: string, now: string) {
    await db
      .updateTable('authTokens')
      .set({ usedAt: now })
      .where('principalKind', '=', principalKind as 'employee' | 'client')
      .where('principalId', '=', principalId)
      .where('kind', '=', kind as 'password_reset' | 'email_confirmation')
      .where('usedAt', 'is', null)
      .execute();
  }

  /** Tokens expired a day ago are of no use to anyone. */
  async deleteExpired(db: Executor, before: string) {
    await db.deleteFrom('authTokens').where('expiresAt', '<', before).execute();
  }

  async setPasswordHash(db: Executor, principalKind: 'employee' | 'client', id: number, passwordHash: string, now: string) {
    if (principalKind === 'employee') await db.updateTable('employees').set({ passwordHash, updatedAt: now }).where('id', '=', id).execute();
    else await db.updateTable('clients').set({ passwordHash, updatedAt: now }).where('id', '=', id).execute();
  }

  async confirmClientEmail(db: Executor, id: number, email: string, now: string) {
    await db.updateTable('clients').set({ emailConfirmedAt: now, updatedAt: now }).where('id', '=', id).where('email', '=', email).execute();
  }

  async confirmEmployeeEmail(db: Executor, id: number, email: string, now: string) {
    await db.updateTable('employees').set({ emailConfirmedAt: now, updatedAt: now }).where('id', '=', id).where('email', '=', email).execute();
  }

  /** An employee as a new confirmation link needs it: its address, and whether that is confirmed. */
  employeeForConfirmation(db: Executor, id: number) {
    return db
      .selectFrom('employees')
      .select(['id', 'email', 'name', 'language', 'isAdmin', 'enabled', 'emailConfirmedAt'])
      .where('id', '=', id)
      .executeTakeFirst();
  }

  /** A client as a new confirmation link needs it: its address, and whether that is confirmed. */
  clientForConfirmation(db: Executor, id: number) {
    return db
      .selectFrom('clients')
      .select(['id', 'email', 'name', 'language', 'providerId', 'enabled', 'emailConfirmedAt'])
      .where('id', '=', id)
      .executeTakeFirst();
  }

  /** When the principal's newest token of this kind was made. */
  async lastIssuedAt(db: Executor, kind: 'password_reset' | 'email_confirmation', principalKind: 'employee' | 'client', principalId: number): Promise<string | undefined> {
    const row = await db
      .selectFrom('authTokens')
      .select('createdAt')
      .where('kind', '=', kind)
      .where('principalKind', '=', principalKind)
      .where('principalId', '=', principalId)
      .orderBy('createdAt', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row?.createdAt;
  }

  /** The name that signs e-mails to employees: the default provider's. */
  async defaultProviderName(db: Executor): Promise<string> {
    const row = await db.selectFrom('providers').select('name').orderBy('isDefault', 'desc').orderBy('id').limit(1).executeTakeFirst();
    return row?.name ?? 'billrelay';
  }
}
