// Order → active: from the moment an order is committed to the commit that makes its license active,
// with the simulator answering at once and the key ready at the first read. What the upstream itself
// takes (the same order and key read through the same driver, nothing else) is measured in the same
// run and subtracted: the rest is billrelay's own time (waking the worker, claiming, storing). Target:
// a median under 50 ms beyond the upstream's own time, reported as budget / (median beyond it).
// SQLite by default; with BENCH_DATABASE_URL also PostgreSQL.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createBillrelay } from '../src/app.js';
import type { Actor } from '../src/platform/actor.js';
import { systemActor } from '../src/platform/actor.js';
import { loadConfig } from '../src/platform/config.js';
import { Money } from '../src/platform/money.js';
import { createLogger } from '../src/platform/logger.js';
import { createBillmanagerDriver } from '../src/integration/processing-modules/drivers/billmanager/driver.js';
import { startSandbox } from '../src/sandbox/index.js';
import { median, result, sized, type BenchResult } from './lib.js';

const ORDERS = sized(process.env.BENCH_ORDERS, 40, 3);
const BUDGET_MS = 50;

export default async function orderToActive(): Promise<BenchResult[]> {
  const databases: (string | undefined)[] = [undefined];
  if (process.env.BENCH_DATABASE_URL) databases.push(process.env.BENCH_DATABASE_URL);
  const out: BenchResult[] = [];
  for (const url of databases) out.push(await measure(url));
  return out;
}

async function measure(databaseUrl: string | undefined): Promise<BenchResult> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'billrelay-bench-order-'));
  const sandbox = await startSandbox({ keyDelay: { reads: 0, ms: 0 } });
  sandbox.control.upsertAccount({ username: 'bench', password: 'bench-password', balance: '100000000.00' });
  const config = loadConfig({
    BILLRELAY_DATA_DIR: dataDir,
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    BILLRELAY_ADMIN_EMAIL: 'admin@example.test',
    BILLRELAY_ADMIN_PASSWORD: 'Bench-admin-password-4711',
    BILLRELAY_DEFAULT_CURRENCY: 'EUR',
    BILLRELAY_WEB_DIR: path.join(dataDir, 'no-web'),
    // The worker as installed: default poll (1 s), default key pause; only the commit can wake it sooner.
    BILLRELAY_SCHEDULER: 'off',
  });
  const billrelay = await createBillrelay({ config, logger: createLogger('error') });
  try {
    const { services, db } = billrelay;
    const system = systemActor('bench');
    const connection = { url: sandbox.url, username: 'bench', password: 'bench-password' };
    const module = await services.processingModules.create(
      { productType: 'licenses', moduleType: 'billmanager', connection, name: { en: 'bench' }, minimalBalance: '0', operationLimit: 8 },
      system,
    );
    const tariff = await services.tariffs.import({ processingModuleId: module.id, upstreamTariffId: '55227', providerId: 1, productType: 'licenses', markupPercent: '20' }, system);
    await services.tariffs.setStatus(tariff.id, 'enabled', system);
    const client = await services.clients.create({ name: 'Bench', email: 'bench@example.test', password: 'Bench-client-password-4711', language: 'en', providerId: 1 }, system);
    await db.transaction((trx) => services.ledger.postIn(trx, { clientId: client.id, kind: 'payment', amount: Money.parse('100000.00', 'EUR'), reference: 'bench-topup' }, system));
    const staff: Actor = { kind: 'employee', id: 1, label: 'bench', isAdmin: true, locale: 'en' };

    const ours: number[] = [];
    for (let i = 0; i < ORDERS; i += 1) {
      const license = await services.licenses.order({ clientId: client.id, tariffId: tariff.id, period: 12, licenseName: `bench${i}`, ip: `198.51.100.${(i % 250) + 1}`, autoRenew: false }, staff);
      const committed = Date.now();
      const finished = await activeAt(db, license.id);
      ours.push(finished - committed);
    }

    // The upstream's own time for the same work: the order and the key read, through the same driver.
    const driver = createBillmanagerDriver({ ...connection, url: `${sandbox.url}/billmgr` });
    const upstreamOnly: number[] = [];
    for (let i = 0; i < ORDERS; i += 1) {
      const started = performance.now();
      const { upstreamId } = await driver.open({ tariffId: '55227', period: 12, ip: `203.0.113.${(i % 250) + 1}`, licenseName: `raw${i}`, remoteId: `raw${i}` });
      const read = await driver.getLicense(upstreamId);
      if (!read?.licenseKey) throw new Error('the upstream gave no key at the first read');
      upstreamOnly.push(performance.now() - started);
    }
    const beyond = Math.max(0, median(ours) - median(upstreamOnly));
    const f = (n: number) => n.toFixed(1);
    return result({
      name: `order → active (${databaseUrl ? 'PostgreSQL' : 'SQLite'})`,
      unit: 'ms',
      value: beyond,
      baseline: BUDGET_MS,
      baselineLabel: 'budget',
      // Within the budget is ≥ 1; a median twice the budget is 0.5.
      ratio: BUDGET_MS / Math.max(beyond, 1),
      target: 1,
      notes: [
        `median order → active ${f(median(ours))} ms; the upstream's own order + key read ${f(median(upstreamOnly))} ms; ${ORDERS} orders one after another`,
        `billrelay samples (ms) ${ours.map((n) => n.toFixed(0)).join(', ')}`,
      ],
    });
  } finally {
    await billrelay.close();
    await sandbox.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/** When the license's open operation finished (its final commit), read after the fact. */
async function activeAt(db: Awaited<ReturnType<typeof createBillrelay>>['db'], licenseId: number): Promise<number> {
  for (let i = 0; i < 2_000; i += 1) {
    const row = await db.kysely.selectFrom('operations').select(['status', 'finishedAt']).where('licenseId', '=', licenseId).where('kind', '=', 'open').executeTakeFirst();
    if (row?.status === 'succeeded' && row.finishedAt) return Date.parse(row.finishedAt);
    if (row && row.status !== 'pending' && row.status !== 'running') throw new Error(`the open of license ${licenseId} ended ${row.status}`);
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`license ${licenseId} was not active within 10 s`);
}

