import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { Money } from '../../platform/money.js';
import { isMarginNegative, markupHundredths, markupPrice, upstreamCostOf } from './pricing.js';

const eur = (text: string) => Money.parse(text, 'EUR');

describe('markup prices', () => {
  test.each([
    ['6.00', '12.5', '6.75'],
    ['6.00', '0.25', '6.02'], // 6.015: the half rounds away from zero
    ['6.00', '0.24', '6.01'], // 6.0144
    ['6.00', '0.26', '6.02'], // 6.0156
    ['60.00', '20', '72.00'],
    ['0.00', '50', '0.00'],
    ['6.00', '0', '6.00'],
    ['6.00', '33.33', '8.00'], // 7.9998
    ['0.01', '49.99', '0.01'], // 0.014999
    ['0.01', '50', '0.02'], // 0.015
  ])('%s + %s%% = %s', (cost, markup, price) => {
    expect(markupPrice(eur(cost), markup).toString()).toBe(price);
  });

  test('the minor unit is the currency\'s own', () => {
    expect(markupPrice(Money.parse('1000', 'JPY'), '0.05').toString()).toBe('1001'); // 1000.5
    expect(markupPrice(Money.parse('10.000', 'KWD'), '0.05').toString()).toBe('10.005');
  });

  test('the markup is read exactly, in hundredths of a percent', () => {
    expect(markupHundredths('12.5')).toBe(1250n);
    expect(markupHundredths('0.05')).toBe(5n);
    expect(markupHundredths('20')).toBe(2000n);
    expect(() => markupHundredths('-1')).toThrow();
    expect(() => markupHundredths('1.234')).toThrow();
    expect(() => markupHundredths('1e3')).toThrow();
  });

  test('a markup never lowers the price and matches exact rational arithmetic', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 12n }), fc.integer({ min: 0, max: 9_999_999 }), (minor, hundredths) => {
        const markup = `${Math.floor(hundredths / 100)}.${String(hundredths % 100).padStart(2, '0')}`;
        const price = markupPrice(Money.of(minor, 'EUR'), markup);
        const exact = minor * (10_000n + BigInt(hundredths)); // the price × 10000
        const lower = exact / 10_000n;
        const remainder = exact % 10_000n;
        expect(price.minor).toBe(remainder * 2n >= 10_000n ? lower + 1n : lower);
        expect(price.minor >= minor).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

describe('upstream cost of a period', () => {
  const costs = new Map([
    [-100, eur('0.00')],
    [1, eur('6.00')],
    [12, eur('60.00')],
  ]);

  test('a period the upstream sells costs what the upstream asks', () => {
    expect(upstreamCostOf(1, 1, costs)?.toString()).toBe('6.00');
    expect(upstreamCostOf(12, 12, costs)?.toString()).toBe('60.00');
    expect(upstreamCostOf(-100, -100, costs)?.toString()).toBe('0.00');
  });

  test('a mapped period costs as many upstream periods as it needs', () => {
    expect(upstreamCostOf(12, 1, costs)?.toString()).toBe('72.00');
    expect(upstreamCostOf(24, 12, costs)?.toString()).toBe('120.00');
    expect(upstreamCostOf(18, 12, costs)?.toString()).toBe('120.00');
    expect(upstreamCostOf(1, 12, costs)?.toString()).toBe('60.00');
  });

  test('unsold or incompatible periods have no cost', () => {
    expect(upstreamCostOf(24, 24, costs)).toBeNull();
    expect(upstreamCostOf(-100, 1, costs)).toBeNull();
    expect(upstreamCostOf(1, -100, costs)).toBeNull();
  });

  test('the margin is negative exactly when the price is below the cost', () => {
    expect(isMarginNegative(eur('59.99'), eur('60.00'))).toBe(true);
    expect(isMarginNegative(eur('60.00'), eur('60.00'))).toBe(false);
    expect(isMarginNegative(eur('60.01'), eur('60.00'))).toBe(false);
    expect(isMarginNegative(eur('0.00'), null)).toBe(false);
    // Sync: the cost rose above a price that used to be fine.
    const price = markupPrice(eur('60.00'), '12.5');
    expect(isMarginNegative(price, eur('60.00'))).toBe(false);
    expect(isMarginNegative(price, eur('70.00'))).toBe(true);
  });
});
