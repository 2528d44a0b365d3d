import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two cores: one worker per core keeps PostgreSQL and argon2 from starving each other.
    maxWorkers: 2,
    pool: 'forks',
    // The browser tests poll the page after reloads; with two Chromiums and two servers on two cores a
    // first load (script, /auth/me, the page's chunk, its data) can take longer than the 1 s default,
    // and a list's refetch after a filter took over 5 s in a loaded CI run. It only bounds a wait.
    expect: { poll: { timeout: 15_000 } },
  },
});
