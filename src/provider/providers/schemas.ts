import { z } from 'zod';
import { isCurrency } from '../../platform/money.js';

export const Currency = z
  .string()
  .refine(isCurrency, 'an active ISO 4217 currency code such as "EUR"')
  .meta({ description: 'ISO 4217 code; all prices and balances of the provider are in it', example: 'EUR' });

const Email = z.email().max(254);
const WebsiteUrl = z.url({ protocol: /^https?$/, error: 'an http:// or https:// address' }).max(2000);

export const ProviderInput = z.strictObject({
  name: z.string().trim().min(1).max(200),
  currency: Currency,
  /** Where notifications about the provider's clients go. */
  notificationEmail: Email.nullable().optional(),
  /** Shown to clients as the support address. */
  supportEmail: Email.nullable().optional(),
  websiteUrl: WebsiteUrl.nullable().optional(),
  /** The display name of its clients' e-mails; absent, the provider's name. */
  mailFromName: z
    .string()
    .trim()
    .min(1)
    .max(200)
    .refine((v) => !/[\r\n]/.test(v), 'one line')
    .nullable()
    .optional()
    .meta({ description: "The sender's display name of the provider's e-mails to its clients; null: the provider's name", example: 'Example Hosting Billing' }),
  /** The address its clients' e-mails come from; absent, BILLRELAY_MAIL_FROM's. */
  mailFromAddress: Email.nullable()
    .optional()
    .meta({ description: "The sender's address (From) of the provider's e-mails to its clients; null: BILLRELAY_MAIL_FROM's address. The SMTP server must accept it", example: 'billing@hosting.example' }),
});
export type ProviderInput = z.infer<typeof ProviderInput>;

export const ProviderPatch = ProviderInput.partial();
export type ProviderPatch = z.infer<typeof ProviderPatch>;

export const ProviderView = z.object({
  id: z.number().int(),
  name: z.string(),
  currency: z.string(),
  notificationEmail: z.string().nullable(),
  supportEmail: z.string().nullable(),
  websiteUrl: z.string().nullable(),
  mailFromName: z.string().nullable(),
  mailFromAddress: z.string().nullable(),
  /** The provider that exists from the first start; it cannot be deleted. */
  isDefault: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type ProviderView = z.infer<typeof ProviderView>;
