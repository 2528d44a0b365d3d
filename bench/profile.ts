// `npx tsx bench/profile.ts [datacenters] [seconds]`: loads only billrelay's side of a benchmark while the
// V8 profiler samples this process, then prints where the server's CPU time went (self time by function
// and by package). The full profile is saved for Chrome DevTools (Performance → Load profile).
import fs from 'node:fs';
import { Session } from 'node:inspector/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { requestsPerSecond } from './lib.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const here = path.dirname(fileURLToPath(import.meta.url));
const name = process.argv[2] ?? 'datacenters';
const seconds = Number(process.argv[3] ?? 5);
const mod = (await import(pathToFileURL(path.join(here, `${name}.bench.ts`)).href)) as {
  setup?: () => Promise<{ app: { url: string; headers?: Record<string, string> }; close(): Promise<void> }>;
};
if (!mod.setup) throw new Error(`bench/${name}.bench.ts does not export setup()`);
const s = await mod.setup();
await requestsPerSecond({ ...s.app, duration: 1 }); // warm-up, not profiled

const session = new Session();
session.connect();
await session.post('Profiler.enable');
await session.post('Profiler.setSamplingInterval', { interval: 500 });
await session.post('Profiler.start');
const rps = await requestsPerSecond({ ...s.app, duration: seconds });
const { profile } = (await session.post('Profiler.stop')) as unknown as { profile: Profile };
session.disconnect();
await s.close();

const file = path.join(os.tmpdir(), `billrelay-${name}.cpuprofile`);
fs.writeFileSync(file, JSON.stringify(profile));

const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parentOf = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parentOf.set(c, n.id);
/** Samples taken while the profiler itself was busy (stopping, serializing) are not the server's. */
const isProfilerOwn = (id: number): boolean => {
  for (let cur: number | undefined = id; cur !== undefined; cur = parentOf.get(cur)) {
    if (byId.get(cur)!.callFrame.url === 'node:inspector') return true;
  }
  return false;
};
const selfUs = new Map<number, number>();
profile.samples.forEach((id, i) => {
  if (!isProfilerOwn(id)) selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
});
const total = [...selfUs.values()].reduce((a, b) => a + b, 0);
const idle = [...selfUs].filter(([id]) => ['(idle)', '(program)'].includes(byId.get(id)!.callFrame.functionName)).reduce((a, [, us]) => a + us, 0);
const busy = total - idle;

const where = (url: string): string => {
  if (!url) return '(native/V8)';
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return nm[1]!;
  if (url.startsWith('node:')) return 'node core';
  const rel = path.relative(path.join(here, '..'), fileURLToPath(url.startsWith('file:') ? url : pathToFileURL(url).href));
  return rel.startsWith('src/') ? rel.split('/').slice(0, 3).join('/') : rel;
};
const add = (m: Map<string, number>, k: string, v: number) => m.set(k, (m.get(k) ?? 0) + v);
const byFunction = new Map<string, number>();
const byPlace = new Map<string, number>();
for (const [id, us] of selfUs) {
  const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
  if (functionName === '(idle)' || functionName === '(program)') continue;
  add(byFunction, `${functionName || '(anonymous)'}  ${where(url)}:${lineNumber + 1}`, us);
  add(byPlace, functionName === '(garbage collector)' ? '(garbage collector)' : where(url), us);
}
const top = (m: Map<string, number>, n: number) =>
  [...m].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, us]) => `  ${((100 * us) / busy).toFixed(1).padStart(5)}%  ${k}`).join('\n');

console.log(`${name}: ${Math.round(rps)} req/s while profiling; main thread busy ${((100 * busy) / total).toFixed(0)}% of ${seconds} s`);
console.log(`\nself time by package/area (share of busy time):\n${top(byPlace, 20)}`);
console.log(`\nself time by function:\n${top(byFunction, 30)}`);
console.log(`\nfull profile: ${file}`);
