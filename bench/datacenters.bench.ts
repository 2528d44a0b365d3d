// GET /api/v1/datacenters?perPage=50 through all of billrelay (bearer-token auth, locale negotiation,
// zod validation and serialization, Kysely, localized names) against a bare fastify route that returns
// the same 50 rows from the same SQLite file with one prepared better-sqlite3 statement.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import Fastify from 'fastify';
import { createBillrelay, sqliteFileOf } from '../src/app.js';
import { loadConfig } from '../src/platform/config.js';
import { compare, quick, result, settings, type BenchResult } from './lib.js';

const ROWS = 50;
const ADMIN_EMAIL = 'bench@example.test';
const ADMIN_PASSWORD = 'bench-password-1';

export interface DatacentersSetup {
  /** billrelay's list URL and the headers it needs. */
  app: { url: string; headers: Record<string, string> };
  bare: { url: string };
  close(): Promise<void>;
}

/** Starts billrelay with 50 data centers and an API token, and the bare route next to it. */
export async function setup(): Promise<DatacentersSetup> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'billrelay-bench-'));
  const config = loadConfig({
    BILLRELAY_DATA_DIR: dataDir,
    BILLRELAY_ADMIN_EMAIL: ADMIN_EMAIL,
    BILLRELAY_ADMIN_PASSWORD: ADMIN_PASSWORD,
    BILLRELAY_WEB_DIR: path.join(dataDir, 'no-web'),
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
    const token = await createToken(appUrl);
    const auth = { authorization: `Bearer ${token}` };
    for (let i = 1; i <= ROWS; i++) {
      await call(appUrl, 'POST', '/api/v1/datacenters', auth, {
        name: { en: `Data center ${i}`, ru: `Дата-центр ${i}` },
        externalId: `DC-${String(i).padStart(3, '0')}`,
      });
    }

    // The baseline: no auth, no validation, no ORM; the rows as SQLite returns them.
    sqlite = new SqliteDatabase(sqliteFileOf(config), { readonly: true });
    const list = sqlite.prepare(
      'select id, name, external_id as externalId, sort, created_at as createdAt, updated_at as updatedAt ' +
        'from datacenters order by sort, id limit ? offset ?',
    );
    bare.get('/datacenters', async () => ({ items: list.all(ROWS, 0) }));
    const bareUrl = await bare.listen({ port: 0, host: '127.0.0.1' });

    const path50 = `/api/v1/datacenters?perPage=${ROWS}`;
    const appItems = (await call(appUrl, 'GET', path50, auth)).items as unknown[];
    const bareItems = (await call(bareUrl, 'GET', '/datacenters', {})).items as unknown[];
    if (appItems.length !== ROWS || bareItems.length !== ROWS) {
      throw new Error(`expected ${ROWS} rows from both, got ${appItems.length} and ${bareItems.length}`);
    }
    return { app: { url: appUrl + path50, headers: auth }, bare: { url: `${bareUrl}/datacenters` }, close };
  } catch (error) {
    await close();
    throw error;
  }
}

export default async function datacentersList(): Promise<BenchResult> {
  const s = await setup();
  try {
    // Three times the pairs at a third of the length: the same time in all, more pairs to take the median of.
    const pairs = quick ? 1 : settings.rounds * 3;
    const m = await compare({ ...s.app, duration: settings.duration / 3 }, { ...s.bare, duration: settings.duration / 3 }, pairs);
    return result({
      name: 'datacenters list',
      unit: 'req/s',
      value: m.a,
      baseline: m.b,
      ratio: m.ratio,
      target: 0.6,
      notes: [
        `samples billrelay ${m.samplesA.map(Math.round).join(', ')}; bare ${m.samplesB.map(Math.round).join(', ')}`,
        `ratio = median of the ${pairs} side-by-side ratios ${m.samplesA.map((x, i) => (x / m.samplesB[i]!).toFixed(2)).join(', ')}`,
      ],
    });
  } finally {
    await s.close();
  }
}

/** Logs in with a cookie session and creates an API token, as an integrator would. */
async function createToken(baseUrl: string): Promise<string> {
  const res = await fetch(`${baseUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD }),
  });
  if (res.status !== 200) throw new Error(`login: ${res.status} ${await res.text()}`);
  const { csrfToken } = (await res.json()) as { csrfToken: string };
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  const created = await call(baseUrl, 'POST', '/api/v1/auth/tokens', { cookie, 'x-csrf-token': csrfToken }, { name: 'bench' });
  return created.token as string;
}

async function call(baseUrl: string, method: string, url: string, headers: Record<string, string>, body?: unknown) {
  const res = await fetch(baseUrl + url, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${text}`);
  return JSON.parse(text) as Record<string, unknown>;
}
