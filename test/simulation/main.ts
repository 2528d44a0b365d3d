// `npm run simulate -- --seed N` replays one seed; `--seeds 1000` runs seeds 1..1000; `--steps K` sets
// the steps per seed; `--verbose` prints every step. On PostgreSQL when TEST_DATABASE_URL is set.
import { parseArgs } from 'node:util';
import { dropTemplate } from './databases.js';
import { replayCommand, simulate } from './simulation.js';

const { values } = parseArgs({
  options: {
    seed: { type: 'string' },
    seeds: { type: 'string' },
    steps: { type: 'string' },
    verbose: { type: 'boolean', default: false },
  },
});

const positive = (name: string, raw: string | undefined): number | undefined => {
  if (raw === undefined) return undefined;
  if (!/^\d+$/.test(raw) || Number(raw) < 1) {
    console.error(`--${name} must be a positive whole number, not ${raw}`);
    process.exit(2);
  }
  return Number(raw);
};

const one = positive('seed', values.seed);
const many = positive('seeds', values.seeds);
const steps = positive('steps', values.steps);
const seeds = one !== undefined ? [one] : Array.from({ length: many ?? 20 }, (_, i) => i + 1);
const verbose = values.verbose || one !== undefined;

const failed: number[] = [];
const started = Date.now();
for (const seed of seeds) {
  const result = await simulate({ seed, steps, log: verbose ? (line) => console.log(`  ${line}`) : undefined });
  const counts = Object.entries(result.counts).map(([k, n]) => `${k} ${n}`).join(', ');
  if (result.violations.length) {
    failed.push(seed);
    console.log(`seed ${seed}: FAILED after ${result.steps} steps (${(result.durationMs / 1000).toFixed(1)} s)`);
    for (const v of result.violations) console.log(`  ${v}`);
    console.log(`  replay: ${replayCommand(seed, steps)}`);
  } else {
    console.log(`seed ${seed}: ok, ${result.steps} steps in ${(result.durationMs / 1000).toFixed(1)} s (${counts})`);
  }
}
await dropTemplate();
console.log(`\n${seeds.length - failed.length} of ${seeds.length} seeds passed in ${((Date.now() - started) / 1000).toFixed(1)} s${failed.length ? `; failed: ${failed.join(', ')}` : ''}`);
process.exit(failed.length ? 1 : 0);
