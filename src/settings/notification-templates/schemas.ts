import { z } from 'zod';
import { MESSAGE_EVENTS } from '../../tools/messages/templates/index.js';

export const TemplateParams = z.object({
  event: z.enum(MESSAGE_EVENTS),
  locale: z.string().regex(/^[a-z]{2,3}$/, 'a language code such as "en" or "ru"'),
});
export type TemplateParams = z.infer<typeof TemplateParams>;

export const TemplateInput = z.strictObject({
  subject: z.string().trim().min(1).max(300).meta({ description: 'One line; {placeholders} of the event', example: 'License {licenseName} is active' }),
  body: z
    .string()
    .trim()
    .min(1)
    .max(20000)
    .meta({ description: 'Plain text with {placeholders}; paragraphs separated by blank lines. A paragraph that is just the license key or link placeholder is shown preformatted in the HTML version. Every value is escaped in the HTML' }),
});
export type TemplateInput = z.infer<typeof TemplateInput>;

const Words = z.object({ subject: z.string(), body: z.string() });

export const TemplateSummary = z.object({
  event: z.enum(MESSAGE_EVENTS),
  locale: z.string(),
  customized: z.boolean().meta({ description: 'Staff changed it; false: the default words are sent' }),
  subject: z.string().meta({ description: 'The subject as sent now (with its placeholders)' }),
  updatedAt: z.string().nullable(),
});
export type TemplateSummary = z.infer<typeof TemplateSummary>;

export const TemplateList = z.object({
  items: z.array(TemplateSummary),
  locales: z.array(z.string()).meta({ description: 'English and Russian, and every enabled localization (which falls back to English until it has its own words)' }),
});

export const TemplateView = TemplateSummary.extend({
  placeholders: z.array(z.string()).meta({ description: 'The names the subject and body may use in braces, e.g. ["name", "provider", "licenseName"]' }),
  default: Words.meta({ description: "What is sent without staff's version: the shipped words (a language without them: the English version)" }),
  current: Words.meta({ description: 'What is sent now' }),
});
export type TemplateView = z.infer<typeof TemplateView>;

export const TemplatePreview = z.object({
  subject: z.string(),
  text: z.string(),
  html: z.string().meta({ description: 'The HTML version; every value and word is escaped' }),
  values: z.record(z.string(), z.string()).meta({ description: 'The sample values used' }),
});
export type TemplatePreview = z.infer<typeof TemplatePreview>;
