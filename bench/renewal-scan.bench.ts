// The scheduler's auto-renewal scan over 100,000 and then 1,000,000 licenses on SQLite (a few of them
// due, the rest renewing later), with the time and the peak memory of each scan. The scan streams in
// keyset pages, so its peak heap should not grow with the table: the ratio of the two peaks is the
// headline number (1.0 = perfectly flat; a scan that loaded every row would land near 0.1).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import SqliteDatabase from 'better-sqlite3';
import { createBillrelay, sqliteFileOf } from '../src/app.js';
import { ManualClock } from '../src/platform/clock.js';
import { loadConfig } from '../src/platform/config.js';
import { ModuleBalances } from '../src/tools/scheduler/module-balance.js';
import { Renewals, type RenewalRun } from '../src/tools/scheduler/renewals.js';
import { addDays } from '../src/platform/dates.js';
import { result, sized, type BenchResult } from './lib.js';

const SMALL = sized(process.env.BENCH_RENEWAL_SMALL, 100_000, 2_000);
const LARGE = sized(process.env.BENCH_RENEWAL_LARGE, 1_000_000, 20_000);
/** Licenses due for renewal in each batch of inserted rows. */
const DUE_PER_BATCH = 10;
const PAGE_SIZE = 500;
const TODAY = '2026-11-25';
const MB = 1024 * 1024;

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

interface ScanMeasure {
  rows: number;
  ms: number;
  baseHeap: number;
  peakHeap: number;
  peakRss: number;
  run: RenewalRun;
}

export default async function renewalScan(): Promise<BenchResult[]> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'billrelay-bench-renewals-'));
  const config = loadConfig({
    BILLRELAY_DATA_DIR: dataDir,
    BILLRELAY_WEB_DIR: path.join(dataDir, 'no-web'),
    BILLRELAY_SCHEDULER: 'off',
    BILLRELAY_WORKER: 'off',
    LOG_LEVEL: 'warn',
  });
  const clock = new ManualClock(`${TODAY}T10:00:00Z`);
  const billrelay = await createBillrelay({ config, clock });
  const raw = new SqliteDatabase(sqliteFileOf(config));
  try {
    const { clientId, tariffId, moduleId } = await seedOwners(billrelay.db.kysely);
    const { services, db } = billrelay;
    let sampled = { heap: 0, rss: 0 };
    const onPage = () => {
      const m = process.memoryUsage();
      sampled = { heap: Math.max(sampled.heap, m.heapUsed), rss: Math.max(sampled.rss, m.rss) };
    };
    const balances = new ModuleBalances(db, services.processingModules, services.tasks, clock);
    // The scheduler's own settings: renew 3 days ahead, pages of 500.
    const renewals = new Renewals(db, clock, services.lifecycle, balances, { daysBefore: 3, pageSize: PAGE_SIZE, checkBalances: false, onPage });
    // Every license within the horizon, all on a module whose upstream balance is too low: the scan walks
    // the whole table page by page (each page looked up and skipped), the worst case for memory.
    const everything = new Renewals(db, clock, services.lifecycle, balances, { daysBefore: 400, pageSize: PAGE_SIZE, checkBalances: false, onPage });
    const setModuleBalance = (minor: bigint) => db.kysely.updateTable('processingModules').set({ balanceMinor: minor }).where('id', '=', moduleId).execute();

    const scan = async (rows: number, job: Renewals = renewals): Promise<ScanMeasure> => {
      gc();
      const base = process.memoryUsage();
      sampled = { heap: base.heapUsed, rss: base.rss };
      const timer = setInterval(() => {
        const m = process.memoryUsage();
        sampled = { heap: Math.max(sampled.heap, m.heapUsed), rss: Math.max(sampled.rss, m.rss) };
      }, 5);
      const started = performance.now();
      const run = await job.run();
      const ms = performance.now() - started;
      clearInterval(timer);
      return { rows, ms, baseHeap: base.heapUsed, peakHeap: sampled.heap, peakRss: sampled.rss, run };
    };

    const insertStarted = performance.now();
    bulkInsert(raw, clientId, tariffId, moduleId, 0, SMALL);
    const smallInsertMs = performance.now() - insertStarted;
    await scan(SMALL); // warm-up: JIT, statement caches; also renews the first batch's due licenses
    const small = await scan(SMALL);
    await setModuleBalance(10_00n);
    await scan(SMALL, everything);
    const smallAll = await scan(SMALL, everything);
    await setModuleBalance(1000_00n);

    const largeInsertStarted = performance.now();
    bulkInsert(raw, clientId, tariffId, moduleId, SMALL, LARGE - SMALL);
    const largeInsertMs = performance.now() - largeInsertStarted;
    await scan(LARGE);
    const large = await scan(LARGE);
    await setModuleBalance(10_00n);
    const largeAll = await scan(LARGE, everything);
    await setModuleBalance(1000_00n);

    const perSecond = (m: ScanMeasure) => (m.rows / m.ms) * 1000;
    const describe = (m: ScanMeasure) =>
      `${m.rows.toLocaleString('en')} licenses: scan ${m.ms.toFixed(0)} ms, heap before ${(m.baseHeap / MB).toFixed(1)} MB, ` +
      `peak ${(m.peakHeap / MB).toFixed(1)} MB (+${((m.peakHeap - m.baseHeap) / MB).toFixed(1)} MB), peak rss ${(m.peakRss / MB).toFixed(0)} MB`;
    const notes = [
      `a few due: ${describe(small)}`,
      `a few due: ${describe(large)}`,
      `all in the horizon, held: ${describe(smallAll)}`,
      `all in the horizon, held: ${describe(largeAll)}`,
      `inserted ${SMALL.toLocaleString('en')} rows in ${(smallInsertMs / 1000).toFixed(1)} s, ${(LARGE - SMALL).toLocaleString('en')} more in ${(largeInsertMs / 1000).toFixed(1)} s; ` +
        `${DUE_PER_BATCH} due per batch, pages of ${PAGE_SIZE}`,
      `last runs: ${[small, large, smallAll, largeAll].map((m) => JSON.stringify(m.run)).join(' / ')}`,
    ];
    const flat = smallAll.peakHeap / largeAll.peakHeap;
    console.log(
      `\n  renewal scan walking every row: peak heap ${(smallAll.peakHeap / MB).toFixed(1)} MB at ${SMALL.toLocaleString('en')} vs ` +
        `${(largeAll.peakHeap / MB).toFixed(1)} MB at ${LARGE.toLocaleString('en')}: ratio ${flat.toFixed(2)}, memory is ${flat >= 0.8 ? 'flat' : 'NOT flat'} as the count grows; ` +
        `a few due: ${small.ms.toFixed(0)} ms at ${SMALL.toLocaleString('en')}, ${large.ms.toFixed(0)} ms at ${LARGE.toLocaleString('en')}`,
    );
    return [
      result({
        name: 'renewal scan peak heap, whole table (small ÷ large)',
        unit: 'MB',
        value: smallAll.peakHeap / MB,
        baseline: largeAll.peakHeap / MB,
        baselineLabel: 'large',
        target: 0.8,
        notes,
      }),
      result({
        name: 'renewal scan throughput, whole table (large vs small)',
        unit: 'rows/s',
        value: perSecond(largeAll),
        baseline: perSecond(smallAll),
        baselineLabel: 'small',
        target: 0.5,
        notes: [
          `${(largeAll.ms / 1000).toFixed(2)} s for ${LARGE.toLocaleString('en')} licenses, ${(smallAll.ms / 1000).toFixed(2)} s for ${SMALL.toLocaleString('en')}`,
          `a few due (the daily case, index range): ${large.ms.toFixed(0)} ms at ${LARGE.toLocaleString('en')}, ${small.ms.toFixed(0)} ms at ${SMALL.toLocaleString('en')}`,
        ],
      }),
    ];
  } finally {
    raw.close();
    await billrelay.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/** A client with money for the few renewals, and a tariff with a 1-month period at 7.20. */
async function seedOwners(db: Awaited<ReturnType<typeof createBillrelay>>['db']['kysely']) {
  const now = `${TODAY}T10:00:00.000Z`;
  const provider = await db.selectFrom('providers').select(['id', 'currency']).orderBy('id').executeTakeFirstOrThrow();
  const client = await db
    .insertInto('clients')
    .values({
      providerId: provider.id, email: 'bench-client@example.test', name: 'Bench', passwordHash: 'x', language: 'en', country: null,
      enabled: 1, currency: provider.currency, balanceMinor: 1_000_000_00n, creditLimitMinor: 0n, createdAt: now, updatedAt: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const tariff = await db
    .insertInto('tariffs')
    .values({
      providerId: provider.id, productType: 'licenses', name: '{"en":"ispmanager 6 lite"}', upstreamTariffId: '55227', upstreamName: 'ispmanager 6 lite',
      currency: provider.currency, status: 'enabled', sort: 1, lastSyncedAt: null, createdAt: now, updatedAt: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db.insertInto('tariffPeriods').values({ tariffId: tariff.id, period: 1, priceMinor: 720n, upstreamPeriod: 1, enabled: 1 }).execute();
  const module = await db
    .insertInto('processingModules')
    .values({
      productType: 'licenses', moduleType: 'billmanager', name: '{"en":"bench"}', datacenterId: null, departmentId: null, sort: 1, enabled: 1,
      operationLimit: null, connection: 'null', passwordSealed: null, currency: 'EUR', minimalBalanceMinor: 100_00n, balanceMinor: 1000_00n,
      balanceCheckedAt: now, lastError: null, lastErrorCode: null, lastErrorAt: null, createdAt: now, updatedAt: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { clientId: Number(client.id), tariffId: Number(tariff.id), moduleId: Number(module.id) };
}

/** Rows straight into SQLite in one transaction: a few due in three days, the rest later or not auto-renewed. */
function bulkInsert(raw: SqliteDatabase.Database, clientId: number, tariffId: number, moduleId: number, offset: number, count: number): void {
  const insert = raw.prepare(
    `insert into licenses (client_id, tariff_id, period, is_trial, license_name, ip, auto_renew, datacenter_id, status, license_key,
       upstream_id, remote_id, module_id, expires_on, price_minor, currency, suspended_at, deleted_at, created_at, updated_at)
     values (?, ?, 1, 0, ?, ?, ?, null, ?, ?, ?, ?, ?, ?, 720, 'EUR', null, null, ?, ?)`,
  );
  const now = `${TODAY}T10:00:00.000Z`;
  const dueEvery = Math.max(1, Math.floor(count / DUE_PER_BATCH));
  raw.transaction(() => {
    for (let i = 0; i < count; i++) {
      const n = offset + i;
      const due = i % dueEvery === 0 && Math.floor(i / dueEvery) < DUE_PER_BATCH;
      const expiresOn = due ? addDays(TODAY, 2) : addDays(TODAY, 30 + (n % 365));
      const ip = `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
      insert.run(clientId, tariffId, `web${n}`, ip, due || n % 3 !== 0 ? 1 : 0, n % 50 === 0 ? 'suspended' : 'active', `KEY-${n}`, String(5_000_000 + n), `brb${n}`, moduleId, expiresOn, now, now);
    }
  })();
}
