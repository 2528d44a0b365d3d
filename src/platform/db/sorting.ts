// Sorted entities (data centers, departments, processing modules, tariffs…) keep `sort` as 1..N
// without gaps: lowest first, as the partner guide describes.
import type { Kysely, Transaction } from 'kysely';
import { AppError } from '../errors.js';
import type { Database } from './schema.js';

export type SortedTable = {
  [K in keyof Database]: Database[K] extends { sort: number; id: unknown } ? K : never;
}[keyof Database];

// The helpers below work on any sorted table; Kysely cannot type a table name chosen at run time.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyTrx = Transaction<any> | Kysely<any>;

async function countRows(trx: AnyTrx, table: SortedTable): Promise<number> {
  const row = await trx.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

/** The sort a new row gets: the requested position clamped to 1..N+1, others shifted down to make room. */
export async function makeRoomAt(trx: AnyTrx, table: SortedTable, requested?: number): Promise<number> {
  const count = await countRows(trx, table);
  const position = requested === undefined ? count + 1 : Math.min(Math.max(1, requested), count + 1);
  if (position <= count) {
    await trx.updateTable(table).set((eb) => ({ sort: eb('sort', '+', 1) })).where('sort', '>=', position).execute();
  }
  return position;
}

/** Closes the gap a removed row left. */
export async function closeGap(trx: AnyTrx, table: SortedTable, removedSort: number): Promise<void> {
  await trx.updateTable(table).set((eb) => ({ sort: eb('sort', '-', 1) })).where('sort', '>', removedSort).execute();
}

/** Moves an existing row to a position (clamped to 1..N), shifting the rows between. */
export async function moveTo(trx: AnyTrx, table: SortedTable, id: number, requested: number): Promise<number> {
  const row = await trx.selectFrom(table).select('sort').where('id', '=', id).executeTakeFirst();
  if (!row) throw new AppError('not_found', `${table} ${id} does not exist`, { field: 'id' });
  const from = Number(row.sort);
  const to = Math.min(Math.max(1, requested), await countRows(trx, table));
  if (to < from) {
    await trx.updateTable(table).set((eb) => ({ sort: eb('sort', '+', 1) }))
      .where('sort', '>=', to).where('sort', '<', from).execute();
  } else if (to > from) {
    await trx.updateTable(table).set((eb) => ({ sort: eb('sort', '-', 1) }))
      .where('sort', '>', from).where('sort', '<=', to).execute();
  }
  await trx.updateTable(table).set({ sort: to }).where('id', '=', id).execute();
  return to;
}

/** One step up (towards 1) or down; at either end it stays where it is. */
export async function moveStep(trx: AnyTrx, table: SortedTable, id: number, direction: 'up' | 'down'): Promise<void> {
  const row = await trx.selectFrom(table).select('sort').where('id', '=', id).executeTakeFirst();
  if (!row) throw new AppError('not_found', `${table} ${id} does not exist`, { field: 'id' });
  await moveTo(trx, table, id, Number(row.sort) + (direction === 'up' ? -1 : 1));
}
