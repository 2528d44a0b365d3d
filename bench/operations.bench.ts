// Open operations per second through the worker, against the simulator with 50 ms on every purchase
// (soft.order.param) and a module limit of 8 operations at once. The reference is a bare client making
// the same two upstream calls per license (order, key read), 8 at a time, and nothing else, measured in
// the same run in alternating rounds: the ratio says how much of what this machine and this simulator
// allow the claim → order → key read → commit cycle keeps. Target ≥ 0.95. The theoretical limit
// 8 / 0.05 s = 160 per second is printed beside it for information.
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
import { enqueueOperation } from '../src/licenses/outbox.js';
import { Agent, request } from 'undici';
import { median, result, settings, sized, type BenchResult } from './lib.js';

const COUNT = sized(process.env.BENCH_OPEN_COUNT, 800, 40);
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
  // No kept-alive connection for the control calls: a round can outlast the simulator's keep-alive
  // timeout, and a request sent on a connection it is closing fails ("other side closed").
  const controlAgent = new Agent({ pipelining: 0 });
  return {
    url,
    async control(method, route, body) {
      const res = await request(url + route, {
        method: method as 'GET' | 'POST',
        headers: { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        dispatcher: controlAgent,
      });
      return res.body.json();
    },
    close: async () => {
      await controlAgent.close();
      child.removeAllListeners('exit');
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    },
  };
}

/**
 * The same two upstream calls per license (order, then the key read) from a bare client with nothing
 * else around them, 8 at a time: what any implementation could reach against this simulator on this
 * machine, measured in the same run.
 */
async function bareClient(upstream: Upstream, count: number, round: number): Promise<number> {
  const endpoint = `${upstream.url}/billmgr`;
  const call = async (params: Record<string, string>) => {
    const body = new URLSearchParams({ ...params, out: 'json', lang: 'en', authinfo: 'bench:bench-password' }).toString();
    const res = await request(endpoint, { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    return JSON.parse(await res.body.text()) as { doc: { id?: { $: string }; lickey?: { $: string } } };
  };
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: LIMIT }, async () => {
      while (next < count) {
        const i = next++;
        const ordered = await call({
          func: 'soft.order.param', pricelist: '55227', period: '12', ip: `10.${200 + round}.${(i >> 8) & 255}.${i & 255}`, licname: `bare${i}`,
          remoteid: `bare${round}-${i}`, skipbasket: 'on', clicked_button: 'finish', sok: 'ok',
        });
        const read = await call({ func: 'soft.edit', elid: ordered.doc.id!.$ });
        if (!read.doc.lickey?.$) throw new Error('the bare client read no key');
      }
    }),
  );
  return count / ((performance.now() - started) / 1000);
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
    await upstream.control('POST', '/_control/faults', { func: 'soft.order.param', fault: 'latency', latencyMs: LATENCY_MS });

    /** Orders `count` licenses (as the order endpoint leaves them: processing, with an open operation) and lets the worker run them all. */
    const billrelayRound = async (round: number, count = COUNT): Promise<number> => {
      await db.transaction(async (trx) => {
        const now = clock.now().toISOString();
        for (let i = 0; i < count; i += 1) {
          const ip = `10.${round}.${(i >> 8) & 255}.${i & 255}`;
          const remoteId = `bench${randomBytes(6).toString('hex')}`;
          const { id } = await trx
            .insertInto('licenses')
            .values({
              clientId: client.id, tariffId: tariff.id, period: 12, isTrial: 0, licenseName: `b${round}-${i}`, ip, autoRenew: 0, datacenterId: null,
              status: 'processing', licenseKey: null, upstreamId: null, remoteId, moduleId: null, expiresOn: null, priceMinor: 1000n,
              currency: 'EUR', suspendedAt: null, deletedAt: null, createdAt: now, updatedAt: now,
            })
            .returning('id')
            .executeTakeFirstOrThrow();
          await enqueueOperation(trx, clock, {
            licenseId: Number(id), kind: 'open',
            payload: { tariffUpstreamId: '55227', upstreamPeriod: 12, ip, licenseName: `b${round}-${i}`, remoteId, datacenterId: null },
            idempotencyKey: `open:${id}`,
          });
        }
      });
      const bought = await purchases();
      const started = performance.now();
      const counts = await billrelay.worker.runOnce();
      const seconds = (performance.now() - started) / 1000;
      const purchased = (await purchases()) - bought;
      if (counts.succeeded !== count || purchased !== count) {
        throw new Error(`expected ${count} opens and purchases, got ${JSON.stringify(counts)} and ${purchased} purchases`);
      }
      return count / seconds;
    };
    const purchases = async () => ((await upstream.control('GET', '/_control/inspect')) as { purchases: unknown[] }).purchases.length;

    // Alternating rounds (billrelay, bare client, …) so that a slow moment of the machine hits both; medians.
    // A short unmeasured round of each first, as the other benchmarks warm up: the first round paid
    // for compiling billrelay's code paths and was always the slowest.
    const warmUp = Math.max(16, Math.round(COUNT / 10));
    await billrelayRound(0, warmUp);
    await bareClient(upstream, warmUp, 0);
    const ours: number[] = [];
    const bare: number[] = [];
    for (let round = 1; round <= settings.rounds + 1; round += 1) {
      ours.push(await billrelayRound(round));
      bare.push(await bareClient(upstream, COUNT, round));
    }
    const limit = LIMIT / (LATENCY_MS / 1000);
    const value = median(ours);
    const reference = median(bare);
    const ratios = ours.map((x, i) => x / bare[i]!);
    const f = (n: number) => Math.round(n).toString();
    return result({
      name: `open operations (${config.databaseUrl ? 'PostgreSQL' : 'SQLite'})`,
      unit: 'ops/s',
      value,
      baseline: reference,
      baselineLabel: 'bare client',
      ratio: median(ratios),
      target: 0.95,
      notes: [
        `${COUNT} opens per round, module limit ${LIMIT}, ${LATENCY_MS} ms per purchase; simulator ${process.env.BENCH_SANDBOX === 'inprocess' ? 'in this process' : 'in its own process'}`,
        `billrelay samples ${ours.map(f).join(', ')}; bare client (the same order + key read, nothing else) ${bare.map(f).join(', ')}`,
        `ratio = median of the side-by-side ratios ${ratios.map((r) => r.toFixed(2)).join(', ')}`,
        `theoretical limit ${LIMIT} / ${LATENCY_MS / 1000} s = ${f(limit)} ops/s: billrelay reaches ${(value / limit).toFixed(2)} of it, the bare client ${(reference / limit).toFixed(2)}`,
      ],
    });
  } finally {
    await billrelay.close();
    await upstream.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
