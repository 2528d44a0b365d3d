// Load: real billrelay processes (one on SQLite; two sharing the database on PostgreSQL, each with its
// own worker) and the upstream simulator in its own process at 50 ms per call, driven by autocannon
// with a mix of client reads, orders, renewals and staff lists. Afterwards the workers drain and every
// write is checked: each accepted order ends active with one upstream purchase (or with an open task),
// each renewal is charged once and renewed upstream once, and each balance equals its ledger.
// `npm run load` (test/load/main.ts) and test/load/load.test.ts both run `runLoad`.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { sql } from 'kysely';
import { openDatabase, type DbHandle } from '../../src/platform/db/dialect.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const MAIN = path.join(ROOT, 'src/cli/main.ts');
const ADMIN_EMAIL = 'admin@example.test';
const ADMIN_PASSWORD = 'admin-password-1';
const STAFF_PASSWORD = 'staff-password-1';
const CLIENT_PASSWORD = 'client-password';
const UPSTREAM_LATENCY_MS = 50;
const UPSTREAM_TARIFF = '55227';
/** Orders and renewals are for one month (7.20 with the 20 % markup); every client can pay for thousands. */
const PERIOD = 1;
const CLIENT_FUNDS = '1000000.00';

export interface LoadOptions {
  /** Seconds of load. */
  duration: number;
  /** Connections in all, spread evenly over the processes; each request picks its route by weight. */
  connections: number;
  /** A PostgreSQL server (a database of its own is created on it and dropped afterwards); absent: SQLite. */
  postgresUrl?: string;
  /** Seconds a request may wait for its answer before it counts as an error (default 30). */
  timeout?: number;
  /** Clients placing orders and reading their pages (default: connections / 2, at least 8). */
  clients?: number;
  /** Progress lines (setup, drain); silent by default. */
  log?: (line: string) => void;
}

export interface RouteResult {
  name: string;
  requests: number;
  /** As the load generator saw them (queueing included), ms. */
  p50: number;
  p99: number;
  /** Inside the server (fastify's responseTime: from reading the request to sending the answer), ms. */
  serverP50: number;
  serverP99: number;
  max: number;
  /** Answers other than 2xx, connection errors and timeouts. */
  failures: number;
}

export interface ProcessMemory {
  role: string;
  /** CPU time the process used during the load (user + system), in seconds. */
  cpuSeconds: number;
  /** Peak resident set (VmHWM) and the resident set at the end (VmRSS), in MB. */
  peakRssMb: number;
  rssMb: number;
}

export interface LoadReport {
  database: 'SQLite' | 'PostgreSQL';
  processes: number;
  duration: number;
  connections: number;
  clients: number;
  routes: RouteResult[];
  requests: number;
  /** Every unexpected answer or server error, described (empty when none). */
  errors: string[];
  /** Every write that did not end as it must (empty when none). */
  lostWrites: string[];
  /** inFlight: orders the server took whose answer the load generator dropped when it stopped (checked like accepted ones). */
  orders: { accepted: number; inFlight: number; active: number; withOpenTask: number };
  renewals: { accepted: number; charged: number; upstreamRenewals: number; licenses: number };
  drainSeconds: number;
  memory: ProcessMemory[];
  /** The machine's 1-minute load average at the end of the load (other work slows every number). */
  loadAverage: number;
  cores: number;
}

interface Session {
  id: number;
  cookie: string;
  csrf: string;
}

/** What a request's answer is matched with: the client who sent it, and an order's address. */
interface CallContext {
  user?: number;
  ip?: string;
}

interface Route {
  name: string;
  /** Which of the server's requests ("METHOD /path?query") are this route's. */
  served: RegExp;
  weight: number;
  /** Builds the request for one call (a client picked at random for client routes). */
  request(): { method: 'GET' | 'POST'; path: string; headers: Record<string, string>; body?: string; context?: CallContext };
  onAnswer?(status: number, body: string, context: CallContext): void;
}

/** Runs one load against a fresh database and returns what happened; never throws for a failed check (see errors, lostWrites). */
export async function runLoad(options: LoadOptions): Promise<LoadReport> {
  const started = performance.now();
  const log = (line: string) => options.log?.(`[${((performance.now() - started) / 1000).toFixed(0)} s] ${line}`);
  const processCount = options.postgresUrl ? 2 : 1;
  const database = await createTestDatabase(options.postgresUrl ?? '');
  const children: Child[] = [];
  let upstream: Child | undefined;
  let db: DbHandle | undefined;
  try {
    upstream = await startSandbox();
    const control = controller(upstream.url);
    await control('POST', '/_control/accounts', { username: 'load', password: 'partner-password', balance: '100000000.00' });

    const secretKey = randomBytes(32).toString('hex');
    // One after the other: the first creates the schema and the administrator, the second finds them.
    for (let i = 0; i < processCount; i += 1) {
      children.push(await startBillrelay(database, secretKey, `billrelay ${i + 1}`));
      log(`billrelay ${i + 1} is up`);
    }
    const servers = children.map((c) => c.url);
    const api = servers[0]!;
    db = openDatabase({ databaseUrl: database.databaseUrl, sqliteFile: path.join(database.dataDir, 'billrelay.sqlite') });

    // Set-up through the API, as a partner would do it.
    log('setting up: module, tariff, staff, clients');
    const admin = await login(api, ADMIN_EMAIL, ADMIN_PASSWORD);
    const module = await call(api, admin, 'POST', '/api/v1/processing-modules', {
      productType: 'licenses', moduleType: 'billmanager', name: { en: 'load' }, minimalBalance: '0', operationLimit: 32,
      connection: { url: upstream.url, username: 'load', password: 'partner-password' },
    }, 201);
    const tariff = await call(api, admin, 'POST', '/api/v1/tariffs/import', { processingModuleId: module.id, upstreamTariffId: UPSTREAM_TARIFF, providerId: 1, markupPercent: '20' }, 201);
    await call(api, admin, 'POST', `/api/v1/tariffs/${tariff.id}/enable`, {}, 200);
    await call(api, admin, 'POST', '/api/v1/employees', {
      email: 'staff@example.test', name: 'Staff', password: STAFF_PASSWORD, language: 'en', departmentIds: [], rights: ['licenses.read', 'clients.read', 'operations.read'],
    }, 201);
    const staff = await login(api, 'staff@example.test', STAFF_PASSWORD);

    const clientCount = options.clients ?? Math.max(8, Math.floor(options.connections / 2));
    const clients: Session[] = [];
    for (let i = 0; i < clientCount; i += 1) {
      const email = `load-client-${i}@example.test`;
      const created = await call(api, admin, 'POST', '/api/v1/clients', { name: `Load client ${i}`, email, password: CLIENT_PASSWORD, language: 'en', providerId: 1 }, 201);
      await call(api, admin, 'POST', `/api/v1/clients/${created.id}/payments`, { amount: CLIENT_FUNDS, method: 'bank_transfer' }, 201);
      // Half the clients log in on the second process: sessions live in the database, and every client's requests go to both.
      const session = await login(servers[i % servers.length]!, email, CLIENT_PASSWORD);
      clients.push({ ...session, id: created.id });
    }

    // Two active licenses per client to renew and to open; their orders run before the load starts.
    let nextAddress = 0;
    const address = () => {
      nextAddress += 1;
      // 11.0.0.0/8 is public (refuseIp accepts it) and holds 16 million distinct addresses.
      return `11.${(nextAddress >> 16) & 255}.${(nextAddress >> 8) & 255}.${nextAddress & 255}`;
    };
    const orderOf = (ip: string) => ({ tariffId: tariff.id, period: PERIOD, licenseName: `load${nextAddress}`, ip });
    const owned: number[][] = clients.map(() => []);
    for (const [i, client] of clients.entries()) {
      for (let k = 0; k < 2; k += 1) owned[i]!.push((await call(api, client, 'POST', '/api/v1/licenses', orderOf(address()), 201)).id);
    }
    const renewable = owned.flat();
    await until('the set-up orders to be active', 120_000, async () => {
      const { n } = await db!.kysely.selectFrom('licenses').select((eb) => eb.fn.countAll<number>().as('n')).where('id', 'in', renewable).where('status', '=', 'active').executeTakeFirstOrThrow();
      return Number(n) === renewable.length;
    });
    log('set-up orders active');
    const beforeLoad = await licenseIds(db);
    await control('POST', '/_control/faults', { func: '*', fault: 'latency', latencyMs: UPSTREAM_LATENCY_MS });

    // The mix.
    const pick = () => Math.floor(Math.random() * clients.length);
    const asClient = (user: number, write = false) => ({ cookie: clients[user]!.cookie, ...(write ? { 'x-csrf-token': clients[user]!.csrf, 'content-type': 'application/json' } : {}) });
    const asStaff = { cookie: staff.cookie };
    const accepted: number[] = [];
    /** Orders sent, by address: answered (with the status) or not (in flight when the load stopped). */
    const sentOrders = new Map<string, number | null>();
    let renewalsAccepted = 0;
    const routes: Route[] = [
      {
        name: 'POST /licenses (order)', weight: 2, served: /^POST \/api\/v1\/licenses$/,
        request: () => {
          const user = pick();
          const ip = address();
          sentOrders.set(ip, null);
          return { method: 'POST', path: '/api/v1/licenses', headers: asClient(user, true), body: JSON.stringify(orderOf(ip)), context: { user, ip } };
        },
        onAnswer: (status, body, { user, ip }) => {
          sentOrders.set(ip!, status);
          if (status !== 201) return;
          const id = (JSON.parse(body) as { id: number }).id;
          accepted.push(id);
          owned[user!]!.push(id);
        },
      },
      {
        name: 'POST /licenses/:id/renew', weight: 1.5, served: /^POST \/api\/v1\/licenses\/\d+\/renew$/,
        request: () => {
          const user = pick();
          const id = owned[user]![Math.floor(Math.random() * 2)]!;
          return { method: 'POST', path: `/api/v1/licenses/${id}/renew`, headers: asClient(user, true), body: '{}' };
        },
        onAnswer: (status) => {
          if (status === 200) renewalsAccepted += 1;
        },
      },
      { name: 'GET /licenses (own)', weight: 2.5, served: /^GET \/api\/v1\/licenses\?perPage=20$/, request: () => ({ method: 'GET', path: '/api/v1/licenses?perPage=20', headers: asClient(pick()) }) },
      {
        name: 'GET /clients/:id/ledger (balance)', weight: 2, served: /^GET \/api\/v1\/clients\/\d+\/ledger/,
        request: () => {
          const user = pick();
          return { method: 'GET', path: `/api/v1/clients/${clients[user]!.id}/ledger?perPage=20`, headers: asClient(user) };
        },
      },
      {
        name: 'GET /licenses/:id (page)', weight: 2.5, served: /^GET \/api\/v1\/licenses\/\d+$/,
        request: () => {
          const user = pick();
          const mine = owned[user]!;
          return { method: 'GET', path: `/api/v1/licenses/${mine[Math.floor(Math.random() * mine.length)]}`, headers: asClient(user) };
        },
      },
      { name: 'GET /licenses (staff)', weight: 1.5, served: /^GET \/api\/v1\/licenses\?perPage=50$/, request: () => ({ method: 'GET', path: '/api/v1/licenses?perPage=50', headers: asStaff }) },
      { name: 'GET /clients (staff)', weight: 1.5, served: /^GET \/api\/v1\/clients\?/, request: () => ({ method: 'GET', path: '/api/v1/clients?perPage=50', headers: asStaff }) },
      { name: 'GET /operations (staff)', weight: 1.5, served: /^GET \/api\/v1\/operations\?/, request: () => ({ method: 'GET', path: '/api/v1/operations?perPage=50', headers: asStaff }) },
    ];

    log(`load: ${options.duration} s, ${options.connections} connections over ${servers.length} process(es), ${clients.length} clients; each request picks its route by weight`);
    const errors: string[] = [];
    const cpuBefore = children.map(cpuSecondsOf);
    for (const child of children) child.timing.on = true;
    // One autocannon instance per process; every request picks a route at random by weight, so each
    // connection carries the whole mix. A request's latency runs from its build (setupRequest, called
    // just before autocannon writes it) to its answer.
    const totalWeight = routes.reduce((n, r) => n + r.weight, 0);
    const pickRoute = () => {
      let x = Math.random() * totalWeight;
      for (const [i, r] of routes.entries()) if ((x -= r.weight) < 0) return i;
      return routes.length - 1;
    };
    const latencies = routes.map((): number[] => []);
    const failures = routes.map(() => 0);
    const shares = spread(options.connections, servers.map(() => 1));
    await Promise.all(servers.map(async (server, s) => {
      let finished!: (result: autocannon.Result) => void;
      let failedToRun!: (error: unknown) => void;
      const done = new Promise<autocannon.Result>((resolve, reject) => [finished, failedToRun] = [resolve, reject]);
      autocannon({
        url: server,
        connections: shares[s]!,
        duration: options.duration,
        timeout: options.timeout ?? 30,
        requests: [{
          setupRequest: (req, context) => {
            const r = pickRoute();
            const built = routes[r]!.request();
            Object.assign(context, built.context ?? {}, { route: r, sentAt: performance.now() });
            return { ...req, method: built.method, path: built.path, headers: built.headers, body: built.body };
          },
          onResponse: (status, body, context) => {
            const c = context as CallContext & { route: number; sentAt: number };
            const route = routes[c.route]!;
            latencies[c.route]!.push(performance.now() - c.sentAt);
            if (status < 200 || status >= 300) {
              failures[c.route]! += 1;
              if (errors.length < 20) errors.push(`${route.name} on ${server}: ${status} ${body.slice(0, 300)}`);
            }
            route.onAnswer?.(status, body, c);
          },
        }],
      }, (error: unknown, result: autocannon.Result) => (error ? failedToRun(error) : finished(result)));
      const result = await done;
      if (result.errors > 0) errors.push(`${server}: ${result.errors} connection errors (${result.timeouts} timeouts)`);
    }));
    for (const child of children) child.timing.on = false;
    const results = routes.map((route, r): RouteResult => {
      const server = children.flatMap((c) => c.served.filter(([what]) => route.served.test(what)).map(([, ms]) => ms));
      const own = latencies[r]!;
      return {
        name: route.name, requests: own.length, p50: percentile(own, 0.5), p99: percentile(own, 0.99), max: Math.max(0, ...own),
        serverP50: percentile(server, 0.5), serverP99: percentile(server, 0.99), failures: failures[r]!,
      };
    });
    const unexpected = results.reduce((n, r) => n + r.failures, 0);
    if (unexpected > errors.length) errors.push(`${unexpected} unexpected answers in all (the first ${Math.min(errors.length, 20)} above)`);

    // Memory before the checks (they only read the database).
    const memory = children.map((c, i) => ({ ...memoryOf(c), cpuSeconds: cpuSecondsOf(c) - cpuBefore[i]! }));
    const loadAverage = os.loadavg()[0]!;

    log(`draining: ${accepted.length} orders accepted, waiting for the workers`);
    const drainStarted = performance.now();
    await until('the workers to drain', Math.max(180_000, options.duration * 3_000), async () => {
      const { n } = await db!.kysely.selectFrom('operations').select((eb) => eb.fn.countAll<number>().as('n')).where('status', 'in', ['pending', 'running']).executeTakeFirstOrThrow();
      return Number(n) === 0;
    }).catch((error: Error) => errors.push(error.message));
    const drainSeconds = (performance.now() - drainStarted) / 1000;

    const inFlight = new Set([...sentOrders].filter(([, status]) => status === null).map(([ip]) => ip));
    log(`drained in ${drainSeconds.toFixed(1)} s; checking the writes`);
    const checks = await checkWrites(db, control, { accepted, inFlight, renewable, beforeLoad, clientIds: clients.map((c) => c.id) });
    for (const child of children) {
      for (const line of child.errorLines) if (errors.length < 40) errors.push(`${child.role} logged: ${line.slice(0, 400)}`);
    }
    return {
      database: options.postgresUrl ? 'PostgreSQL' : 'SQLite',
      processes: processCount,
      duration: options.duration,
      connections: options.connections,
      clients: clients.length,
      routes: results,
      requests: results.reduce((n, r) => n + r.requests, 0),
      errors,
      lostWrites: checks.lost,
      orders: { accepted: accepted.length, inFlight: checks.inFlight, active: checks.active, withOpenTask: checks.withOpenTask },
      renewals: { accepted: renewalsAccepted, charged: checks.renewalCharges, upstreamRenewals: checks.upstreamRenewals, licenses: renewable.length },
      drainSeconds,
      memory,
      loadAverage,
      cores: os.cpus().length,
    };
  } finally {
    await db?.close();
    await Promise.all(children.map((c) => c.stop()));
    await upstream?.stop();
    await database.drop();
  }
}

/** What the database and the simulator hold after the drain, against what the load was told. */
async function checkWrites(
  db: DbHandle,
  control: ReturnType<typeof controller>,
  load: { accepted: number[]; inFlight: Set<string>; renewable: number[]; beforeLoad: Set<number>; clientIds: number[] },
): Promise<{ lost: string[]; active: number; withOpenTask: number; inFlight: number; renewalCharges: number; upstreamRenewals: number }> {
  const lost: string[] = [];
  const note = (line: string) => {
    if (lost.length < 40) lost.push(line);
  };
  const k = db.kysely;
  const inspection = (await control('GET', '/_control/inspect')) as {
    purchases: Array<{ remoteid: string | null; licenseId: string }>;
    charges: Array<{ func: string; licenseId: string }>;
    licenses: Array<{ id: string; expiredate: string }>;
  };
  const purchasesByRemote = new Map<string, number>();
  for (const p of inspection.purchases) if (p.remoteid) purchasesByRemote.set(p.remoteid, (purchasesByRemote.get(p.remoteid) ?? 0) + 1);
  const openTasks = new Set(
    (await k.selectFrom('tasks').select('licenseId').where('status', '<>', 'done').execute()).map((t) => Number(t.licenseId)),
  );

  // Every accepted order: its charge, and active with one upstream purchase, or an open task.
  const accepted = new Set(load.accepted);
  if (accepted.size !== load.accepted.length) note(`the same license id was answered to ${load.accepted.length - accepted.size} orders`);
  const rows = await k.selectFrom('licenses').select(['id', 'status', 'upstreamId', 'licenseKey', 'remoteId', 'ip']).execute();
  let active = 0;
  let inFlight = 0;
  let withOpenTask = 0;
  const orderCharges = new Set(
    (await k.selectFrom('ledgerEntries').select('reference').where('reference', 'like', 'order:%').execute()).map((e) => e.reference),
  );
  for (const row of rows) {
    const id = Number(row.id);
    if (load.beforeLoad.has(id)) continue;
    if (accepted.has(id)) accepted.delete(id);
    else if (load.inFlight.has(row.ip)) inFlight += 1;
    else {
      note(`license ${id} (${row.ip}) exists but its order was not answered 201`);
      continue;
    }
    if (!orderCharges.has(`order:${id}`)) note(`license ${id}: no order charge`);
    const purchases = purchasesByRemote.get(row.remoteId) ?? 0;
    if (row.status === 'active' && row.upstreamId && row.licenseKey && purchases === 1) active += 1;
    else if (openTasks.has(id) && purchases <= 1) withOpenTask += 1;
    else note(`license ${id}: ${row.status}, upstream ${row.upstreamId ?? 'none'}, ${purchases} upstream purchase(s), no open task`);
  }
  for (const id of accepted) note(`order answered 201 with license ${id}, which is not in the database`);

  // Renewals: each period charged once, renewed upstream once, and the expiry as the upstream has it.
  const renewalCharges = await k.selectFrom('ledgerEntries').select('reference').where('reference', 'like', 'renewal:%').execute();
  const upstreamRenewals = new Map<string, number>();
  for (const c of inspection.charges) if (c.func === 'service.prolong') upstreamRenewals.set(c.licenseId, (upstreamRenewals.get(c.licenseId) ?? 0) + 1);
  const upstreamExpiry = new Map(inspection.licenses.map((l) => [l.id, l.expiredate]));
  const renewable = await k.selectFrom('licenses').select(['id', 'upstreamId', 'expiresOn']).where('id', 'in', load.renewable).execute();
  let upstreamCount = 0;
  for (const license of renewable) {
    const id = Number(license.id);
    const ours = renewalCharges.filter((c) => c.reference.startsWith(`renewal:${id}:`)).length;
    const theirs = upstreamRenewals.get(license.upstreamId ?? '') ?? 0;
    upstreamCount += theirs;
    const succeeded = await k.selectFrom('operations').select((eb) => eb.fn.countAll<number>().as('n')).where('licenseId', '=', id).where('kind', '=', 'prolong').where('status', '=', 'succeeded').executeTakeFirstOrThrow();
    if (openTasks.has(id)) continue;
    if (ours !== theirs || Number(succeeded.n) !== ours) note(`license ${id}: ${ours} renewal charge(s), ${theirs} upstream renewal(s), ${succeeded.n} renewal(s) done`);
    if (license.expiresOn !== upstreamExpiry.get(license.upstreamId ?? '')) note(`license ${id}: expires ${license.expiresOn} here, ${upstreamExpiry.get(license.upstreamId ?? '')} upstream`);
  }

  // Each balance is the sum of its ledger.
  const sums = await k
    .selectFrom('ledgerEntries')
    .select(['clientId', sql<string>`cast(sum(amount_minor) as text)`.as('sum')])
    .where('clientId', 'in', load.clientIds)
    .groupBy('clientId')
    .execute();
  const balances = await k.selectFrom('clients').select(['id', 'balanceMinor']).where('id', 'in', load.clientIds).execute();
  for (const b of balances) {
    const sum = sums.find((s) => Number(s.clientId) === Number(b.id))?.sum ?? '0';
    if (BigInt(sum) !== BigInt(b.balanceMinor)) note(`client ${b.id}: balance ${b.balanceMinor} but the ledger sums to ${sum}`);
  }
  return { lost, active, withOpenTask, inFlight, renewalCharges: renewalCharges.length, upstreamRenewals: upstreamCount };
}

export function formatReport(report: LoadReport): string {
  const cpuTotal = report.memory.reduce((n, m) => n + m.cpuSeconds, 0);
  const lines = [`${report.database}: ${report.processes} billrelay process(es), ${report.duration} s, ${report.connections} connections, ${report.clients} clients; upstream at ${UPSTREAM_LATENCY_MS} ms per call`];
  const header = ['route', 'requests', 'req/s', 'p50 ms', 'p99 ms', 'max ms', 'server p50', 'server p99', 'failed'];
  const rows = report.routes.map((r) => [
    r.name, String(r.requests), (r.requests / report.duration).toFixed(1), r.p50.toFixed(0), r.p99.toFixed(0), r.max.toFixed(0),
    r.serverP50.toFixed(0), r.serverP99.toFixed(0), String(r.failures),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  lines.push(line(header), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.map(line));
  lines.push(
    `p50/p99: as the load generator saw them (waiting in line included); server p50/p99: from reading the request to answering it (fastify's responseTime)`,
    `requests: ${report.requests} (${(report.requests / report.duration).toFixed(0)}/s); the server(s) used ${(cpuTotal * 1000 / Math.max(1, report.requests)).toFixed(1)} ms of CPU per request (workers included)`,
    `orders: ${report.orders.accepted} accepted (+ ${report.orders.inFlight} taken while the load stopped, unanswered) → ${report.orders.active} active, ${report.orders.withOpenTask} with an open task; workers drained in ${report.drainSeconds.toFixed(1)} s`,
    `renewals: ${report.renewals.accepted} accepted on ${report.renewals.licenses} licenses → ${report.renewals.charged} periods charged, ${report.renewals.upstreamRenewals} renewed upstream`,
    `processes: ${report.memory.map((m) => `${m.role} peak RSS ${m.peakRssMb.toFixed(0)} MB (at the end ${m.rssMb.toFixed(0)} MB), ${m.cpuSeconds.toFixed(1)} CPU s`).join('; ')}`,
    `machine: load average ${report.loadAverage.toFixed(1)} on ${report.cores} cores at the end (other work on the machine slows every number above)`,
    `errors: ${report.errors.length}${report.errors.length ? '' : ' ✓'}`,
    ...report.errors.map((e) => `  ${e}`),
    `lost writes: ${report.lostWrites.length}${report.lostWrites.length ? '' : ' ✓'}`,
    ...report.lostWrites.map((e) => `  ${e}`),
  );
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------

interface Child {
  role: string;
  url: string;
  process: ChildProcess;
  /** Lines the process logged at level error or above. */
  errorLines: string[];
  /** Each answered request while `timing` is on: "METHOD /path" and the server's own time (fastify's responseTime, ms). */
  served: Array<[string, number]>;
  /** Collect `served` while on (the load itself, not the set-up). */
  timing: { on: boolean };
  stop(): Promise<void>;
}

function percentile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]! : 0;
}

/** `total` split by weight (largest remainders), at least 1 each. */
function spread(total: number, weights: number[]): number[] {
  if (total < weights.length) throw new Error(`at least ${weights.length} connections are needed (one per process)`);
  const sum = weights.reduce((a, b) => a + b, 0);
  const spare = total - weights.length;
  const exact = weights.map((w) => (w / sum) * spare);
  const shares = exact.map((x) => 1 + Math.floor(x));
  let left = total - shares.reduce((a, b) => a + b, 0);
  const order = exact.map((x, i) => [x - Math.floor(x), i] as const).sort((a, b) => b[0] - a[0]);
  for (const [, i] of order) {
    if (left <= 0) break;
    shares[i]! += 1;
    left -= 1;
  }
  return shares;
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

function spawnCli(role: string, args: string[], env: Record<string, string>, ready: string): Promise<Child & { output: string[] }> {
  const output: string[] = [];
  const errorLines: string[] = [];
  const served: Array<[string, number]> = [];
  const started = new Map<string, string>();
  const timing = { on: false };
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let buffered = '';
  const logFile = process.env.LOAD_LOG_DIR ? fs.createWriteStream(path.join(process.env.LOAD_LOG_DIR, `${role.replace(/\W+/g, '-')}.log`)) : undefined;
  const collect = (d: Buffer) => {
    const text = d.toString();
    logFile?.write(text);
    output.push(text);
    if (output.length > 200) output.shift();
    buffered += text;
    const lines = buffered.split('\n');
    buffered = lines.pop()!;
    for (const line of lines) {
      if (/"level":(50|60)/.test(line)) errorLines.push(line);
      if (!timing.on || !line.includes('"reqId"')) continue;
      // fastify's request log (LOG_LEVEL=info): "incoming request" names the route, "request completed" its time.
      let entry: { reqId?: string; req?: { method?: string; url?: string }; responseTime?: number };
      try {
        entry = JSON.parse(line) as typeof entry;
      } catch {
        continue;
      }
      if (entry.req?.url && entry.reqId) started.set(entry.reqId, `${entry.req.method} ${entry.req.url}`);
      else if (entry.responseTime !== undefined && entry.reqId && started.has(entry.reqId)) {
        served.push([started.get(entry.reqId)!, entry.responseTime]);
        started.delete(entry.reqId);
      }
    }
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  };
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`${role} exited (${code}) before it was ready:\n${output.join('')}`));
    child.once('exit', onExit);
    const check = () => {
      if (output.join('').includes(ready)) {
        child.stdout!.off('data', check);
        child.off('exit', onExit);
        resolve({ role, url: '', process: child, errorLines, served, timing, stop, output });
      }
    };
    child.stdout!.on('data', check);
  });
}

async function startSandbox(): Promise<Child> {
  const port = await freePort();
  const child = await spawnCli('simulator', ['sandbox', '--port', String(port)], {}, 'listening on');
  return { ...child, url: `http://127.0.0.1:${port}` };
}

async function startBillrelay(database: TestDatabase, secretKey: string, role: string): Promise<Child> {
  const port = await freePort();
  const child = await spawnCli(role, ['start', '--port', String(port), '--host', '127.0.0.1'], {
    BILLRELAY_DATA_DIR: database.dataDir,
    ...(database.databaseUrl ? { DATABASE_URL: database.databaseUrl } : {}),
    BILLRELAY_SECRET_KEY: secretKey,
    BILLRELAY_ADMIN_EMAIL: ADMIN_EMAIL,
    BILLRELAY_ADMIN_PASSWORD: ADMIN_PASSWORD,
    BILLRELAY_DEFAULT_CURRENCY: 'EUR',
    BILLRELAY_WEB_DIR: path.join(database.dataDir, 'no-web'),
    // The scheduler's jobs (renewal scans, sync) are not part of this load; the worker runs as installed.
    BILLRELAY_SCHEDULER: 'off',
    // info: fastify's request log, read for each request's time inside the server (see served).
    LOG_LEVEL: 'info',
  }, 'is running on');
  return { ...child, url: `http://127.0.0.1:${port}` };
}

/** Peak and current resident set of a child process, from /proc (Linux). */
function memoryOf(child: Child): Omit<ProcessMemory, 'cpuSeconds'> {
  const status = fs.readFileSync(`/proc/${child.process.pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { role: child.role, peakRssMb: kb('VmHWM') / 1024, rssMb: kb('VmRSS') / 1024 };
}

/** User + system CPU time of a child process so far, from /proc/<pid>/stat (Linux). */
function cpuSecondsOf(child: Child): number {
  const stat = fs.readFileSync(`/proc/${child.process.pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 14 and 15 of stat (utime, stime), counted after the command name's closing parenthesis.
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function controller(url: string) {
  return async (method: string, route: string, body?: unknown): Promise<unknown> => {
    const res = await fetch(url + route, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    if (!res.ok) throw new Error(`simulator ${method} ${route}: ${res.status} ${await res.text()}`);
    return res.json();
  };
}

async function login(server: string, email: string, password: string): Promise<Session> {
  const res = await fetch(`${server}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
  const body = (await res.json()) as { csrfToken?: string; user?: { id: number } };
  if (res.status !== 200 || !body.csrfToken) throw new Error(`login as ${email}: ${res.status} ${JSON.stringify(body)}`);
  const cookie = res.headers.getSetCookie().map((line) => line.split(';')[0]!).join('; ');
  return { id: body.user?.id ?? 0, cookie, csrf: body.csrfToken };
}

async function call(server: string, session: Session, method: string, route: string, body: unknown, expected: number): Promise<any> {
  const res = await fetch(server + route, {
    method,
    headers: { cookie: session.cookie, 'x-csrf-token': session.csrf, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status !== expected) throw new Error(`${method} ${route}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

async function licenseIds(db: DbHandle): Promise<Set<number>> {
  return new Set((await db.kysely.selectFrom('licenses').select('id').execute()).map((r) => Number(r.id)));
}

async function until(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
