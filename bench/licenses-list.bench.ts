// GET /api/v1/licenses?page=1&perPage=50 as a client with 50 licenses calls it from its own pages (cookie
// session; the list shows only its own licenses), through all of billrelay, against a bare fastify
// route that returns the same 50 rows (the licenses with their client's name) from the same SQLite file
// with one prepared better-sqlite3 statement. Another client's 50 licenses share the table.
import { systemActor } from '../src/platform/actor.js';
import type { BenchResult } from './lib.js';
import { cookieLogin, listBench, listSetup, type ListSetup } from './lists.js';

const ROWS = 50;
const PASSWORD = 'client-password';

export function setup(): Promise<ListSetup> {
  return listSetup(ROWS, async ({ billrelay, appUrl, sqlite, bare }) => {
    const { services, db, clock } = billrelay;
    const actor = systemActor('bench');
    const mine = await services.clients.create({ name: 'Bench', email: 'client@bench.test', password: PASSWORD, language: 'en', providerId: 1 }, actor);
    const now = clock.now().toISOString();
    const other = await db.kysely
      .insertInto('clients')
      .values({ providerId: 1, email: 'other@bench.test', name: 'Other', passwordHash: 'x', language: 'en', country: null, enabled: 1, currency: 'EUR', createdAt: now, updatedAt: now })
      .returning('id')
      .executeTakeFirstOrThrow();
    const tariff = await db.kysely
      .insertInto('tariffs')
      .values({
        providerId: 1, productType: 'licenses', name: '{"en":"ispmanager 6 lite"}', upstreamTariffId: '55227', upstreamName: 'ispmanager 6 lite',
        currency: 'EUR', status: 'enabled', sort: 1, lastSyncedAt: null, createdAt: now, updatedAt: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    for (const [n, client] of [mine, { id: Number(other.id) }].entries()) {
      for (let i = 1; i <= ROWS; i += 1) {
        await db.kysely
          .insertInto('licenses')
          .values({
            clientId: client.id, tariffId: Number(tariff.id), period: 12, isTrial: 0, licenseName: `web${n}-${i}.example.test`, ip: `198.51.${100 + n}.${i}`,
            autoRenew: 1, datacenterId: null, status: 'active', licenseKey: `KEY-${n}-${i}`, upstreamId: String(5_000_000 + n * 1000 + i), remoteId: `brb${n}-${i}`,
            moduleId: null, expiresOn: '2027-12-01', priceMinor: 1000n, currency: 'EUR', suspendedAt: null, deletedAt: null, createdAt: now, updatedAt: now,
          })
          .execute();
      }
    }
    const { cookie } = await cookieLogin(appUrl, 'client@bench.test', PASSWORD);

    // The baseline: no auth, no validation, no ORM; the rows as SQLite returns them.
    const list = sqlite.prepare(
      'select l.id, l.client_id as clientId, c.name as clientName, l.status, l.tariff_id as tariffId, l.period, l.is_trial as isTrial, l.ip, ' +
        'l.license_name as licenseName, l.license_key as licenseKey, l.expires_on as expiresAt, l.auto_renew as autoRenew, l.upstream_id as upstreamId, ' +
        'l.datacenter_id as datacenterId, l.module_id as moduleId, l.price_minor as priceMinor, l.currency, l.created_at as createdAt, l.updated_at as updatedAt ' +
        'from licenses l join clients c on c.id = l.client_id where l.client_id = ? order by l.id desc limit ? offset ?',
    );
    bare.get('/licenses', async () => ({ items: list.all(mine.id, ROWS, 0) }));
    return { appPath: `/api/v1/licenses?page=1&perPage=${ROWS}`, headers: { cookie }, barePath: '/licenses' };
  });
}

export default async function licensesList(): Promise<BenchResult> {
  return listBench('licenses list (client, 50)', await setup(), 0.6);
}
