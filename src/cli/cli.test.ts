// The CLI as an administrator uses it: real processes, a real data directory or PostgreSQL database.
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/support/database.js';

// Each test starts the CLI through tsx (a few seconds of compiling on an idle machine, far more on a loaded
// two-core CI run); the processes' own 60 s limits bound them, not vitest's default.
vi.setConfig({ testTimeout: 120_000 });

const root = path.resolve(import.meta.dirname, '../..');
const tsx = path.join(root, 'node_modules/.bin/tsx');
const main = path.join(root, 'src/cli/main.ts');

let database: TestDatabase;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  database = await createTestDatabase();
  env = {
    ...process.env,
    BILLRELAY_DATA_DIR: database.dataDir,
    DATABASE_URL: database.databaseUrl ?? '',
    BILLRELAY_ADMIN_EMAIL: '',
    BILLRELAY_ADMIN_PASSWORD: '',
    LOG_LEVEL: 'warn',
  };
});
afterAll(() => database.drop());

function run(...args: string[]) {
  return spawnSync(tsx, [main, ...args], { env, encoding: 'utf8', timeout: 60_000 });
}

describe('billrelay CLI', () => {
  test('--help lists the commands and each command has its own help', () => {
    const help = run('--help');
    expect(help.status).toBe(0);
    for (const command of ['start', 'migrate', 'admin']) expect(help.stdout).toContain(command);
    const adminHelp = run('admin', 'create', '--help');
    expect(adminHelp.stdout).toContain('--email');
    expect(run('start', '--help').stdout).toContain('--port');
  });

  test('migrate creates the schema, then says it is up to date', () => {
    const first = run('migrate');
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toContain('001-foundation');
    expect(run('migrate').stdout).toContain('up to date');
  });

  test('admin create makes an administrator and refuses a duplicate with a clear message', () => {
    const created = run('admin', 'create', '--email', 'Boss@Example.test', '--password', 'boss-password-7');
    expect(created.status, created.stderr).toBe(0);
    expect(created.stdout).toContain('boss@example.test');
    const again = run('admin', 'create', '--email', 'boss@example.test', '--password', 'boss-password-7');
    expect(again.status).toBe(1);
    expect(again.stderr).toContain('already exists');
    expect(run('admin', 'create', '--email', 'x@example.test', '--password', 'short').stderr).toContain('at least 8');
    expect(run('admin', 'create', '--email', 'x@example.test', '--password', 'password123').stderr).toContain('commonly used');
    // Four processes, each compiling the CLI with tsx and loading the password dictionaries: a slow,
    // shared machine needs more than the default 30 s for them; this is a limit, not a measurement.
  }, 120_000);

  test('start serves the API on the configured port; the first start prints a one-time password once', async () => {
    const fresh = await createTestDatabase();
    const port = 20000 + Math.floor(Math.random() * 20000);
    const startEnv = { ...env, BILLRELAY_DATA_DIR: fresh.dataDir, DATABASE_URL: fresh.databaseUrl ?? '', PORT: String(port), HOST: '127.0.0.1' };
    const startOnce = async () => {
      const child = spawn(tsx, [main, 'start'], { env: startEnv });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (out += d));
      for (let i = 0; i < 600 && !out.includes('is running'); i++) await new Promise((r) => setTimeout(r, 100));
      const health = await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.json()).catch(() => null);
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      return { out, health };
    };
    try {
      const first = await startOnce();
      expect(first.health).toEqual({ status: 'ok' });
      const password = /One-time password: (\S+)/.exec(first.out)?.[1];
      expect(password).toBeTruthy();
      const second = await startOnce();
      expect(second.health).toEqual({ status: 'ok' });
      expect(second.out).not.toContain('One-time password');
      // The printed password is the administrator's.
      expect(first.out).toContain('admin@billrelay.local');
    } finally {
      await fresh.drop();
    }
    // Two starts, each compiling the whole server with tsx: a limit for a slow shared machine, not a measurement.
  }, 150_000);

  test('sandbox prints the demo credentials and answers the upstream protocol', async () => {
    const port = 20000 + Math.floor(Math.random() * 20000);
    const child = spawn(tsx, [main, 'sandbox', '--port', String(port)], { env });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    try {
      for (let i = 0; i < 200 && !out.includes('Password'); i++) await new Promise((r) => setTimeout(r, 100));
      const username = /Username\s+(\S+)/.exec(out)?.[1];
      const password = /Password\s+(\S+)/.exec(out)?.[1];
      expect(username).toBeTruthy();
      const body = new URLSearchParams({ func: 'whoami', out: 'json', authinfo: `${username}:${password}` });
      const answer = (await fetch(`http://127.0.0.1:${port}/billmgr`, { method: 'POST', body }).then((r) => r.json())) as { doc: { user: { $balance: string } } };
      expect(answer.doc.user.$balance).toMatch(/^\d+\.\d{2}$/);
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
  });
});
