import { z } from 'zod';

/**
 * A row id in a path: canonical decimal only. Number("0x1"), Number("00001") and Number(" 1") are all
 * 1, so coercing let one row answer to many spellings (caches, logs and audits saw different ids).
 */
export const PathId = z
  .string()
  .regex(/^[1-9][0-9]{0,15}$/, 'a positive whole number written in decimal digits, such as 42')
  .transform(Number)
  .pipe(z.number().max(Number.MAX_SAFE_INTEGER, 'too large for an id'));

export const IdParams = z.object({ id: PathId });
export const MoveInput = z.strictObject({ direction: z.enum(['up', 'down']) });
export const NoContent = z.null();
