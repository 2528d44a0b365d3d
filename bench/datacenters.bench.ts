// GET /api/v1/datacenters?perPage=50 through all of billrelay (bearer-token auth, locale negotiation,
// zod validation and serialization, Kysely, localized names) against a bare fastify route that returns
// the same 50 rows from the same SQLite file with one prepared better-sqlite3 statement.
import type { BenchResult } from './lib.js';
import { ADMIN_EMAIL, ADMIN_PASSWORD, call, cookieLogin, listBench, listSetup, type ListSetup } from './lists.js';

const ROWS = 50;

/** billrelay with 50 data centers and an API token, and the bare route next to it. */
export function setup(): Promise<ListSetup> {
  return listSetup(ROWS, async ({ appUrl, sqlite, bare }) => {
    const { cookie, csrfToken } = await cookieLogin(appUrl, ADMIN_EMAIL, ADMIN_PASSWORD);
    const { token } = await call(appUrl, 'POST', '/api/v1/auth/tokens', { cookie, 'x-csrf-token': csrfToken }, { name: 'bench' });
    const auth = { authorization: `Bearer ${token as string}` };
    for (let i = 1; i <= ROWS; i++) {
      await call(appUrl, 'POST', '/api/v1/datacenters', auth, {
        name: { en: `Data center ${i}`, ru: `Дата-центр ${i}` },
        externalId: `DC-${String(i).padStart(3, '0')}`,
      });
    }

    // The baseline: no auth, no validation, no ORM; the rows as SQLite returns them.
    const list = sqlite.prepare(
      'select id, name, external_id as externalId, sort, created_at as createdAt, updated_at as updatedAt ' +
        'from datacenters order by sort, id limit ? offset ?',
    );
    bare.get('/datacenters', async () => ({ items: list.all(ROWS, 0) }));
    return { appPath: `/api/v1/datacenters?perPage=${ROWS}`, headers: auth, barePath: '/datacenters' };
  });
}

export default async function datacentersList(): Promise<BenchResult> {
  return listBench('datacenters list', await setup(), 0.6);
}
