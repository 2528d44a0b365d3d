// `billrelay secrets rotate` re-encrypts stored upstream passwords; billrelay still connects afterwards.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { createBillrelay } from '../app.js';
import { loadConfig } from '../platform/config.js';
import { keyFilePath } from '../platform/crypto/secrets.js';
import { createLogger } from '../platform/logger.js';
import { startSandbox, type Sandbox } from '../sandbox/index.js';
import { createTestDatabase, type TestDatabase } from '../../test/support/database.js';

// Each test starts the CLI through tsx (a few seconds of compiling on an idle machine, far more on a loaded
// two-core CI run); the processes' own 60 s limits bound them, not vitest's default.
vi.setConfig({ testTimeout: 120_000 });

const root = path.resolve(import.meta.dirname, '../..');
let database: TestDatabase;
let upstream: Sandbox;
let env: Record<string, string>;

beforeAll(async () => {
  database = await createTestDatabase();
  upstream = await startSandbox({ accounts: [{ username: 'partner', password: 'partner-password' }] });
  env = { BILLRELAY_DATA_DIR: database.dataDir, DATABASE_URL: database.databaseUrl ?? '', BILLRELAY_ADMIN_EMAIL: 'a@example.test', BILLRELAY_ADMIN_PASSWORD: 'admin-password', LOG_LEVEL: 'warn' };
});
afterAll(async () => {
  await upstream.close();
  await database.drop();
});

async function withBillrelay<T>(work: (b: Awaited<ReturnType<typeof createBillrelay>>) => Promise<T>): Promise<T> {
  const billrelay = await createBillrelay({ config: loadConfig(env), logger: createLogger('warn') });
  try {
    return await work(billrelay);
  } finally {
    await billrelay.close();
  }
}

describe('billrelay secrets rotate', () => {
  test('re-encrypts upstream passwords with a new key; modules keep working', async () => {
    const admin = { kind: 'system' as const, id: null, label: 'test', locale: 'en' };
    const moduleId = await withBillrelay(async (b) => {
      const created = await b.services.processingModules.create(
        { productType: 'licenses', moduleType: 'billmanager', connection: { url: upstream.url, username: 'partner', password: 'partner-password' }, name: { en: 'EU' }, minimalBalance: '0', operationLimit: 8 },
        admin,
      );
      return created.id;
    });
    const keyBefore = fs.readFileSync(keyFilePath(database.dataDir), 'utf8');
    const sealedBefore = await withBillrelay((b) => b.db.kysely.selectFrom('processingModules').select('passwordSealed').where('id', '=', moduleId).executeTakeFirstOrThrow());

    const rotate = spawnSync(path.join(root, 'node_modules/.bin/tsx'), [path.join(root, 'src/cli/main.ts'), 'secrets', 'rotate'], {
      env: { ...process.env, ...env },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(rotate.status, rotate.stderr).toBe(0);
    expect(rotate.stdout).toContain('Re-encrypted 1 upstream password');

    const keyAfter = fs.readFileSync(keyFilePath(database.dataDir), 'utf8');
    expect(keyAfter).not.toBe(keyBefore);
    expect(keyAfter.trim().split('\n')).toHaveLength(1);
    expect(fs.statSync(keyFilePath(database.dataDir)).mode & 0o777).toBe(0o600);
    await withBillrelay(async (b) => {
      const sealedAfter = await b.db.kysely.selectFrom('processingModules').select('passwordSealed').where('id', '=', moduleId).executeTakeFirstOrThrow();
      expect(sealedAfter.passwordSealed).not.toBe(sealedBefore.passwordSealed);
      const checked = await b.services.processingModules.checkBalance(moduleId, admin);
      expect(checked.status).toBe('enabled');
      expect(checked.balance).not.toBeNull();
    });
  });
});
