// Tools → Running operations, assembled: the repository, the engine, the worker and the service.
import type { Logger } from 'pino';
import type { AuditService } from '../../platform/audit/service.js';
import type { Clock } from '../../platform/clock.js';
import type { WorkerConfig } from '../../platform/config.js';
import type { Db } from '../../platform/db/db.js';
import type { ProcessingModuleService } from '../../integration/processing-modules/service.js';
import type { ChargeRefunds } from '../../licenses/charges.js';
import type { LicenseLifecycle } from '../../licenses/lifecycle/index.js';
import { OperationEngine } from './engine.js';
import { OperationEnding } from './ending.js';
import { LicenseHistory } from '../../licenses/history.js';
import { OperationRepository } from './repository.js';
import { OperationService } from './service.js';
import type { TaskSink } from './task-sink.js';
import { Worker } from './worker.js';

export { OperationEngine, OperationRepository, OperationService, Worker };
export type { TaskSink };

export interface OperationsDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  audit: AuditService;
  processingModules: ProcessingModuleService;
  tasks: TaskSink;
  /** Gives back what an operation ended for good was paid with. */
  refunds: ChargeRefunds;
  lifecycle: LicenseLifecycle;
  config: WorkerConfig;
  /** host:pid:random unless given. */
  owner?: string;
}

export function createOperations(deps: OperationsDeps): { service: OperationService; worker: Worker; engine: OperationEngine } {
  const repo = new OperationRepository(deps.db);
  const { config } = deps;
  // One history writer for the operations area's own notes (the engine's and the staff actions').
  const ending = new OperationEnding(deps.tasks, deps.refunds, new LicenseHistory(deps.clock));
  const engine = new OperationEngine(deps.db, deps.clock, repo, deps.processingModules, deps.tasks, ending, deps.logger, {
    leaseMs: config.leaseMs,
    maxAttempts: config.maxAttempts,
    retryBaseMs: config.retryBaseMs,
    retryMaxMs: config.retryMaxMs,
    keyPolls: config.keyPolls,
    keyPollMs: config.keyPollMs,
    keyWaitMs: config.keyWaitMs,
  });
  const worker = new Worker(repo, engine, deps.clock, deps.logger, { pollMs: config.pollMs, concurrency: config.concurrency, owner: deps.owner });
  const service = new OperationService(deps.db, repo, deps.audit, deps.clock, deps.tasks, deps.refunds, deps.lifecycle, ending);
  service.onRestart(() => worker.kick());
  return { service, worker, engine };
}
