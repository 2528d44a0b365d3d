// What the list benchmarks share: billrelay with a temporary SQLite file, a cookie login as the web UI
// does it, a bare fastify route beside it, and the side-by-side comparison of the two.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import Fastify, { type FastifyInstance } from 'fastify';
import { createBillrelay, sqliteFileOf } from '../src/app.js';
import { loadConfig } from '../src/platform/config.js';
import { compare, quick, result, settings, type BenchResult } from './lib.js';

export const ADMIN_EMAIL = 'bench@example.test';
export const ADMIN_PASSWORD = 'bench-password-1';

export interface ListSetup {
  /** billrelay's list URL and the headers it needs. */
  app: { url: string; headers: Record<string, string> };
  bare: { url: string };
  close(): Promise<void>;
}

export interface ListContext {
  billrelay: Awaited<ReturnType<typeof createBillrelay>>;
  appUrl: string;
  /** The same SQLite file, read-only, for the bare route's statement. */
  sqlite: SqliteDatabase.Database;
  bare: FastifyInstance;
}

/**
 * Starts billrelay and the bare server, lets `prepare` fill the database and declare the bare route,
 * and checks both answer with `rows` rows.
 */
export async function listSetup(
  rows: number,
  prepare: (ctx: ListContext) => Promise<{ appPath: string; headers: Record<string, string>; barePath: string }>,
): Promise<ListSetup> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'billrelay-bench-'));
  const config = loadConfig({
    BILLRELAY_DATA_DIR: dataDir,
    BILLRELAY_ADMIN_EMAIL: ADMIN_EMAIL,
    BILLRELAY_ADMIN_PASSWORD: ADMIN_PASSWORD,
    BILLRELAY_WEB_DIR: path.join(dataDir, 'no-web'),
    BILLRELAY_WORKER: 'off',
    BILLRELAY_SCHEDULER: 'off',
    LOG_LEVEL: 'warn',
  });
  const billrelay = await createBillrelay({ config });
  const bare = Fastify({ logger: false });
  let sqlite: SqliteDatabase.Database | undefined;
  const close = async () => {
    await bare.close();
    sqlite?.close();
    await billrelay.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    const appUrl = await billrelay.app.listen({ port: 0, host: '127.0.0.1' });
    sqlite = new SqliteDatabase(sqliteFileOf(config), { readonly: true });
    const { appPath, headers, barePath } = await prepare({ billrelay, appUrl, sqlite, bare });
    const bareUrl = await bare.listen({ port: 0, host: '127.0.0.1' });
    const appItems = (await call(appUrl, 'GET', appPath, headers)).items as unknown[];
    const bareItems = (await call(bareUrl, 'GET', barePath, {})).items as unknown[];
    if (appItems.length !== rows || bareItems.length !== rows) {
      throw new Error(`expected ${rows} rows from both, got ${appItems.length} and ${bareItems.length}`);
    }
    return { app: { url: appUrl + appPath, headers }, bare: { url: bareUrl + barePath }, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** billrelay's list against the bare route, in alternating pairs; the ratio is the median of the pairs' ratios. */
export async function listBench(name: string, s: ListSetup, target: number): Promise<BenchResult> {
  try {
    // Three times the pairs at a third of the length: the same time in all, more pairs to take the median of.
    const pairs = quick ? 1 : settings.rounds * 3;
    const m = await compare({ ...s.app, duration: settings.duration / 3 }, { ...s.bare, duration: settings.duration / 3 }, pairs);
    return result({
      name,
      unit: 'req/s',
      value: m.a,
      baseline: m.b,
      ratio: m.ratio,
      target,
      notes: [
        `samples billrelay ${m.samplesA.map(Math.round).join(', ')}; bare ${m.samplesB.map(Math.round).join(', ')}`,
        `ratio = median of the ${pairs} side-by-side ratios ${m.samplesA.map((x, i) => (x / m.samplesB[i]!).toFixed(2)).join(', ')}`,
      ],
    });
  } finally {
    await s.close();
  }
}

/** Logs in as the web UI does: the session cookie (and the CSRF token, which reads do not need). */
export async function cookieLogin(baseUrl: string, email: string, password: string): Promise<{ cookie: string; csrfToken: string }> {
  const res = await fetch(`${baseUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  if (res.status !== 200) throw new Error(`login: ${res.status} ${await res.text()}`);
  const { csrfToken } = (await res.json()) as { csrfToken: string };
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  return { cookie, csrfToken };
}

export async function call(baseUrl: string, method: string, url: string, headers: Record<string, string>, body?: unknown) {
  const res = await fetch(baseUrl + url, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${text}`);
  return JSON.parse(text) as Record<string, unknown>;
}
