// The scheduled jobs of billrelay and their schedules (all from Config).
import type { Logger } from 'pino';
import type { Clock } from '../../platform/clock.js';
import type { SchedulerConfig } from '../../platform/config.js';
import type { Db } from '../../platform/db/db.js';
import type { LicenseLifecycle } from '../../licenses/lifecycle/index.js';
import type { ProcessingModuleService } from '../../integration/processing-modules/service.js';
import type { TariffService } from '../../products/tariffs/service.js';
import type { TaskService } from '../tasks/service.js';
import type { TicketService } from '../tickets/service.js';
import { Expiry } from './expiry.js';
import { ModuleBalances } from './module-balance.js';
import { Renewals } from './renewals.js';
import { RenewalNotices } from './renewal-notices.js';
import { OverdueTasks } from './task-overdue.js';
import { Scheduler } from './scheduler.js';
import { LicenseSync } from './sync.js';

export { Scheduler, type Job, type TickResult } from './scheduler.js';

export interface SchedulerDeps {
  db: Db;
  clock: Clock;
  config: SchedulerConfig;
  lifecycle: LicenseLifecycle;
  tasks: TaskService;
  /** Absent in tests that build a scheduler without the support center. */
  tickets?: TicketService;
  processingModules: ProcessingModuleService;
  tariffs: TariffService;
  logger?: Logger;
  /** Distinguishes processes in scheduler_jobs.last_owner (tests run two in one process). */
  owner?: string;
}

export interface SchedulerJobs {
  balances: ModuleBalances;
  renewals: Renewals;
  expiry: Expiry;
  sync: LicenseSync;
  renewalNotices: RenewalNotices;
  overdueTasks: OverdueTasks;
}

export function createScheduler(deps: SchedulerDeps): { scheduler: Scheduler; jobs: SchedulerJobs } {
  const { db, clock, config, logger } = deps;
  const balances = new ModuleBalances(db, deps.processingModules, deps.tasks, clock, logger);
  const renewals = new Renewals(db, clock, deps.lifecycle, balances, { daysBefore: config.renewDaysBefore, pageSize: config.scanPageSize }, logger);
  const expiry = new Expiry(db, clock, deps.lifecycle, { closeAfterDays: config.closeAfterDays, pageSize: config.scanPageSize }, logger);
  const sync = new LicenseSync(db, clock, deps.processingModules, deps.tasks, { pageSize: config.scanPageSize }, logger);
  const renewalNotices = new RenewalNotices(db, clock, { daysBefore: config.renewalNoticeDays, pageSize: config.scanPageSize }, logger);
  const overdueTasks = new OverdueTasks(db, clock, { pageSize: config.scanPageSize }, logger);
  const scheduler = new Scheduler(db, clock, logger, deps.owner)
    .register({ name: 'module-balance', schedule: { dailyAt: config.balanceCheckAt }, run: () => balances.check() })
    .register({ name: 'renewals', schedule: { everyMinutes: config.renewalsEveryMinutes }, run: () => renewals.run() })
    .register({ name: 'expiry', schedule: { everyMinutes: config.expiryEveryMinutes }, run: () => expiry.run() })
    .register({ name: 'sync', schedule: { everyMinutes: config.syncEveryMinutes }, run: () => sync.run() })
    .register({ name: 'tariff-sync', schedule: { dailyAt: config.tariffSyncAt }, run: () => deps.tariffs.syncAll() })
    .register({ name: 'renewal-notices', schedule: { everyMinutes: config.renewalsEveryMinutes }, run: () => renewalNotices.run() })
    .register({ name: 'task-overdue', schedule: { everyMinutes: config.taskOverdueEveryMinutes }, run: () => overdueTasks.run() });
  const tickets = deps.tickets;
  if (tickets) {
    // Overdue tickets: the head of department hears of each once per overdue stretch.
    scheduler.register({ name: 'ticket-overdue', schedule: { everyMinutes: config.ticketOverdueEveryMinutes }, run: () => tickets.notifyOverdue() });
    // Files uploaded but never attached to a message go after a day.
    scheduler.register({ name: 'ticket-uploads', schedule: { everyMinutes: 60 }, run: () => tickets.deleteUnboundUploads() });
  }
  return { scheduler, jobs: { balances, renewals, expiry, sync, renewalNotices, overdueTasks } };
}
