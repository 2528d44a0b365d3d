// The deterministic simulation: one seed drives a whole run of billrelay (real HTTP, a real database)
// against the upstream simulator on the same manual clock. Clients register, pay, order, renew, change
// and lose licenses; staff restart, complete and abandon what waits for them; the clock jumps across
// renewals, expiries and deletions; the simulator injects faults; the worker runs step by step (two of
// them on PostgreSQL) and, in some seeds, as processes killed with SIGKILL. The invariants in
// invariants.ts are checked after every step. Replay a seed with `npm run simulate -- --seed N`.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createBillrelay, type Billrelay } from '../../src/app.js';
import { ManualClock } from '../../src/platform/clock.js';
import { loadConfig } from '../../src/platform/config.js';
import { createLogger } from '../../src/platform/logger.js';
import { signWebhook } from '../../src/clients/payments/gateway.js';
import type { FaultSpec, Sandbox } from '../../src/sandbox/index.js';
import { seededRandom, type Random } from '../../src/sandbox/prng.js';
import { ADMIN_EMAIL, ADMIN_PASSWORD, startBillrelay, type TestBillrelay } from '../support/billrelay.js';
import { ApiClient } from '../support/http.js';
import { connectModule, importTariff } from '../support/scenario.js';
import { startUpstream } from '../support/upstream.js';
import { freshDatabase } from './databases.js';
import { AFTER_WORKER, ALWAYS, WHEN_QUIET, check, type World } from './invariants.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export interface SimulationOptions {
  seed: number;
  /** Steps after the set-up (default 40). */
  steps?: number;
  /** Run part of the work in `billrelay worker` processes, one of them killed with SIGKILL (default: seeds 10, 30, 50, …). */
  processes?: boolean;
  /** Called with one line per step (for --verbose). */
  log?: (line: string) => void;
}

export interface SimulationResult {
  seed: number;
  steps: number;
  /** Empty when every invariant held. */
  violations: string[];
  /** What the run did, counted by step kind. */
  counts: Record<string, number>;
  /** 5xx answers other than 502/503/504 (a 500 is a bug). */
  serverErrors: string[];
  durationMs: number;
}

/** Shorter than the defaults so injected timeouts cost little; the worker is driven by the run. */
const ENV = {
  BILLRELAY_WORKER: 'off',
  BILLRELAY_SCHEDULER: 'off',
  BILLRELAY_UPSTREAM_CONNECT_TIMEOUT_MS: '200',
  BILLRELAY_UPSTREAM_READ_TIMEOUT_MS: '200',
  BILLRELAY_OPERATION_RETRY_BASE_MS: '1000',
  BILLRELAY_OPERATION_RETRY_MAX_MS: '60000',
  BILLRELAY_OPERATION_MAX_ATTEMPTS: '5',
  BILLRELAY_KEY_WAIT_MS: '1000',
  BILLRELAY_KEY_POLLS: '3',
  BILLRELAY_KEY_POLL_MS: '10',
};

const FUNCS = ['soft.checkip', 'soft.order.param', 'soft.edit', 'service.prolong', 'service.changepricelist', 'soft.suspend', 'soft.resume', 'soft.delete', 'soft', 'whoami', 'subaccount'];
const FAULTS: FaultSpec['fault'][] = [
  'drop-after-commit',
  'hang-after-commit',
  'timeout',
  'http-500',
  'reset',
  'latency',
  { error: { type: 'value', object: 'balance', msg: 'Insufficient funds on the account balance' } },
];

interface Person {
  email: string;
  password: string;
  api: ApiClient;
}

interface SimClient extends Person {
  id: number;
}

class Run {
  readonly random: Random;
  readonly counts: Record<string, number> = {};
  readonly serverErrors: string[] = [];
  readonly clients: SimClient[] = [];
  t!: TestBillrelay;
  upstream!: Sandbox;
  clock!: ManualClock;
  second: Billrelay | undefined;
  admin!: Person;
  moduleId = 0;
  moduleAccount = '';
  tariffs: { lite: number; pro: number } = { lite: 0, pro: 0 };
  ipCounter = 0;
  webhookSeq = 0;
  readonly children: ChildProcess[] = [];

  constructor(readonly options: SimulationOptions) {
    this.random = seededRandom(options.seed);
  }

  // -- randomness -------------------------------------------------------------------------------
  int(min: number, max: number): number {
    return min + Math.floor(this.random() * (max - min + 1));
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length)]!;
  }
  chance(p: number): boolean {
    return this.random() < p;
  }

  get world(): World {
    return { db: this.t.billrelay.db.kysely, upstream: this.upstream, now: () => this.clock.now() };
  }

  // -- HTTP as a person: a session outlived by a clock jump is renewed by logging in again --------
  async call(who: Person, method: string, url: string, body?: unknown) {
    let answer = await who.api.request(method, url, body === undefined && method !== 'GET' ? {} : body);
    if (answer.status === 401) {
      who.api = new ApiClient(this.t.url);
      const login = await who.api.login(who.email, who.password);
      if (login.status !== 200) throw new Error(`login of ${who.email} failed: ${login.status}`);
      answer = await who.api.request(method, url, body === undefined && method !== 'GET' ? {} : body);
    }
    if (answer.status >= 500 && ![502, 503, 504].includes(answer.status)) this.serverErrors.push(`${method} ${url} -> ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer;
  }

  // -- set-up -----------------------------------------------------------------------------------
  async setUp(): Promise<void> {
    // Fixed so a seed replays; a seed with worker processes follows real time (their clock is the system's).
    this.clock = new ManualClock(this.options.processes ? new Date() : '2026-03-02T09:00:00Z');
    this.t = await startBillrelay({ clock: this.clock, env: ENV, database: await freshDatabase() });
    this.upstream = await startUpstream(this.t, { seed: this.options.seed, keyDelay: { reads: this.int(0, 3), ms: 0 } });
    this.admin = { email: ADMIN_EMAIL, password: ADMIN_PASSWORD, api: this.t.admin };
    const module = await connectModule(this.t, this.upstream, { balance: this.pick(['150.00', '400.00', '1000.00']) });
    this.moduleId = module.id;
    this.moduleAccount = module.username;
    this.tariffs = { lite: (await importTariff(this.t, module.id, '55227')).id, pro: (await importTariff(this.t, module.id, '55228')).id };
    if (this.t.database.kind === 'postgres') {
      // A second billrelay on the same database: its worker races this one's.
      this.second = await createBillrelay({ config: this.config(), clock: this.clock, logger: createLogger('silent') });
    }
  }

  config() {
    const { database } = this.t;
    return loadConfig({
      BILLRELAY_DATA_DIR: database.dataDir,
      ...(database.databaseUrl ? { DATABASE_URL: database.databaseUrl } : {}),
      BILLRELAY_ADMIN_EMAIL: ADMIN_EMAIL,
      BILLRELAY_ADMIN_PASSWORD: ADMIN_PASSWORD,
      BILLRELAY_WEB_DIR: `${database.dataDir}/no-web`,
      LOG_LEVEL: 'silent',
      ...ENV,
    });
  }

  async tearDown(): Promise<void> {
    for (const child of this.children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await this.second?.close();
    await this.t?.close();
    await this.upstream?.close();
  }

  nextIp(): string {
    // A small pool, so some orders and changes meet an address already in use.
    this.ipCounter += 1;
    return this.chance(0.1) ? `203.0.113.${this.int(1, 4)}` : `198.51.${100 + (this.ipCounter >> 8)}.${(this.ipCounter % 250) + 1}`;
  }

  // -- steps ------------------------------------------------------------------------------------
  readonly steps: [number, string, () => Promise<unknown>][] = [
    [3, 'new-client', () => this.newClient()],
    [4, 'pay', () => this.pay()],
    [9, 'order', () => this.order()],
    [3, 'renew', () => this.renew()],
    [1, 'double-renew', () => this.doubleRenew()],
    [1, 'double-order', () => this.doubleOrder()],
    [1, 'refund', () => this.refund()],
    [2, 'change-ip', () => this.changeIp()],
    [2, 'change-tariff', () => this.changeTariff()],
    [1, 'auto-renew', () => this.toggleAutoRenew()],
    [2, 'delete', () => this.staffLicense('delete')],
    [1, 'suspend', () => this.staffLicense('suspend')],
    [1, 'resume', () => this.staffLicense('resume')],
    [5, 'fault', () => this.fault()],
    [1, 'upstream-balance', () => this.upstreamBalance()],
    [1, 'slow-keys', () => this.slowKeys()],
    [9, 'worker', () => this.work()],
    [5, 'clock', () => this.jump()],
    [4, 'staff', () => this.staffWork()],
  ];

  async step(): Promise<string> {
    const total = this.steps.reduce((s, [w]) => s + w, 0);
    let roll = this.random() * total;
    for (const [weight, name, run] of this.steps) {
      roll -= weight;
      if (roll < 0) {
        this.counts[name] = (this.counts[name] ?? 0) + 1;
        const detail = await run();
        return `${name}${detail ? ` ${typeof detail === 'string' ? detail : JSON.stringify(detail)}` : ''}`;
      }
    }
    return 'nothing';
  }

  async newClient(): Promise<string> {
    const n = this.clients.length + 1;
    const email = `sim${this.options.seed}-${n}@example.test`;
    const password = 'client-password';
    let id: number;
    if (this.chance(0.5)) {
      const anonymous = new ApiClient(this.t.url);
      const registered = await anonymous.post('/api/v1/auth/register', { name: `Client ${n}`, email, password, passwordConfirmation: password, country: 'NL', language: 'en' });
      if (registered.status !== 202) throw new Error(`register: ${registered.status} ${JSON.stringify(registered.body)}`);
      const login = await anonymous.login(email, password);
      if (login.status !== 200) throw new Error(`login after registering: ${login.status}`);
      id = login.body.user.id;
      this.clients.push({ id, email, password, api: anonymous });
    } else {
      const created = await this.call(this.admin, 'POST', '/api/v1/clients', { name: `Client ${n}`, email, password, language: 'en', providerId: 1 });
      if (created.status !== 201) throw new Error(`create client: ${created.status} ${JSON.stringify(created.body)}`);
      id = created.body.id;
      this.clients.push({ id, email, password, api: await this.t.loginAs(email, password) });
    }
    await this.pay(this.clients.at(-1)!);
    return `#${id}`;
  }

  async client(): Promise<SimClient> {
    if (!this.clients.length) await this.newClient();
    return this.pick(this.clients);
  }

  /** A staff payment, or a manual-gateway payment confirmed by a signed notification (sometimes delivered twice). */
  async pay(who?: SimClient): Promise<string> {
    const client = who ?? (await this.client());
    const amount = this.pick(['10.00', '25.00', '80.00', '150.00']);
    if (this.chance(0.5)) {
      const paid = await this.call(this.admin, 'POST', `/api/v1/clients/${client.id}/payments`, { amount, method: 'bank_transfer' });
      return `staff ${amount} to #${client.id}: ${paid.status}`;
    }
    const started = await this.call(client, 'POST', `/api/v1/clients/${client.id}/payments/start`, { gateway: 'manual', amount });
    if (started.status !== 200) return `start: ${started.status}`;
    const raw = JSON.stringify({ transactionId: `sim-${this.options.seed}-${++this.webhookSeq}`, clientId: client.id, amount, currency: started.body.currency, status: 'paid' });
    const key = this.t.billrelay.services.secrets.deriveKey('payment-webhook:manual');
    const notify = () => new ApiClient(this.t.url).request('POST', '/api/v1/payments/webhooks/manual', raw, { 'content-type': 'application/json', 'x-billrelay-signature': signWebhook(key, raw) });
    const first = await notify();
    if (this.chance(0.3)) await notify();
    return `gateway ${amount} to #${client.id}: ${first.status}`;
  }

  async order(): Promise<string> {
    const client = await this.client();
    const tariffId = this.chance(0.7) ? this.tariffs.lite : this.tariffs.pro;
    const answer = await this.call(client, 'POST', '/api/v1/licenses', {
      tariffId, period: this.pick([1, 1, 12]), licenseName: `web${this.ipCounter}`, ip: this.nextIp(), autoRenew: this.chance(0.5),
    });
    return `by #${client.id}: ${answer.status}${answer.status === 201 ? ` license ${answer.body.id}` : ` ${answer.body?.error?.code ?? ''}`}`;
  }

  async license(statuses: string[]): Promise<{ id: number; clientId: number; tariffId: number } | undefined> {
    const rows = await this.t.billrelay.db.kysely.selectFrom('licenses').select(['id', 'clientId', 'tariffId']).where('status', 'in', statuses).orderBy('id').execute();
    if (!rows.length) return undefined;
    const row = this.pick(rows);
    return { id: Number(row.id), clientId: Number(row.clientId), tariffId: Number(row.tariffId) };
  }

  ownerOf(clientId: number): SimClient {
    return this.clients.find((c) => c.id === clientId)!;
  }

  async renew(): Promise<string> {
    const l = await this.license(['active', 'suspended']);
    if (!l) return 'none';
    const answer = await this.call(this.ownerOf(l.clientId), 'POST', `/api/v1/licenses/${l.id}/renew`, {});
    return `license ${l.id}: ${answer.status}`;
  }

  /** A double click: the same renewal sent twice at once, without an idempotency key. */
  async doubleRenew(): Promise<string> {
    const l = await this.license(['active', 'suspended']);
    if (!l) return 'none';
    const who = this.ownerOf(l.clientId);
    const answers = await Promise.all([0, 1].map(() => this.call(who, 'POST', `/api/v1/licenses/${l.id}/renew`, {})));
    return `license ${l.id}: ${answers.map((a) => a.status).join(', ')}`;
  }

  /** An order retried by the client's software while the first is still on its way: the same Idempotency-Key. */
  async doubleOrder(): Promise<string> {
    const client = await this.client();
    const body = { tariffId: this.tariffs.lite, period: 1, licenseName: `dup${this.ipCounter}`, ip: this.nextIp(), autoRenew: false };
    const key = `sim-${this.options.seed}-${this.ipCounter}`;
    const send = () => client.api.request('POST', '/api/v1/licenses', body, { 'idempotency-key': key });
    const answers = await Promise.all([send(), send()]);
    for (const a of answers) if (a.status >= 500 && ![502, 503, 504].includes(a.status)) this.serverErrors.push(`POST /api/v1/licenses (same key twice) -> ${a.status} ${JSON.stringify(a.body)}`);
    return `by #${client.id}: ${answers.map((a) => a.status).join(', ')}`;
  }

  /** Staff give part of a license's price back by hand. */
  async refund(): Promise<string> {
    const l = await this.license(['active', 'suspended', 'deleted']);
    if (!l) return 'none';
    const answer = await this.call(this.admin, 'POST', `/api/v1/licenses/${l.id}/refund`, { amount: this.pick(['1.00', '5.00', '500.00']), comment: 'Goodwill' });
    return `license ${l.id}: ${answer.status}`;
  }

  async changeIp(): Promise<string> {
    const l = await this.license(['active']);
    if (!l) return 'none';
    const answer = await this.call(this.ownerOf(l.clientId), 'PATCH', `/api/v1/licenses/${l.id}`, { ip: this.nextIp() });
    return `license ${l.id}: ${answer.status}`;
  }

  async changeTariff(): Promise<string> {
    const l = await this.license(['active']);
    if (!l || l.tariffId !== this.tariffs.lite) return 'none';
    const answer = await this.call(this.ownerOf(l.clientId), 'POST', `/api/v1/licenses/${l.id}/change-tariff`, { tariffId: this.tariffs.pro });
    return `license ${l.id}: ${answer.status}`;
  }

  async toggleAutoRenew(): Promise<string> {
    const l = await this.license(['active', 'suspended']);
    if (!l) return 'none';
    const answer = await this.call(this.ownerOf(l.clientId), 'PATCH', `/api/v1/licenses/${l.id}`, { autoRenew: this.chance(0.5) });
    return `license ${l.id}: ${answer.status}`;
  }

  async staffLicense(action: 'delete' | 'suspend' | 'resume'): Promise<string> {
    const l = await this.license(action === 'resume' ? ['suspended'] : action === 'delete' ? ['active', 'suspended', 'processing'] : ['active']);
    if (!l) return 'none';
    const answer = await this.call(this.admin, 'POST', `/api/v1/licenses/${l.id}/${action}`, {});
    return `license ${l.id}: ${answer.status}`;
  }

  async fault(): Promise<string> {
    const spec: FaultSpec = { func: this.chance(0.1) ? '*' : this.pick(FUNCS), fault: this.pick(FAULTS), count: this.int(1, 4), probability: this.pick([1, 0.5, 0.3]) };
    if (spec.fault === 'latency') spec.latencyMs = this.int(10, 120);
    this.upstream.control.inject(spec);
    return `${spec.func} ${typeof spec.fault === 'string' ? spec.fault : 'insufficient funds'} x${spec.count}`;
  }

  /** The reseller's upstream balance runs low (orders and renewals refused there) or is topped up again. */
  async upstreamBalance(): Promise<string> {
    const balance = this.pick(['3.00', '500.00', '1000.00']);
    this.upstream.control.upsertAccount({ username: this.moduleAccount, balance });
    return balance;
  }

  async slowKeys(): Promise<string> {
    const reads = this.int(0, 6);
    this.upstream.control.configure({ keyDelay: { reads } });
    return `${reads} empty reads`;
  }

  /** The worker runs until nothing is due (on PostgreSQL, two workers at once); then no lease may be stale. */
  async work(): Promise<string> {
    const runs = [this.t.billrelay.worker.runOnce()];
    if (this.second) runs.push(this.second.worker.runOnce());
    const counts = await Promise.all(runs);
    const afterWorker = await check(this.world, AFTER_WORKER);
    if (afterWorker.length) this.violations.push(...afterWorker);
    return counts.map((c) => `${c.claimed} claimed, ${c.succeeded} ok, ${c.rescheduled} later, ${c.manual} manual`).join(' | ');
  }

  /** Minutes (backoff), hours, or days across renewals, expiries and deletions; then the scheduler's due jobs. */
  async jump(): Promise<string> {
    const ms = this.pick([2 * MINUTE, 30 * MINUTE, 3 * HOUR, 1 * DAY, 5 * DAY, 12 * DAY, 29 * DAY, 35 * DAY]);
    this.clock.advance(ms);
    const tick = await this.t.billrelay.scheduler.tick();
    return `+${Math.round(ms / MINUTE)} min, ran ${tick.ran.join(', ') || 'nothing'}`;
  }

  /** Staff take what waits for a person: restart, complete (with what the upstream shows) or abandon. */
  async staffWork(): Promise<string> {
    const db = this.t.billrelay.db.kysely;
    const manual = await db.selectFrom('operations').select(['id', 'kind', 'licenseId']).where('status', '=', 'manual').orderBy('id').execute();
    const tasks = await db.selectFrom('tasks').select(['id', 'type', 'operationId']).where('status', '<>', 'done').where('operationId', 'is', null).orderBy('id').execute();
    if (!manual.length && !tasks.length) return 'nothing waits';
    if (!manual.length || (tasks.length && this.chance(0.2))) {
      const task = this.pick(tasks);
      const answer = await this.call(this.admin, 'PATCH', `/api/v1/tasks/${task.id}`, { status: 'done' });
      return `task ${task.id} (${task.type}) done: ${answer.status}`;
    }
    const op = this.pick(manual);
    const roll = this.random();
    if (roll < 0.45) {
      const answer = await this.call(this.admin, 'POST', `/api/v1/operations/${op.id}/restart`, {});
      return `restart ${op.kind} ${op.id}: ${answer.status}`;
    }
    if (roll < 0.75) {
      const body = await this.completion(op.kind, Number(op.licenseId));
      if (body) {
        const answer = await this.call(this.admin, 'POST', `/api/v1/operations/${op.id}/complete`, { ...body, note: 'Checked in the upstream panel' });
        return `complete ${op.kind} ${op.id}: ${answer.status}`;
      }
    }
    const answer = await this.call(this.admin, 'POST', `/api/v1/operations/${op.id}/abandon`, { reason: 'Given up in the simulation' });
    return `abandon ${op.kind} ${op.id}: ${answer.status}`;
  }

  /** What a person would record after looking upstream; null when the upstream shows it was not done. */
  async completion(kind: string, licenseId: number): Promise<Record<string, string> | null> {
    const license = await this.t.billrelay.db.kysely.selectFrom('licenses').selectAll().where('id', '=', licenseId).executeTakeFirstOrThrow();
    const upstream = this.upstream.control.licenses();
    if (kind === 'open') {
      const bought = this.upstream.control.purchases().find((p) => p.remoteid === license.remoteId);
      const there = bought && upstream.find((l) => l.id === bought.licenseId);
      return there && there.key ? { upstreamId: there.id, licenseKey: there.key, expiresOn: there.expiredate } : null;
    }
    const there = upstream.find((l) => l.id === license.upstreamId);
    if (!there) return null;
    if (kind === 'prolong') return there.expiredate > (license.expiresOn ?? '') ? { expiresOn: there.expiredate } : null;
    if (kind === 'new_key') return there.key && there.key !== license.licenseKey ? { licenseKey: there.key } : null;
    // Other kinds only when the upstream shows them done (a person who completes what was not done is not simulated).
    const op = await this.t.billrelay.db.kysely.selectFrom('operations').select('payload').where('licenseId', '=', licenseId).where('status', '=', 'manual').where('kind', '=', kind).executeTakeFirst();
    const payload = op ? (JSON.parse(op.payload) as { ip?: string; tariffUpstreamId?: string }) : {};
    const tariffName = { '55227': 'ispmanager 6 lite', '55228': 'ispmanager 6 pro' } as Record<string, string>;
    const done: Record<string, boolean> = {
      suspend: there.status === 3,
      resume: there.status === 2,
      close: there.status === 4,
      set_params: payload.ip === undefined || there.ip === payload.ip,
      change_tariff: there.pricelist === payload.tariffUpstreamId || there.pricelist === tariffName[payload.tariffUpstreamId ?? ''],
    };
    return done[kind] ? {} : null;
  }

  // -- worker processes ---------------------------------------------------------------------------
  spawnWorker(env: Record<string, string> = {}): { child: ChildProcess; output: string[] } {
    const { database } = this.t;
    const output: string[] = [];
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/cli/main.ts'), 'worker'], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        BILLRELAY_DATA_DIR: database.dataDir,
        ...(database.databaseUrl ? { DATABASE_URL: database.databaseUrl } : {}),
        BILLRELAY_WEB_DIR: path.join(database.dataDir, 'no-web'),
        ...ENV,
        BILLRELAY_WORKER: 'on',
        BILLRELAY_WORKER_POLL_MS: '50',
        BILLRELAY_OPERATION_LEASE_MS: '1500',
        LOG_LEVEL: 'warn',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (d: Buffer) => output.push(d.toString()));
    child.stderr!.on('data', (d: Buffer) => output.push(d.toString()));
    this.children.push(child);
    return { child, output };
  }

  /**
   * Orders are run by a worker process whose purchase the upstream commits without answering; it is
   * killed with SIGKILL, and a second process takes the operations over once their lease ran out.
   */
  async processes(): Promise<string> {
    const db = this.t.billrelay.db.kysely;
    const client = await this.client();
    await this.call(this.admin, 'POST', `/api/v1/clients/${client.id}/payments`, { amount: '100.00', method: 'bank_transfer' });
    const orders = [];
    for (let i = 0; i < 3; i += 1) {
      orders.push(await this.call(client, 'POST', '/api/v1/licenses', { tariffId: this.tariffs.lite, period: 1, licenseName: `proc${i}`, ip: this.nextIp(), autoRenew: false }));
    }
    if (!orders.some((o) => o.status === 201)) return `no order was accepted (${orders.map((o) => o.status).join(', ')}): nothing for the processes to do`;
    // The upstream buys, then never answers; the first process waits (a long read timeout) until it is killed.
    this.upstream.control.inject({ func: 'soft.order.param', fault: 'hang-after-commit', count: 1 });
    const purchases = () => this.upstream.control.purchases().length;
    const before = purchases();
    const first = this.spawnWorker({ BILLRELAY_UPSTREAM_READ_TIMEOUT_MS: '60000' });
    await until(() => purchases() > before, 120_000, () => first.output.join(''));
    first.child.kill('SIGKILL');
    await exited(first.child);
    // Restarted: it takes the killed process's operation over once its lease ran out, and runs the rest.
    const second = this.spawnWorker();
    const open = () => db.selectFrom('operations').select('id').where('status', 'in', ['pending', 'running']).where('nextAttemptAt', '<=', new Date().toISOString()).execute();
    await until(async () => (await open()).length === 0, 120_000, () => second.output.join(''));
    second.child.kill('SIGTERM');
    await exited(second.child);
    // The processes ran on the system clock: the run's clock catches up with it.
    if (Date.now() > this.clock.now().getTime()) this.clock.set(new Date());
    return `killed one worker process mid-purchase, a restarted one finished (${purchases() - before} purchase(s))`;
  }

  readonly violations: string[] = [];

  /** No more faults; the worker and the scheduler run until nothing is due, then the quiet checks. */
  async settle(): Promise<void> {
    this.upstream.control.clear();
    this.upstream.control.configure({ keyDelay: { reads: 0 } });
    for (let i = 0; i < 12; i += 1) {
      await this.work();
      const due = await this.t.billrelay.db.kysely.selectFrom('operations').select('id').where('status', 'in', ['pending', 'running']).execute();
      if (!due.length) break;
      this.clock.advance(2 * MINUTE);
    }
    // The hourly sync compares every license with the upstream; then its consequences run.
    this.clock.advance(HOUR);
    await this.t.billrelay.scheduler.tick();
    for (let i = 0; i < 12; i += 1) {
      await this.work();
      const due = await this.t.billrelay.db.kysely.selectFrom('operations').select('id').where('status', 'in', ['pending', 'running']).execute();
      if (!due.length) break;
      this.clock.advance(2 * MINUTE);
    }
  }
}

function exited(child: ChildProcess): Promise<unknown> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((r) => child.once('exit', r));
}

/** Waits for a worker process (spawning one takes seconds on a loaded machine). */
async function until(check: () => boolean | Promise<boolean>, timeoutMs: number, output: () => string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms; the worker process wrote:\n${output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** How to replay a seed (printed with every failure). */
export function replayCommand(seed: number, steps?: number): string {
  return `npm run simulate -- --seed ${seed}${steps ? ` --steps ${steps}` : ''}${process.env.TEST_DATABASE_URL ? ' (with TEST_DATABASE_URL set, on PostgreSQL)' : ''}`;
}

export function usesProcesses(seed: number): boolean {
  return seed % 20 === 10;
}

export async function simulate(options: SimulationOptions): Promise<SimulationResult> {
  const started = Date.now();
  const run = new Run({ ...options, processes: options.processes ?? usesProcesses(options.seed) });
  const steps = options.steps ?? 40;
  const log = (line: string) => options.log?.(`[${((Date.now() - started) / 1000).toFixed(2)} s] ${line}`);
  let done = 0;
  try {
    await run.setUp();
    log('set up');
    if (run.options.processes) log(`process phase: ${await run.processes()}`);
    for (; done < steps && !run.violations.length; done += 1) {
      const what = await run.step();
      log(`${done + 1}. ${what}`);
      const found = await check(run.world, ALWAYS);
      if (found.length) run.violations.push(...found.map((v) => `after step ${done + 1} (${what}): ${v}`));
      if (run.serverErrors.length) run.violations.push(...run.serverErrors.splice(0).map((e) => `after step ${done + 1} (${what}): a 5xx answer: ${e}`));
    }
    if (!run.violations.length) {
      await run.settle();
      const found = [...(await check(run.world, ALWAYS)), ...(await check(run.world, WHEN_QUIET))];
      run.violations.push(...found.map((v) => `at the end: ${v}`));
    }
  } catch (error) {
    run.violations.push(`after step ${done + 1}: the run failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
  } finally {
    await run.tearDown().catch(() => {});
  }
  return { seed: options.seed, steps: done, violations: run.violations, counts: run.counts, serverErrors: run.serverErrors, durationMs: Date.now() - started };
}
