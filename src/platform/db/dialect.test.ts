import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { describe, expect, test } from 'vitest';
import { MONEY_TABLES, openDatabase } from './dialect.js';
import { migrateToLatest } from './migrate.js';

describe('the SQLite dialect', () => {
  test('the data directory is created 0700 and the database files 0600, -wal and -shm too, whatever the umask', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'billrelay-modes-'));
    const file = path.join(root, 'data', 'billrelay.sqlite');
    const umask = process.umask(0o022);
    const handle = openDatabase({ sqliteFile: file });
    try {
      await migrateToLatest(handle);
      const mode = (p: string) => (fs.statSync(p).mode & 0o777).toString(8);
      expect(mode(path.dirname(file))).toBe('700');
      for (const f of [file, `${file}-wal`, `${file}-shm`]) expect(mode(f), f).toBe('600');
    } finally {
      process.umask(umask);
      await handle.close();
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  test('every table with a money column is read with safe integers', async () => {
    const handle = openDatabase({ sqliteFile: ':memory:' });
    try {
      await migrateToLatest(handle);
      const tables = await sql<{ name: string }>`select name from sqlite_master where type = 'table'`.execute(handle.kysely);
      const withMoney: string[] = [];
      for (const { name } of tables.rows) {
        const columns = await sql<{ name: string }>`select name from pragma_table_info(${name})`.execute(handle.kysely);
        if (columns.rows.some((c) => c.name.endsWith('_minor'))) withMoney.push(name);
      }
      expect(withMoney.length).toBeGreaterThan(3);
      for (const table of withMoney) expect(MONEY_TABLES.test(`select * from "${table}"`), table).toBe(true);
    } finally {
      await handle.close();
    }
  });

  test('money comes back as bigint and other integers as numbers', async () => {
    const handle = openDatabase({ sqliteFile: ':memory:' });
    try {
      await migrateToLatest(handle);
      const now = new Date().toISOString();
      await handle.kysely.insertInto('providers').values({ name: 'P', currency: 'EUR', notificationEmail: null, supportEmail: null, websiteUrl: null, isDefault: 1, createdAt: now, updatedAt: now }).execute();
      await handle.kysely.insertInto('clients').values({ providerId: 1, email: 'a@b.c', name: 'A', passwordHash: 'x', language: 'en', country: null, enabled: 1, currency: 'EUR', creditLimitMinor: 0n, createdAt: now, updatedAt: now }).execute();
      await handle.kysely.updateTable('clients').set({ balanceMinor: 9_007_199_254_740_993n }).execute();
      const client = await handle.kysely.selectFrom('clients').selectAll().executeTakeFirstOrThrow();
      expect(client.balanceMinor).toBe(9_007_199_254_740_993n);
      expect(client.id).toBe(1);
      const provider = await handle.kysely.selectFrom('providers').selectAll().executeTakeFirstOrThrow();
      expect(provider.id).toBe(1);
    } finally {
      await handle.close();
    }
  });
});

describe('row locks', () => {
  // PostgreSQL runs these clauses in the operations and scheduler tests on its own database.
  test('FOR UPDATE and SKIP LOCKED are left out of SQLite SQL, where the transaction holds the write lock', async () => {
    const handle = openDatabase({ sqliteFile: ':memory:' });
    try {
      await migrateToLatest(handle);
      const rows = await handle.kysely.transaction().execute(async (trx) => {
        const query = trx.selectFrom('datacenters').selectAll().forUpdate().skipLocked();
        expect(query.compile().sql).not.toContain('for update');
        return query.execute();
      });
      expect(rows).toEqual([]);
    } finally {
      await handle.close();
    }
  });
});
