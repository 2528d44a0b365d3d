// Open operations per second through the worker, against the simulator with 50 ms on every purchase
// (soft.order.param) and a module limit of 8 operations at once. The physical limit is 8 / 0.05 s =
// 160 per second; the ratio says how much of it the claim → order → key read → commit cycle keeps.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { createBillrelay } from '../src/app.js';
import { systemActor } from '../src/platform/actor.js';
import { loadConfig } from '../src/platform/config.js';
import { createLogger } from '../src/platform/logger.js';
import { spawn } from 'node:child_process';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { startSandbox } from '../src/sandbox/index.js';
import { enqueueOperation } from '../src/tools/operations/enqueue.js';
import { result, type BenchResult } from './lib.js';

const COUNT = Number(process.env.BENCH_OPEN_COUNT ?? 800);
const LATENCY_MS = 50;
const LIMIT = 8;

interface Upstream {
  url: string;
  control(method: string, path: string, body?: unknown): Promise<any>;
  close(): Promise<void>;
}

/** The simulator in its own process (`billrelay sandbox`), as in a real installation; BENCH_SANDBOX=inprocess shares ours. */
async function simulator(): Promise<Upstream> {
  if (process.env.BENCH_SANDBOX === 'inprocess') {
    const sandbox = await startSandbox();
    return {
      url: sandbox.url,
      async control(method, route, body) {
        const res = await fetch(sandbox.url + route, { method, body: body === undefined ? undefined : JSON.stringify(body) });
        return res.json();
      },
      close: () => sandbox.close(),
    };
  }
  const port = await new Promise<number>((resolve) => {
    const probe = net.createServer().listen(0, '127.0.0.1', () => {
      const { port: free } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(free));
    });
  });
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'src/cli/main.ts'), 'sandbox', '--port', String(port)], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the sandbox exited (${code})`)));
    child.stdout!.on('data', (d: Buffer) => {
      if (d.toString().includes('listening on')) resolve();
    });
  });
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    async control(method, route, body) {
      const res = await fetch(url + route, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
      return res.json();
    },
    close: async () => {
      child.removeAllListeners('exit');
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    },
  };
}

export default async function openOperations(): Promise<BenchResult> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'billrelay-bench-ops-'));
  const upstream = await simulator();
  await upstream.control('POST', '/_control/accounts', { username: 'bench', password: 'bench-password', balance: '100000000.00' });
  await upstream.control('POST', '/_control/settings', { keyDelay: { reads: 0, ms: 0 } });
  const config = loadConfig({
    BILLRELAY_DATA_DIR: dataDir,
    ...(process.env.BENCH_DATABASE_URL ? { DATABASE_URL: process.env.BENCH_DATABASE_URL } : {}),
    BILLRELAY_ADMIN_EMAIL: 'admin@example.test',
    BILLRELAY_ADMIN_PASSWORD: 'admin-password-1',
    BILLRELAY_DEFAULT_CURRENCY: 'EUR',
    BILLRELAY_WEB_DIR: path.join(dataDir, 'no-web'),
    BILLRELAY_WORKER: 'off',
    BILLRELAY_SCHEDULER: 'off',
    BILLRELAY_WORKER_POLL_MS: '20',
    BILLRELAY_KEY_POLL_MS: '20',
  });
  const billrelay = await createBillrelay({ config, logger: createLogger('error') });
  try {
    const actor = systemActor('bench');
    const { services, db, clock } = billrelay;
    const module = await services.processingModules.create(
      {
        productType: 'licenses',
        moduleType: 'billmanager',
        connection: { url: upstream.url, username: 'bench', password: 'bench-password' },
        name: { en: 'bench' },
        minimalBalance: '0',
        operationLimit: LIMIT,
      },
      actor,
    );
    const tariff = await services.tariffs.import({ processingModuleId: module.id, upstreamTariffId: '55227', providerId: 1, productType: 'licenses', markupPercent: '20' }, actor);
    const client = await services.clients.create({ name: 'Bench', email: 'bench@example.test', password: 'client-password', language: 'en', providerId: 1 }, actor);
    await db.transaction(async (trx) => {
      const now = clock.now().toISOString();
      for (let i = 0; i < COUNT; i += 1) {
        const ip = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
        const remoteId = `bench${randomBytes(6).toString('hex')}`;
        const { id } = await trx
          .insertInto('licenses')
          .values({
            clientId: client.id, tariffId: tariff.id, period: 12, isTrial: 0, licenseName: `b${i}`, ip, autoRenew: 0, datacenterId: null,
            status: 'processing', licenseKey: null, upstreamId: null, remoteId, moduleId: null, expiresOn: null, priceMinor: 1000n,
            currency: 'EUR', suspendedAt: null, deletedAt: null, createdAt: now, updatedAt: now,
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        await enqueueOperation(trx, clock, {
          licenseId: Number(id), kind: 'open',
          payload: { tariffUpstreamId: '55227', upstreamPeriod: 12, ip, licenseName: `b${i}`, remoteId, datacenterId: null },
          idempotencyKey: `open:${id}`,
        });
      }
    });
    await upstream.control('POST', '/_control/faults', { func: 'soft.order.param', fault: 'latency', latencyMs: LATENCY_MS });
    const started = performance.now();
    const counts = await billrelay.worker.runOnce();
    const seconds = (performance.now() - started) / 1000;
    const purchases = ((await upstream.control('GET', '/_control/inspect')) as { purchases: unknown[] }).purchases.length;
    if (counts.succeeded !== COUNT || purchases !== COUNT) {
      throw new Error(`expected ${COUNT} opens and purchases, got ${JSON.stringify(counts)} and ${purchases} purchases`);
    }
    const perSecond = COUNT / seconds;
    const limit = LIMIT / (LATENCY_MS / 1000);
    return result({
      name: `open operations (${config.databaseUrl ? 'PostgreSQL' : 'SQLite'})`,
      unit: 'ops/s',
      value: perSecond,
      baseline: limit,
      baselineLabel: 'limit',
      target: 0.9,
      notes: [`simulator ${process.env.BENCH_SANDBOX === 'inprocess' ? 'in this process' : 'in its own process'}; ${COUNT} opens in ${seconds.toFixed(2)} s; module limit ${LIMIT}, ${LATENCY_MS} ms per purchase; limit = ${LIMIT} / ${LATENCY_MS / 1000} s`],
    });
  } finally {
    await billrelay.close();
    await upstream.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
