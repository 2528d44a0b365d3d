// `billrelay demo` (npm run demo): a shop to look at in one command. The upstream simulator and billrelay
// on the embedded database in a throwaway data directory, filled through the same HTTP API the web UI
// uses: the module connected to the simulator's demo account, lite/pro/host imported with a markup, and
// a client with a balance and licenses in several states. Ctrl-C stops both and deletes the directory.
//
// The shop opened twenty days ago: billrelay and the simulator share one clock that starts twenty
// days back, so the license ordered then (monthly) really expires in ten days, in both systems; then the
// clock catches up with today and the rest is ordered now.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Command } from 'commander';
import { createBillrelay, type Billrelay } from '../app.js';
import type { Clock } from '../platform/clock.js';
import { loadConfig } from '../platform/config.js';
import { createLogger } from '../platform/logger.js';
import { DEMO_ACCOUNT, startSandbox, type Sandbox } from '../sandbox/index.js';

const DAY_MS = 86_400_000;
/** How long ago the shop opened (the expiring license was ordered then, for a month). */
const OPENED_DAYS_AGO = 20;
const STAFF_EMAIL = 'staff@example.com';
const CLIENT_EMAIL = 'client@example.com';

export function demoCommand(): Command {
  return new Command('demo')
    .description('A demo shop to look at: the upstream simulator and billrelay on a throwaway database, with a client and licenses (Ctrl-C stops it and deletes everything)')
    .option('-p, --port <port>', 'port of the web UI and API', '8080')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .action(async (opts: { port: string; host: string }) => {
      const port = Number(opts.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) {
        process.stderr.write(`billrelay: --port must be a port number, got "${opts.port}"\n`);
        process.exitCode = 1;
        return;
      }
      await runDemo({ port, host: opts.host });
    });
}

/** The system time moved by an offset: the demo's past, then today. */
class ShiftedClock implements Clock {
  constructor(private offsetMs: number) {}
  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }
  catchUp(): void {
    this.offsetMs = 0;
  }
}

export interface DemoOptions {
  port: number;
  host: string;
}

export async function runDemo(options: DemoOptions): Promise<void> {
  const say = (line = '') => process.stdout.write(`${line}\n`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'billrelay-demo-'));
  let sandbox: Sandbox | undefined;
  let billrelay: Billrelay | undefined;
  let stopping: Promise<void> | undefined;
  const stop = (code: number) =>
    (stopping ??= (async () => {
      await billrelay?.close().catch((error: unknown) => process.stderr.write(`billrelay: closing: ${String(error)}\n`));
      await sandbox?.close().catch(() => {});
      fs.rmSync(dir, { recursive: true, force: true });
      say(`\nbillrelay demo stopped; ${dir} deleted.`);
      process.exit(code);
    })());
  // `on`, not `once`: a Ctrl-C under npm or tsx arrives more than once (the terminal signals the whole
  // process group and the parents pass it on); a second one must not kill the demo before it cleaned up.
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));

  try {
    const clock = new ShiftedClock(-OPENED_DAYS_AGO * DAY_MS);
    say('Starting the upstream simulator…');
    sandbox = await startSandbox({ now: () => clock.now() });
    const metricsToken = randomBytes(18).toString('base64url');
    const config = loadConfig({
      PORT: String(options.port),
      HOST: options.host,
      BILLRELAY_DATA_DIR: path.join(dir, 'data'),
      BILLRELAY_ADMIN_EMAIL: STAFF_EMAIL,
      BILLRELAY_METRICS_TOKEN: metricsToken,
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
      ...(process.env.BILLRELAY_WEB_DIR ? { BILLRELAY_WEB_DIR: process.env.BILLRELAY_WEB_DIR } : {}),
    });
    say(`Starting billrelay on a throwaway SQLite database in ${dir}…`);
    billrelay = await createBillrelay({ config, clock, logger: createLogger(config.logLevel) });
    const staffPassword = billrelay.firstAdmin?.generatedPassword;
    if (!staffPassword) throw new Error('the demo administrator was not created');
    await billrelay.app.listen({ port: config.port, host: config.host });
    const address = billrelay.app.server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    const local = `http://${config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;

    const clientPassword = randomBytes(12).toString('base64url');
    const shop = await fillShop({ url: local, sandbox, clock, staffPassword, clientPassword, say });
    const shown = local.replace('127.0.0.1', 'localhost');
    const built = fs.existsSync(path.join(config.webDir, 'index.html'));
    say();
    say(`billrelay demo shop: ${shown}/billmgr${built ? '' : '  (the web UI is not built: run `npm run demo`, or `npm run build` first; the API works)'}`);
    say(`  Staff login:   ${STAFF_EMAIL}  ${staffPassword}  (administrator)`);
    say(`  Client login:  ${CLIENT_EMAIL}  ${clientPassword}`);
    say(`  Licenses:      ${shop.summary}`);
    say(`  API docs:      ${shown}/api/docs`);
    say(`  Metrics:       curl -H 'Authorization: Bearer ${metricsToken}' ${shown}/metrics`);
    say(`  Upstream:      the simulator at ${sandbox.url} (account ${DEMO_ACCOUNT.username})`);
    say(`  Data:          ${dir} (deleted when the demo stops)`);
    say('Press Ctrl-C to stop.');
  } catch (error) {
    if (stopping) return;
    process.stderr.write(`billrelay demo: ${error instanceof Error ? error.message : String(error)}\n`);
    await stop(1);
  }
}

interface FillOptions {
  url: string;
  sandbox: Sandbox;
  clock: ShiftedClock;
  staffPassword: string;
  clientPassword: string;
  say: (line?: string) => void;
}

/** What a shop has after its first weeks, made through the public API (and the simulator's own controls). */
async function fillShop(o: FillOptions): Promise<{ summary: string }> {
  const staff = new Http(o.url);
  const step = async (what: string, pending: Promise<Answer>): Promise<any> => {
    const answer = await pending;
    if (answer.status !== 200 && answer.status !== 201) throw new Error(`${what}: ${answer.status} ${JSON.stringify(answer.body)}`);
    o.say(`  ${what}`);
    return answer.body;
  };
  o.say(`Filling the shop through the API (as of ${OPENED_DAYS_AGO} days ago)…`);
  await step('staff logged in', staff.post('/api/v1/auth/login', { email: STAFF_EMAIL, password: o.staffPassword }));
  const module = await step(
    'the processing module connected to the simulator',
    staff.post('/api/v1/processing-modules', {
      productType: 'licenses',
      moduleType: 'billmanager',
      connection: { url: o.sandbox.url, username: DEMO_ACCOUNT.username, password: DEMO_ACCOUNT.password },
      name: { en: 'ispmanager (simulator)', ru: 'ispmanager (симулятор)' },
      minimalBalance: '100',
    }),
  );
  const tariffs: Record<string, number> = {};
  for (const [edition, upstreamTariffId, markupPercent] of [['lite', '55227', '25'], ['pro', '55228', '20'], ['host', '55229', '20']] as const) {
    const imported = await step(`tariff ${edition} imported with a ${markupPercent}% markup`, staff.post('/api/v1/tariffs/import', { processingModuleId: module.id, upstreamTariffId, providerId: 1, markupPercent }));
    await staff.post(`/api/v1/tariffs/${imported.id}/enable`).then(expectOk(`enable ${edition}`));
    tariffs[edition] = imported.id;
  }
  const client = await step(
    `client ${CLIENT_EMAIL}`,
    staff.post('/api/v1/clients', { name: 'Demo Client', email: CLIENT_EMAIL, password: o.clientPassword, providerId: 1, language: 'en' }),
  );
  await step('a payment of 300.00', staff.post(`/api/v1/clients/${client.id}/payments`, { amount: '300.00', method: 'bank_transfer' }));

  const customer = new Http(o.url);
  await step('the client logged in', customer.post('/api/v1/auth/login', { email: CLIENT_EMAIL, password: o.clientPassword }));
  const order = (tariff: string, period: number, licenseName: string, ip: string, autoRenew = false) =>
    step(`license ${licenseName} ordered (${tariff}, ${period} month${period === 1 ? '' : 's'})`, customer.post('/api/v1/licenses', { tariffId: tariffs[tariff], period, licenseName, ip, autoRenew }));
  const statusOf = async (id: number) => (await staff.get(`/api/v1/licenses/${id}`)).body as { status: string; expiresAt: string | null };

  // Then: a monthly license, which expires in about ten days now.
  const expiring = await order('pro', 1, 'shop', '203.0.113.21');
  await until(`license shop to become active`, async () => (await statusOf(expiring.id)).status === 'active');

  // Now.
  o.clock.catchUp();
  // A session from twenty days ago has expired: log in again today.
  await step('staff logged in again (today)', staff.post('/api/v1/auth/login', { email: STAFF_EMAIL, password: o.staffPassword }));
  await step('the client logged in again (today)', customer.post('/api/v1/auth/login', { email: CLIENT_EMAIL, password: o.clientPassword }));

  const active = await order('lite', 12, 'web1', '203.0.113.20', true);
  await until('license web1 to become active', async () => (await statusOf(active.id)).status === 'active');

  const suspended = await order('host', 1, 'mail', '203.0.113.22');
  await until('license mail to become active', async () => (await statusOf(suspended.id)).status === 'active');
  await step('license mail suspended by staff', staff.post(`/api/v1/licenses/${suspended.id}/suspend`));
  await until('license mail to be suspended upstream', async () => (await statusOf(suspended.id)).status === 'suspended');

  // The simulator refuses the next purchase once: its operation waits for a person, with a task.
  o.sandbox.control.inject({ func: 'soft.order.param', fault: { error: { type: 'value', object: 'ip', msg: 'The IP address is not allowed' } }, count: 1 });
  const waiting = await order('lite', 1, 'test', '203.0.113.23');
  await until('a task for a person about license test', async () => {
    const tasks = (await staff.get(`/api/v1/tasks?status=open`)).body as { items?: Array<{ licenseId: number | null }> };
    return !!tasks.items?.some((t) => t.licenseId === waiting.id);
  });
  o.say('  license test waits for a person (Tools → Tasks)');

  // The balance after these purchases, as the dashboard shows it.
  await step('the upstream balance read again', staff.post(`/api/v1/processing-modules/${module.id}/check-balance`));

  const expiresAt = (await statusOf(expiring.id)).expiresAt;
  return { summary: `web1 active · shop expires ${expiresAt} · mail suspended · test waits for a person (a task)` };
}

function expectOk(what: string) {
  return (answer: Answer) => {
    if (answer.status !== 200 && answer.status !== 201) throw new Error(`${what}: ${answer.status} ${JSON.stringify(answer.body)}`);
  };
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

interface Answer {
  status: number;
  body: any;
}

/** The web UI's way of calling the API: a session cookie and the CSRF header on writes. */
class Http {
  private cookies = new Map<string, string>();
  private csrf: string | undefined;

  constructor(private readonly baseUrl: string) {}

  get(path: string): Promise<Answer> {
    return this.request('GET', path);
  }

  post(path: string, body: unknown = {}): Promise<Answer> {
    return this.request('POST', path, body);
  }

  private async request(method: string, path: string, body?: unknown): Promise<Answer> {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.cookies.size) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    if (this.csrf && method !== 'GET') headers['x-csrf-token'] = this.csrf;
    const res = await fetch(this.baseUrl + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    for (const line of res.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const eq = pair.indexOf('=');
      this.cookies.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
    }
    const text = await res.text();
    let parsed: any = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      /* not JSON */
    }
    if (res.ok && typeof parsed?.csrfToken === 'string') this.csrf = parsed.csrfToken;
    return { status: res.status, body: parsed };
  }
}
