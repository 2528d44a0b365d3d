// Every seed gets its own empty, migrated database (so a seed replays alone exactly as it ran among
// others), copied from a template migrated once per process: migrating afresh per seed would cost
// seconds each. PostgreSQL copies with CREATE DATABASE … TEMPLATE; SQLite copies the data directory
// (its database file and secret key).
import { createBillrelay } from '../../src/app.js';
import { loadConfig } from '../../src/platform/config.js';
import { createLogger } from '../../src/platform/logger.js';
import { ADMIN_EMAIL, ADMIN_PASSWORD } from '../support/billrelay.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

let template: Promise<TestDatabase> | undefined;

/** Migrated with the first administrator, as startBillrelay leaves a new database. */
async function makeTemplate(): Promise<TestDatabase> {
  const database = await createTestDatabase();
  const billrelay = await createBillrelay({
    config: loadConfig({
      BILLRELAY_DATA_DIR: database.dataDir,
      ...(database.databaseUrl ? { DATABASE_URL: database.databaseUrl } : {}),
      BILLRELAY_ADMIN_EMAIL: ADMIN_EMAIL,
      BILLRELAY_ADMIN_PASSWORD: ADMIN_PASSWORD,
      BILLRELAY_WEB_DIR: `${database.dataDir}/no-web`,
      BILLRELAY_WORKER: 'off',
      BILLRELAY_SCHEDULER: 'off',
      LOG_LEVEL: 'silent',
    }),
    logger: createLogger('silent'),
  });
  await billrelay.close();
  return database;
}

export async function freshDatabase(): Promise<TestDatabase> {
  template ??= makeTemplate();
  return createTestDatabase(undefined, { copyOf: await template });
}

/** Drops the template (at the end of a run). */
export async function dropTemplate(): Promise<void> {
  const source = await template;
  template = undefined;
  await source?.drop();
}
