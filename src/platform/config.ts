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
  logLevel: string;
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
    logLevel: env.LOG_LEVEL ?? 'info',
    webDir: path.resolve(env.BILLRELAY_WEB_DIR ?? 'dist/web'),
  };
}
