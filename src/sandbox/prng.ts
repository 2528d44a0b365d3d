// A small seeded generator (mulberry32) so that fault probabilities and keys repeat run to run.

export type Random = () => number;

export function seededRandom(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const KEY_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/** A license key shaped like ispmanager's: groups of letters and digits. */
export function licenseKey(random: Random): string {
  const group = () => Array.from({ length: 5 }, () => KEY_ALPHABET[Math.floor(random() * KEY_ALPHABET.length)]).join('');
  return ['ISP6', group(), group(), group(), group()].join('-');
}
