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

/** The total, without a COUNT query when this page already shows everything from its offset on. */
export async function totalOf(page: PageQuery, rowsOnPage: number, count: () => Promise<number>): Promise<number> {
  if (rowsOnPage < page.perPage && (rowsOnPage > 0 || page.page === 1)) return offsetOf(page) + rowsOnPage;
  return count();
}
