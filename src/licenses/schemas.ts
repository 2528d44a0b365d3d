import { z } from 'zod';
import { Amount } from '../clients/ledger/schemas.js';
import { LICENSE_STATUSES } from './model.js';

const LicenseName = z.string().trim().min(1).max(100).regex(/^[\p{L}\p{N} ._\-@]+$/u, 'letters, digits, spaces and . _ - @ only');
const Ip = z.string().trim().max(15);

export const LicenseOrder = z.strictObject({
  /** Staff order for a client; a client orders for itself. */
  clientId: z.number().int().positive().optional(),
  tariffId: z.number().int().positive(),
  /** Months (1, 12); -100 for a trial. */
  period: z.number().int(),
  licenseName: LicenseName,
  ip: Ip,
  autoRenew: z.boolean().default(false),
  datacenterId: z.number().int().positive().optional(),
});
export type LicenseOrder = z.infer<typeof LicenseOrder>;

/** What an order would be checked with before paying (no name, no auto-renewal: they cannot be refused upstream). */
export const LicenseOrderCheck = LicenseOrder.pick({ clientId: true, tariffId: true, period: true, ip: true, datacenterId: true });
export type LicenseOrderCheck = z.infer<typeof LicenseOrderCheck>;
export const LicenseOrderChecked = z.object({ ip: z.string(), status: z.literal('ok') });

export const LicensePatch = z.strictObject({
  ip: Ip.optional(),
  licenseName: LicenseName.optional(),
  autoRenew: z.boolean().optional(),
});
export type LicensePatch = z.infer<typeof LicensePatch>;

export const RenewInput = z.strictObject({ period: z.number().int().positive().optional() });
export const ChangeTariffInput = z.strictObject({ tariffId: z.number().int().positive() });
export const RefundInput = z.strictObject({ amount: Amount, comment: z.string().trim().min(1).max(1000) });

export const LicenseListQuery = z.object({
  clientId: z.coerce.number().int().positive().optional(),
  status: z.enum(LICENSE_STATUSES).optional(),
  /** Part of the name, IP, key or the client's name or e-mail (any case). */
  q: z.string().trim().max(100).optional(),
  tariffId: z.coerce.number().int().positive().optional(),
  /** The processing module the license is bound to. */
  moduleId: z.coerce.number().int().positive().optional(),
  /** Not deleted and expiring between today and this many days from today (inclusive). */
  expiringWithinDays: z.coerce.number().int().min(0).max(3650).optional(),
});
export type LicenseListQuery = z.infer<typeof LicenseListQuery>;

export const ChangeTariffPreviewQuery = z.object({ tariffId: z.coerce.number().int().positive() });

/** What a tariff change would charge, asked before it is confirmed (the rule of changeTariff). */
export const ChangeTariffPreview = z.object({
  tariffId: z.number().int(),
  currency: z.string(),
  /** The license's price for its period now. */
  currentPrice: z.string(),
  /** The new tariff's price for the same period. */
  newPrice: z.string(),
  /** What would be charged now: the difference for the days left, never below zero. */
  difference: z.string(),
  daysLeft: z.number().int(),
  periodDays: z.number().int(),
});
export type ChangeTariffPreview = z.infer<typeof ChangeTariffPreview>;

export const OperationRef = z.object({ id: z.number().int(), kind: z.string(), status: z.string(), lastError: z.string().nullable() });

export const LicenseView = z.object({
  id: z.number().int(),
  clientId: z.number().int(),
  clientName: z.string(),
  status: z.enum(LICENSE_STATUSES),
  tariffId: z.number().int(),
  period: z.number().int(),
  isTrial: z.boolean(),
  ip: z.string(),
  licenseName: z.string(),
  licenseKey: z.string().nullable(),
  /** The upstream expiry date (YYYY-MM-DD); null until the upstream confirmed the order. */
  expiresAt: z.string().nullable(),
  autoRenew: z.boolean(),
  upstreamId: z.string().nullable(),
  datacenterId: z.number().int().nullable(),
  /** The processing module the license is bound to, once bought. */
  moduleId: z.number().int().nullable(),
  price: z.string(),
  currency: z.string(),
  /** Operations still to run or waiting for a person. */
  pendingOperations: z.array(OperationRef),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type LicenseView = z.infer<typeof LicenseView>;

export const HistoryView = z.object({
  id: z.number().int(),
  at: z.string(),
  event: z.string(),
  from: z.string().nullable(),
  to: z.string().nullable(),
  message: z.string().nullable(),
  operationId: z.number().int().nullable(),
  actor: z.object({ kind: z.string(), label: z.string() }),
});
