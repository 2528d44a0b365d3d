import { z } from 'zod';

export const PageQuery = z.object({
  page: z.coerce.number().int().min(1).default(1),
  perPage: z.coerce.number().int().min(1).max(500).default(50),
});
export type PageQuery = z.infer<typeof PageQuery>;

export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({
    items: z.array(item),
    total: z.number().int(),
    page: z.number().int(),
    perPage: z.number().int(),
  });
}

export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  perPage: number;
}

export function offsetOf(q: PageQuery): number {
  return (q.page - 1) * q.perPage;
}

/**
 * A list asks for one row more than its page holds (`pageLimit`); when that row does not come, this
 * page reaches the end and the total is known without a COUNT query. `fetched` counts the extra row.
 */
export async function totalOf(page: PageQuery, fetched: number, count: () => Promise<number>): Promise<number> {
  if (fetched <= page.perPage && (fetched > 0 || page.page === 1)) return offsetOf(page) + fetched;
  return count();
}

/** Rows to ask for: the page and one more (see totalOf). */
export function pageLimit(page: PageQuery): number {
  return page.perPage + 1;
}

/**
 * One page of a list, the way every list reads it: `rows(limit, offset)` asks for the page and one
 * more row, and `count()` runs only when that does not settle the total (see totalOf).
 */
export async function readPage<T>(
  page: PageQuery,
  rows: (limit: number, offset: number) => Promise<T[]>,
  count: () => Promise<number>,
): Promise<{ rows: T[]; total: number }> {
  const fetched = await rows(pageLimit(page), offsetOf(page));
  const total = await totalOf(page, fetched.length, count);
  return { rows: fetched.length > page.perPage ? fetched.slice(0, page.perPage) : fetched, total };
}
