// The upstream balance of each billmanager module, read live; while it is below the module's minimal
// balance the module's renewals wait and its department gets one low-balance task.
import type { Logger } from 'pino';
import type { Db } from '../../platform/db/db.js';
import { pickLocalizedOr } from './labels.js';
import { Money } from '../../platform/money.js';
import { isUpstreamError } from '../../integration/processing-modules/drivers/driver.js';
import type { ProcessingModuleService } from '../../integration/processing-modules/service.js';
import type { TaskService } from '../tasks/service.js';

export interface BalanceCheck {
  checked: number;
  errors: number;
  /** Modules whose renewals wait. */
  held: number[];
  tasksOpened: number;
}

export class ModuleBalances {
  constructor(
    private readonly db: Db,
    private readonly modules: ProcessingModuleService,
    private readonly tasks: TaskService,
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
    const { held, opened } = await this.holdLowModules();
    return { checked: rows.length, errors, held, tasksOpened: opened };
  }

  /** The modules below their minimal balance (as last read), each with its one open low-balance task. */
  async holdLowModules(): Promise<{ held: number[]; opened: number }> {
    const low = await this.db.kysely
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
      .whereRef('processingModules.balanceMinor', '<', 'processingModules.minimalBalanceMinor')
      .execute();
    let opened = 0;
    for (const m of low) {
      const money = (minor: bigint | null) => (minor === null ? null : m.currency ? Money.of(minor, m.currency).toString() : String(minor));
      const { created } = await this.db.transaction((trx) =>
        this.tasks.openForCause(trx, {
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
        }),
      );
      if (created) {
        opened += 1;
        this.logger?.warn({ moduleId: m.id }, 'upstream balance below the minimal balance: renewals wait');
      }
    }
    return { held: low.map((m) => Number(m.id)), opened };
  }
}
