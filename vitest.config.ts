import { defineConfig } from 'vitest/config';

// The browser tests drive two Chromiums against two servers on a shared two-core machine; a step that waits
// on a page (a refetch, a focus after a render) can outlive its bound there although nothing is wrong, and
// one such miss failed a whole CI run. CI retries a browser test once; a real defect fails both tries. Only
// the browser tests: every other test must pass the first time.
const browserRetries = process.env.CI ? 1 : 0;

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two cores: one worker per core keeps PostgreSQL and argon2 from starving each other.
    maxWorkers: 2,
    pool: 'forks',
    // The browser tests poll the page after reloads; with two Chromiums and two servers on two cores a
    // first load (script, /auth/me, the page's chunk, its data) can take longer than the 1 s default,
    // and a list's refetch after a filter took over 5 s in a loaded CI run. It only bounds a wait.
    expect: { poll: { timeout: 15_000 } },
    projects: [
      {
        extends: true,
        test: { name: 'server', include: ['src/**/*.test.ts', 'test/**/*.test.ts'], exclude: ['test/e2e/**'] },
      },
      { extends: true, test: { name: 'browser', include: ['test/e2e/**/*.test.ts'], retry: browserRetries } },
    ],
  },
});
