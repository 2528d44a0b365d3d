import { z } from 'zod';
import { LocalizedText } from '../../platform/i18n/localized.js';

const Sort = z.number().int().min(1).max(1_000_000);

export const DatacenterInput = z.strictObject({
  name: LocalizedText,
  externalId: z.string().trim().min(1).max(100).nullable().optional(),
  /** Position among data centers, lowest first; omitted means last. */
  sort: Sort.optional(),
});
export type DatacenterInput = z.infer<typeof DatacenterInput>;

export const DatacenterPatch = DatacenterInput.partial();
export type DatacenterPatch = z.infer<typeof DatacenterPatch>;

export const DatacenterView = z.object({
  id: z.number().int(),
  name: z.record(z.string(), z.string()),
  displayName: z.string(),
  externalId: z.string().nullable(),
  sort: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type DatacenterView = z.infer<typeof DatacenterView>;
