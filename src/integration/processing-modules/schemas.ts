import { z } from 'zod';
import { LocalizedText } from '../../platform/i18n/localized.js';
import { isCurrency } from '../../platform/money.js';
import { MODULE_TYPES } from './drivers/index.js';

export const DEFAULT_UPSTREAM_URL = 'https://api-eu.ispmanager.com';
export const PRODUCT_TYPES = ['licenses'] as const;

const HttpUrl = z
  .string()
  .trim()
  .max(500)
  .refine((v) => {
    try {
      return ['http:', 'https:'].includes(new URL(v).protocol);
    } catch {
      return false;
    }
  }, 'must be an http:// or https:// URL');

const Username = z.string().trim().min(1).max(200);
const Password = z.string().min(1).max(500);
/** The administrator's answer where the upstream does not say which currency the account is in. */
const Currency = z
  .string()
  .trim()
  .regex(/^[A-Z]{3}$/, 'an ISO 4217 currency code of 3 capital letters, such as "EUR"')
  .refine(isCurrency, 'not a known ISO 4217 currency code');

export const ConnectionInput = z.strictObject({
  url: HttpUrl.default(DEFAULT_UPSTREAM_URL),
  username: Username,
  password: Password,
  currency: Currency.optional(),
});

/**
 * Only what changes; the rest stays as stored (no defaults here, or an edit would reset the URL).
 * A new URL or username needs the password again; `currency: null` forgets the chosen currency.
 */
const ConnectionPatch = z.strictObject({
  url: HttpUrl.optional(),
  username: Username.optional(),
  password: Password.optional(),
  currency: Currency.nullable().optional(),
});

const Decimal = z.string().trim().regex(/^\d{1,12}(\.\d{1,3})?$/, 'a decimal amount such as "100.00"');

export const CheckConnectionInput = z.strictObject({
  moduleType: z.literal('billmanager'),
  connection: ConnectionInput,
});

export const ConnectionCheckView = z.object({
  balance: z.string(),
  currency: z.string(),
  account: z.string(),
  /** The URL that answered, with the path found when the given one had none: the one the module keeps. */
  url: z.string(),
});

export const ModuleCreate = z.strictObject({
  productType: z.enum(PRODUCT_TYPES),
  moduleType: z.enum(MODULE_TYPES),
  connection: ConnectionInput.optional(),
  datacenterId: z.number().int().positive().nullable().optional(),
  name: LocalizedText,
  departmentId: z.number().int().positive().nullable().optional(),
  sort: z.number().int().min(1).max(1_000_000).optional(),
  minimalBalance: Decimal.default('0'),
  /** Running operations at once on this module; null for no limit. */
  operationLimit: z.number().int().min(1).max(1000).nullable().default(8),
});
export type ModuleCreate = z.infer<typeof ModuleCreate>;

export const ModulePatch = z.strictObject({
  connection: ConnectionPatch.optional(),
  datacenterId: z.number().int().positive().nullable().optional(),
  name: LocalizedText.optional(),
  departmentId: z.number().int().positive().nullable().optional(),
  sort: z.number().int().min(1).max(1_000_000).optional(),
  minimalBalance: Decimal.optional(),
  operationLimit: z.number().int().min(1).max(1000).nullable().optional(),
  enabled: z.boolean().optional(),
});
export type ModulePatch = z.infer<typeof ModulePatch>;

const Ref = z.object({ id: z.number().int(), displayName: z.string() }).nullable();

export const ModuleView = z.object({
  id: z.number().int(),
  productType: z.string(),
  moduleType: z.string(),
  name: z.record(z.string(), z.string()),
  displayName: z.string(),
  status: z.enum(['enabled', 'disabled', 'error']),
  enabled: z.boolean(),
  datacenterId: z.number().int().nullable(),
  datacenter: Ref,
  departmentId: z.number().int().nullable(),
  department: Ref,
  sort: z.number().int(),
  operationLimit: z.number().int().nullable(),
  connection: z.object({ url: z.string(), username: z.string(), currency: z.string().nullable().optional() }).nullable(),
  currency: z.string().nullable(),
  minimalBalance: z.string().nullable(),
  balance: z.string().nullable(),
  balanceCheckedAt: z.string().nullable(),
  /** The upstream balance is below the minimal balance: renewals wait. */
  balanceBelowMinimal: z.boolean(),
  lastError: z.object({ code: z.string(), message: z.string(), at: z.string() }).nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type ModuleView = z.infer<typeof ModuleView>;

export const UpstreamTariffView = z.object({
  id: z.string(),
  name: z.string(),
  itemtype: z.string(),
  currency: z.string(),
  periods: z.array(z.object({ months: z.number().int(), cost: z.string() })),
});

const Field = z.object({
  name: z.string(),
  type: z.enum(['url', 'text', 'password']),
  required: z.boolean(),
  default: z.string().optional(),
  description: z.string(),
});

export const ModuleTypesView = z.object({
  productTypes: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      moduleTypes: z.array(z.object({ id: z.string(), name: z.string(), description: z.string(), connectionFields: z.array(Field) })),
    }),
  ),
  parameterFields: z.array(Field),
});
