import { z } from 'zod';
import { MIN_PASSWORD_LENGTH } from '../../platform/crypto/passwords.js';
import { LOCALE_CODE } from '../../platform/i18n/localized.js';

const Email = z.string().trim().toLowerCase().max(254).pipe(z.email());
const Password = z.string().min(MIN_PASSWORD_LENGTH, `at least ${MIN_PASSWORD_LENGTH} characters`).max(1024);
const Name = z.string().trim().min(1).max(200);
const Language = z.string().regex(LOCALE_CODE, 'a locale code such as "en"');
const Country = z.string().regex(/^[A-Z]{2}$/, 'an ISO 3166-1 alpha-2 country code such as "DE"');
const Phone = z
  .string()
  .trim()
  .regex(/^\+?[0-9 ()-]{5,30}$/, 'a phone number such as "+49 30 1234567": digits, spaces, dashes and brackets, optionally a leading +')
  .refine((v) => { const digits = v.replace(/\D/g, '').length; return digits >= 5 && digits <= 15; }, 'a phone number has 5 to 15 digits')
  .meta({ description: 'Contact phone number; digits, spaces, dashes and brackets, optionally a leading +', example: '+49 30 1234567' });
const CreditLimit = z.string().trim().regex(/^\d{1,12}(\.\d{1,3})?$/, 'a decimal amount such as "50.00"');

export const ClientCreate = z.strictObject({
  name: Name,
  email: Email,
  password: Password,
  language: Language.default('en'),
  providerId: z.number().int().positive(),
  country: Country.nullable().optional(),
  phone: Phone.nullable().optional(),
  creditLimit: CreditLimit.optional(),
});
export type ClientCreate = z.infer<typeof ClientCreate>;

export const ClientPatch = z.strictObject({
  name: Name.optional(),
  email: Email.optional().meta({
    description: 'A new address is unconfirmed until the link mailed to it is followed (as for employees); a client changing its own needs currentPassword',
  }),
  password: Password.optional(),
  /** Needed when a client changes its own password or e-mail address. */
  currentPassword: z.string().max(1024).optional().meta({ description: 'The current password: needed when a client changes its own password or e-mail address' }),
  language: Language.optional(),
  country: Country.nullable().optional(),
  phone: Phone.nullable().optional(),
  enabled: z.boolean().optional(),
  creditLimit: CreditLimit.optional(),
});
export type ClientPatch = z.infer<typeof ClientPatch>;

/** What a client may change about itself. */
export const ClientSelfPatch = ClientPatch.pick({ name: true, email: true, password: true, currentPassword: true, language: true, country: true, phone: true });

export const RegisterInput = z
  .strictObject({
    name: Name,
    email: Email,
    password: Password,
    passwordConfirmation: z.string(),
    country: Country,
    language: Language.default('en'),
    /** Which provider's client area; omitted, the provider whose website has the request's host, else the default provider. */
    providerId: z.number().int().positive().optional()
      .meta({ description: "Which provider's client; omitted, the provider whose website has the request's host (GET /api/v1/auth/site names it), else the default provider" }),
  })
  .refine((v) => v.password === v.passwordConfirmation, { message: 'the passwords differ', path: ['passwordConfirmation'] });
export type RegisterInput = z.infer<typeof RegisterInput>;

/** The one answer to a registration, new address or taken: it must not tell which. */
export const RegisterAccepted = z.object({ status: z.literal('accepted'), message: z.string() });
export const REGISTER_ACCEPTED: z.infer<typeof RegisterAccepted> = {
  status: 'accepted',
  message: 'Registration received: log in with your e-mail address and password, and confirm the address with the link we mailed. An address registered before stays with its owner, who is told.',
};

/** Whose site the request came to: only the provider's name, for the login and registration pages. */
export const SiteView = z.object({
  providerName: z.string().meta({ description: "The name of the provider whose website has the request's host, else the default provider's" }),
});

export const ClientView = z.object({
  id: z.number().int(),
  providerId: z.number().int(),
  email: z.string(),
  name: z.string(),
  language: z.string(),
  country: z.string().nullable(),
  phone: z.string().nullable().meta({ description: 'Contact phone number, as written' }),
  enabled: z.boolean(),
  currency: z.string(),
  balance: z.string(),
  creditLimit: z.string(),
  emailConfirmed: z.boolean().meta({ description: 'The client followed the confirmation link mailed at registration' }),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type ClientView = z.infer<typeof ClientView>;

export const ClientListQuery = z.object({
  providerId: z.coerce.number().int().positive().optional(),
  search: z.string().trim().max(200).optional(),
});
