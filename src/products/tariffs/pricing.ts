// The arithmetic of tariff prices: markups, the upstream cost of a (mapped) period, margins.
// Pure functions on Money: no database, no HTTP, so the money rules can be tested on their own.
import { Money } from '../../platform/money.js';

/** The upstream's trial period. */
export const TRIAL_PERIOD = -100;

/** A markup such as "20" or "12.5": a decimal with at most two places, 0 or more. */
export const MARKUP_PATTERN = /^\d{1,5}(\.\d{1,2})?$/;

/**
 * The selling price for an upstream cost and a markup in percent:
 * cost × (100 + markup) / 100, rounded half away from zero to the currency's minor unit.
 * The markup is read as an exact number of hundredths of a percent, so "12.5" multiplies by
 * 11250/10000 (6.00 → 6.75) and "0.25" by 10025/10000 (6.00 → 6.015 → 6.02). No floating point.
 */
export function markupPrice(cost: Money, markupPercent: string): Money {
  return cost.multiplyRatio(10_000n + markupHundredths(markupPercent), 10_000n);
}

/** "12.5" → 1250n hundredths of a percent. */
export function markupHundredths(markupPercent: string): bigint {
  const text = markupPercent.trim();
  if (!MARKUP_PATTERN.test(text)) throw new RangeError(`"${markupPercent}" is not a markup such as "20" or "12.5"`);
  const [whole, fraction = ''] = text.split('.');
  return BigInt(whole! + fraction.padEnd(2, '0'));
}

/** The upstream's costs of one tariff, by upstream period (months; -100 trial). */
export type UpstreamCosts = ReadonlyMap<number, Money>;

/** Whether a period may be bought with an upstream period: a trial only with a trial, months only with months. */
export function compatiblePeriods(period: number, upstreamPeriod: number): boolean {
  return (period === TRIAL_PERIOD) === (upstreamPeriod === TRIAL_PERIOD) && period !== 0 && upstreamPeriod !== 0;
}

/**
 * What covering a selling period costs upstream, or null when the upstream does not sell the period
 * it is mapped to. A period sold on a shorter upstream period needs that period several times:
 * 12 months sold on 1 upstream month cost 12 × the monthly cost, so the margin is never overstated.
 * A longer upstream period is bought once (1 month sold on 12 bought costs the yearly price).
 */
export function upstreamCostOf(period: number, upstreamPeriod: number, costs: UpstreamCosts): Money | null {
  const cost = costs.get(upstreamPeriod);
  if (!cost || !compatiblePeriods(period, upstreamPeriod)) return null;
  if (period <= 0 || upstreamPeriod <= 0) return cost;
  const times = BigInt(Math.ceil(period / upstreamPeriod));
  return cost.multiplyRatio(times, 1n);
}

/** A price below what the upstream charges for the period: selling it would lose money. */
export function isMarginNegative(price: Money, upstreamCost: Money | null): boolean {
  return upstreamCost !== null && price.lessThan(upstreamCost);
}

/** Periods in display order: the trial first, then by length. */
export function byPeriod<T extends { period: number }>(a: T, b: T): number {
  return a.period - b.period;
}
