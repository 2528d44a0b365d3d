import { describe, expect, test } from 'vitest';
import { openDatabase } from './dialect.js';
import { migrateToLatest } from './migrate.js';
import { preparedFirst, preparedQuery } from './prepared.js';

describe('prepared queries', () => {
  test('each combination of present and absent filters, and each length of a list, answers with its own rows', async () => {
    const handle = openDatabase({ sqliteFile: ':memory:' });
    try {
      await migrateToLatest(handle);
      const db = handle.kysely;
      const now = new Date().toISOString();
      for (let i = 1; i <= 6; i += 1) {
        await db
          .insertInto('datacenters')
          .values({ name: JSON.stringify({ en: `DC ${i}` }), externalId: i % 2 ? `odd-${i}` : `even-${i}`, sort: i, createdAt: now, updatedAt: now })
          .execute();
      }
      const list = preparedQuery((k, limit: number, pattern: string | undefined, minSort: number | undefined) => {
        let q = k.selectFrom('datacenters').select(['sort']);
        if (pattern !== undefined) q = q.where('externalId', 'like', pattern);
        if (minSort !== undefined) q = q.where('sort', '>=', minSort);
        return q.orderBy('sort').limit(limit);
      });
      const sorts = async (...args: Parameters<typeof list> extends [unknown, ...infer A] ? A : never) => (await list(db, ...args)).map((r) => r.sort);
      expect(await sorts(10, undefined, undefined)).toEqual([1, 2, 3, 4, 5, 6]);
      expect(await sorts(10, 'odd-%', undefined)).toEqual([1, 3, 5]);
      expect(await sorts(10, 'even-%', 3)).toEqual([4, 6]);
      expect(await sorts(2, undefined, 2)).toEqual([2, 3]);
      // The same shapes again, with other values: no value of an earlier call is kept.
      expect(await sorts(1, 'even-%', undefined)).toEqual([2]);
      expect(await sorts(10, undefined, 6)).toEqual([6]);

      const bySorts = preparedQuery((k, wanted: number[]) => k.selectFrom('datacenters').select(['sort']).where('sort', 'in', wanted).orderBy('sort'));
      expect((await bySorts(db, [2, 5])).map((r) => r.sort)).toEqual([2, 5]);
      expect((await bySorts(db, [6, 1, 3])).map((r) => r.sort)).toEqual([1, 3, 6]);
      expect((await bySorts(db, [4])).map((r) => r.sort)).toEqual([4]);

      // A value that cannot stay a parameter (here folded into a longer one) is built anew each time.
      const folded = preparedFirst((k, id: string) => k.selectFrom('datacenters').select(['sort']).where('externalId', 'like', `${id}%`));
      expect((await folded(db, 'even-4'))?.sort).toBe(4);
      expect((await folded(db, 'odd-5'))?.sort).toBe(5);
      expect(await folded(db, 'none')).toBeUndefined();
    } finally {
      await handle.close();
    }
  });
});
