// Each test file gets its own empty database: a temporary SQLite file, or, when TEST_DATABASE_URL names a
// PostgreSQL server, a fresh database created on it (and dropped afterwards).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export interface TestDatabase {
  kind: 'sqlite' | 'postgres';
  dataDir: string;
  databaseUrl?: string;
  drop(): Promise<void>;
}

export const testDatabaseKind: 'sqlite' | 'postgres' = process.env.TEST_DATABASE_URL ? 'postgres' : 'sqlite';

/**
 * On the PostgreSQL server given (TEST_DATABASE_URL by default; an empty string means SQLite). With
 * `copyOf`, the new database starts as a copy of that one (a migrated template): SQLite copies its data
 * directory (database file and secret key), PostgreSQL creates the database from it as a TEMPLATE.
 */
export async function createTestDatabase(serverUrl = process.env.TEST_DATABASE_URL, options: { copyOf?: TestDatabase } = {}): Promise<TestDatabase> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'billrelay-test-'));
  if (options.copyOf) fs.cpSync(options.copyOf.dataDir, dataDir, { recursive: true });
  if (!serverUrl) {
    return { kind: 'sqlite', dataDir, drop: async () => fs.rmSync(dataDir, { recursive: true, force: true }) };
  }
  const name = `billrelay_t_${randomBytes(6).toString('hex')}`;
  const template = options.copyOf?.databaseUrl ? ` template ${new URL(options.copyOf.databaseUrl).pathname.slice(1)}` : '';
  await onServer(serverUrl, (c) => c.query(`create database ${name}${template}`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    kind: 'postgres',
    dataDir,
    databaseUrl: url.toString(),
    async drop() {
      fs.rmSync(dataDir, { recursive: true, force: true });
      await onServer(serverUrl, (c) => c.query(`drop database if exists ${name} with (force)`));
    },
  };
}

async function onServer(serverUrl: string, run: (c: pg.Client) => Promise<unknown>): Promise<void> {
  const c = new pg.Client({ connectionString: serverUrl });
  await c.connect();
  try {
    await run(c);
  } finally {
    await c.end();
  }
}
