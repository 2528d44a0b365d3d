// Backups, restores and upgrades as an administrator does them: real `billrelay` processes on a real
// data directory (SQLite) or PostgreSQL database.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { sql } from 'kysely';
import { afterAll, describe, expect, test } from 'vitest';
import { createTestDatabase, testDatabaseKind } from '../../test/support/database.js';
import { ApiClient } from '../../test/support/http.js';
import { backupSqlite, restoreSqlite } from '../platform/db/backup.js';
import { openDatabase } from '../platform/db/dialect.js';
import { KNOWN_MIGRATIONS, migrateToLatest } from '../platform/db/migrate.js';
import { registerRunning } from '../platform/db/running.js';

const root = path.resolve(import.meta.dirname, '../..');
const tsx = path.join(root, 'node_modules/.bin/tsx');
const main = path.join(root, 'src/cli/main.ts');
const ADMIN = { email: 'admin@example.test', password: 'admin-password-1' };

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'billrelay-backup-'));
  dirs.push(dir);
  return dir;
}

function envFor(dataDir: string, databaseUrl = ''): NodeJS.ProcessEnv {
  return {
    ...process.env,
    BILLRELAY_DATA_DIR: dataDir,
    DATABASE_URL: databaseUrl,
    BILLRELAY_ADMIN_EMAIL: ADMIN.email,
    BILLRELAY_ADMIN_PASSWORD: ADMIN.password,
    BILLRELAY_WEB_DIR: path.join(dataDir, 'no-web'),
    BILLRELAY_SCHEDULER: 'off',
    LOG_LEVEL: 'warn',
  };
}

function run(env: NodeJS.ProcessEnv, ...args: string[]) {
  return spawnSync(tsx, [main, ...args], { env, encoding: 'utf8', timeout: 90_000 });
}

/** Like run, without blocking this process (its HTTP writes go on meanwhile). */
function runAsync(env: NodeJS.ProcessEnv, ...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(tsx, [main, ...args], { env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.once('exit', (status) => resolve({ status, stdout, stderr }));
  });
}

interface Server {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

async function startServer(env: NodeJS.ProcessEnv): Promise<Server> {
  const port = 20000 + Math.floor(Math.random() * 20000);
  const child = spawn(tsx, [main, 'start'], { env: { ...env, PORT: String(port), HOST: '127.0.0.1' } });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise((r) => child.once('exit', r));
  for (let i = 0; i < 900 && !out.includes('is running') && child.exitCode === null; i++) await new Promise((r) => setTimeout(r, 100));
  if (!out.includes('is running')) {
    child.kill('SIGKILL');
    throw new Error(`billrelay start did not come up: ${out}`);
  }
  return {
    url: `http://127.0.0.1:${port}`,
    child,
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

async function admin(url: string): Promise<ApiClient> {
  const api = new ApiClient(url);
  const login = await api.login(ADMIN.email, ADMIN.password);
  if (login.status !== 200) throw new Error(`login: ${login.status}`);
  return api;
}

function rows<T>(file: string, query: string): T[] {
  const db = new SqliteDatabase(file, { readonly: true, fileMustExist: true });
  try {
    db.defaultSafeIntegers(true);
    return db.prepare(query).all() as T[];
  } finally {
    db.close();
  }
}

function hashOf(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

async function migrated(sqliteFile: string): Promise<void> {
  const handle = openDatabase({ sqliteFile });
  await migrateToLatest(handle);
  await handle.close();
}

type ClientRow = { id: bigint; email: string; balance_minor: bigint };
type LedgerRow = { id: bigint; client_id: bigint; amount_minor: bigint; balance_after_minor: bigint; reference: string };

describe.runIf(testDatabaseKind === 'sqlite')('backup and restore on SQLite', () => {
  test('a backup taken while the server writes restores to the same clients and ledger; restore waits for the server to stop', async () => {
    const dataDir = path.join(tempDir(), 'data');
    const env = envFor(dataDir);
    const dbFile = path.join(dataDir, 'billrelay.sqlite');
    const backup = path.join(tempDir(), 'nightly.sqlite');
    let server = await startServer(env);
    try {
      const api = await admin(server.url);
      // Clients registered and paid one after another until told to stop.
      const paid: { id: number; balance: string }[] = [];
      let writing = true;
      const writer = (async () => {
        for (let i = 0; writing; i++) {
          const client = await api.post('/api/v1/clients', { name: `Client ${i}`, email: `c${i}@example.test`, password: 'client-password', language: 'en', providerId: 1 });
          expect(client.status).toBe(201);
          const amount = `${10 + i}.50`;
          expect((await api.post(`/api/v1/clients/${client.body.id}/payments`, { amount, method: 'bank_transfer' })).status).toBe(201);
          paid.push({ id: client.body.id, balance: amount });
        }
      })();
      while (paid.length < 3) await new Promise((r) => setTimeout(r, 50));
      const paidBeforeBackup = [...paid];
      const made = await runAsync(env, 'backup', '--to', backup);
      const countAfterBackup = paid.length;
      while (paid.length < countAfterBackup + 2) await new Promise((r) => setTimeout(r, 50));
      writing = false;
      await writer;
      expect(made.status, made.stderr).toBe(0);
      expect(made.stdout).toContain(`Backed up to ${backup}`);
      expect(fs.statSync(backup).mode & 0o777).toBe(0o600);

      // The server still runs: restore refuses and leaves its database alone.
      const refused = run(env, 'restore', '--from', backup);
      expect(refused.status).toBe(1);
      expect(refused.stderr).toContain('billrelay is running on this database');
      expect(refused.stderr).toMatch(/server \(pid \d+, since/);
      expect((await api.get('/api/v1/clients?perPage=100')).body.total).toBe(paid.length);

      await server.stop();
      const original = {
        clients: rows<ClientRow>(dbFile, 'select id, email, balance_minor from clients order by id'),
        ledger: rows<LedgerRow>(dbFile, 'select id, client_id, amount_minor, balance_after_minor, reference from ledger_entries order by id'),
      };
      const restored = run(env, 'restore', '--from', backup);
      expect(restored.status, restored.stderr).toBe(0);
      expect(restored.stdout).toContain('Restored');
      // The database files: the restored one, private; no write-ahead log of the replaced one.
      expect(fs.statSync(dbFile).mode & 0o777).toBe(0o600);
      expect(fs.existsSync(`${dbFile}-wal`)).toBe(false);
      expect(fs.existsSync(`${dbFile}-shm`)).toBe(false);
      const kept = fs.readdirSync(dataDir).filter((f) => f.startsWith('billrelay.sqlite.before-restore-'));
      expect(kept).toHaveLength(1);
      expect(fs.statSync(path.join(dataDir, kept[0]!)).mode & 0o777).toBe(0o600);

      const copy = {
        clients: rows<ClientRow>(dbFile, 'select id, email, balance_minor from clients order by id'),
        ledger: rows<LedgerRow>(dbFile, 'select id, client_id, amount_minor, balance_after_minor, reference from ledger_entries order by id'),
      };
      // A consistent moment: every ledger entry of the copy is the original's, the copy's entries are
      // the original's first ones, and each client's balance is the sum of its entries.
      expect(copy.ledger).toEqual(original.ledger.slice(0, copy.ledger.length));
      expect(copy.clients.map((c) => c.email)).toEqual(original.clients.slice(0, copy.clients.length).map((c) => c.email));
      for (const client of copy.clients) {
        const sum = copy.ledger.filter((e) => e.client_id === client.id).reduce((s, e) => s + e.amount_minor, 0n);
        expect(client.balance_minor).toBe(sum);
      }
      expect(copy.clients.length).toBeGreaterThanOrEqual(paidBeforeBackup.length);
      expect(copy.clients.length).toBeLessThan(original.clients.length);

      // billrelay serves the restored data: what was paid before the backup began is there.
      server = await startServer(env);
      const after = await admin(server.url);
      expect((await after.get('/api/v1/clients?perPage=100')).body.total).toBe(copy.clients.length);
      for (const client of paidBeforeBackup) {
        expect((await after.get(`/api/v1/clients/${client.id}`)).body.balance).toBe(client.balance);
      }
      const lost = paid.at(-1)!;
      expect((await after.get(`/api/v1/clients/${lost.id}`)).status).toBe(404);
    } finally {
      await server.stop();
    }
    // Four billrelay processes, each compiling the server with tsx: a limit for a slow shared machine.
  }, 240_000);

  test('restore refuses a file that is not a billrelay backup or is newer than the code, and leaves the database alone', async () => {
    const dir = tempDir();
    const dataDir = path.join(dir, 'data');
    const dbFile = path.join(dataDir, 'billrelay.sqlite');
    await migrated(dbFile);
    const backup = path.join(dir, 'good.sqlite');
    await backupSqlite(dbFile, backup);
    const before = hashOf(dbFile);

    const text = path.join(dir, 'notes.txt');
    fs.writeFileSync(text, 'not a database at all\n'.repeat(10));
    const other = path.join(dir, 'other.sqlite');
    const o = new SqliteDatabase(other);
    o.exec('create table things (id integer primary key)');
    o.close();
    const newer = path.join(dir, 'newer.sqlite');
    fs.copyFileSync(backup, newer);
    const n = new SqliteDatabase(newer);
    n.prepare(`insert into kysely_migration (name, timestamp) values ('999-from-a-newer-billrelay', '2030-01-01T00:00:00.000Z')`).run();
    n.close();

    const cases: [string, string][] = [
      [text, 'is not an SQLite database'],
      [other, 'is an SQLite database but not a billrelay one'],
      [newer, 'comes from a newer billrelay: it has migration 999-from-a-newer-billrelay'],
      [path.join(dir, 'missing.sqlite'), 'is not a file'],
      [dbFile, 'is the database itself'],
    ];
    for (const [file, message] of cases) expect(() => restoreSqlite(dbFile, dataDir, file), file).toThrow(message);
    expect(hashOf(dbFile)).toBe(before);
    expect(fs.readdirSync(dataDir).filter((f) => f.startsWith('billrelay.sqlite'))).toEqual(['billrelay.sqlite']);
    // The command line says it in one line, without a stack, and fails.
    const answer = run(envFor(dataDir), 'restore', '--from', newer);
    expect(answer.status).toBe(1);
    expect(answer.stderr).toContain('billrelay: ');
    expect(answer.stderr).toContain('comes from a newer billrelay');
    expect(answer.stderr).not.toMatch(/\n\s+at /);
    expect(hashOf(dbFile)).toBe(before);
  }, 90_000);

  test('a stale run file of a crashed process does not block restore; a process holding the database open does', async () => {
    const dir = tempDir();
    const dataDir = path.join(dir, 'data');
    const dbFile = path.join(dataDir, 'billrelay.sqlite');
    await migrated(dbFile);
    const backup = path.join(dir, 'good.sqlite');
    await backupSqlite(dbFile, backup);

    // A server killed without closing left its run file: its pid is gone now.
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    fs.mkdirSync(path.join(dataDir, 'run'), { recursive: true });
    const stale = path.join(dataDir, 'run', `server-${gone.stdout}-dead.json`);
    fs.writeFileSync(stale, JSON.stringify({ role: 'server', pid: Number(gone.stdout), startedAt: new Date().toISOString() }));
    // Another one's pid was given to an unrelated process since (here: this test's, started at another time).
    const reused = path.join(dataDir, 'run', `worker-${process.pid}-reused.json`);
    fs.writeFileSync(reused, JSON.stringify({ role: 'worker', pid: process.pid, startedAt: new Date().toISOString(), processStart: '1' }));
    expect(restoreSqlite(dbFile, dataDir, backup).schema).toBe(KNOWN_MIGRATIONS.at(-1));
    expect(fs.existsSync(stale)).toBe(false);
    expect(fs.existsSync(reused)).toBe(false);

    // A live registered process blocks it.
    const server = registerRunning(dataDir, 'worker');
    try {
      expect(() => restoreSqlite(dbFile, dataDir, backup)).toThrow(/billrelay is running on this database: worker \(pid \d+/);
    } finally {
      server.release();
    }
    // So does something that is not a registered billrelay process (a sqlite3 shell, an older version).
    const holder = new SqliteDatabase(dbFile);
    try {
      holder.pragma('journal_mode = WAL');
      holder.prepare('select count(*) from clients').get();
      expect(() => restoreSqlite(dbFile, dataDir, backup)).toThrow('is open in another process');
    } finally {
      holder.close();
    }
    expect(restoreSqlite(dbFile, dataDir, backup).previous).toBeTruthy();
  }, 90_000);

  test('start refuses while a restore is replacing the database', () => {
    const dataDir = path.join(tempDir(), 'data');
    const env = envFor(dataDir);
    const restoring = registerRunning(dataDir, 'restore');
    try {
      const start = run({ ...env, PORT: '0' }, 'start');
      expect(start.status).toBe(1);
      expect(start.stderr).toContain('A restore is replacing the database');
      expect(start.stdout).not.toContain('is running');
    } finally {
      restoring.release();
    }
  }, 180_000);
});

describe.runIf(testDatabaseKind === 'postgres')('backup and restore on PostgreSQL', () => {
  test('are refused with a pointer to pg_dump and pg_restore', async () => {
    const database = await createTestDatabase();
    try {
      const env = envFor(database.dataDir, database.databaseUrl);
      for (const args of [['backup', '--to', path.join(database.dataDir, 'b.sqlite')], ['restore', '--from', path.join(database.dataDir, 'b.sqlite')]]) {
        const answer = run(env, ...args);
        expect(answer.status).toBe(1);
        expect(answer.stderr).toContain('pg_dump');
        expect(answer.stderr).toContain('pg_restore');
        // The connection string may hold a password: never repeated.
        expect(answer.stderr).not.toContain(database.databaseUrl!);
      }
    } finally {
      await database.drop();
    }
    // Two processes compiling the CLI with tsx: a limit for a loaded 2-core machine, not a measurement.
  }, 240_000);
});

describe('upgrades', () => {
  test('a database a newer billrelay migrated is refused by start (and migrate) with a clear message', async () => {
    const database = await createTestDatabase();
    try {
      const env = envFor(database.dataDir, database.databaseUrl);
      const handle = openDatabase({ databaseUrl: database.databaseUrl, sqliteFile: path.join(database.dataDir, 'billrelay.sqlite') });
      await migrateToLatest(handle);
      await sql`insert into kysely_migration (name, timestamp) values ('999-from-a-newer-billrelay', '2030-01-01T00:00:00.000Z')`.execute(handle.kysely);
      await expect(migrateToLatest(handle)).rejects.toThrow('The database was upgraded by a newer billrelay');
      await handle.close();
      const answer = run({ ...env, PORT: '0' }, 'start');
      expect(answer.status).toBe(1);
      expect(answer.stderr).toContain('The database was upgraded by a newer billrelay: it has migration 999-from-a-newer-billrelay');
      expect(answer.stderr).not.toMatch(/\n\s+at /);
      expect(answer.stdout).not.toContain('is running');
    } finally {
      await database.drop();
    }
  }, 180_000);
});
