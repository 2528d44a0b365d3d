// The deterministic simulation in the suite: 50 seeds on the suite's database (SQLite, or PostgreSQL
// with two workers when TEST_DATABASE_URL is set), seeds 10, 30 and 50 with a worker process killed by
// SIGKILL. Each seed is its own test; a failing one names the command that replays it alone.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, expect, test } from 'vitest';
import { testDatabaseKind } from '../support/database.js';
import { dropTemplate } from './databases.js';
import { replayCommand, simulate, usesProcesses } from './simulation.js';

const run = promisify(execFile);
const SEEDS = 50;
/** Modest, so the file stays within about three minutes on a two-core machine (a PostgreSQL seed costs more: two billrelays). */
const STEPS = testDatabaseKind === 'postgres' ? 20 : 30;

afterAll(() => dropTemplate());

for (let seed = 1; seed <= SEEDS; seed += 1) {
  // Spawning worker processes takes many seconds on a loaded machine.
  test(`seed ${seed}${usesProcesses(seed) ? ' (worker processes, one killed)' : ''}: every invariant holds after every step`, async () => {
    const result = await simulate({ seed, steps: STEPS });
    expect(result.violations, `replay: ${replayCommand(seed, STEPS)}`).toEqual([]);
    expect(result.steps).toBe(STEPS);
  }, usesProcesses(seed) ? 300_000 : 120_000);
}

test('the replay command a failing seed prints runs as a plain script and says whether the seed passed', async () => {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
  // Vitest's own variables removed: the command is run from a shell, not from a test.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VITEST')));
  const { stdout } = await run(process.execPath, ['--import', 'tsx', 'test/simulation/main.ts', '--seed', '2', '--steps', '5'], { cwd: root, env, timeout: 240_000 });
  expect(stdout).toMatch(/^seed 2: ok, 5 steps/m);
  expect(stdout).toContain('1 of 1 seeds passed');
}, 300_000);
