// What /metrics shows, in the Prometheus text format (prom-client), one registry per billrelay instance
// (never prom-client's global one: several instances in one process, as in the tests, stay apart).
// Events of this process are counted as they happen (upstream calls, HTTP requests, deliveries);
// what lives in the database (operations, tasks, the outbox, module balances) is read at scrape time
// by each gauge's collect(). Labels name functions, kinds, statuses, routes, modules and departments:
// never a URL, an account or anything a client typed.
import client from 'prom-client';
import type { Clock } from '../clock.js';
import type { Db } from '../db/db.js';
import { pickLocalized, type LocaleCatalogSource } from '../i18n/localized.js';
import { Money } from '../money.js';
import type { UpstreamCall } from '../../integration/processing-modules/drivers/driver.js';
import { MetricsRepository } from './repository.js';

export interface ModuleRunway {
  moduleId: number;
  name: string;
  currency: string | null;
  balanceMinor: bigint | null;
  /** Days the balance lasts at the recent spending; null when nothing was spent. */
  daysLeft: number | null;
}

export interface MetricsDeps {
  db: Db;
  clock: Clock;
  localizations: LocaleCatalogSource;
  /** Each module's balance as last read, and its days left (the dashboard's numbers). */
  moduleRunway: () => Promise<ModuleRunway[]>;
}

const PREFIX = 'billrelay_';

export class Metrics {
  readonly registry = new client.Registry();
  readonly contentType = this.registry.contentType;
  private readonly repo = new MetricsRepository();
  private readonly upstreamSeconds: client.Histogram<'function' | 'outcome'>;
  private readonly upstreamErrors: client.Counter<'function' | 'kind'>;
  private readonly orderToActive: client.Histogram<string>;
  private readonly httpSeconds: client.Histogram<'method' | 'route' | 'status_code'>;
  /**
   * Reads shared by two gauges within one scrape (prom-client collects the gauges concurrently, so
   * neither may fill the other's values): one query serves both.
   */
  private shared = new Map<string, Promise<unknown>>();

  constructor(private readonly deps: MetricsDeps) {
    const registers = [this.registry];
    client.collectDefaultMetrics({ register: this.registry, prefix: PREFIX });
    this.upstreamSeconds = new client.Histogram({
      name: `${PREFIX}upstream_call_duration_seconds`,
      help: 'Calls to the upstream (BILLmanager) by function, answered (ok) or failed (error)',
      labelNames: ['function', 'outcome'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.upstreamErrors = new client.Counter({
      name: `${PREFIX}upstream_call_errors_total`,
      help: 'Failed upstream calls by function and error kind (auth, value, timeout, network…)',
      labelNames: ['function', 'kind'],
      registers,
    });
    this.orderToActive = new client.Histogram({
      name: `${PREFIX}order_to_active_seconds`,
      help: 'From an order to its license delivered (the open operation succeeded), as seen by the worker of this process',
      buckets: [1, 5, 15, 30, 60, 300, 900, 3600, 4 * 3600, 24 * 3600, 3 * 24 * 3600],
      registers,
    });
    this.httpSeconds = new client.Histogram({
      name: `${PREFIX}http_request_duration_seconds`,
      help: 'HTTP requests by method, route pattern and status code',
      labelNames: ['method', 'route', 'status_code'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });

    const repo = this.repo;
    const db = () => deps.db.kysely;
    new client.Gauge({
      name: `${PREFIX}operations`,
      help: 'Operations by kind and status (rows of Tools → Running operations)',
      labelNames: ['kind', 'status'],
      registers,
      async collect() {
        this.reset();
        for (const row of await repo.operationsByKindAndStatus(db())) this.set({ kind: row.kind, status: row.status }, Number(row.n));
      },
    });
    const tasksOf = () =>
      this.once('tasks', async () => {
        const [rows, catalog] = await Promise.all([repo.openTasksByDepartment(db(), deps.clock.now().toISOString()), deps.localizations.catalog()]);
        return rows.map((row) => ({
          labels: {
            department_id: row.departmentId === null ? 'none' : String(row.departmentId),
            department: row.name === null ? '' : pickLocalized(JSON.parse(row.name), catalog.defaultCode, catalog),
          },
          open: Number(row.open),
          overdue: Number(row.overdue ?? 0),
        }));
      });
    new client.Gauge({
      name: `${PREFIX}tasks_open`,
      help: 'Open tasks (new or in progress), per department',
      labelNames: ['department_id', 'department'],
      registers,
      async collect() {
        const rows = await tasksOf();
        this.reset();
        for (const row of rows) this.set(row.labels, row.open);
      },
    });
    new client.Gauge({
      name: `${PREFIX}tasks_overdue`,
      help: 'Open tasks past their due time, per department',
      labelNames: ['department_id', 'department'],
      registers,
      async collect() {
        const rows = await tasksOf();
        this.reset();
        for (const row of rows) this.set(row.labels, row.overdue);
      },
    });
    new client.Gauge({
      name: `${PREFIX}outbox_messages`,
      help: 'E-mails in the outbox not sent yet, by status (pending, sending, failed)',
      labelNames: ['status'],
      registers,
      async collect() {
        const rows = await repo.outboxByStatus(db());
        this.reset();
        for (const status of ['pending', 'sending', 'failed']) this.set({ status }, 0);
        for (const row of rows) this.set({ status: row.status }, Number(row.n));
      },
    });
    const runwayOf = () => this.once('runway', deps.moduleRunway);
    new client.Gauge({
      name: `${PREFIX}upstream_balance`,
      help: "Each processing module's upstream balance as last read (in the account's currency)",
      labelNames: ['module_id', 'module', 'currency'],
      registers,
      async collect() {
        const modules = await runwayOf();
        this.reset();
        for (const m of modules) {
          if (m.balanceMinor === null || !m.currency) continue;
          this.set({ module_id: String(m.moduleId), module: m.name, currency: m.currency }, Number(Money.of(m.balanceMinor, m.currency).toString()));
        }
      },
    });
    new client.Gauge({
      name: `${PREFIX}upstream_balance_days_left`,
      help: "Days each module's upstream balance lasts at the last 30 days' spending (absent while nothing was spent)",
      labelNames: ['module_id', 'module'],
      registers,
      async collect() {
        const modules = await runwayOf();
        this.reset();
        for (const m of modules) if (m.daysLeft !== null) this.set({ module_id: String(m.moduleId), module: m.name }, m.daysLeft);
      },
    });
  }

  /** The text a scrape gets; the database is read now. */
  async scrape(): Promise<string> {
    this.shared.clear();
    try {
      return await this.registry.metrics();
    } finally {
      this.shared.clear();
    }
  }

  private once<T>(key: string, read: () => Promise<T>): Promise<T> {
    let pending = this.shared.get(key) as Promise<T> | undefined;
    if (!pending) {
      pending = read();
      this.shared.set(key, pending);
    }
    return pending;
  }

  /** Hands to the billmanager driver (DriverTimeouts.observer). */
  readonly upstreamCall = (call: UpstreamCall): void => {
    this.upstreamSeconds.observe({ function: call.func, outcome: call.error ? 'error' : 'ok' }, call.durationMs / 1000);
    if (call.error) this.upstreamErrors.inc({ function: call.func, kind: call.error });
  };

  /** An operation's success committed: an order's (open) time to delivery. */
  operationSucceeded(op: { kind: string; createdAt: string }, finishedAt: Date): void {
    if (op.kind !== 'open') return;
    const seconds = (finishedAt.getTime() - new Date(op.createdAt).getTime()) / 1000;
    if (Number.isFinite(seconds) && seconds >= 0) this.orderToActive.observe(seconds);
  }

  /** `route` is the route's pattern (/api/v1/licenses/:id), never the URL asked. */
  httpRequest(method: string, route: string, statusCode: number, seconds: number): void {
    this.httpSeconds.observe({ method, route, status_code: String(statusCode) }, seconds);
  }
}
