// Starts a real billrelay (real database, real HTTP on loopback) for a test file. Every billrelay it
// starts is under the secret watch (secrets.ts): its log is captured at debug level, and when it
// closes no secret the file saw may be in that log, an error answer, the audit log or the metrics.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll } from 'vitest';
import { createBillrelay, type Billrelay } from '../../src/app.js';
import { ManualClock, type Clock } from '../../src/platform/clock.js';
import { loadConfig } from '../../src/platform/config.js';
import { createLogger } from '../../src/platform/logger.js';
import { createTestDatabase, type TestDatabase } from './database.js';
import { ApiClient } from './http.js';
import { checkFile, checkServer, noteSecret, watchServer, type WatchedServer } from './secrets.js';

// Registered when the file imports the harness, so it runs after every other afterAll of the file.
// Only under vitest: `npm run simulate` imports the harness as a plain script.
if (process.env.VITEST) afterAll(checkFile);

export const ADMIN_EMAIL = 'admin@example.test';
export const ADMIN_PASSWORD = 'admin-password-1';

export interface TestBillrelay {
  billrelay: Billrelay;
  database: TestDatabase;
  url: string;
  clock: Clock;
  /** Logged in as the first administrator (cookie session + CSRF). */
  admin: ApiClient;
  anonymous(): ApiClient;
  /** A new client logged in with the given credentials. */
  loginAs(email: string, password: string): Promise<ApiClient>;
  close(): Promise<void>;
}

export interface StartOptions {
  clock?: Clock;
  env?: Record<string, string>;
  /** Also collects every log line here (the log is captured at debug level anyway, for the secret watch). */
  logSink?: string[];
  /** A database made beforehand (e.g. copied from a migrated template); dropped on close as one made here. */
  database?: TestDatabase;
}

export async function startBillrelay(options: StartOptions = {}): Promise<TestBillrelay> {
  const database = options.database ?? (await createTestDatabase());
  const config = loadConfig({
    BILLRELAY_DATA_DIR: database.dataDir,
    ...(database.databaseUrl ? { DATABASE_URL: database.databaseUrl } : {}),
    BILLRELAY_ADMIN_EMAIL: ADMIN_EMAIL,
    BILLRELAY_ADMIN_PASSWORD: ADMIN_PASSWORD,
    BILLRELAY_WEB_DIR: `${database.dataDir}/no-web`,
    // Everything is logged (into memory, for the secret watch); warnings and errors still reach stdout.
    LOG_LEVEL: 'debug',
    // The in-process worker looks for work often and reads new keys quickly, so orders complete well within a second or two.
    BILLRELAY_WORKER_POLL_MS: '50',
    BILLRELAY_KEY_POLL_MS: '20',
    // Scheduled jobs run when a test ticks them (billrelay.scheduler.tick() on its ManualClock), not on a timer.
    BILLRELAY_SCHEDULER: 'off',
    // The secret watch reads every server's metrics at the end (a test may unset it with '').
    BILLRELAY_METRICS_TOKEN: METRICS_TOKEN,
    ...options.env,
  });
  const sink = options.logSink;
  const logLines: string[] = [];
  const logger = createLogger(config.logLevel, {
    write(line: string) {
      logLines.push(line);
      sink?.push(line);
      // pino writes `{"level":NN,…`: 40 and up (warn, error, fatal) are shown as before.
      if (line.charCodeAt(9) >= 52 /* '4' */ && line.startsWith('{"level":')) process.stdout.write(line);
      return true;
    },
  } as unknown as NodeJS.WritableStream);
  noteSecret(ADMIN_PASSWORD, 'the first administrator\'s password');
  const clock = options.clock ?? new ManualClock(new Date());
  const billrelay = await createBillrelay({ config, clock, logger });
  await billrelay.app.listen({ port: 0, host: '127.0.0.1' });
  const address = billrelay.app.server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const watched = watchServer(url);
  watched.log.texts = logLines;
  const admin = new ApiClient(url);
  const login = await admin.login(ADMIN_EMAIL, ADMIN_PASSWORD);
  if (login.status !== 200) throw new Error(`admin login failed: ${JSON.stringify(login.body)}`);
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    try {
      await readAuditAndMetrics(billrelay, url, config.metricsToken, watched);
      await billrelay.close();
      checkServer(watched);
    } finally {
      await database.drop();
    }
  };
  return {
    billrelay,
    database,
    url,
    clock,
    admin,
    anonymous: () => new ApiClient(url),
    async loginAs(email, password) {
      const c = new ApiClient(url);
      const answer = await c.login(email, password);
      if (answer.status !== 200) throw new Error(`login as ${email} failed: ${answer.status} ${JSON.stringify(answer.body)}`);
      return c;
    },
    close,
  };
}

/**
 * What the secret watch searches besides the log and the error answers: the whole audit log (straight
 * from the database, every row), and the metrics when the server serves them (GET /metrics with the
 * metrics token; a server without one answers 404 and is skipped). A test that closed the billrelay
 * itself (a crash) leaves no database to read: its audit log is not searched.
 */
async function readAuditAndMetrics(billrelay: Billrelay, url: string, metricsToken: string | undefined, watched: WatchedServer): Promise<void> {
  try {
    const rows = await billrelay.db.kysely.selectFrom('auditLog').selectAll().execute();
    watched.audit.texts = rows.map((row) => JSON.stringify(row));
  } catch {
    /* closed already */
  }
  try {
    const reader = new ApiClient(url).unwatched();
    if (metricsToken) reader.bearer = metricsToken;
    const metrics = await reader.get(METRICS_PATH, { accept: 'text/plain' });
    if (metrics.status === 200) watched.metrics.texts = [typeof metrics.body === 'string' ? metrics.body : JSON.stringify(metrics.body)];
  } catch {
    /* not listening any more */
  }
}

/** Where the server's metrics are; read with the token every test server gets (404 without one: skipped). */
export const METRICS_PATH = '/metrics';
const METRICS_TOKEN = `metrics-${randomBytes(12).toString('hex')}`;

/** startBillrelay for a whole test file (started in beforeAll, closed in afterAll). */
export function useBillrelay(options: StartOptions = {}): () => TestBillrelay {
  let instance: TestBillrelay | undefined;
  beforeAll(async () => {
    instance = await startBillrelay(options);
  });
  afterAll(async () => {
    await instance?.close();
  });
  return () => {
    if (!instance) throw new Error('billrelay is not started: use the getter inside tests or hooks');
    return instance;
  };
}
