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
    .meta({
      description:
        'Why the operation is given up (kept as its last error, in the license history and the audit log). What the client paid for it is refunded; for work done by hand, use /complete instead.',
      example: "The reseller's upstream account is closed",
    }),
});
export type AbandonInput = z.infer<typeof AbandonInput>;

const calendarDay = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD')
  .refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d), 'not a calendar date');

/** What a person records after doing an operation by hand; which fields a kind needs is checked by the service. */
export const CompleteInput = z.strictObject({
  upstreamId: z.string().trim().min(1).max(64).regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, - and _ only').optional().meta({ description: 'open: the upstream license id', example: '3100042' }),
  licenseKey: z.string().trim().min(1).max(4096).optional().meta({ description: 'open and new key: the license key the upstream issued' }),
  expiresOn: calendarDay.optional().meta({ description: 'open and prolong: the upstream expiry (YYYY-MM-DD)', example: '2027-11-26' }),
  note: z.string().trim().min(1).max(500).optional().meta({ description: 'What was done, for the license history and the audit log', example: 'Bought in the upstream panel, ticket 4711' }),
});
export type CompleteInput = z.infer<typeof CompleteInput>;
