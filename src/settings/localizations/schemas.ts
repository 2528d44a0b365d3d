import { z } from 'zod';
import { LOCALE_CODE } from '../../platform/i18n/localized.js';

export const LocalizationView = z.object({
  code: z.string(),
  name: z.string(),
  enabled: z.boolean(),
  isDefault: z.boolean(),
});
export type LocalizationView = z.infer<typeof LocalizationView>;

export const LocalizationCreate = z.strictObject({
  code: z.string().regex(LOCALE_CODE, 'a locale code such as "de" or "pt-BR"'),
  name: z.string().trim().min(1).max(100),
  enabled: z.boolean().default(true),
});
export type LocalizationCreate = z.infer<typeof LocalizationCreate>;

export const LocalizationUpdate = z.strictObject({
  name: z.string().trim().min(1).max(100).optional(),
  enabled: z.boolean().optional(),
  /** Making one locale the default makes the previous default an ordinary one. */
  isDefault: z.literal(true).optional(),
});
export type LocalizationUpdate = z.infer<typeof LocalizationUpdate>;

export const LocalizationParams = z.object({ code: z.string().regex(LOCALE_CODE, 'a locale code') });
