// Working time under a weekly schedule: "due in 4 working hours" for tasks and tickets.
// Computed in the schedule's own time zone with Intl only: local wall-clock times are turned into
// instants through the zone's UTC offset, so nights, weekends and DST changes fall out naturally.
import { appError } from '../../platform/errors.js';
import type { MessageRef } from '../../platform/i18n/messages.js';

/** A pause inside a working day, local "HH:MM" (end may be "24:00"). */
export interface Break {
  begin: string;
  end: string;
}

/**
 * One weekday of a schedule; begin and end are local "HH:MM" (end may be "24:00", the next midnight).
 * Breaks split the day into working intervals: each lies inside the day's hours (00:00–24:00 on an
 * all-day day), in order, without overlapping.
 */
export interface WeekDay {
  active: boolean;
  allDay: boolean;
  begin: string;
  end: string;
  breaks?: Break[];
}

export interface Schedule {
  timeZone: string;
  /** Seven entries, Monday first. */
  days: readonly WeekDay[];
  /** Local calendar dates ("2026-12-31") that are days off whatever the weekday says. */
  holidays?: readonly string[];
}

/** A calendar date "YYYY-MM-DD". */
export const CALENDAR_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** "2026-02-30" looks like a date but is none. */
export function isCalendarDate(value: string): boolean {
  if (!CALENDAR_DATE.test(value)) return false;
  const d = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value;
}

/** The working intervals of a day, in minutes from local midnight: its hours minus its breaks. */
export function workingIntervals(day: WeekDay): Array<[number, number]> {
  if (!day.active) return [];
  let from = day.allDay ? 0 : minutesOf(day.begin);
  const until = day.allDay ? 24 * 60 : minutesOf(day.end);
  const intervals: Array<[number, number]> = [];
  for (const b of day.breaks ?? []) {
    const begin = minutesOf(b.begin);
    if (begin > from) intervals.push([from, begin]);
    from = Math.max(from, minutesOf(b.end));
  }
  if (until > from) intervals.push([from, until]);
  return intervals;
}

export const WEEKDAY_NAMES = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'] as const;

/** A weekday's name in the reader's language (0 = Monday). */
const weekday = (index: number): MessageRef => ({ key: `weekday.${index}` });

/** "00:00".."23:59". */
export const TIME_OF_DAY = /^([01]\d|2[0-3]):[0-5]\d$/;
/** A closing time: "00:00".."23:59", or "24:00" for the end of the day. */
export const CLOSING_TIME = /^(([01]\d|2[0-3]):[0-5]\d|24:00)$/;

const TIME_ZONES: ReadonlySet<string> = new Set([...Intl.supportedValuesOf('timeZone'), 'UTC']);
/** Spelled like an IANA name: "Asia/Kolkata", "America/Argentina/Buenos_Aires", "EST5EDT"; not "asia/kolkata". */
const IANA_SPELLING = /^[A-Z][A-Za-z0-9_+-]*(\/[A-Z][A-Za-z0-9_+-]*)*$/;
const checkedZones = new Map<string, boolean>();

/**
 * A time zone that Intl lists (`Intl.supportedValuesOf('timeZone')`), or "UTC". ICU lists some zones under
 * their older names (Asia/Calcutta, Europe/Kiev), so an IANA name that Intl resolves to a listed zone
 * (Asia/Kolkata, Europe/Kyiv) is accepted too.
 */
export function isTimeZone(name: string): boolean {
  if (TIME_ZONES.has(name)) return true;
  let known = checkedZones.get(name);
  if (known === undefined) {
    known = false;
    if (IANA_SPELLING.test(name) && name.length <= 64) {
      try {
        known = TIME_ZONES.has(new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone);
      } catch {
        known = false;
      }
    }
    if (checkedZones.size < 1000) checkedZones.set(name, known);
  }
  return known;
}

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

function minutesOf(time: string): number {
  return Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));
}

/**
 * The rules every stored schedule obeys; errors name the field as the API does
 * (`timeZone`, `days`, `days.<index>.begin`, `days.<index>.end`).
 */
export function checkSchedule(schedule: Schedule): void {
  if (!isTimeZone(schedule.timeZone)) {
    throw appError('validation', 'hours.timeZone', { zone: schedule.timeZone }, {
      field: 'timeZone',
    });
  }
  if (schedule.days.length !== 7) {
    throw appError('validation', 'hours.sevenDays', {}, { field: 'days' });
  }
  schedule.days.forEach((day, index) => {
    if (!TIME_OF_DAY.test(day.begin)) {
      throw appError('validation', 'hours.opening', { day: weekday(index) }, { field: `days.${index}.begin` });
    }
    if (!CLOSING_TIME.test(day.end)) {
      throw appError('validation', 'hours.closing', { day: weekday(index) }, { field: `days.${index}.end` });
    }
    if (day.active && !day.allDay && minutesOf(day.begin) >= minutesOf(day.end)) {
      throw appError('validation', 'hours.closingAfter', { day: weekday(index), end: day.end, begin: day.begin }, {
        field: `days.${index}.end`,
      });
    }
  });
  schedule.days.forEach((day, index) => checkBreaks(day, index));
  if (!schedule.days.some((day) => day.active)) {
    throw appError('validation', 'hours.noWorkingDay', {}, { field: 'days' });
  }
  if (!schedule.days.some((day) => workingIntervals(day).length > 0)) {
    throw appError('validation', 'hours.breaksLeaveNothing', {}, { field: 'days' });
  }
  const seen = new Set<string>();
  (schedule.holidays ?? []).forEach((date, index) => {
    if (!isCalendarDate(date)) {
      throw appError('validation', 'hours.holidayDate', { date }, { field: `holidays.${index}` });
    }
    if (seen.has(date)) throw appError('validation', 'hours.holidayTwice', { date }, { field: `holidays.${index}` });
    seen.add(date);
  });
}

/** Breaks: well-formed, inside the day's hours, in order and not overlapping (checked on working days only). */
function checkBreaks(day: WeekDay, index: number): void {
  const name = weekday(index);
  const opens = day.allDay ? 0 : minutesOf(day.begin);
  const closes = day.allDay ? 24 * 60 : minutesOf(day.end);
  let previousEnd = -1;
  (day.breaks ?? []).forEach((b, j) => {
    const field = `days.${index}.breaks.${j}`;
    if (!TIME_OF_DAY.test(b.begin)) {
      throw appError('validation', 'hours.breakStart', { day: name }, { field: `${field}.begin` });
    }
    if (!CLOSING_TIME.test(b.end)) {
      throw appError('validation', 'hours.breakEnd', { day: name }, { field: `${field}.end` });
    }
    const begin = minutesOf(b.begin);
    const end = minutesOf(b.end);
    if (end <= begin) {
      throw appError('validation', 'hours.breakOrder', { day: name, end: b.end, begin: b.begin }, { field: `${field}.end` });
    }
    if (!day.active) return;
    if (begin < previousEnd) {
      throw appError('validation', 'hours.breakOverlap', { day: name, begin: b.begin, end: b.end }, {
        field: `${field}.begin`,
      });
    }
    if (begin < opens || end > closes) {
      throw appError('validation', 'hours.breakInside', { day: name, begin: b.begin, end: b.end }, { field: `${field}.begin` });
    }
    previousEnd = end;
  });
}

// ---- time zone arithmetic -------------------------------------------------------------------------

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterOf(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The local wall-clock time of an instant, as milliseconds "as if it were UTC" (whole seconds). */
function wallClockOf(instant: number, timeZone: string): number {
  const parts: Record<string, string> = {};
  for (const p of formatterOf(timeZone).formatToParts(new Date(instant))) parts[p.type] = p.value;
  const wall = new Date(0);
  wall.setUTCFullYear(Number(parts.year), Number(parts.month) - 1, Number(parts.day));
  wall.setUTCHours(Number(parts.hour), Number(parts.minute), Number(parts.second), 0);
  return wall.getTime();
}

/** UTC offset in milliseconds at an instant (local = instant + offset). */
function offsetAt(instant: number, timeZone: string): number {
  const whole = Math.floor(instant / 1000) * 1000;
  return wallClockOf(whole, timeZone) - whole;
}

/**
 * The instant a local wall-clock time is reached on a day the clocks may change. A time skipped by a
 * spring-forward change is reached at the change itself (02:30 on that night: at 03:00 summer time). A
 * time that happens twice in a fall-back change is, for an opening, its last occurrence and, for a
 * closing, its first; so every instant of a window shows a wall-clock time between opening and closing.
 */
export function instantOfWallClock(wall: number, timeZone: string, occurrence: 'first' | 'last'): number {
  const before = offsetAt(wall - DAY_MS, timeZone);
  const after = offsetAt(wall + DAY_MS, timeZone);
  const candidates = [wall - before, wall - after].filter((instant) => instant + offsetAt(instant, timeZone) === wall);
  if (candidates.length) return occurrence === 'first' ? Math.min(...candidates) : Math.max(...candidates);
  // In a gap: find the change, to the second, between the last instant on the old offset and the first on the new.
  let lo = wall - after;
  let hi = wall - before;
  while (hi - lo > 1000) {
    const mid = lo + Math.max(1000, Math.floor((hi - lo) / 2000) * 1000);
    if (offsetAt(mid, timeZone) === before) lo = mid;
    else hi = mid;
  }
  return hi;
}

// ---- working hours --------------------------------------------------------------------------------

/**
 * Adds `hours` working hours (fractional, rounded to whole minutes) to `start` under `schedule`.
 * Working time is real elapsed time inside the day's opening window, so a 09:00–18:00 day is always
 * nine hours, and an all-day day is 24 hours (23 or 25 on the day the clocks change; windows touching
 * the changing hour follow instantOfWallClock). A result that lands exactly on a closing time stays
 * there rather than jumping to the next opening.
 * `hours = 0` returns `start` unchanged.
 */
export function addWorkingHours(start: Date, hours: number, schedule: Schedule): Date {
  if (!Number.isFinite(hours) || hours < 0) {
    throw appError('validation', 'hours.negative', { hours }, { field: 'hours' });
  }
  if (Number.isNaN(start.getTime())) throw appError('validation', 'hours.badStart', {}, { field: 'start' });
  checkSchedule(schedule);
  let remaining = Math.round(hours * 60) * MINUTE_MS;
  let cursor = start.getTime();
  if (remaining === 0) return new Date(cursor);

  const { timeZone, days } = schedule;
  const holidays = new Set(schedule.holidays ?? []);
  // Local midnight (as UTC milliseconds) of the day the cursor is in; windows never cross local midnight.
  let day = Math.floor(wallClockOf(cursor, timeZone) / DAY_MS) * DAY_MS;
  let idleDays = 0;
  for (;;) {
    const weekday = (new Date(day).getUTCDay() + 6) % 7; // Monday = 0
    const entry = days[weekday]!;
    const holiday = holidays.has(new Date(day).toISOString().slice(0, 10));
    let worked = false;
    if (!holiday) {
      for (const [from, until] of workingIntervals(entry)) {
        const open = instantOfWallClock(day + from * MINUTE_MS, timeZone, 'last');
        const close = instantOfWallClock(day + until * MINUTE_MS, timeZone, 'first');
        if (close > cursor && close > open) {
          const start = Math.max(open, cursor);
          const available = close - start;
          if (available >= remaining) return new Date(start + remaining);
          remaining -= available;
          cursor = close;
          worked = true;
        }
      }
    }
    // A schedule whose only windows vanish in a DST gap would loop forever; two idle weeks means no time.
    // Holidays are a finite list, so they do not count towards it.
    if (worked) idleDays = 0;
    else if (!holiday) idleDays += 1;
    if (idleDays > 14) throw appError('validation', 'hours.noWorkingTime', {}, { field: 'days' });
    day += DAY_MS;
  }
}
