// The deterministic simulation in the suite: 50 seeds on the suite's database (SQLite, or PostgreSQL
// with two workers when TEST_DATABASE_URL is set), seeds 10, 30 and 50 with worker processes killed by SIGKILL.
// A failing seed names the command that replays it alone.
import { afterAll, expect, test } from 'vitest';
import { dropTemplate } from './databases.js';
import { replayCommand, simulate } from './simulation.js';

const SEEDS = 50;
/** Modest, so the file stays within a few minutes on a loaded two-core machine. */
const STEPS = 30;

afterAll(() => dropTemplate());

test(`${SEEDS} seeds of ${STEPS} steps keep every invariant`, async () => {
  const failures: string[] = [];
  for (let seed = 1; seed <= SEEDS; seed += 1) {
    const result = await simulate({ seed, steps: STEPS });
    if (result.violations.length) failures.push(`seed ${seed} (replay: ${replayCommand(seed, STEPS)}):\n  ${result.violations.join('\n  ')}`);
  }
  expect(failures.join('\n\n')).toBe('');
}, 600_000);
