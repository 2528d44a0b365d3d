// Sums of the API's decimal amounts ("120.00", "-5.5"), exactly: BigInt on the digits, never floats.
const DECIMAL = /^(-)?(\d+)(?:\.(\d+))?$/;

function parts(amount: string) {
  const m = DECIMAL.exec(amount.trim());
  if (!m) throw new Error(`not an amount: ${amount}`);
  return { negative: !!m[1], whole: m[2]!, fraction: m[3] ?? '' };
}

function scaleOf(...amounts: string[]): number {
  return Math.max(2, ...amounts.map((a) => parts(a).fraction.length));
}

function toMinor(amount: string, scale: number): bigint {
  const p = parts(amount);
  const minor = BigInt(p.whole + p.fraction.padEnd(scale, '0'));
  return p.negative ? -minor : minor;
}

function fromMinor(minor: bigint, scale: number): string {
  const negative = minor < 0n;
  const digits = (negative ? -minor : minor).toString().padStart(scale + 1, '0');
  return `${negative ? '-' : ''}${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
}

/** a + b − c … as an amount with the larger of their scales (at least 2 decimals). */
export function sum(...terms: Array<[sign: 1 | -1, amount: string]>): string {
  const scale = scaleOf(...terms.map(([, a]) => a));
  return fromMinor(terms.reduce((acc, [sign, a]) => acc + BigInt(sign) * toMinor(a, scale), 0n), scale);
}


export const isPositive = (amount: string) => toMinor(amount, scaleOf(amount)) > 0n;
