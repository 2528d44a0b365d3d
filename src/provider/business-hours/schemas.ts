import { z } from 'zod';
import { CALENDAR_DATE, CLOSING_TIME, isCalendarDate, isTimeZone, TIME_OF_DAY } from './working-time.js';

export const BreakInput = z.strictObject({
  begin: z.string().regex(TIME_OF_DAY, 'a local time such as "13:00"'),
  end: z.string().regex(CLOSING_TIME, 'a local time such as "14:00"'),
});

export const WeekDayInput = z.strictObject({
  active: z.boolean().meta({ description: 'A working day' }),
  allDay: z.boolean().meta({ description: 'The whole day (24 hours) is working time; begin and end are kept but not used' }),
  begin: z.string().regex(TIME_OF_DAY, 'a local time such as "09:00"'),
  end: z.string().regex(CLOSING_TIME, 'a local time such as "18:00" ("24:00" is the end of the day)'),
  breaks: z
    .array(BreakInput)
    .max(12, 'at most 12 breaks a day')
    .optional()
    .meta({ description: 'Pauses inside the working hours, in order and not overlapping; the day works in the intervals between them' }),
});

/** Monday first; when active and not all day, begin must be before end. */
export const WeekDays = z
  .array(WeekDayInput)
  .length(7, 'exactly seven entries, Monday to Sunday')
  .meta({ description: 'Seven entries, Monday to Sunday' });

export const TimeZone = z
  .string()
  .refine(isTimeZone, 'an IANA time zone such as "Europe/Berlin", or "UTC"')
  .meta({ description: 'IANA time zone the times are in', example: 'Europe/Berlin' });

export const Holidays = z
  .array(
    z
      .string()
      .regex(CALENDAR_DATE, 'a date such as "2026-12-31"')
      .refine(isCalendarDate, 'not a calendar date'),
  )
  .max(366, 'at most 366 holidays')
  .meta({ description: 'Local dates that are days off whatever the weekday; stored sorted' });

export const BusinessHoursInput = z.strictObject({
  name: z.string().trim().min(1).max(200),
  timeZone: TimeZone,
  days: WeekDays,
  holidays: Holidays.optional(),
});
export type BusinessHoursInput = z.infer<typeof BusinessHoursInput>;

export const BusinessHoursPatch = BusinessHoursInput.partial();
export type BusinessHoursPatch = z.infer<typeof BusinessHoursPatch>;

export const WeekDayView = z.object({
  active: z.boolean(),
  allDay: z.boolean(),
  begin: z.string(),
  end: z.string(),
  breaks: z.array(z.object({ begin: z.string(), end: z.string() })),
});

export const BusinessHoursView = z.object({
  id: z.number().int(),
  name: z.string(),
  timeZone: z.string(),
  days: z.array(WeekDayView),
  holidays: z.array(z.string()),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type BusinessHoursView = z.infer<typeof BusinessHoursView>;
