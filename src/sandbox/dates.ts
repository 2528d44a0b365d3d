// Calendar arithmetic on YYYY-MM-DD strings, in UTC, the way the upstream shows dates.
// The simulator keeps its own copy (src/platform/dates.ts is billrelay's): it stands in for another
// system and imports nothing of the application it is testing.

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
