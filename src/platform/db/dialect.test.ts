import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { describe, expect, test } from 'vitest';
import { openDatabase } from './dialect.js';
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

  test('reads are exact past 2^53 minor units, in every shape, and a write returning money runs once', async () => {
    const handle = openDatabase({ sqliteFile: ':memory:' });
    try {
      await migrateToLatest(handle);
      const now = new Date().toISOString();
      await handle.kysely.insertInto('providers').values({ name: 'P', currency: 'EUR', notificationEmail: null, supportEmail: null, websiteUrl: null, isDefault: 1, createdAt: now, updatedAt: now }).execute();
      const big = 9_007_199_254_740_993n; // 2^53 + 1: a number would read it as 2^53
      const inserted = await handle.kysely
        .insertInto('clients')
        .values({ providerId: 1, email: 'a@b.c', name: 'A', passwordHash: 'x', language: 'en', country: null, enabled: 1, currency: 'EUR', creditLimitMinor: -big, createdAt: now, updatedAt: now })
        .returning(['id', 'creditLimitMinor'])
        .executeTakeFirstOrThrow();
      expect(inserted).toEqual({ id: 1, creditLimitMinor: -big });
      expect(await handle.kysely.selectFrom('clients').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).toEqual({ n: 1 });
      await handle.kysely.insertInto('clients').values({ providerId: 1, email: 'b@b.c', name: 'B', passwordHash: 'x', language: 'en', country: null, enabled: 1, currency: 'EUR', creditLimitMinor: 5n, createdAt: now, updatedAt: now }).execute();
      // A list whose second row needs bigints, an alias, and an aggregate: all exact.
      const rows = await handle.kysely.selectFrom('clients').select(['id', 'creditLimitMinor as limitMinor']).orderBy('id', 'desc').execute();
      expect(rows).toEqual([{ id: 2, limitMinor: 5n }, { id: 1, limitMinor: -big }]);
      const sum = await handle.kysely.selectFrom('clients').select((eb) => eb.fn.sum<bigint>('creditLimitMinor').as('totalMinor')).executeTakeFirstOrThrow();
      expect(sum.totalMinor).toBe(-big + 5n);
      // Small amounts read as numbers first still come back as bigint money and numeric ids.
      const small = await handle.kysely.selectFrom('clients').select(['id', 'creditLimitMinor']).where('id', '=', 2).executeTakeFirstOrThrow();
      expect(small).toEqual({ id: 2, creditLimitMinor: 5n });
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
