// When a job runs next: every N minutes, or at fixed times of day (UTC).

export type JobSchedule = { everyMinutes: number } | { dailyAt: readonly string[] };

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

/** The first run time strictly after `now`. */
export function nextRunAfter(schedule: JobSchedule, now: Date): Date {
  if ('everyMinutes' in schedule) return new Date(now.getTime() + schedule.everyMinutes * MINUTE_MS);
  const midnight = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const offsets = schedule.dailyAt.map((t) => (Number(t.slice(0, 2)) * 60 + Number(t.slice(3, 5))) * MINUTE_MS).sort((a, b) => a - b);
  for (const day of [0, 1]) {
    for (const offset of offsets) {
      const at = midnight + day * DAY_MS + offset;
      if (at > now.getTime()) return new Date(at);
    }
  }
  return new Date(midnight + DAY_MS + (offsets[0] ?? 0));
}
