import { z } from 'zod';

export const IdParams = z.object({ id: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER) });
export const MoveInput = z.strictObject({ direction: z.enum(['up', 'down']) });
export const NoContent = z.null();
