import path from 'node:path';

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  /** PostgreSQL connection string; absent means the embedded SQLite database under dataDir. */
  databaseUrl?: string;
  adminEmail?: string;
  adminPassword?: string;
  secretKey?: string;
  /** Keys still accepted for reading while secrets are re-encrypted (comma-separated). */
  previousSecretKeys?: string;
  upstreamConnectTimeoutMs: number;
  upstreamReadTimeoutMs: number;
  logLevel: string;
  /** Currency of the default provider created on the first start. */
  defaultCurrency?: string;
  /** Serve the built web UI from here. */
  webDir: string;
  /**
   * Reverse proxies whose X-Forwarded-For / X-Forwarded-Proto are believed (fastify's trustProxy):
   * addresses or CIDRs, a number of hops, or true for any. false: none, the peer is the client.
   */
  trustProxy: boolean | number | string[];
  /** The running-operations worker: see src/tools/operations/. */
  worker: WorkerConfig;
  /** Scheduled jobs (renewals, expiry, sync…): see src/tools/scheduler/. */
  scheduler: SchedulerConfig;
  /** Working hours until a task of each type is due (e.g. setup 4, drift 8). */
  taskHours: Record<string, number>;
  /** E-mail: see src/tools/messages/. */
  mail: MailConfig;
  /** BILLRELAY_ATTACHMENT_MAX_BYTES: the largest file attached to a support ticket (10 MB by default). */
  attachmentMaxBytes: number;
  /**
   * BILLRELAY_PUBLIC_URL: where people reach billrelay (https://billing.example.com), for the links in
   * e-mails (password reset, e-mail confirmation). Absent: the origin of the request that asked.
   */
  publicUrl?: string;
  /**
   * BILLRELAY_METRICS_TOKEN: GET /metrics answers a request carrying `Authorization: Bearer <token>`;
   * unset, /metrics is 404.
   */
  metricsToken?: string;
  /** BILLRELAY_STRIPE_API_URL: another address of Stripe's API (a local stub in tests); absent: Stripe's own. */
  stripeApiUrl?: string;
}

export interface MailConfig {
  /**
   * BILLRELAY_SMTP_URL: smtp://user:password@host:587 (STARTTLS when offered) or smtps://…:465. Holds
   * credentials: never logged, never shown. Absent: messages stay pending in the outbox, readable by staff.
   */
  smtpUrl?: string;
  /** BILLRELAY_MAIL_FROM: the sender address ("billing@example.com" or "Billing <billing@example.com>"). */
  from?: string;
  /** Attempts before a message that keeps failing goes to a person (failed). */
  maxAttempts: number;
  retryBaseMs: number;
  retryMaxMs: number;
  /** A claimed message's lease: found still sending after it, its outcome is unknown (see sender.ts). */
  leaseMs: number;
  pollMs: number;
}

export interface SchedulerConfig {
  /** false when BILLRELAY_SCHEDULER=off: this process never runs scheduled jobs (another one does). */
  enabled: boolean;
  /** How often the server looks for due jobs. */
  intervalMs: number;
  /** Auto-renewal starts this many days before expiry. */
  renewDaysBefore: number;
  /** A license suspended at expiry is closed this many days after it expired. */
  closeAfterDays: number;
  renewalsEveryMinutes: number;
  expiryEveryMinutes: number;
  syncEveryMinutes: number;
  /** How often tickets past their due time are looked for (the head of department is told once). */
  ticketOverdueEveryMinutes: number;
  /** Times of day (UTC, "HH:MM") of the upstream balance check. */
  balanceCheckAt: string[];
  /** Time of day (UTC) of the tariff sync. */
  tariffSyncAt: string[];
  /** Rows per keyset page when scanning licenses. */
  scanPageSize: number;
  /** Clients hear this many days before expiry that an auto-renewing license will be renewed (and whether their balance covers it). */
  renewalNoticeDays: number;
  /** How often open tasks are checked for being past their due time (their department's head is mailed once). */
  taskOverdueEveryMinutes: number;
}

/** Working hours per task type, unless BILLRELAY_TASK_HOURS says otherwise ("setup=4,drift=8"). */
export const DEFAULT_TASK_HOURS: Readonly<Record<string, number>> = {
  setup: 4, renew: 4, change: 8, suspend: 8, resume: 4, delete: 8, low_balance: 2, drift: 8, payment: 8,
};

export interface WorkerConfig {
  /** false when BILLRELAY_WORKER=off: this process runs no operations (a `billrelay worker` does). */
  enabled: boolean;
  /** How often an idle worker looks for due operations. */
  pollMs: number;
  /** Operations one worker runs at once (each module's operation limit applies on top). */
  concurrency: number;
  /** A claimed operation's lease; renewed while it runs, taken over by another worker once expired. */
  leaseMs: number;
  /** Attempts (since the last restart) before a transiently failing operation goes to a person. */
  maxAttempts: number;
  retryBaseMs: number;
  retryMaxMs: number;
  /** Reads of a new license's key per attempt, and the pause between them. */
  keyPolls: number;
  keyPollMs: number;
  /** When the key is still missing: the next attempt after this long. */
  keyWaitMs: number;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = Number(env.PORT ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`PORT must be a port number, got "${env.PORT}"`);
  }
  return {
    port,
    host: env.HOST ?? '0.0.0.0',
    dataDir: path.resolve(env.BILLRELAY_DATA_DIR ?? 'data'),
    databaseUrl: env.DATABASE_URL || undefined,
    adminEmail: env.BILLRELAY_ADMIN_EMAIL || undefined,
    adminPassword: env.BILLRELAY_ADMIN_PASSWORD || undefined,
    secretKey: env.BILLRELAY_SECRET_KEY || undefined,
    previousSecretKeys: env.BILLRELAY_PREVIOUS_SECRET_KEYS || undefined,
    upstreamConnectTimeoutMs: positiveInt(env, 'BILLRELAY_UPSTREAM_CONNECT_TIMEOUT_MS', 10_000),
    upstreamReadTimeoutMs: positiveInt(env, 'BILLRELAY_UPSTREAM_READ_TIMEOUT_MS', 30_000),
    logLevel: env.LOG_LEVEL ?? 'info',
    defaultCurrency: env.BILLRELAY_DEFAULT_CURRENCY || undefined,
    webDir: path.resolve(env.BILLRELAY_WEB_DIR ?? 'dist/web'),
    trustProxy: trustProxy(env.BILLRELAY_TRUST_PROXY),
    worker: {
      enabled: (env.BILLRELAY_WORKER ?? 'on').toLowerCase() !== 'off',
      pollMs: positiveInt(env, 'BILLRELAY_WORKER_POLL_MS', 1_000),
      concurrency: positiveInt(env, 'BILLRELAY_WORKER_CONCURRENCY', 32),
      leaseMs: positiveInt(env, 'BILLRELAY_OPERATION_LEASE_MS', 60_000),
      maxAttempts: positiveInt(env, 'BILLRELAY_OPERATION_MAX_ATTEMPTS', 8),
      retryBaseMs: positiveInt(env, 'BILLRELAY_OPERATION_RETRY_BASE_MS', 5_000),
      retryMaxMs: positiveInt(env, 'BILLRELAY_OPERATION_RETRY_MAX_MS', 3_600_000),
      keyPolls: positiveInt(env, 'BILLRELAY_KEY_POLLS', 5),
      keyPollMs: positiveInt(env, 'BILLRELAY_KEY_POLL_MS', 100),
      keyWaitMs: positiveInt(env, 'BILLRELAY_KEY_WAIT_MS', 30_000),
    },
    scheduler: {
      enabled: (env.BILLRELAY_SCHEDULER ?? 'on').toLowerCase() !== 'off',
      intervalMs: positiveInt(env, 'BILLRELAY_SCHEDULER_INTERVAL_MS', 60_000),
      renewDaysBefore: positiveInt(env, 'BILLRELAY_RENEW_DAYS_BEFORE', 3),
      closeAfterDays: positiveInt(env, 'BILLRELAY_CLOSE_AFTER_DAYS', 30),
      renewalsEveryMinutes: positiveInt(env, 'BILLRELAY_RENEWALS_EVERY_MINUTES', 60),
      expiryEveryMinutes: positiveInt(env, 'BILLRELAY_EXPIRY_EVERY_MINUTES', 1440),
      syncEveryMinutes: positiveInt(env, 'BILLRELAY_SYNC_EVERY_MINUTES', 60),
      ticketOverdueEveryMinutes: positiveInt(env, 'BILLRELAY_TICKET_OVERDUE_EVERY_MINUTES', 5),
      balanceCheckAt: timesOfDay(env, 'BILLRELAY_BALANCE_CHECK_AT', ['06:00', '18:00']),
      tariffSyncAt: timesOfDay(env, 'BILLRELAY_TARIFF_SYNC_AT', ['03:00']),
      scanPageSize: positiveInt(env, 'BILLRELAY_SCAN_PAGE_SIZE', 500),
      renewalNoticeDays: positiveInt(env, 'BILLRELAY_RENEWAL_NOTICE_DAYS', 7),
      taskOverdueEveryMinutes: positiveInt(env, 'BILLRELAY_TASK_OVERDUE_EVERY_MINUTES', 15),
    },
    taskHours: taskHours(env),
    attachmentMaxBytes: positiveInt(env, 'BILLRELAY_ATTACHMENT_MAX_BYTES', 10 * 1024 * 1024),
    publicUrl: publicUrl(env.BILLRELAY_PUBLIC_URL),
    metricsToken: env.BILLRELAY_METRICS_TOKEN?.trim() || undefined,
    stripeApiUrl: env.BILLRELAY_STRIPE_API_URL?.trim() || undefined,
    mail: {
      smtpUrl: smtpUrl(env.BILLRELAY_SMTP_URL, env.BILLRELAY_MAIL_FROM),
      from: env.BILLRELAY_MAIL_FROM?.trim() || undefined,
      maxAttempts: positiveInt(env, 'BILLRELAY_MAIL_MAX_ATTEMPTS', 10),
      retryBaseMs: positiveInt(env, 'BILLRELAY_MAIL_RETRY_BASE_MS', 60_000),
      retryMaxMs: positiveInt(env, 'BILLRELAY_MAIL_RETRY_MAX_MS', 6 * 3_600_000),
      leaseMs: positiveInt(env, 'BILLRELAY_MAIL_LEASE_MS', 120_000),
      pollMs: positiveInt(env, 'BILLRELAY_MAIL_POLL_MS', 10_000),
    },
  };
}

/** smtp:// or smtps:// with a host; the error never repeats the value (it may hold a password). */
function smtpUrl(raw: string | undefined, from: string | undefined): string | undefined {
  const value = raw?.trim();
  if (!value) return undefined;
  if (!from?.trim()) throw new Error('BILLRELAY_MAIL_FROM (the sender address, e.g. "Billing <billing@example.com>") is needed with BILLRELAY_SMTP_URL');
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') || !url.hostname) {
    throw new Error('BILLRELAY_SMTP_URL must look like smtp://user:password@host:587 or smtps://user:password@host:465');
  }
  return value;
}

/** "10.0.0.1,192.168.0.0/16", "loopback", "2" (hops) or "true"; unset, "false" or "off": none. */
function trustProxy(raw: string | undefined): boolean | number | string[] {
  const value = raw?.trim() ?? '';
  if (!value || value === 'false' || value === 'off') return false;
  if (value === 'true') return true;
  if (/^\d+$/.test(value)) return Number(value);
  const entries = value.split(',').map((e) => e.trim()).filter(Boolean);
  const bad = entries.find((e) => !/^(loopback|linklocal|uniquelocal|[0-9a-fA-F:.]+(\/\d{1,3})?)$/.test(e));
  if (bad !== undefined) {
    throw new Error(`BILLRELAY_TRUST_PROXY must list the proxies' addresses or CIDRs (e.g. "10.0.0.1,192.168.0.0/16"), a number of hops, or true; got "${raw}"`);
  }
  return entries;
}

function timesOfDay(env: NodeJS.ProcessEnv, name: string, fallback: string[]): string[] {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const times = raw.split(',').map((t) => t.trim());
  for (const time of times) {
    if (!/^([01]\d|2[0-3]):[0-5]\d$/.test(time)) throw new Error(`${name} must list times of day such as "06:00,18:00", got "${raw}"`);
  }
  return times;
}

function taskHours(env: NodeJS.ProcessEnv): Record<string, number> {
  const hours = { ...DEFAULT_TASK_HOURS };
  const raw = env.BILLRELAY_TASK_HOURS;
  if (!raw?.trim()) return hours;
  for (const part of raw.split(',')) {
    const [type = '', value = ''] = part.split('=').map((x) => x.trim());
    const n = Number(value);
    if (!(type in DEFAULT_TASK_HOURS) || !Number.isFinite(n) || n <= 0) {
      throw new Error(`BILLRELAY_TASK_HOURS must look like "setup=4,drift=8" with types ${Object.keys(DEFAULT_TASK_HOURS).join(', ')}, got "${raw}"`);
    }
    hours[type] = n;
  }
  return hours;
}

function positiveInt(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive whole number, got "${raw}"`);
  return value;
}

function publicUrl(value: string | undefined): string | undefined {
  if (!value?.trim()) return undefined;
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw new Error(`BILLRELAY_PUBLIC_URL must be an http(s) URL such as https://billing.example.com, got "${value}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`BILLRELAY_PUBLIC_URL must be an http(s) URL such as https://billing.example.com, got "${value}"`);
  }
  return url.toString().replace(/\/+$/, '');
}
