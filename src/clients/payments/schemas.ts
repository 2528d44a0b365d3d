import { z } from 'zod';

export const ClientGatewayView = z.object({
  id: z.string().meta({ description: 'The gateway to name when starting a payment', example: 'stripe' }),
  method: z.enum(['bank_transfer', 'card']),
  title: z.string(),
});
export type ClientGatewayView = z.infer<typeof ClientGatewayView>;

export const GatewayPaymentView = z.object({
  reference: z.string(),
  gateway: z.string(),
  /** pending: started, no confirmation from the gateway yet; paid: booked to the balance. */
  status: z.enum(['pending', 'paid']),
  amount: z.string(),
  currency: z.string(),
  createdAt: z.string(),
});
export type GatewayPaymentView = z.infer<typeof GatewayPaymentView>;

const oneLine = (v: string) => !/[\s]/.test(v);

export const ProviderGatewayInput = z.strictObject({
  enabled: z.boolean().optional(),
  secretKey: z
    .string()
    .trim()
    .max(500)
    .refine((v) => /^(sk|rk)_/.test(v) && oneLine(v), 'a Stripe secret key starting with sk_ or rk_')
    .optional()
    .meta({ description: 'Write-only: stored encrypted, never answered (only its last 4 characters). Absent: unchanged' }),
  webhookSecret: z
    .string()
    .trim()
    .max(500)
    .refine((v) => /^whsec_/.test(v) && oneLine(v), 'a webhook signing secret starting with whsec_')
    .optional()
    .meta({ description: "Write-only: the endpoint's signing secret, stored encrypted, never answered. Absent: unchanged" }),
});
export type ProviderGatewayInput = z.infer<typeof ProviderGatewayInput>;

export const ProviderGatewayView = z.object({
  gateway: z.string(),
  title: z.string(),
  enabled: z.boolean(),
  secretKeySet: z.boolean(),
  /** The secret key's last 4 characters, to tell keys apart. */
  secretKeyHint: z.string().nullable(),
  webhookSecretSet: z.boolean(),
  /** Where the gateway sends its notifications (after this installation's address). */
  webhookPath: z.string(),
  updatedAt: z.string().nullable(),
});
export type ProviderGatewayView = z.infer<typeof ProviderGatewayView>;
