import { z } from 'zod';

export const LoginInput = z.strictObject({
  email: z.string().trim().toLowerCase().pipe(z.email()),
  password: z.string().min(1).max(1024),
});

export const MeView = z.object({
  kind: z.enum(['employee', 'client']),
  id: z.number().int(),
  email: z.string(),
  name: z.string(),
  isAdmin: z.boolean(),
  locale: z.string(),
  impersonatedBy: z.number().int().nullable(),
  rights: z.array(z.string()).optional().meta({ description: 'Employees: the effective rights, sorted (administrators hold all; GET /api/v1/rights lists them)' }),
});
export type MeView = z.infer<typeof MeView>;

export const LoginView = z.object({ user: MeView, csrfToken: z.string() });

export const TokenCreate = z.strictObject({ name: z.string().trim().min(1).max(100).default('API token') });
export const TokenCreated = z.object({ id: z.number().int(), name: z.string(), token: z.string(), createdAt: z.string() });
export const TokenView = z.object({ id: z.number().int(), name: z.string(), createdAt: z.string(), lastUsedAt: z.string().nullable() });

export const RightView = z.object({
  name: z.string().meta({ description: 'What routes ask for and employees/departments hold, e.g. "tariffs.change", "client.payment"' }),
  group: z.string().meta({ description: 'The staff menu area, or "money" for the money rights' }),
  level: z.enum(['read', 'change', 'money']).meta({ description: '"change" includes "read"; money rights stand alone' }),
  description: z.string(),
});

const Token = z.string().trim().min(1).max(200).meta({ description: 'The token from the mailed link' });

export const PasswordResetInput = z.strictObject({ email: z.string().trim().toLowerCase().max(254).pipe(z.email()) });
/** The one answer to a reset request, known address or not: it must not tell which. */
export const PasswordResetAccepted = z.object({ status: z.literal('accepted'), message: z.string() });
export const PASSWORD_RESET_ACCEPTED: z.infer<typeof PasswordResetAccepted> = {
  status: 'accepted',
  message: 'If the address is known, a message with a link to set a new password was sent to it.',
};

export const PasswordResetConfirmInput = z.strictObject({ token: Token, password: z.string().min(1).max(1024) });
export const PasswordResetDone = z.object({ status: z.literal('password_set') });
export const PASSWORD_RESET_DONE: z.infer<typeof PasswordResetDone> = { status: 'password_set' };

export const EmailConfirmInput = z.strictObject({ token: Token });
export const EmailConfirmed = z.object({ status: z.literal('email_confirmed') });
export const EMAIL_CONFIRMED: z.infer<typeof EmailConfirmed> = { status: 'email_confirmed' };
export const ConfirmationResent = z.object({ status: z.literal('confirmation_sent'), email: z.string().meta({ description: 'Where the link was mailed' }) });
export type ConfirmationResent = z.infer<typeof ConfirmationResent>;
