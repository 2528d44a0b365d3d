import { systemActor, type Actor } from '../../platform/actor.js';
import type { AuditService } from '../../platform/audit/service.js';
import type { Clock } from '../../platform/clock.js';
import type { Db, Executor } from '../../platform/db/db.js';
import { isForeignKeyViolation } from '../../platform/db/dialect.js';
import type { Page, PageQuery } from '../../platform/db/paging.js';
import { appError, notFound, type AppError } from '../../platform/errors.js';
import { BusinessHoursRepository, type BusinessHoursRow } from './repository.js';
import type { BusinessHoursInput, BusinessHoursPatch, BusinessHoursView } from './schemas.js';
import { addWorkingHours, checkSchedule, type Schedule, type WeekDay } from './working-time.js';

const workday = (): WeekDay => ({ active: true, allDay: false, begin: '09:00', end: '18:00', breaks: [] });
const dayOff = (): WeekDay => ({ active: false, allDay: false, begin: '09:00', end: '18:00', breaks: [] });

/** The schedule that exists from the first start: Monday to Friday, 09:00–18:00 UTC. */
export const STANDARD_BUSINESS_HOURS: BusinessHoursInput = {
  name: 'Standard business hours',
  timeZone: 'UTC',
  days: [workday(), workday(), workday(), workday(), workday(), dayOff(), dayOff()],
  holidays: [],
};

export class BusinessHoursService {
  private readonly repo = new BusinessHoursRepository();

  constructor(
    private readonly db: Db,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  /** Creates the standard schedule when there is no schedule at all. */
  async seed(): Promise<void> {
    await this.db.transaction(async (trx) => {
      if ((await this.repo.count(trx)) > 0) return;
      await this.insert(trx, STANDARD_BUSINESS_HOURS, systemActor('seed'));
    });
  }

  async list(page: PageQuery): Promise<Page<BusinessHoursView>> {
    const [rows, total] = await Promise.all([this.repo.list(this.db.kysely, page), this.repo.count(this.db.kysely)]);
    return { items: rows.map(toView), total, page: page.page, perPage: page.perPage };
  }

  async get(id: number, db: Executor = this.db.kysely): Promise<BusinessHoursView> {
    const row = await this.repo.find(db, id);
    if (!row) throw notFound('Business hours', id);
    return toView(row);
  }

  /** The due time `hours` working hours after `start` under schedule `id` (for tasks and tickets). */
  async dueAt(id: number, start: Date, hours: number, db: Executor = this.db.kysely): Promise<Date> {
    const schedule = await this.get(id, db);
    return addWorkingHours(start, hours, schedule);
  }

  async create(input: BusinessHoursInput, actor: Actor): Promise<BusinessHoursView> {
    return this.db.transaction((trx) => this.insert(trx, input, actor));
  }

  async update(id: number, input: BusinessHoursPatch, actor: Actor): Promise<BusinessHoursView> {
    return this.db.transaction(async (trx) => {
      const before = await this.repo.find(trx, id);
      if (!before) throw notFound('Business hours', id);
      const old = toView(before);
      const schedule: Schedule = { timeZone: input.timeZone ?? old.timeZone, days: input.days ?? old.days, holidays: input.holidays ?? old.holidays };
      checkSchedule(schedule);
      await this.repo.update(trx, id, {
        ...(input.name !== undefined ? { name: input.name } : {}),
        ...(input.timeZone !== undefined ? { timeZone: input.timeZone } : {}),
        ...(input.days !== undefined ? { days: JSON.stringify(input.days.map(weekDayOf)) } : {}),
        ...(input.holidays !== undefined ? { holidays: JSON.stringify(holidaysOf(input.holidays)) } : {}),
        updatedAt: this.clock.now().toISOString(),
      });
      const view = toView((await this.repo.find(trx, id))!);
      await this.audit.record(trx, actor, 'business_hours.update', 'business_hours', id, old, view);
      return view;
    });
  }

  async remove(id: number, actor: Actor): Promise<void> {
    await this.db.transaction(async (trx) => {
      const before = await this.repo.find(trx, id);
      if (!before) throw notFound('Business hours', id);
      const departments = await this.repo.departmentsUsing(trx, id);
      if (departments) throw this.stillUsed(before, departments);
      try {
        await this.repo.remove(trx, id);
      } catch (error) {
        // A department took this schedule in a concurrent transaction (at least one; the failed transaction cannot count).
        if (isForeignKeyViolation(error)) throw this.stillUsed(before, 1);
        throw error;
      }
      await this.audit.record(trx, actor, 'business_hours.delete', 'business_hours', id, toView(before), null);
    });
  }

  private stillUsed(row: BusinessHoursRow, departments: number): AppError {
    const uses = { key: departments === 1 ? 'uses.department' : 'uses.departments', params: { count: departments } };
    return appError('conflict', 'inUse.hours', { name: row.name, uses }, { field: 'id', details: { departments } });
  }

  private async insert(trx: Executor, input: BusinessHoursInput, actor: Actor): Promise<BusinessHoursView> {
    checkSchedule(input);
    const now = this.clock.now().toISOString();
    const id = await this.repo.insert(trx, {
      name: input.name,
      timeZone: input.timeZone,
      days: JSON.stringify(input.days.map(weekDayOf)),
      holidays: JSON.stringify(holidaysOf(input.holidays ?? [])),
      createdAt: now,
      updatedAt: now,
    });
    const view = toView((await this.repo.find(trx, id))!);
    await this.audit.record(trx, actor, 'business_hours.create', 'business_hours', id, null, view);
    return view;
  }
}

/** Stores exactly the known keys, in a stable order. */
function weekDayOf(day: WeekDay): Required<WeekDay> {
  return { active: day.active, allDay: day.allDay, begin: day.begin, end: day.end, breaks: (day.breaks ?? []).map((b) => ({ begin: b.begin, end: b.end })) };
}

/** Holidays in date order. */
function holidaysOf(dates: readonly string[]): string[] {
  return [...dates].sort();
}

function toView(row: BusinessHoursRow): BusinessHoursView {
  return {
    id: row.id,
    name: row.name,
    timeZone: row.timeZone,
    // Rows written before breaks existed have none.
    days: (JSON.parse(row.days) as WeekDay[]).map(weekDayOf),
    holidays: JSON.parse(row.holidays) as string[],
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}
