import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { useBillrelay } from '../../../test/support/billrelay.js';
import { insertDepartment, signedInEmployee } from '../../../test/support/staff.js';
import { BusinessHoursInput, BusinessHoursPatch } from './schemas.js';
import { checkSchedule, type WeekDay } from './working-time.js';

const t = useBillrelay();

interface BusinessHours {
  id: number;
  name: string;
  timeZone: string;
  days: WeekDay[];
  holidays: string[];
  createdAt: string;
  updatedAt: string;
}

const open = (begin = '09:00', end = '18:00', breaks: WeekDay['breaks'] = []): WeekDay => ({ active: true, allDay: false, begin, end, breaks });
const off = (begin = '09:00', end = '18:00'): WeekDay => ({ active: false, allDay: false, begin, end, breaks: [] });
const weekdays = (): WeekDay[] => [open(), open(), open(), open(), open(), off(), off()];

async function createSchedule(extra: Record<string, unknown> = {}): Promise<BusinessHours> {
  const answer = await t().admin.post('/api/v1/business-hours', { name: 'Support hours', timeZone: 'Europe/Berlin', days: weekdays(), ...extra });
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  return answer.body as BusinessHours;
}

async function listSchedules(): Promise<BusinessHours[]> {
  return (await t().admin.get('/api/v1/business-hours?perPage=500')).body.items as BusinessHours[];
}

/** A department using the schedule. */
const departmentUsing = (businessHoursId: number) => insertDepartment(t(), { businessHoursId });
/** An employee who is not an administrator, logged in. */
const employee = () => signedInEmployee(t());

describe('Provider → Business hours', () => {
  test('standard business hours, Monday to Friday 09:00–18:00 UTC, exist from the first start', async () => {
    const standard = (await listSchedules()).find((s) => s.name === 'Standard business hours');
    expect(standard).toMatchObject({ timeZone: 'UTC', days: weekdays() });
    const audit = await t().admin.get(`/api/v1/audit?entity=business_hours&entityId=${standard!.id}`);
    expect(audit.body.items.at(-1)).toMatchObject({ action: 'business_hours.create', actor: { kind: 'system' } });
  });

  test('an administrator creates a schedule and reads it back', async () => {
    const days = [open('08:00', '17:30'), open(), open(), open(), open('09:00', '24:00'), { active: true, allDay: true, begin: '00:00', end: '00:00', breaks: [] }, off('18:00', '09:00')];
    const created = await createSchedule({ name: ' Night shift ', timeZone: 'America/New_York', days });
    expect(created).toEqual({
      id: expect.any(Number),
      name: 'Night shift',
      timeZone: 'America/New_York',
      days,
      holidays: [],
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    const read = await t().admin.get(`/api/v1/business-hours/${created.id}`);
    expect(read.status).toBe(200);
    expect(read.body).toEqual(created);
    // IANA names that ICU lists under an older name are accepted as written.
    expect((await createSchedule({ timeZone: 'Asia/Kolkata' })).timeZone).toBe('Asia/Kolkata');
    expect((await createSchedule({ timeZone: 'UTC' })).timeZone).toBe('UTC');
  });

  test('invalid schedules are refused with 400 naming the field', async () => {
    const replaceDay = (index: number, day: unknown) => weekdays().map((d, i) => (i === index ? day : d));
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ timeZone: 'Mars/Olympus' }, 'timeZone'],
      [{ timeZone: 'europe/berlin' }, 'timeZone'],
      [{ timeZone: '' }, 'timeZone'],
      [{ name: '' }, 'name'],
      [{ days: weekdays().slice(0, 6) }, 'days'],
      [{ days: [...weekdays(), open()] }, 'days'],
      [{ days: replaceDay(0, open('9:00', '18:00')) }, 'days.0.begin'],
      [{ days: replaceDay(1, open('09:00', '25:00')) }, 'days.1.end'],
      [{ days: replaceDay(2, open('18:00', '09:00')) }, 'days.2.end'],
      [{ days: replaceDay(3, open('10:00', '10:00')) }, 'days.3.end'],
      [{ days: replaceDay(4, { active: true, begin: '09:00', end: '18:00' }) }, 'days.4.allDay'],
      [{ days: replaceDay(5, { active: 'yes', allDay: false, begin: '09:00', end: '18:00' }) }, 'days.5.active'],
      [{ days: Array.from({ length: 7 }, () => off()) }, 'days'],
    ];
    for (const [extra, field] of cases) {
      const body = { name: 'Bad', timeZone: 'UTC', days: weekdays(), ...extra };
      const answer = await t().admin.post('/api/v1/business-hours', body);
      expect(answer.status, JSON.stringify(extra)).toBe(400);
      expect(answer.body.error, JSON.stringify(extra)).toMatchObject({ code: 'validation', field });
    }
    const extraKey = await t().admin.post('/api/v1/business-hours', { name: 'X', timeZone: 'UTC', days: replaceDay(0, { ...open(), lunch: true }) });
    expect(extraKey.status).toBe(400);
  });

  test('a day has breaks between its working intervals, and a schedule has holidays', async () => {
    const days = weekdays().map((d, i) => (i === 0 ? open('08:00', '20:00', [{ begin: '12:00', end: '13:00' }, { begin: '16:00', end: '16:30' }]) : d));
    // An older client sends days without breaks: they read back with none.
    const legacy = weekdays().map(({ breaks: _none, ...day }) => day);
    const created = await createSchedule({ name: 'With lunch', timeZone: 'UTC', days: days.map((d, i) => (i === 0 ? d : legacy[i])), holidays: ['2026-12-31', '2026-01-01'] });
    expect(created.days).toEqual(days);
    expect(created.holidays).toEqual(['2026-01-01', '2026-12-31']);
    expect((await t().admin.get(`/api/v1/business-hours/${created.id}`)).body).toEqual(created);

    // Editing days leaves the holidays; editing the holidays leaves the days.
    const noBreaks = await t().admin.patch(`/api/v1/business-hours/${created.id}`, { days: weekdays() });
    expect(noBreaks.body).toMatchObject({ days: weekdays(), holidays: ['2026-01-01', '2026-12-31'] });
    const fewer = await t().admin.patch(`/api/v1/business-hours/${created.id}`, { holidays: ['2027-01-01'] });
    expect(fewer.body).toMatchObject({ days: weekdays(), holidays: ['2027-01-01'] });
    const audit = await t().admin.get(`/api/v1/audit?entity=business_hours&entityId=${created.id}`);
    expect(audit.body.items[0]).toMatchObject({ before: { holidays: ['2026-01-01', '2026-12-31'] }, after: { holidays: ['2027-01-01'] } });
  });

  test('bad breaks and holidays are refused with 400 naming the field and the reason', async () => {
    const withBreaks = (breaks: unknown) => ({ days: weekdays().map((d, i) => (i === 2 ? { ...d, breaks } : d)) });
    const cases: Array<[Record<string, unknown>, string, string]> = [
      [withBreaks([{ begin: '14:00', end: '13:00' }]), 'days.2.breaks.0.end', 'after its start'],
      [withBreaks([{ begin: '13:00', end: '13:00' }]), 'days.2.breaks.0.end', 'after its start'],
      [withBreaks([{ begin: '12:00', end: '13:30' }, { begin: '13:00', end: '14:00' }]), 'days.2.breaks.1.begin', 'overlaps'],
      [withBreaks([{ begin: '15:00', end: '16:00' }, { begin: '12:00', end: '13:00' }]), 'days.2.breaks.1.begin', 'overlaps'],
      [withBreaks([{ begin: '08:00', end: '10:00' }]), 'days.2.breaks.0.begin', 'inside the working hours'],
      [withBreaks([{ begin: '17:00', end: '19:00' }]), 'days.2.breaks.0.begin', 'inside the working hours'],
      [withBreaks([{ begin: '1:00', end: '13:00' }]), 'days.2.breaks.0.begin', ''],
      [withBreaks([{ begin: '12:00' }]), 'days.2.breaks.0.end', ''],
      [{ holidays: ['2026-02-30'] }, 'holidays.0', ''],
      [{ holidays: ['2026-01-01', '31.12.2026'] }, 'holidays.1', ''],
      [{ holidays: ['2026-01-01', '2026-01-01'] }, 'holidays.1', 'twice'],
      [{ holidays: '2026-01-01' }, 'holidays', ''],
    ];
    for (const [extra, field, reason] of cases) {
      const answer = await t().admin.post('/api/v1/business-hours', { name: 'Bad', timeZone: 'UTC', days: weekdays(), ...extra });
      expect(answer.status, JSON.stringify(extra)).toBe(400);
      expect(answer.body.error, JSON.stringify(extra)).toMatchObject({ code: 'validation', field });
      expect(answer.body.error.message).toContain(reason);
    }
    // Breaks that leave no working time in the whole week.
    const allBreak = Array.from({ length: 7 }, (_, i) => (i === 0 ? open('09:00', '18:00', [{ begin: '09:00', end: '18:00' }]) : off()));
    const empty = await t().admin.post('/api/v1/business-hours', { name: 'Bad', timeZone: 'UTC', days: allBreak });
    expect(empty.status).toBe(400);
    expect(empty.body.error.field).toBe('days');
  });

  test('due times skip breaks and holidays', async () => {
    const lunch = [{ begin: '12:00', end: '13:00' }];
    const days = [open('09:00', '18:00', lunch), open('09:00', '18:00', lunch), open('09:00', '18:00', lunch), open('09:00', '18:00', lunch), open('09:00', '18:00', lunch), off(), off()];
    const s = await createSchedule({ name: 'Lunch and holidays', timeZone: 'UTC', days, holidays: ['2026-06-02'] });
    const due = (iso: string, hours: number) => t().billrelay.services.businessHours.dueAt(s.id, new Date(iso), hours).then((d) => d.toISOString());
    // Monday 11:00 + 2h: one hour before lunch, one after → 14:00.
    expect(await due('2026-06-01T11:00:00Z', 2)).toBe('2026-06-01T14:00:00.000Z');
    // Monday 17:00 + 2h: one hour on Monday, Tuesday is a holiday, one hour on Wednesday → 10:00.
    expect(await due('2026-06-01T17:00:00Z', 2)).toBe('2026-06-03T10:00:00.000Z');
    // Starting inside the break counts from its end.
    expect(await due('2026-06-03T12:30:00Z', 1)).toBe('2026-06-03T14:00:00.000Z');
  });

  test('editing changes the given fields only; days are checked the same way', async () => {
    const s = await createSchedule({ name: 'Editable' });
    const renamed = await t().admin.patch(`/api/v1/business-hours/${s.id}`, { name: 'Edited' });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ name: 'Edited', timeZone: 'Europe/Berlin', days: weekdays() });

    const everyDay = Array.from({ length: 7 }, () => open('10:00', '16:00'));
    const changed = await t().admin.patch(`/api/v1/business-hours/${s.id}`, { timeZone: 'America/New_York', days: everyDay });
    expect(changed.body).toMatchObject({ name: 'Edited', timeZone: 'America/New_York', days: everyDay });
    expect((await t().admin.get(`/api/v1/business-hours/${s.id}`)).body).toEqual(changed.body);

    const bad = await t().admin.patch(`/api/v1/business-hours/${s.id}`, { days: everyDay.map((d, i) => (i === 6 ? open('16:00', '10:00') : d)) });
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe('days.6.end');
    const noWork = await t().admin.patch(`/api/v1/business-hours/${s.id}`, { days: Array.from({ length: 7 }, () => off()) });
    expect(noWork.status).toBe(400);
    expect(noWork.body.error.field).toBe('days');
    expect((await t().admin.patch(`/api/v1/business-hours/${s.id}`, { timeZone: 'Nowhere/City' })).body.error.field).toBe('timeZone');
    expect((await t().admin.get(`/api/v1/business-hours/${s.id}`)).body).toEqual(changed.body);

    expect((await t().admin.patch('/api/v1/business-hours/999999', { name: 'X' })).status).toBe(404);
    expect((await t().admin.get('/api/v1/business-hours/999999')).status).toBe(404);
    expect((await t().admin.delete('/api/v1/business-hours/999999')).status).toBe(404);
  });

  test('the list is sorted by id and paged with a total', async () => {
    for (let i = 0; i < 3; i++) await createSchedule({ name: `Paged ${i}` });
    const all = await listSchedules();
    expect(all.map((s) => s.id)).toEqual([...all.map((s) => s.id)].sort((a, b) => a - b));
    const page2 = await t().admin.get('/api/v1/business-hours?page=2&perPage=2');
    expect(page2.body).toMatchObject({ total: all.length, page: 2, perPage: 2 });
    expect(page2.body.items.map((s: BusinessHours) => s.id)).toEqual(all.slice(2, 4).map((s) => s.id));
  });

  test('a schedule that departments use cannot be deleted; the answer says how many', async () => {
    const s = await createSchedule({ name: 'In use' });
    const first = await departmentUsing(s.id);
    await departmentUsing(s.id);
    const refused = await t().admin.delete(`/api/v1/business-hours/${s.id}`);
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ code: 'conflict', field: 'id', details: { departments: 2 } });
    expect(refused.body.error.message).toContain('2 departments');

    await t().billrelay.db.kysely.deleteFrom('departments').where('businessHoursId', '=', s.id).where('id', '!=', first).execute();
    expect((await t().admin.delete(`/api/v1/business-hours/${s.id}`)).body.error.message).toContain('1 department');

    await t().billrelay.db.kysely.deleteFrom('departments').where('id', '=', first).execute();
    expect((await t().admin.delete(`/api/v1/business-hours/${s.id}`)).status).toBe(204);
    expect((await t().admin.get(`/api/v1/business-hours/${s.id}`)).status).toBe(404);
  });

  test('anonymous callers get 401; an employee needs business-hours.read to read and business-hours.change to write', async () => {
    const s = await createSchedule({ name: 'Guarded' });
    const anon = t().anonymous();
    expect((await anon.get('/api/v1/business-hours')).status).toBe(401);
    expect((await anon.get(`/api/v1/business-hours/${s.id}`)).status).toBe(401);
    expect((await anon.post('/api/v1/business-hours', { name: 'X', timeZone: 'UTC', days: weekdays() })).status).toBe(401);
    expect((await anon.patch(`/api/v1/business-hours/${s.id}`, { name: 'X' })).status).toBe(401);
    expect((await anon.delete(`/api/v1/business-hours/${s.id}`)).status).toBe(401);

    const nobody = await employee();
    const refused = await nobody.get('/api/v1/business-hours');
    expect(refused.status).toBe(403);
    expect(refused.body.error.details).toEqual({ right: 'business-hours.read' });

    const staff = await signedInEmployee(t(), { rights: ['business-hours.read'] });
    expect((await staff.get('/api/v1/business-hours')).status).toBe(200);
    expect((await staff.get(`/api/v1/business-hours/${s.id}`)).body.name).toBe('Guarded');
    expect((await staff.post('/api/v1/business-hours', { name: 'X', timeZone: 'UTC', days: weekdays() })).status).toBe(403);
    expect((await staff.patch(`/api/v1/business-hours/${s.id}`, { name: 'X' })).status).toBe(403);
    expect((await staff.delete(`/api/v1/business-hours/${s.id}`)).status).toBe(403);
    expect((await t().admin.get(`/api/v1/business-hours/${s.id}`)).body.name).toBe('Guarded');
  });

  test('creating, editing and deleting are in the audit log with before and after', async () => {
    const s = await createSchedule({ name: 'Audited' });
    await t().admin.patch(`/api/v1/business-hours/${s.id}`, { timeZone: 'UTC' });
    await t().admin.delete(`/api/v1/business-hours/${s.id}`);
    const audit = await t().admin.get(`/api/v1/audit?entity=business_hours&entityId=${s.id}`);
    const [deleted, updated, created] = audit.body.items;
    expect(created).toMatchObject({ action: 'business_hours.create', actor: { kind: 'employee' }, before: null, after: { name: 'Audited', days: weekdays() } });
    expect(updated).toMatchObject({ action: 'business_hours.update', before: { timeZone: 'Europe/Berlin' }, after: { timeZone: 'UTC' } });
    expect(deleted).toMatchObject({ action: 'business_hours.delete', before: { name: 'Audited' }, after: null });
  });

  test('a due time is computed under a stored schedule', async () => {
    const s = await createSchedule({ name: 'Due times', timeZone: 'Europe/Berlin' });
    // Friday 17:00 CET + 2 working hours → Monday 10:00 CEST, across the spring change.
    const due = await t().billrelay.services.businessHours.dueAt(s.id, new Date('2026-03-27T16:00:00Z'), 2);
    expect(due.toISOString()).toBe('2026-03-30T08:00:00.000Z');
  });

  test('random bodies get a 4xx and leave the schedules unchanged', async () => {
    const target = await createSchedule({ name: 'Target' });
    const before = await listSchedules();
    const time = fc.oneof(fc.string(), fc.constantFrom('00:00', '09:00', '18:00', '23:59', '24:00', '24:01', '9:00', '12:60'), fc.anything());
    const day = fc.oneof(
      fc.record({ active: fc.oneof(fc.boolean(), fc.anything()), allDay: fc.oneof(fc.boolean(), fc.anything()), begin: time, end: time }, { requiredKeys: [] }),
      fc.anything(),
    );
    const shaped = fc.record(
      {
        name: fc.oneof(fc.string(), fc.anything()),
        timeZone: fc.oneof(fc.constantFrom('UTC', 'Europe/Berlin', 'Mars/Olympus', 'utc', ''), fc.string(), fc.anything()),
        days: fc.oneof(fc.array(day, { minLength: 6, maxLength: 8 }), fc.anything()),
        id: fc.anything(),
      },
      { requiredKeys: [] },
    );
    const acceptable = (value: unknown, schema: typeof BusinessHoursInput | typeof BusinessHoursPatch) => {
      const parsed = schema.safeParse(value);
      if (!parsed.success) return false;
      try {
        checkSchedule({ timeZone: parsed.data.timeZone ?? 'UTC', days: parsed.data.days ?? weekdays() });
        return true;
      } catch {
        return false;
      }
    };
    const send = (method: string, path: string, value: unknown) =>
      t().admin.request(method, path, JSON.stringify(value) ?? 'null', { 'content-type': 'application/json' });
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.anything(), shaped), async (generated) => {
        // Judge what the server receives: JSON drops undefined fields and turns NaN into null.
        const value: unknown = JSON.parse(JSON.stringify(generated) ?? 'null');
        if (!acceptable(value, BusinessHoursInput)) {
          const answer = await send('POST', '/api/v1/business-hours', value);
          expect(answer.status, JSON.stringify(answer.body)).toBeGreaterThanOrEqual(400);
          expect(answer.status).toBeLessThan(500);
        }
        if (!acceptable(value, BusinessHoursPatch)) {
          const answer = await send('PATCH', `/api/v1/business-hours/${target.id}`, value);
          expect(answer.status, JSON.stringify(answer.body)).toBeGreaterThanOrEqual(400);
          expect(answer.status).toBeLessThan(500);
        }
      }),
      { numRuns: 80 },
    );
    expect(await listSchedules()).toEqual(before);
  });

  test('the OpenAPI document describes the endpoints', async () => {
    const doc = await t().anonymous().get('/api/docs/json');
    expect(doc.status).toBe(200);
    expect(Object.keys(doc.body.paths)).toEqual(expect.arrayContaining(['/api/v1/business-hours', '/api/v1/business-hours/{id}']));
    expect(Object.keys(doc.body.paths['/api/v1/business-hours'])).toEqual(expect.arrayContaining(['get', 'post']));
  });
});
