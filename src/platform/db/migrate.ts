import { Migrator, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import { FatalError } from '../fatal.js';
import type { DbHandle, DialectKind } from './dialect.js';
import * as m001 from './migrations/001-foundation.js';
import * as m010 from './migrations/010-processing-modules.js';
import * as m020 from './migrations/020-clients-ledger.js';
import * as m030 from './migrations/030-tariffs.js';
import * as m040 from './migrations/040-licenses-operations-tasks.js';
import * as m050 from './migrations/050-license-suspension-cause.js';
import * as m060 from './migrations/060-task-performer.js';
import * as m070bh from './migrations/070-business-hours-holidays.js';
import * as m080 from './migrations/080-rights.js';
import * as m090 from './migrations/090-messages.js';
import * as m100 from './migrations/100-auth-tokens.js';
import * as m110 from './migrations/110-tickets.js';
import * as m120 from './migrations/120-message-templates.js';
import * as m121 from './migrations/121-provider-sender.js';
import * as m130 from './migrations/130-employee-email-confirmed.js';
import * as m140 from './migrations/140-payment-gateways.js';
import * as m150 from './migrations/150-client-phone.js';

type DialectMigration = { up(db: Kysely<unknown>, dialect: DialectKind): Promise<void> };

/** In order; names never change once released. Later areas append their own. */
const MIGRATIONS: Record<string, DialectMigration> = {
  '001-foundation': m001,
  '010-processing-modules': m010,
  '020-clients-ledger': m020,
  '030-tariffs': m030,
  '040-licenses-operations-tasks': m040,
  '050-license-suspension-cause': m050,
  '060-task-performer': m060,
  '070-business-hours-holidays': m070bh,
  '080-rights': m080,
  '090-messages': m090,
  '100-auth-tokens': m100,
  '110-tickets': m110,
  '120-message-templates': m120,
  '121-provider-sender': m121,
  '130-employee-email-confirmed': m130,
  '140-payment-gateways': m140,
  '150-client-phone': m150,
};

class StaticProvider implements MigrationProvider {
  constructor(private readonly dialect: DialectKind) {}
  async getMigrations(): Promise<Record<string, Migration>> {
    return Object.fromEntries(
      Object.entries(MIGRATIONS).map(([name, m]) => [name, { up: (db: Kysely<unknown>) => m.up(db, this.dialect) }]),
    );
  }
}

/** Kysely's bookkeeping table: one row per applied migration. */
export const MIGRATION_TABLE = 'kysely_migration';

/** The migrations this code knows, in order. */
export const KNOWN_MIGRATIONS: readonly string[] = Object.keys(MIGRATIONS);

/**
 * Migrations recorded in the database that this code does not know: a newer billrelay upgraded it.
 * Running older code on a newer schema could corrupt data, so such a database is refused.
 */
export function unknownMigrations(applied: readonly string[]): string[] {
  return applied.filter((name) => !(name in MIGRATIONS));
}

export function schemaNewerError(unknown: readonly string[], backup?: string): FatalError {
  const has = `${unknown.length === 1 ? 'migration' : 'migrations'} ${unknown.join(', ')} that this version does not know (it knows up to ${KNOWN_MIGRATIONS.at(-1)})`;
  return new FatalError(
    backup
      ? `${backup} comes from a newer billrelay: it has ${has}. Restore it with that version of billrelay.`
      : `The database was upgraded by a newer billrelay: it has ${has}. Refusing to run older code on a newer schema: ` +
          'run the newer billrelay again, or restore a backup made before the upgrade.',
  );
}

export async function appliedMigrations(handle: DbHandle): Promise<string[]> {
  const tables = await handle.kysely.introspection.getTables({ withInternalKyselyTables: true });
  if (!tables.some((t) => t.name === MIGRATION_TABLE)) return [];
  const db = handle.kysely as unknown as Kysely<Record<typeof MIGRATION_TABLE, { name: string }>>;
  const rows = await db.selectFrom(MIGRATION_TABLE).select('name').orderBy('name').execute();
  return rows.map((r) => r.name);
}

/** Throws a FatalError naming the unknown migrations when the database is newer than this code. */
export async function assertSchemaNotNewer(handle: DbHandle): Promise<void> {
  const unknown = unknownMigrations(await appliedMigrations(handle));
  if (unknown.length) throw schemaNewerError(unknown);
}

export async function migrateToLatest(handle: DbHandle): Promise<string[]> {
  await assertSchemaNotNewer(handle);
  const migrator = new Migrator({
    db: handle.kysely as unknown as Kysely<unknown>,
    provider: new StaticProvider(handle.dialect),
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

export async function pendingMigrations(handle: DbHandle): Promise<string[]> {
  const migrator = new Migrator({
    db: handle.kysely as unknown as Kysely<unknown>,
    provider: new StaticProvider(handle.dialect),
  });
  const all = await migrator.getMigrations();
  return all.filter((m) => !m.executedAt).map((m) => m.name);
}
