import { z } from 'zod';
import { PageQuery } from '../../platform/db/paging.js';
import { LocalizedText } from '../../platform/i18n/localized.js';
import { MARKUP_PATTERN, TRIAL_PERIOD } from './pricing.js';

export const PRODUCT_TYPES = ['licenses'] as const;
export const TARIFF_STATUSES = ['disabled', 'enabled'] as const;

const Id = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);

export const Period = z
  .union([z.literal(TRIAL_PERIOD), z.number().int().min(1).max(120)])
  .meta({ description: 'Length in months (1, 12, …); -100 is the trial', example: 12 });

const Price = z
  .string()
  .trim()
  .regex(/^\d{1,12}(\.\d{1,3})?$/, 'a decimal amount such as "79.00"')
  .meta({ description: "Selling price in the provider's currency, at most as many decimals as the currency has", example: '79.00' });

const MarkupPercent = z
  .string()
  .trim()
  .regex(MARKUP_PATTERN, 'a percentage of 0 or more with at most two decimals, such as "20" or "12.5"');

export const PriceInput = z.strictObject({ period: Period, price: Price });

export const PeriodMappingInput = z.strictObject({
  period: Period,
  upstreamPeriod: Period.meta({ description: 'The upstream period bought for this selling period' }),
});

const UpstreamTariffId = z.string().trim().min(1).max(64).regex(/^[\w.-]+$/, 'an upstream tariff id such as "55227"');

/** Later writes name each entry; two entries for one period would be ambiguous. */
function uniquePeriods(entries: Array<{ period: number }> | undefined, ctx: z.RefinementCtx, key: string): void {
  const seen = new Set<number>();
  entries?.forEach((entry, i) => {
    if (seen.has(entry.period)) {
      ctx.addIssue({ code: 'custom', message: `period ${entry.period} is given twice`, path: [key, i, 'period'] });
    }
    seen.add(entry.period);
  });
}

export const TariffImport = z
  .strictObject({
    processingModuleId: Id.meta({ description: 'The module whose upstream price list the tariff comes from; it is connected to the tariff' }),
    upstreamTariffId: UpstreamTariffId.meta({ description: "The tariff's id in the module's price list", example: '55227' }),
    providerId: Id.meta({ description: 'The provider that sells the tariff; its currency must be the price list currency' }),
    productType: z.enum(PRODUCT_TYPES).default('licenses'),
    name: LocalizedText.optional().meta({ description: "Name per locale; defaults to the upstream tariff's name in the default locale" }),
    markupPercent: MarkupPercent.optional().meta({
      description:
        'Selling price of every upstream period = upstream cost × (100 + markup) / 100, rounded half away from zero ' +
        "to the currency's minor unit (cost 6.00, markup 12.5 → 6.75; markup 0.25 → 6.015 → 6.02). Every period is enabled.",
      example: '20',
    }),
    prices: z
      .array(PriceInput)
      .min(1)
      .max(20)
      .optional()
      .meta({
        description:
          'Explicit selling prices; these periods are enabled, the other upstream periods are imported disabled at their cost ' +
          '(the trial at 0.00). A period the upstream does not sell needs a periodMapping.',
      }),
    periodMapping: z
      .array(PeriodMappingInput)
      .max(20)
      .optional()
      .meta({ description: 'Periods comparison: sell `period` by buying `upstreamPeriod` upstream (e.g. 12 on 1 = twelve monthly purchases)' }),
  })
  .superRefine((value, ctx) => {
    if ((value.markupPercent === undefined) === (value.prices === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'give exactly one of markupPercent and prices', path: [value.prices ? 'prices' : 'markupPercent'] });
    }
    uniquePeriods(value.prices, ctx, 'prices');
    uniquePeriods(value.periodMapping, ctx, 'periodMapping');
  })
  .meta({ description: "Imports a tariff from a processing module's upstream price list; it starts disabled" });
export type TariffImport = z.infer<typeof TariffImport>;

export const PeriodPatch = z.strictObject({
  period: Period,
  price: Price.optional(),
  enabled: z.boolean().optional(),
});

export const TariffPatch = z
  .strictObject({
    name: LocalizedText.optional(),
    periods: z
      .array(PeriodPatch)
      .max(20)
      .optional()
      .meta({ description: 'Changes the price or the enabled flag of a period; a period not in the tariff yet is added (a price is then required)' }),
    periodMapping: z
      .array(z.strictObject({ period: Period, upstreamPeriod: Period.nullable() }))
      .max(20)
      .optional()
      .meta({ description: 'Sell `period` by buying `upstreamPeriod` upstream; null maps it back to the same upstream period' }),
  })
  .superRefine((value, ctx) => {
    uniquePeriods(value.periods, ctx, 'periods');
    uniquePeriods(value.periodMapping, ctx, 'periodMapping');
  });
export type TariffPatch = z.infer<typeof TariffPatch>;

export const TariffModulesInput = z.strictObject({
  processingModuleIds: z
    .array(Id)
    .min(1)
    .max(50)
    .refine((ids) => new Set(ids).size === ids.length, 'a module is listed twice')
    .meta({ description: 'The modules that may run operations for the tariff; the module choice picks among them' }),
});
export type TariffModulesInput = z.infer<typeof TariffModulesInput>;

export const TariffListQuery = PageQuery.extend({
  providerId: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional(),
  processingModuleId: z.coerce
    .number()
    .int()
    .positive()
    .max(Number.MAX_SAFE_INTEGER)
    .optional()
    .meta({ description: 'Only the tariffs this processing module serves' }),
  status: z.enum(TARIFF_STATUSES).optional(),
  search: z
    .string()
    .trim()
    .max(200)
    .optional()
    .meta({ description: 'Part of a name (any language), of the upstream name or of the upstream tariff id; case does not matter' }),
});
export type TariffListQuery = z.infer<typeof TariffListQuery>;

export const TariffPeriodView = z.object({
  period: z.number().int(),
  price: z.string(),
  /** What buying it upstream costs (mapped periods: times the upstream periods needed); null when the upstream does not sell it. */
  upstreamCost: z.string().nullable(),
  upstreamPeriod: z.number().int(),
  enabled: z.boolean(),
  /** The price is below the upstream cost: the catalog hides the period and the tariff cannot be enabled with it. */
  marginNegative: z.boolean(),
  /** Price minus upstream cost (negative: sold at a loss); null when the upstream does not sell the period. */
  margin: z.string().nullable(),
});
export type TariffPeriodView = z.infer<typeof TariffPeriodView>;

export const TariffView = z.object({
  id: z.number().int(),
  providerId: z.number().int(),
  productType: z.enum(PRODUCT_TYPES),
  name: z.record(z.string(), z.string()),
  displayName: z.string(),
  upstreamTariffId: z.string(),
  upstreamName: z.string(),
  processingModuleIds: z.array(z.number().int()),
  periods: z.array(TariffPeriodView),
  status: z.enum(TARIFF_STATUSES),
  sort: z.number().int(),
  currency: z.string(),
  lastSyncedAt: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type TariffView = z.infer<typeof TariffView>;

export const CostChangeView = z.object({
  upstreamPeriod: z.number().int(),
  before: z.string().nullable(),
  after: z.string().nullable(),
});

export const TariffImportPreview = z
  .object({
    upstreamTariffId: z.string(),
    upstreamName: z.string(),
    currency: z.string(),
    periods: z.array(TariffPeriodView),
    /** What the administrator should know before importing: periods that would sell at a loss. */
    warnings: z.array(z.string()),
  })
  .meta({ description: 'The periods an import with the same body would store, with the upstream cost and the margin of each; nothing is stored' });
export type TariffImportPreview = z.infer<typeof TariffImportPreview>;

export const TariffSyncView = TariffView.extend({
  /** Upstream costs that changed with this sync (null: the upstream no longer / newly sells the period). */
  changes: z.array(CostChangeView),
  /** What the administrator should look at: modules that do not sell the tariff, periods now sold at a loss. */
  warnings: z.array(z.string()),
});
export type TariffSyncView = z.infer<typeof TariffSyncView>;

export const SyncAllView = z.object({
  synced: z.number().int(),
  changed: z.number().int(),
  failed: z.array(z.object({ tariffId: z.number().int(), code: z.string(), message: z.string() })),
});
export type SyncAllView = z.infer<typeof SyncAllView>;

export const CatalogQuery = z.object({
  providerId: z.coerce
    .number()
    .int()
    .positive()
    .max(Number.MAX_SAFE_INTEGER)
    .optional()
    .meta({ description: "Staff only (required for them): whose catalog; a client always sees its own provider's" }),
});
export type CatalogQuery = z.infer<typeof CatalogQuery>;

export const CatalogView = z.object({
  providerId: z.number().int(),
  providerName: z.string().meta({ description: "The provider's name: the brand a client sees in its client area" }),
  currency: z.string(),
  items: z.array(
    z.object({
      id: z.number().int(),
      productType: z.string(),
      displayName: z.string(),
      periods: z.array(z.object({ period: z.number().int(), price: z.string() })),
    }),
  ),
});
export type CatalogView = z.infer<typeof CatalogView>;
