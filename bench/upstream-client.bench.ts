// Upstream client calls per second against the simulator (no latency), compared with the same request
// sent straight through undici's request() (what the client's transport uses) and parsed with
// JSON.parse, to the same endpoint in the same run: the ratio is what the client's own work costs
// (building the form, timeouts, parsing and checking the answer). Target: at least 0.9 of bare undici.
import { request } from 'undici';
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
    const bare = async () => {
      const res = await request(endpoint, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form });
      const answer = JSON.parse(await res.body.text()) as { doc?: unknown };
      if (res.statusCode !== 200 || !answer.doc) throw new Error(`bare undici: ${res.statusCode}`);
      return answer;
    };
    await callsPerSecond(viaClient, settings.warmup);
    await callsPerSecond(bare, settings.warmup);
    const a: number[] = [];
    const b: number[] = [];
    // Twice the pairs plus one at a quarter of the length: more side-by-side ratios in ~13 s.
    for (let round = 0; round < settings.rounds * 2 + 1; round++) {
      a.push(await callsPerSecond(viaClient, settings.duration / 4));
      b.push(await callsPerSecond(bare, settings.duration / 4));
    }
    const ratios = a.map((x, i) => x / b[i]!);
    return result({
      name: 'upstream client whoami',
      unit: 'calls/s',
      value: median(a),
      baseline: median(b),
      baselineLabel: 'undici',
      ratio: median(ratios),
      target: 0.9,
      notes: [
        `client samples ${a.map(Math.round).join(', ')}; bare undici request() samples ${b.map(Math.round).join(', ')}; ${IN_FLIGHT} calls in flight`,
        `ratio = median of the side-by-side ratios ${ratios.map((r) => r.toFixed(2)).join(', ')}`,
      ],
    });
  } finally {
    await sandbox.close();
  }
}
