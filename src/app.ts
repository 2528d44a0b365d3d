// The composition root: one database, one clock, the services of every menu area, and the HTTP app.
import path from 'node:path';
import type { Logger } from 'pino';
import { AuditService } from './platform/audit/service.js';
import { auditRoutes } from './platform/audit/routes.js';
import { ensureFirstAdministrator, type AdminCreated } from './platform/auth/bootstrap.js';
import { authRoutes } from './platform/auth/routes.js';
import { AuthService } from './platform/auth/service.js';
import { systemClock, type Clock } from './platform/clock.js';
import type { Config } from './platform/config.js';
import { Db } from './platform/db/db.js';
import { openDatabase, type DbHandle } from './platform/db/dialect.js';
import { migrateToLatest, pendingMigrations } from './platform/db/migrate.js';
import { claimDataDir, type RunningRole } from './platform/db/running.js';
import { createHttpApp, type App } from './platform/http/app.js';
import { webRoutes } from './platform/http/web.js';
import { createLogger } from './platform/logger.js';
import { datacenterRoutes } from './integration/datacenters/routes.js';
import { DatacenterService } from './integration/datacenters/service.js';
import { localizationRoutes } from './settings/localizations/routes.js';
import { LocalizationService } from './settings/localizations/service.js';
import { notificationTemplateRoutes } from './settings/notification-templates/routes.js';
import { NotificationTemplateService } from './settings/notification-templates/service.js';
import { businessHoursRoutes } from './provider/business-hours/routes.js';
import { BusinessHoursService } from './provider/business-hours/service.js';
import { providerRoutes } from './provider/providers/routes.js';
import { ProviderService } from './provider/providers/service.js';
import { departmentRoutes } from './provider/departments/routes.js';
import { DepartmentService } from './provider/departments/service.js';
import { employeeRoutes } from './provider/employees/routes.js';
import { EmployeeService } from './provider/employees/service.js';
import { loadSecretBox } from './platform/crypto/secrets.js';
import { IdempotencyStore } from './platform/http/idempotency.js';
import { ClientService } from './clients/clients/service.js';
import { clientRoutes } from './clients/clients/routes.js';
import { LedgerService } from './clients/ledger/service.js';
import { ChargeRefunds } from './licenses/charges.js';
import { ledgerRoutes } from './clients/ledger/routes.js';
import { ManualGateway } from './clients/payments/gateways/manual.js';
import { StripeGateway } from './clients/payments/gateways/stripe.js';
import { PaymentService } from './clients/payments/service.js';
import { paymentRoutes } from './clients/payments/routes.js';
import { LicenseHistory } from './licenses/history.js';
import { licenseRoutes } from './licenses/routes.js';
import { LicenseService } from './licenses/service.js';
import { driverFactory } from './integration/processing-modules/drivers/index.js';
import type { UpstreamCallObserver } from './integration/processing-modules/drivers/driver.js';
import { processingModuleRoutes } from './integration/processing-modules/routes.js';
import { ProcessingModuleService } from './integration/processing-modules/service.js';
import { tariffRoutes } from './products/tariffs/routes.js';
import { TariffService } from './products/tariffs/service.js';
import { createScheduler, type Scheduler } from './tools/scheduler/index.js';
import { taskRoutes } from './tools/tasks/routes.js';
import { dashboardRoutes } from './tools/dashboard/routes.js';
import { DashboardService } from './tools/dashboard/service.js';
import { TaskService } from './tools/tasks/service.js';
import { AttachmentStore } from './tools/tickets/attachments.js';
import { ticketRoutes } from './tools/tickets/routes.js';
import { TicketService } from './tools/tickets/service.js';
import { createOperations } from './tools/operations/index.js';
import { LicenseLifecycle } from './licenses/lifecycle/index.js';
import { OPERATIONS_TOPIC } from './licenses/outbox.js';
import { operationRoutes } from './tools/operations/routes.js';
import { createMessages, MESSAGES_TOPIC, type MessageSender, type MessageService } from './tools/messages/index.js';
import { messageRoutes } from './tools/messages/routes.js';
import type { OperationService } from './tools/operations/service.js';
import type { Worker } from './tools/operations/worker.js';
import { Metrics } from './platform/metrics/metrics.js';
import { MetricsRepository } from './platform/metrics/repository.js';
import { metricsRoutes } from './platform/metrics/routes.js';

export interface BillrelayOptions {
  config: Config;
  clock?: Clock;
  logger?: Logger;
  /** How this process shows in the data directory's run/ while it uses the SQLite database (see running.ts). */
  role?: Exclude<RunningRole, 'restore'>;
}

export interface Billrelay {
  app: App;
  db: Db;
  clock: Clock;
  logger: Logger;
  services: Services;
  /** Set when this start created the first administrator. */
  firstAdmin?: AdminCreated;
  /** Scheduled jobs (started unless BILLRELAY_SCHEDULER=off; tests call scheduler.tick()). */
  scheduler: Scheduler;
  /** Tools → Running operations. */
  operations: OperationService;
  /** The operations worker of this process (started unless BILLRELAY_WORKER=off; runOnce works either way). */
  worker: Worker;
  /** Tools → Messages: the outbox. */
  messages: MessageService;
  /** Sends the outbox over SMTP (started with the worker when BILLRELAY_SMTP_URL is set; runOnce works either way). */
  mailer: MessageSender;
  /** What GET /metrics shows (this instance's own registry). */
  metrics: Metrics;
  close(): Promise<void>;
}

export type Services = ReturnType<typeof createServices>;

export function sqliteFileOf(config: Config): string {
  return path.join(config.dataDir, 'billrelay.sqlite');
}

export function openConfiguredDatabase(config: Config): DbHandle {
  return openDatabase({ databaseUrl: config.databaseUrl, sqliteFile: sqliteFileOf(config) });
}

function createServices(db: Db, clock: Clock, config: Config, observer?: UpstreamCallObserver) {
  const audit = new AuditService(db, clock);
  const localizations = new LocalizationService(db, audit, clock);
  const notificationTemplates = new NotificationTemplateService(db, audit, clock, localizations);
  const auth = new AuthService(db, audit, clock, config.publicUrl);
  const datacenters = new DatacenterService(db, audit, localizations, clock);
  const providers = new ProviderService(db, audit, clock, { defaultCurrency: config.defaultCurrency });
  const businessHours = new BusinessHoursService(db, audit, clock);
  const employees = new EmployeeService(db, audit, localizations, auth, clock);
  const departments = new DepartmentService(db, audit, localizations, clock);
  const secrets = loadSecretBox({ secretKey: config.secretKey, previousKeys: config.previousSecretKeys, dataDir: config.dataDir });
  const drivers = driverFactory({ connectTimeoutMs: config.upstreamConnectTimeoutMs, readTimeoutMs: config.upstreamReadTimeoutMs, observer });
  const processingModules = new ProcessingModuleService(db, audit, localizations, clock, secrets, drivers);
  datacenters.addReferrer((trx, id) => processingModules.usedBy(trx, 'datacenterId', id));
  departments.addReferrer((trx, id) => processingModules.usedBy(trx, 'departmentId', id));
  const tariffs = new TariffService(db, audit, localizations, clock, processingModules);
  processingModules.addReferrer((trx, id) => tariffs.usedByModule(trx, id));
  providers.addReferrer((trx, id) => tariffs.usedByProvider(trx, id));
  const clients = new ClientService(db, audit, auth, localizations, clock);
  auth.addPrincipalSource(clients.principalSource());
  providers.addReferrer((trx, id) => clients.usedByProvider(trx, id));
  const ledger = new LedgerService(db, audit, clock);
  const idempotency = new IdempotencyStore(db, clock);
  const tasks = new TaskService(db, audit, localizations, clock, businessHours, config.taskHours);
  const payments = new PaymentService(db, audit, clock, secrets, ledger, clients, providers, tasks);
  payments.register(new ManualGateway(secrets.deriveKey('payment-webhook:manual')));
  payments.register(new StripeGateway({ apiUrl: config.stripeApiUrl, now: () => clock.now() }));
  employees.addReferrer((trx, id) => tasks.usedByEmployee(trx, id));
  const tickets = new TicketService(db, audit, localizations, clock, businessHours, new AttachmentStore(config.dataDir, config.attachmentMaxBytes));
  departments.addReferrer((trx, id) => tickets.usedByDepartment(trx, id));
  employees.addReferrer((trx, id) => tickets.usedByEmployee(trx, id));
  const licenseHistory = new LicenseHistory(clock);
  const refunds = new ChargeRefunds(ledger);
  const lifecycle = new LicenseLifecycle(clock, licenseHistory, ledger, refunds);
  const licenses = new LicenseService(db, audit, clock, ledger, tariffs, processingModules, licenseHistory, lifecycle);
  tariffs.addReferrer((trx, id) => licenses.usedBy(trx, 'tariffId', id));
  processingModules.addReferrer((trx, id) => licenses.usedBy(trx, 'moduleId', id));
  const dashboard = new DashboardService(db, clock, localizations);
  return {
    dashboard, audit, localizations, notificationTemplates, auth, datacenters, providers, businessHours, employees, departments, secrets, processingModules, tariffs,
    clients, ledger, payments, idempotency, tasks, tickets, licenseHistory, refunds, lifecycle, licenses,
  };
}

/** Seeds what exists from the first start, in dependency order; each seed does nothing when already done. */
async function seed(services: Services): Promise<void> {
  await services.localizations.seed();
  await services.providers.seed();
  await services.businessHours.seed();
  // After business hours and providers: the seeded departments take the first schedule and the default provider.
  await services.departments.seed();
}

export async function createBillrelay(options: BillrelayOptions): Promise<Billrelay> {
  const { config } = options;
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? createLogger(config.logLevel);
  // On SQLite this process is announced in the data directory: `billrelay restore` refuses while it runs.
  const running = config.databaseUrl ? undefined : claimDataDir(config.dataDir, options.role ?? 'server');
  const handle = openConfiguredDatabase(config);
  try {
    await migrateToLatest(handle);
  } catch (error) {
    await handle.close();
    running?.release();
    throw error;
  }
  const db = new Db(handle);
  // The metrics hear every upstream call through the drivers' observer; the services are made after it.
  let metrics: Metrics | undefined;
  const services = createServices(db, clock, config, (call) => metrics?.upstreamCall(call));
  metrics = new Metrics({ db, clock, localizations: services.localizations, moduleRunway: () => services.dashboard.moduleRunway() });
  await seed(services);
  const firstAdmin = await ensureFirstAdministrator(db, clock, config);
  const { scheduler, jobs } = createScheduler({
    db, clock, logger, config: config.scheduler, lifecycle: services.lifecycle, tasks: services.tasks, tickets: services.tickets,
    processingModules: services.processingModules, tariffs: services.tariffs,
  });
  const { service: operations, worker, engine } = createOperations({
    db, clock, logger, audit: services.audit, processingModules: services.processingModules, tasks: services.tasks, config: config.worker,
    refunds: services.refunds, lifecycle: services.lifecycle,
  });
  const { service: messages, sender: mailer } = createMessages({ db, clock, logger, audit: services.audit, config: config.mail });
  // A balance read by hand opens or closes the module's low-balance task at once, by the scheduled check's rule.
  services.processingModules.onBalanceRead((moduleId) => jobs.balances.holdLowModules(moduleId));
  // A task's department may restart the operation it is about, whatever the module's department is now.
  services.tasks.setRestartOperation((id, actor) => operations.restart(id, actor, { viaTask: true }));
  // A task shows where its operation stands, and is not done while the operation still waits.
  services.tasks.setOperationStates((db, ids) => operations.statesOf(db, ids));
  // Whoever deletes a license (staff, the expiry job, an abandoned order), what still waits for it ends.
  services.lifecycle.onDeletion((trx, licenseId, closeId, actor) => operations.endForDeletion(trx, licenseId, closeId, actor));

  engine.onSucceeded((op, finishedAt) => metrics.operationSucceeded(op, finishedAt));

  const app = await createHttpApp({ logger, auth: services.auth, localizations: services.localizations, trustProxy: config.trustProxy });
  // Before any route: every route's latency under its pattern (the SPA's files as one).
  app.addHook('onResponse', async (req, reply) => {
    const pattern = req.routeOptions.url;
    const route = pattern === undefined ? 'unmatched' : pattern.startsWith('/billmgr/') ? '/billmgr/*' : pattern;
    metrics.httpRequest(req.method, route, reply.statusCode, reply.elapsedTime / 1000);
  });
  app.get('/healthz', { schema: { hide: true }, config: { bare: true } }, async (_req, reply) => {
    const pending = await pendingMigrations(handle).catch(() => ['unreachable']);
    if (pending.length) return reply.code(503).send({ status: 'unavailable', pending });
    return { status: 'ok' };
  });
  authRoutes(app, services.auth);
  auditRoutes(app, services.audit);
  localizationRoutes(app, services.localizations);
  notificationTemplateRoutes(app, services.notificationTemplates);
  datacenterRoutes(app, services.datacenters);
  providerRoutes(app, services.providers);
  businessHoursRoutes(app, services.businessHours);
  employeeRoutes(app, services.employees, services.auth);
  departmentRoutes(app, services.departments);
  processingModuleRoutes(app, services.processingModules);
  clientRoutes(app, services.clients, services.auth);
  ledgerRoutes(app, services.ledger, services.clients, services.idempotency);
  paymentRoutes(app, services.payments, { publicUrl: config.publicUrl });
  licenseRoutes(app, services.licenses, services.idempotency);
  tariffRoutes(app, services.tariffs);
  taskRoutes(app, services.tasks);
  ticketRoutes(app, services.tickets);
  operationRoutes(app, operations);
  dashboardRoutes(app, services.dashboard);
  messageRoutes(app, messages);
  const metricsRepo = new MetricsRepository();
  metricsRoutes(app, {
    metrics,
    token: config.metricsToken,
    readiness: {
      ping: () => metricsRepo.ping(db.kysely),
      pendingMigrations: () => pendingMigrations(handle),
      workerRunning: () => (config.worker.enabled ? worker.isRunning : null),
    },
  });
  await webRoutes(app, config.webDir);
  if (config.scheduler.enabled) scheduler.start(config.scheduler.intervalMs);
  if (config.worker.enabled) {
    // A new operation is run the moment it is committed (here, or in another process on PostgreSQL).
    db.onCommitted(OPERATIONS_TOPIC, () => worker.kick());
    await db.listen(OPERATIONS_TOPIC, logger);
    worker.start();
    if (mailer.configured) {
      // A message is sent the moment it is committed (here, or in another process on PostgreSQL).
      db.onCommitted(MESSAGES_TOPIC, () => mailer.kick());
      await db.listen(MESSAGES_TOPIC, logger);
      mailer.start();
    }
  }

  return {
    app,
    db,
    clock,
    logger,
    services,
    firstAdmin,
    scheduler,
    operations,
    worker,
    messages,
    mailer,
    metrics,
    async close() {
      await scheduler.stop();
      await worker.stop();
      await mailer.stop();
      await app.close();
      await db.close();
      running?.release();
    },
  };
}
