// Starts a real billrelay (real database, real HTTP on loopback) for a test file.
import { afterAll, beforeAll } from 'vitest';
import { createBillrelay, type Billrelay } from '../../src/app.js';
import { ManualClock, type Clock } from '../../src/platform/clock.js';
import { loadConfig } from '../../src/platform/config.js';
import { createLogger } from '../../src/platform/logger.js';
import { createTestDatabase, type TestDatabase } from './database.js';
import { ApiClient } from './http.js';

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
  /** Collects every log line, e.g. to prove secrets never reach them. */
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
    LOG_LEVEL: options.logSink ? 'debug' : 'warn',
    // The in-process worker looks for work often and reads new keys quickly, so orders complete well within a second or two.
    BILLRELAY_WORKER_POLL_MS: '50',
    BILLRELAY_KEY_POLL_MS: '20',
    // Scheduled jobs run when a test ticks them (billrelay.scheduler.tick() on its ManualClock), not on a timer.
    BILLRELAY_SCHEDULER: 'off',
    ...options.env,
  });
  const sink = options.logSink;
  const logger = createLogger(config.logLevel, sink ? { write: (line: string) => void sink.push(line) } as unknown as NodeJS.WritableStream : undefined);
  const clock = options.clock ?? new ManualClock(new Date());
  const billrelay = await createBillrelay({ config, clock, logger });
  await billrelay.app.listen({ port: 0, host: '127.0.0.1' });
  const address = billrelay.app.server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const admin = new ApiClient(url);
  const login = await admin.login(ADMIN_EMAIL, ADMIN_PASSWORD);
  if (login.status !== 200) throw new Error(`admin login failed: ${JSON.stringify(login.body)}`);
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await billrelay.close();
    await database.drop();
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
