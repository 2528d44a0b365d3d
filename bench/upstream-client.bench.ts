// Upstream client calls per second against the simulator (no latency), compared with raw fetch calls
// of the same request to the same endpoint in the same run. Target: at least 0.8 of raw. The client
// sends through undici's request() (transport.ts), cheaper than fetch, so a ratio above 1 is expected.
import { BillmanagerClient } from '../src/integration/processing-modules/drivers/billmanager/client.js';
import { startSandbox } from '../src/sandbox/index.js';
import { median, result, settings, type BenchResult } from './lib.js';

const IN_FLIGHT = 8;

/** Calls per second with IN_FLIGHT calls always under way for `seconds`. */
async function callsPerSecond(call: () => Promise<unknown>, seconds: number): Promise<number> {
  const deadline = Date.now() + seconds * 1000;
  let done = 0;
  const lane = async () => {
    while (Date.now() < deadline) {
      await call();
      done += 1;
    }
  };
  const started = Date.now();
  await Promise.all(Array.from({ length: IN_FLIGHT }, lane));
  return done / ((Date.now() - started) / 1000);
}

export default async function upstreamClient(): Promise<BenchResult> {
  const sandbox = await startSandbox({ accounts: [{ username: 'bench', password: 'bench-password' }] });
  try {
    const client = new BillmanagerClient({ url: sandbox.url, username: 'bench', password: 'bench-password' });
    const endpoint = `${sandbox.url}/billmgr`;
    const form = new URLSearchParams({ func: 'whoami', out: 'json', lang: 'en', authinfo: 'bench:bench-password' }).toString();
    const viaClient = () => client.read('whoami');
    const raw = async () => {
      const res = await fetch(endpoint, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form });
      return res.json();
    };
    await callsPerSecond(viaClient, settings.warmup);
    await callsPerSecond(raw, settings.warmup);
    const a: number[] = [];
    const b: number[] = [];
    for (let round = 0; round < settings.rounds + 1; round++) {
      a.push(await callsPerSecond(viaClient, settings.duration / 2));
      b.push(await callsPerSecond(raw, settings.duration / 2));
    }
    return result({
      name: 'upstream client whoami',
      unit: 'calls/s',
      value: median(a),
      baseline: median(b),
      target: 0.8,
      notes: [`client samples ${a.map(Math.round).join(', ')}; raw fetch samples ${b.map(Math.round).join(', ')}; ${IN_FLIGHT} calls in flight`],
    });
  } finally {
    await sandbox.close();
  }
}
