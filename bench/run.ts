// `npm run bench [-- name…] [-- --quick]`: runs every bench/*.bench.ts (or those whose file name contains a
// given word) one after another and prints one table of ratios. BENCH_STRICT=1 exits 1 when a ratio misses
// its target. Quick mode (--quick or BENCH_QUICK=1, for CI) runs each with tiny durations and counts and
// exits 1 only when a benchmark crashes, never on a ratio.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { quick, settings, type Bench, type BenchResult } from './lib.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const files = fs
  .readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => !wanted.length || wanted.some((w) => f.includes(w)))
  .sort();

if (!files.length) {
  console.error(`no benchmarks match ${wanted.join(', ')}`);
  process.exit(1);
}

console.log(
  `billrelay benchmarks${quick ? ' (QUICK mode: tiny durations and counts; the numbers are noise, this only proves each benchmark runs)' : ''}: ${settings.connections} connections, ${settings.warmup} s warm-up, ` +
    `${settings.rounds} alternating rounds of ${settings.duration} s (some benchmarks split them into more, shorter pairs); medians\n`,
);

const results: BenchResult[] = [];
const failures: string[] = [];
for (const file of files) {
  const started = Date.now();
  process.stdout.write(`▶ ${file} … `);
  try {
    const mod = (await import(pathToFileURL(path.join(here, file)).href)) as { default?: Bench };
    if (typeof mod.default !== 'function') throw new Error('does not default-export a benchmark function');
    const out = await mod.default();
    const list = Array.isArray(out) ? out : [out];
    results.push(...list);
    console.log(`${((Date.now() - started) / 1000).toFixed(1)} s`);
    for (const r of list) {
      console.log(
        `  ${r.name}: ${fmt(r.value)} ${r.unit} vs ${r.baselineLabel ?? 'bare'} ${fmt(r.baseline)} ${r.unit} → ratio ${r.ratio.toFixed(2)} (target ≥ ${r.target})`,
      );
      for (const note of r.notes) console.log(`    ${note}`);
    }
  } catch (error) {
    console.log('failed');
    console.error(error);
    failures.push(file);
  }
}

const rows = results.map((r) => [r.name, `${fmt(r.value)} ${r.unit}`, `${fmt(r.baseline)} ${r.unit}`, r.ratio.toFixed(2), `≥ ${r.target}`, r.ratio >= r.target ? 'ok' : 'BELOW']);
const header = ['benchmark', 'billrelay', 'baseline', 'ratio', 'target', ''];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
console.log(`\n${line(header)}\n${widths.map((w) => '─'.repeat(w)).join('  ')}`);
for (const r of rows) console.log(line(r));

const below = results.filter((r) => r.ratio < r.target);
if (failures.length) console.log(`\nfailed: ${failures.join(', ')}`);
if (failures.length || (below.length && process.env.BENCH_STRICT === '1' && !quick)) process.exitCode = 1;

function fmt(n: number): string {
  return n >= 100 ? Math.round(n).toString() : n.toFixed(1);
}
