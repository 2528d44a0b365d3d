// Money is an integer count of minor units with its ISO 4217 currency. Never a float.
import { appError } from './errors.js';

/** Minor-unit exponents that differ from the usual 2 (ISO 4217). */
const EXPONENTS: Record<string, number> = {
  BIF: 0, CLP: 0, DJF: 0, GNF: 0, ISK: 0, JPY: 0, KMF: 0, KRW: 0, PYG: 0, RWF: 0, UGX: 0,
  UYI: 0, VND: 0, VUV: 0, XAF: 0, XOF: 0, XPF: 0,
  BHD: 3, IQD: 3, JOD: 3, KWD: 3, LYD: 3, OMR: 3, TND: 3,
};

/** Active ISO 4217 codes; a provider's or an upstream account's currency must be one of them. */
export const ISO_CURRENCIES = new Set(
  ('AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP BYN ' +
    'BZD CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS ' +
    'GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW ' +
    'KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD ' +
    'NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD ' +
    'SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD UYU UZS VES ' +
    'VND VUV WST XAF XCD XOF XPF YER ZAR ZMW ZWL').split(' '),
);

export function isCurrency(code: string): boolean {
  return ISO_CURRENCIES.has(code);
}

export function minorExponent(currency: string): number {
  return EXPONENTS[currency] ?? 2;
}

export class MoneyError extends Error {
  override name = 'MoneyError';
}

const DECIMAL = /^(-)?(\d{1,15})(?:\.(\d+))?$/;

export class Money {
  private constructor(
    readonly minor: bigint,
    readonly currency: string,
  ) {}

  static of(minor: bigint, currency: string): Money {
    if (!isCurrency(currency)) throw new MoneyError(`unknown currency "${currency}"`);
    return new Money(minor, currency);
  }

  static zero(currency: string): Money {
    return Money.of(0n, currency);
  }

  /** Parses a decimal string ("72.00", "-5", "0.5"); more fraction digits than the currency has is an error. */
  static parse(text: string, currency: string): Money {
    const m = DECIMAL.exec(text.trim());
    if (!m) throw new MoneyError(`"${text}" is not a decimal amount`);
    const exp = minorExponent(currency);
    const fraction = m[3] ?? '';
    if (fraction.length > exp) {
      throw new MoneyError(`"${text}" has more than ${exp} decimal places for ${currency}`);
    }
    const minor = BigInt(m[2]! + fraction.padEnd(exp, '0'));
    return Money.of(m[1] ? -minor : minor, currency);
  }

  /** Like parse, but rounds extra fraction digits half away from zero (upstream price lists may carry them). */
  static parseRounded(text: string, currency: string): Money {
    const m = DECIMAL.exec(text.trim());
    if (!m) throw new MoneyError(`"${text}" is not a decimal amount`);
    const exp = minorExponent(currency);
    const fraction = m[3] ?? '';
    const digits = BigInt(m[2]! + fraction.padEnd(exp, '0'));
    const scale = 10n ** BigInt(Math.max(0, fraction.length - exp));
    const minor = fraction.length > exp ? roundHalfAwayFromZero(digits, scale) : digits;
    return Money.of(m[1] ? -minor : minor, currency);
  }

  add(other: Money): Money {
    this.assertSameCurrency(other);
    return new Money(this.minor + other.minor, this.currency);
  }

  subtract(other: Money): Money {
    this.assertSameCurrency(other);
    return new Money(this.minor - other.minor, this.currency);
  }

  negate(): Money {
    return new Money(-this.minor, this.currency);
  }

  /** Multiplies by a ratio of integers, rounding half away from zero to the minor unit. */
  multiplyRatio(numerator: bigint, denominator: bigint): Money {
    if (denominator <= 0n) throw new MoneyError('denominator must be positive');
    return new Money(roundHalfAwayFromZero(this.minor * numerator, denominator), this.currency);
  }

  compare(other: Money): -1 | 0 | 1 {
    this.assertSameCurrency(other);
    return this.minor < other.minor ? -1 : this.minor > other.minor ? 1 : 0;
  }

  lessThan(other: Money): boolean {
    return this.compare(other) < 0;
  }

  isNegative(): boolean {
    return this.minor < 0n;
  }

  equals(other: Money): boolean {
    return this.currency === other.currency && this.minor === other.minor;
  }

  /** Decimal string with exactly the currency's number of fraction digits: "72.50". */
  toString(): string {
    const exp = minorExponent(this.currency);
    const negative = this.minor < 0n;
    const digits = (negative ? -this.minor : this.minor).toString().padStart(exp + 1, '0');
    const whole = exp === 0 ? digits : digits.slice(0, -exp);
    const fraction = exp === 0 ? '' : `.${digits.slice(-exp)}`;
    return `${negative ? '-' : ''}${whole}${fraction}`;
  }

  toJSON(): { amount: string; currency: string } {
    return { amount: this.toString(), currency: this.currency };
  }

  private assertSameCurrency(other: Money): void {
    if (other.currency !== this.currency) {
      throw new MoneyError(`currencies differ: ${this.currency} and ${other.currency}`);
    }
  }
}

/** Integer division of value by divisor (> 0), rounding halves away from zero. */
export function roundHalfAwayFromZero(value: bigint, divisor: bigint): bigint {
  const negative = value < 0n;
  const abs = negative ? -value : value;
  const q = abs / divisor;
  const r = abs % divisor;
  const rounded = r * 2n >= divisor ? q + 1n : q;
  return negative ? -rounded : rounded;
}

/** A decimal amount from a request: the field and the reason in a 400 when it is not one in `currency`. */
export function parseAmount(text: string, currency: string, field = 'amount'): Money {
  try {
    return Money.parse(text, currency);
  } catch (error) {
    if (error instanceof MoneyError) throw appError('validation', 'value.money', { field, reason: error.message }, { field });
    throw error;
  }
}
