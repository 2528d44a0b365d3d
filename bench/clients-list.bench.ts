// GET /api/v1/clients?page=1&perPage=50 as staff call it from the web UI (an administrator's cookie
// session), 50 clients, through all of billrelay, against a bare fastify route that returns the same 50
// rows from the same SQLite file with one prepared better-sqlite3 statement.
import type { BenchResult } from './lib.js';
import { ADMIN_EMAIL, ADMIN_PASSWORD, cookieLogin, listBench, listSetup, type ListSetup } from './lists.js';

const ROWS = 50;

export function setup(): Promise<ListSetup> {
  return listSetup(ROWS, async ({ billrelay, appUrl, sqlite, bare }) => {
    const { db, clock } = billrelay;
    const now = clock.now().toISOString();
    // Straight into the table: 50 password hashes would take longer than the benchmark.
    for (let i = 1; i <= ROWS; i += 1) {
      await db.kysely
        .insertInto('clients')
        .values({
          providerId: 1, email: `client${i}@bench.test`, name: `Client ${i}`, passwordHash: 'x', language: 'en', country: 'DE',
          enabled: 1, currency: 'EUR', balanceMinor: BigInt(i * 100), creditLimitMinor: 0n, createdAt: now, updatedAt: now,
        })
        .execute();
    }
    const { cookie } = await cookieLogin(appUrl, ADMIN_EMAIL, ADMIN_PASSWORD);

    // The baseline: no auth, no validation, no ORM; the rows as SQLite returns them (no password hash).
    const list = sqlite.prepare(
      'select id, provider_id as providerId, email, name, language, country, enabled, currency, balance_minor as balanceMinor, ' +
        'credit_limit_minor as creditLimitMinor, email_confirmed_at as emailConfirmedAt, created_at as createdAt, updated_at as updatedAt ' +
        'from clients order by id limit ? offset ?',
    );
    bare.get('/clients', async () => ({ items: list.all(ROWS, 0) }));
    return { appPath: `/api/v1/clients?page=1&perPage=${ROWS}`, headers: { cookie }, barePath: '/clients' };
  });
}

export default async function clientsList(): Promise<BenchResult> {
  return listBench('clients list (staff, 50)', await setup(), 0.6);
}
