import type { Executor } from '../db/db.js';

export class AuthRepository {
  findEmployeeByEmail(db: Executor, email: string) {
    return db.selectFrom('employees').selectAll().where('email', '=', email).executeTakeFirst();
  }

  findEmployee(db: Executor, id: number) {
    return db.selectFrom('employees').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async insertSession(db: Executor, row: { idHash: string; principalKind: string; principalId: number; csrfToken: string; createdAt: string; expiresAt: string; impersonatorId: number | null }) {
    await db.insertInto('sessions').values(row).execute();
  }

  findSession(db: Executor, idHash: string, now: string) {
    return db.selectFrom('sessions').selectAll().where('idHash', '=', idHash).where('expiresAt', '>', now).executeTakeFirst();
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
    return db
      .selectFrom('apiTokens')
      .innerJoin('employees', 'employees.id', 'apiTokens.employeeId')
      .select(['apiTokens.id as tokenId', 'apiTokens.lastUsedAt', 'employees.id', 'employees.email', 'employees.name', 'employees.isAdmin', 'employees.enabled', 'employees.language'])
      .where('apiTokens.tokenHash', '=', tokenHash)
      .executeTakeFirst();
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
