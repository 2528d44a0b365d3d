import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { AppError } from '../../platform/errors.js';
import { addWorkingHours, type Schedule, type WeekDay } from './working-time.js';

const open = (begin = '09:00', end = '18:00'): WeekDay => ({ active: true, allDay: false, begin, end });
const off: WeekDay = { active: false, allDay: false, begin: '09:00', end: '18:00' };
const allDay: WeekDay = { active: true, allDay: true, begin: '00:00', end: '00:00' };
const weekdays = (timeZone: string): Schedule => ({ timeZone, days: [open(), open(), open(), open(), open(), off, off] });
const everyDay = (timeZone: string): Schedule => ({ timeZone, days: Array.from({ length: 7 }, () => open()) });
/** Only Sunday, as given. */
const sundayOnly = (timeZone: string, sunday: WeekDay): Schedule => ({ timeZone, days: [off, off, off, off, off, off, sunday] });

const add = (start: string, hours: number, schedule: Schedule) => addWorkingHours(new Date(start), hours, schedule).toISOString();

function errorOf(run: () => unknown): AppError {
  try {
    run();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected an AppError');
}

describe('addWorkingHours: a weekday 09:00–18:00 schedule in UTC', () => {
  const utc = weekdays('UTC');

  test('Friday evening plus two hours is Monday morning: the weekend is skipped', () => {
    expect(add('2026-01-09T17:00:00Z', 2, utc)).toBe('2026-01-12T10:00:00.000Z');
  });

  test('what does not fit before closing continues the next morning', () => {
    expect(add('2026-01-06T17:00:00Z', 2, utc)).toBe('2026-01-07T10:00:00.000Z');
  });

  test('a start before opening counts from the opening, a start after closing from the next opening', () => {
    expect(add('2026-01-06T06:00:00Z', 1, utc)).toBe('2026-01-06T10:00:00.000Z');
    expect(add('2026-01-06T20:00:00Z', 1, utc)).toBe('2026-01-07T10:00:00.000Z');
    expect(add('2026-01-10T12:00:00Z', 1, utc)).toBe('2026-01-12T10:00:00.000Z'); // Saturday
  });

  test('a due time that falls on the closing time stays at the closing time', () => {
    expect(add('2026-01-06T09:00:00Z', 9, utc)).toBe('2026-01-06T18:00:00.000Z');
    expect(add('2026-01-05T09:00:00Z', 45, utc)).toBe('2026-01-09T18:00:00.000Z');
  });

  test('fractional hours count to the minute', () => {
    expect(add('2026-01-06T09:00:00Z', 1.5, utc)).toBe('2026-01-06T10:30:00.000Z');
    expect(add('2026-01-06T09:00:00Z', 0.25, utc)).toBe('2026-01-06T09:15:00.000Z');
    expect(add('2026-01-06T09:00:00Z', 1 / 60, utc)).toBe('2026-01-06T09:01:00.000Z');
    expect(add('2026-01-06T17:59:30Z', 1 / 60, utc)).toBe('2026-01-07T09:00:30.000Z');
    expect(add('2026-01-06T09:00:00Z', 0.0001, utc)).toBe('2026-01-06T09:00:00.000Z'); // under half a minute
  });

  test('zero hours is the start itself, even outside working time', () => {
    expect(add('2026-01-10T03:07:05Z', 0, utc)).toBe('2026-01-10T03:07:05.000Z');
  });
});

describe('addWorkingHours: all-day days', () => {
  test('an all-day Saturday counts 24 hours', () => {
    const schedule: Schedule = { timeZone: 'UTC', days: [open(), open(), open(), open(), open(), allDay, off] };
    // Friday 17:00–18:00 is 1 hour, Saturday 24, Monday from 09:00 the remaining 5.
    expect(add('2026-01-09T17:00:00Z', 30, schedule)).toBe('2026-01-12T14:00:00.000Z');
    expect(add('2026-01-10T22:00:00Z', 2, schedule)).toBe('2026-01-11T00:00:00.000Z');
  });

  test('consecutive all-day days are one stretch of time', () => {
    const always: Schedule = { timeZone: 'Europe/Berlin', days: Array.from({ length: 7 }, () => allDay) };
    expect(add('2026-01-06T10:17:00Z', 100, always)).toBe('2026-01-10T14:17:00.000Z');
  });

  test('an all-day day ending at "24:00" runs into the next all-day day', () => {
    const schedule: Schedule = { timeZone: 'UTC', days: [open('20:00', '24:00'), allDay, off, off, off, off, off] };
    expect(add('2026-01-05T22:00:00Z', 10, schedule)).toBe('2026-01-06T08:00:00.000Z');
  });
});

describe('addWorkingHours: daylight saving time', () => {
  test('Europe/Berlin, last Sunday of March: 09:00–18:00 is kept in local time across the change', () => {
    // Friday 17:00 CET + 2h → Monday 10:00 CEST.
    expect(add('2026-03-27T16:00:00Z', 2, weekdays('Europe/Berlin'))).toBe('2026-03-30T08:00:00.000Z');
    // Saturday 17:00 CET + 2h → Sunday 10:00 CEST, the night that lost an hour.
    expect(add('2026-03-28T16:00:00Z', 2, everyDay('Europe/Berlin'))).toBe('2026-03-29T08:00:00.000Z');
    // The day of the change still has nine working hours: Sunday 09:00 CEST + 9h → 18:00 CEST.
    expect(add('2026-03-29T07:00:00Z', 9, everyDay('Europe/Berlin'))).toBe('2026-03-29T16:00:00.000Z');
  });

  test('Europe/Berlin, the all-day Sunday of the spring change has 23 hours, of the autumn change 25', () => {
    const sunday = sundayOnly('Europe/Berlin', allDay);
    expect(add('2026-03-28T23:00:00Z', 23, sunday)).toBe('2026-03-29T22:00:00.000Z');
    expect(add('2026-03-28T23:00:00Z', 24, sunday)).toBe('2026-04-04T23:00:00.000Z'); // 1 hour into the next Sunday
    expect(add('2026-10-24T22:00:00Z', 25, sunday)).toBe('2026-10-25T23:00:00.000Z');
  });

  test('Europe/Berlin, last Sunday of October: Saturday 17:00 CEST + 2h → Sunday 10:00 CET', () => {
    expect(add('2026-10-24T15:00:00Z', 2, everyDay('Europe/Berlin'))).toBe('2026-10-25T09:00:00.000Z');
    expect(add('2026-10-23T15:00:00Z', 2, weekdays('Europe/Berlin'))).toBe('2026-10-26T09:00:00.000Z');
  });

  test('an opening time that the spring change skips opens at the change', () => {
    // 02:30 does not exist on 2026-03-29 in Berlin: the window opens at 03:00 CEST (01:00Z) and closes at 05:00 CEST.
    const schedule = sundayOnly('Europe/Berlin', open('02:30', '05:00'));
    expect(add('2026-03-28T12:00:00Z', 1.5, schedule)).toBe('2026-03-29T02:30:00.000Z');
    expect(add('2026-03-28T12:00:00Z', 2, schedule)).toBe('2026-03-29T03:00:00.000Z');
  });

  test('America/New_York, second Sunday of March and first Sunday of November', () => {
    expect(add('2026-03-07T22:00:00Z', 2, everyDay('America/New_York'))).toBe('2026-03-08T14:00:00.000Z');
    expect(add('2026-03-06T22:00:00Z', 2, weekdays('America/New_York'))).toBe('2026-03-09T14:00:00.000Z');
    expect(add('2026-10-31T21:00:00Z', 2, everyDay('America/New_York'))).toBe('2026-11-01T15:00:00.000Z');
  });

  test('America/New_York, a 00:00–03:00 window on the night the clocks go back holds four real hours', () => {
    const schedule = sundayOnly('America/New_York', open('00:00', '03:00'));
    expect(add('2026-11-01T04:00:00Z', 4, schedule)).toBe('2026-11-01T08:00:00.000Z');
    expect(add('2026-03-08T05:00:00Z', 2, schedule)).toBe('2026-03-08T07:00:00.000Z'); // spring: only two
  });

  test('a time the clocks show twice opens at its second showing and closes at its first', () => {
    // 01:30 happens at 05:30Z (EDT) and again at 06:30Z (EST) on 2026-11-01 in New York.
    const opensTwice = sundayOnly('America/New_York', open('01:30', '05:00'));
    expect(add('2026-10-31T12:00:00Z', 1, opensTwice)).toBe('2026-11-01T07:30:00.000Z');
    expect(add('2026-10-31T12:00:00Z', 3.5, opensTwice)).toBe('2026-11-01T10:00:00.000Z');
    const closesTwice = sundayOnly('America/New_York', open('00:00', '01:30'));
    expect(add('2026-10-31T12:00:00Z', 1.5, closesTwice)).toBe('2026-11-01T05:30:00.000Z');
    expect(add('2026-10-31T12:00:00Z', 2, closesTwice)).toBe('2026-11-08T05:30:00.000Z'); // half an hour into the next Sunday
  });
});

describe('addWorkingHours: refusals', () => {
  test('a schedule without any working day cannot give a due time', () => {
    const error = errorOf(() => addWorkingHours(new Date(), 1, { timeZone: 'UTC', days: Array.from({ length: 7 }, () => off) }));
    expect(error).toMatchObject({ code: 'validation', field: 'days' });
  });

  test('bad hours, time zones and days name their field', () => {
    expect(errorOf(() => addWorkingHours(new Date(), -1, weekdays('UTC'))).field).toBe('hours');
    expect(errorOf(() => addWorkingHours(new Date(), Number.NaN, weekdays('UTC'))).field).toBe('hours');
    expect(errorOf(() => addWorkingHours(new Date(), 1, weekdays('Mars/Olympus'))).field).toBe('timeZone');
    const closesBeforeOpening = weekdays('UTC');
    const days = [...closesBeforeOpening.days];
    days[2] = open('18:00', '09:00');
    expect(errorOf(() => addWorkingHours(new Date(), 1, { timeZone: 'UTC', days })).field).toBe('days.2.end');
    expect(errorOf(() => addWorkingHours(new Date(), 1, { timeZone: 'UTC', days: days.slice(0, 6) })).field).toBe('days');
  });
});

// ---- properties -------------------------------------------------------------------------------------

const ZONES = ['UTC', 'Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kolkata', 'America/Santiago', 'Pacific/Chatham'];
const hhmm = (minutes: number) => `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;

const dayArb: fc.Arbitrary<WeekDay> = fc
  .record({
    active: fc.boolean(),
    allDay: fc.boolean(),
    bounds: fc.uniqueArray(fc.integer({ min: 0, max: 1440 }), { minLength: 2, maxLength: 2 }),
  })
  .map(({ active, allDay, bounds }) => {
    const [begin, end] = [Math.min(...bounds), Math.max(...bounds)];
    return { active, allDay, begin: hhmm(begin), end: hhmm(end) };
  });

const scheduleArb: fc.Arbitrary<Schedule> = fc
  .record({ timeZone: fc.constantFrom(...ZONES), days: fc.array(dayArb, { minLength: 7, maxLength: 7 }), workday: fc.integer({ min: 0, max: 6 }) })
  .map(({ timeZone, days, workday }) => ({ timeZone, days: days.map((d, i) => (i === workday ? { ...d, active: true } : d)) }));

const startArb = fc.date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2030-12-31T00:00:00Z'), noInvalidDate: true });

const weekdayFormat = new Map<string, Intl.DateTimeFormat>();
/** Whether the wall clock of the zone shows working time in the minute before `instant` (an independent oracle). */
function workedJustBefore(instant: Date, schedule: Schedule): boolean {
  let f = weekdayFormat.get(schedule.timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', { timeZone: schedule.timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
    weekdayFormat.set(schedule.timeZone, f);
  }
  const parts = Object.fromEntries(f.formatToParts(new Date(instant.getTime() - 1)).map((p) => [p.type, p.value]));
  const day = schedule.days[['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].indexOf(parts.weekday!)]!;
  const second = Number(parts.hour) * 3600 + Number(parts.minute) * 60 + Number(parts.second);
  const at = (time: string) => (Number(time.slice(0, 2)) * 60 + Number(time.slice(3))) * 60;
  return day.active && (day.allDay || (at(day.begin) <= second && second < at(day.end)));
}

describe('addWorkingHours: properties over random schedules, zones and starts', () => {
  test('the due time is never before the start and, for positive hours, lies in working time', () => {
    fc.assert(
      fc.property(startArb, fc.integer({ min: 0, max: 2400 }), scheduleArb, (start, minutes, schedule) => {
        const due = addWorkingHours(start, minutes / 60, schedule);
        expect(due.getTime()).toBeGreaterThanOrEqual(start.getTime());
        if (minutes > 0) expect(workedJustBefore(due, schedule), `${due.toISOString()} in ${JSON.stringify(schedule)}`).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  test('adding a then b is adding a + b', () => {
    fc.assert(
      fc.property(startArb, fc.integer({ min: 0, max: 1200 }), fc.integer({ min: 0, max: 1200 }), scheduleArb, (start, a, b, schedule) => {
        const stepwise = addWorkingHours(addWorkingHours(start, a / 60, schedule), b / 60, schedule);
        expect(stepwise.toISOString()).toBe(addWorkingHours(start, (a + b) / 60, schedule).toISOString());
      }),
      { numRuns: 300 },
    );
  });

  test('around the nights the clocks change, with windows near midnight, the due time still lies in working time', () => {
    // Approximate instants of 2026's changes (the start moves up to two days either side).
    const changes: Record<string, string[]> = {
      'Europe/Berlin': ['2026-03-29T01:00:00Z', '2026-10-25T01:00:00Z'],
      'America/New_York': ['2026-03-08T07:00:00Z', '2026-11-01T06:00:00Z'],
      'Australia/Lord_Howe': ['2026-04-04T15:00:00Z', '2026-10-03T15:30:00Z'],
      'America/Santiago': ['2026-04-05T03:00:00Z', '2026-09-06T04:00:00Z'],
      'Pacific/Chatham': ['2026-04-04T14:00:00Z', '2026-09-26T14:00:00Z'],
    };
    const earlyDay: fc.Arbitrary<WeekDay> = fc
      .record({ active: fc.boolean(), allDay: fc.boolean(), bounds: fc.uniqueArray(fc.integer({ min: 0, max: 300 }), { minLength: 2, maxLength: 2 }) })
      .map(({ active, allDay, bounds }) => ({ active, allDay, begin: hhmm(Math.min(...bounds)), end: hhmm(Math.max(...bounds)) }));
    const near = fc.constantFrom(...Object.keys(changes)).chain((timeZone) =>
      fc.record({
        timeZone: fc.constant(timeZone),
        start: fc.tuple(fc.constantFrom(...changes[timeZone]!), fc.integer({ min: -2880, max: 2880 })).map(([at, m]) => new Date(Date.parse(at) + m * 60_000)),
        days: fc.array(fc.oneof(earlyDay, dayArb), { minLength: 7, maxLength: 7 }).map((days) => days.map((d) => ({ ...d, active: true }))),
      }),
    );
    fc.assert(
      fc.property(near, fc.integer({ min: 1, max: 600 }), fc.integer({ min: 0, max: 600 }), ({ timeZone, start, days }, a, b) => {
        const schedule = { timeZone, days };
        const due = addWorkingHours(start, a / 60, schedule);
        expect(workedJustBefore(due, schedule), `${due.toISOString()} in ${JSON.stringify(schedule)}`).toBe(true);
        expect(addWorkingHours(due, b / 60, schedule).toISOString()).toBe(addWorkingHours(start, (a + b) / 60, schedule).toISOString());
      }),
      { numRuns: 400 },
    );
  });

  test('more hours never give an earlier due time', () => {
    fc.assert(
      fc.property(startArb, fc.integer({ min: 0, max: 1200 }), fc.integer({ min: 0, max: 1200 }), scheduleArb, (start, a, b, schedule) => {
        const [less, more] = [Math.min(a, b), Math.max(a, b)];
        expect(addWorkingHours(start, more / 60, schedule).getTime()).toBeGreaterThanOrEqual(addWorkingHours(start, less / 60, schedule).getTime());
      }),
      { numRuns: 200 },
    );
  });
});

describe('isTimeZone', () => {
  test('IANA names are accepted, also those ICU lists under an older name; anything else is refused', async () => {
    const { isTimeZone } = await import('./working-time.js');
    for (const zone of ['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'Asia/Calcutta', 'Europe/Kyiv', 'Etc/UTC']) expect(isTimeZone(zone), zone).toBe(true);
    for (const zone of ['', 'Mars/Olympus', 'europe/berlin', 'Europe/Berlin ', '+02:00', 'CET!', 'a'.repeat(100)]) expect(isTimeZone(zone), zone).toBe(false);
  });
});
