import { z } from 'zod';

export const ModuleRunway = z.object({
  moduleId: z.number().int(),
  displayName: z.string(),
  currency: z.string().nullable(),
  /** The upstream balance as last read; null for a module that has none (manual). */
  balance: z.string().nullable(),
  /** What we bought through this module over the window, at the tariffs' upstream costs. */
  spent: z.string(),
  /** Days the balance lasts at that spending (rounded down); null when nothing was spent. */
  daysLeft: z.number().int().nullable(),
});

export const ExpiringLicense = z.object({
  id: z.number().int(),
  licenseName: z.string(),
  clientId: z.number().int(),
  clientName: z.string(),
  status: z.string(),
  expiresAt: z.string(),
  autoRenew: z.boolean(),
});

export const DayTotals = z.object({
  currency: z.string(),
  /** Licenses ordered today. */
  orders: z.number().int(),
  /** Charged for licenses today, less what was refunded today. */
  revenue: z.string(),
});

export const TariffMargin = z.object({
  tariffId: z.number().int(),
  displayName: z.string(),
  currency: z.string(),
  /** Charged for the tariff's licenses over the window, less refunds. */
  revenue: z.string(),
  /** What their purchases and renewals cost upstream over the window. */
  upstreamCost: z.string(),
  margin: z.string(),
});

export const DashboardView = z.object({
  /** The day "today" is (UTC, YYYY-MM-DD). */
  today: z.string(),
  /** Spending and margins are measured over this many days up to now. */
  windowDays: z.number().int(),
  /** Expiring licenses are those expiring within this many days. */
  expiringDays: z.number().int(),
  modules: z.array(ModuleRunway),
  expiring: z.array(ExpiringLicense),
  todayTotals: z.array(DayTotals),
  margins: z.array(TariffMargin),
});
export type DashboardView = z.infer<typeof DashboardView>;
