// Calendar arithmetic on YYYY-MM-DD strings in UTC, the way the upstream states expiry dates.

export function isoDate(at: Date): string {
  return at.toISOString().slice(0, 10);
}

function fromIso(date: string): Date {
  return new Date(`${date}T00:00:00Z`);
}

/** Adds calendar months; a day that does not exist in the target month becomes its last day. */
export function addMonths(date: string, months: number): string {
  const d = fromIso(date);
  const day = d.getUTCDate();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() + months);
  const lastDay = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
  d.setUTCDate(Math.min(day, lastDay));
  return isoDate(d);
}

export function addDays(date: string, days: number): string {
  const d = fromIso(date);
  d.setUTCDate(d.getUTCDate() + days);
  return isoDate(d);
}

export function daysBetween(from: string, to: string): number {
  return Math.round((fromIso(to).getTime() - fromIso(from).getTime()) / 86_400_000);
}
