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
  };
}

function positiveInt(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive whole number, got "${raw}"`);
  return value;
}
