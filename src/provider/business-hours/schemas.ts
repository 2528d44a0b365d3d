import { z } from 'zod';
import { CLOSING_TIME, isTimeZone, TIME_OF_DAY } from './working-time.js';

export const WeekDayInput = z.strictObject({
  active: z.boolean().meta({ description: 'A working day' }),
  allDay: z.boolean().meta({ description: 'The whole day (24 hours) is working time; begin and end are kept but not used' }),
  begin: z.string().regex(TIME_OF_DAY, 'a local time such as "09:00"'),
  end: z.string().regex(CLOSING_TIME, 'a local time such as "18:00" ("24:00" is the end of the day)'),
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

export const BusinessHoursInput = z.strictObject({
  name: z.string().trim().min(1).max(200),
  timeZone: TimeZone,
  days: WeekDays,
});
export type BusinessHoursInput = z.infer<typeof BusinessHoursInput>;

export const BusinessHoursPatch = BusinessHoursInput.partial();
export type BusinessHoursPatch = z.infer<typeof BusinessHoursPatch>;

export const WeekDayView = z.object({ active: z.boolean(), allDay: z.boolean(), begin: z.string(), end: z.string() });

export const BusinessHoursView = z.object({
  id: z.number().int(),
  name: z.string(),
  timeZone: z.string(),
  days: z.array(WeekDayView),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type BusinessHoursView = z.infer<typeof BusinessHoursView>;
