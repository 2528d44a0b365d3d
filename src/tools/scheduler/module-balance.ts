// The upstream balance of each billmanager module, read live; while it is below the module's minimal
// balance the module's renewals wait and its department gets one low-balance task, which closes itself
// once a check finds the balance at or above the minimum again. The task's opening is mailed to the
// module's department (balance_low; administrators when the module has none).
import type { Logger } from 'pino';
import { systemActor } from '../../platform/actor.js';
import type { Db } from '../../platform/db/db.js';
import { pickLocalizedOr } from './labels.js';
import { Money } from '../../platform/money.js';
import { isUpstreamError } from '../../integration/processing-modules/drivers/driver.js';
import type { ProcessingModuleService } from '../../integration/processing-modules/service.js';
import type { TaskService } from '../tasks/service.js';
import type { Clock } from '../../platform/clock.js';
import { moneyWords } from '../messages/outbox.js';
import { balanceLowNotices } from '../messages/staff-notices.js';

export interface BalanceCheck {
  checked: number;
  errors: number;
  /** Modules whose renewals wait. */
  held: number[];
  tasksOpened: number;
  /** Low-balance tasks closed because the balance recovered. */
  tasksClosed: number;
}

export class ModuleBalances {
  private readonly actor = systemActor('balance check');

  constructor(
    private readonly db: Db,
    private readonly modules: ProcessingModuleService,
    private readonly tasks: TaskService,
    private readonly clock: Clock,
    private readonly logger?: Logger,
  ) {}

  /** Reads every enabled billmanager module's balance (errors are recorded on the module, not thrown). */
  async check(): Promise<BalanceCheck> {
    const rows = await this.db.kysely
      .selectFrom('processingModules')
      .select('id')
      .where('moduleType', '=', 'billmanager')
      .where('enabled', '=', 1)
      .orderBy('id')
      .execute();
    let errors = 0;
    for (const { id } of rows) {
      try {
        const driver = await this.modules.driverFor(Number(id));
        await this.modules.recordBalance(Number(id), await driver.checkConnection());
      } catch (error) {
        errors += 1;
        if (isUpstreamError(error)) await this.modules.recordError(Number(id), error);
        else this.logger?.error({ err: error, moduleId: id }, 'balance check failed');
      }
    }
    const { held, opened, closed } = await this.holdLowModules();
    return { checked: rows.length, errors, held, tasksOpened: opened, tasksClosed: closed };
  }

  /**
   * The modules below their minimal balance (as last read), each with its one open low-balance task;
   * the open low-balance tasks of modules back at or above it are closed. `moduleId`: that module
   * only (its balance was just read by hand).
   */
  async holdLowModules(moduleId?: number): Promise<{ held: number[]; opened: number; closed: number }> {
    let lowQuery = this.db.kysely
      .selectFrom('processingModules')
      .leftJoin('departments', 'departments.id', 'processingModules.departmentId')
      .select([
        'processingModules.id',
        'processingModules.name',
        'processingModules.departmentId',
        'processingModules.currency',
        'processingModules.balanceMinor',
        'processingModules.minimalBalanceMinor',
        'departments.taskLocale',
      ])
      .where('processingModules.moduleType', '=', 'billmanager')
      .where('processingModules.enabled', '=', 1)
      .where('processingModules.balanceMinor', 'is not', null)
      .whereRef('processingModules.balanceMinor', '<', 'processingModules.minimalBalanceMinor');
    if (moduleId !== undefined) lowQuery = lowQuery.where('processingModules.id', '=', moduleId);
    const low = await lowQuery.execute();
    let opened = 0;
    for (const m of low) {
      const money = (minor: bigint | null) => (minor === null ? null : m.currency ? Money.of(minor, m.currency).toString() : String(minor));
      const { created } = await this.db.transaction(async (trx) => {
        const task = await this.tasks.openForCause(trx, {
          type: 'low_balance',
          causeKey: `low_balance:${m.id}`,
          departmentId: m.departmentId === null ? null : Number(m.departmentId),
          moduleId: Number(m.id),
          params: {
            module: pickLocalizedOr(m.name, m.taskLocale ?? 'en'),
            balance: money(m.balanceMinor),
            minimalBalance: money(m.minimalBalanceMinor),
            currency: m.currency,
          },
        });
        // One e-mail per stretch of low balance: with the task that stretch opened.
        if (task.created) {
          const words = (minor: bigint | null) => (minor === null ? '—' : m.currency ? moneyWords(minor, m.currency) : String(minor));
          await balanceLowNotices(trx, this.clock.now(), {
            taskId: task.id,
            moduleId: Number(m.id),
            moduleName: m.name,
            departmentId: m.departmentId === null ? null : Number(m.departmentId),
            taskLocale: m.taskLocale,
            balance: words(m.balanceMinor),
            minimalBalance: words(m.minimalBalanceMinor),
          });
        }
        return task;
      });
      if (created) {
        opened += 1;
        this.logger?.warn({ moduleId: m.id }, 'upstream balance below the minimal balance: renewals wait');
      }
    }
    return { held: low.map((m) => Number(m.id)), opened, closed: await this.closeRecovered(moduleId) };
  }

  /** Closes the open low-balance task of each module whose last read balance is at or above its minimum. */
  private async closeRecovered(moduleId?: number): Promise<number> {
    let recoveredQuery = this.db.kysely
      .selectFrom('tasks')
      .innerJoin('processingModules', 'processingModules.id', 'tasks.moduleId')
      .select(['tasks.causeKey', 'processingModules.id', 'processingModules.currency', 'processingModules.balanceMinor', 'processingModules.minimalBalanceMinor'])
      .where('tasks.type', '=', 'low_balance')
      .where('tasks.status', '<>', 'done')
      .where('processingModules.moduleType', '=', 'billmanager')
      .where('processingModules.enabled', '=', 1)
      .where('processingModules.balanceMinor', 'is not', null)
      .whereRef('processingModules.balanceMinor', '>=', 'processingModules.minimalBalanceMinor');
    if (moduleId !== undefined) recoveredQuery = recoveredQuery.where('processingModules.id', '=', moduleId);
    const recovered = await recoveredQuery.execute();
    let closed = 0;
    for (const m of recovered) {
      if (m.causeKey !== `low_balance:${m.id}`) continue;
      const money = (minor: bigint | null) => (minor === null ? null : m.currency ? Money.of(minor, m.currency).toString() : String(minor));
      const done = await this.db.transaction((trx) =>
        this.tasks.closeForCause(trx, m.causeKey, this.actor, {
          key: 'low_balance.recovered',
          params: { balance: money(m.balanceMinor), minimalBalance: money(m.minimalBalanceMinor), currency: m.currency },
        }),
      );
      if (done) {
        closed += 1;
        this.logger?.info({ moduleId: m.id }, 'upstream balance back at or above the minimal balance: low-balance task closed');
      }
    }
    return closed;
  }
}
