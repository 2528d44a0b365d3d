import { z } from 'zod';
import { OPERATION_KINDS, OPERATION_STATUSES } from '../../licenses/model.js';
import { PageQuery } from '../../platform/db/paging.js';

export const OperationListQuery = PageQuery.extend({
  status: z.enum(OPERATION_STATUSES).optional(),
  kind: z.enum(OPERATION_KINDS).optional(),
  licenseId: z.coerce.number().int().positive().optional(),
});
export type OperationListQuery = z.infer<typeof OperationListQuery>;

export const OperationView = z.object({
  id: z.number().int(),
  licenseId: z.number().int(),
  kind: z.enum(OPERATION_KINDS),
  payload: z.record(z.string(), z.unknown()),
  status: z.enum(OPERATION_STATUSES),
  attempts: z.number().int(),
  attemptsAtRestart: z.number().int(),
  nextAttemptAt: z.string(),
  leaseOwner: z.string().nullable(),
  leaseExpiresAt: z.string().nullable(),
  moduleId: z.number().int().nullable(),
  lastError: z.string().nullable(),
  lastErrorCode: z.string().nullable(),
  result: z.record(z.string(), z.unknown()).nullable(),
  idempotencyKey: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  finishedAt: z.string().nullable(),
});
export type OperationView = z.infer<typeof OperationView>;

export const AbandonInput = z.strictObject({
  reason: z
    .string()
    .trim()
    .min(1)
    .max(500)
    .meta({ description: 'Why the operation is given up (kept as its last error, in the license history and the audit log)', example: 'Bought by hand upstream' }),
});
export type AbandonInput = z.infer<typeof AbandonInput>;
