import { z } from 'zod';

export const Amount = z.string().trim().regex(/^\d{1,12}(\.\d{1,3})?$/, 'a positive decimal amount such as "25.00"');
export const SignedAmount = z.string().trim().regex(/^-?\d{1,12}(\.\d{1,3})?$/, 'a decimal amount such as "-5.00"');

export const PAYMENT_METHODS = ['manual', 'bank_transfer', 'cash', 'card', 'other'] as const;

export const PaymentInput = z.strictObject({
  amount: Amount,
  method: z.enum(PAYMENT_METHODS).default('manual'),
  /** The payment's own reference (bank transaction id, receipt number); a repeated one is applied once. */
  reference: z.string().trim().min(1).max(200).optional(),
  comment: z.string().trim().max(1000).optional(),
});
export type PaymentInput = z.infer<typeof PaymentInput>;

export const CorrectionInput = z.strictObject({
  amount: SignedAmount,
  reference: z.string().trim().min(1).max(200).optional(),
  comment: z.string().trim().min(1).max(1000),
});

export const LedgerEntryView = z.object({
  id: z.number().int(),
  kind: z.enum(['payment', 'charge', 'refund', 'correction', 'reversal']),
  /** Signed: charges are negative. */
  amount: z.string(),
  currency: z.string(),
  balanceAfter: z.string(),
  reference: z.string(),
  method: z.string().nullable(),
  comment: z.string().nullable(),
  actor: z.object({ kind: z.string(), id: z.number().int().nullable() }),
  createdAt: z.string(),
});
export type LedgerEntryView = z.infer<typeof LedgerEntryView>;
