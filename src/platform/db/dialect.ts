// Every difference between SQLite and PostgreSQL lives in this file.
import fs from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
import {
  CamelCasePlugin,
  sql,
  type ColumnDefinitionBuilder,
  type CreateTableBuilder,
  CompiledQuery,
  Kysely,
  PostgresDialect,
  SqliteDialect,
  SqliteDriver,
  SelectQueryNode,
  type DatabaseConnection,
  type Driver,
  type KyselyPlugin,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type QueryResult,
  type RootOperationNode,
  type SqliteDialectConfig,
  type Transaction,
  type UnknownRow,
} from 'kysely';
import type { Database } from './schema.js';

export type DialectKind = 'sqlite' | 'postgres';

type DataTypeExpression = Parameters<CreateTableBuilder<string, never>['addColumn']>[1];

/**
 * Makes both dialects answer with the same JavaScript types: integers as numbers except money
 * (`…Minor` columns stay bigint), timestamps as ISO strings.
 */
class UniformValuesPlugin implements KyselyPlugin {
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    return args.node;
  }
  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    for (const row of args.result.rows) {
      for (const key in row) {
        const value = row[key];
        if (typeof value === 'bigint') {
          if (!key.endsWith('Minor')) row[key] = Number(value);
        } else if (value instanceof Date) {
          row[key] = value.toISOString();
        } else if ((typeof value === 'string' || typeof value === 'number') && key.endsWith('Minor')) {
          row[key] = BigInt(value);
        }
      }
    }
    return args.result;
  }
}

const ROW_LOCKS = new Set(['ForUpdate', 'ForShare', 'ForNoKeyUpdate', 'ForKeyShare', 'NoWait', 'SkipLocked']);

/**
 * Code writes `.forUpdate()` / `.skipLocked()` where PostgreSQL needs row locks; SQLite has no row
 * locks and needs none, because its transactions hold the database's write lock from their first
 * statement (BEGIN IMMEDIATE, below). This drops those clauses from SQLite's SQL.
 */
class NoRowLocksPlugin implements KyselyPlugin {
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    const node = args.node;
    if (!SelectQueryNode.is(node) || !node.endModifiers?.some((m) => m.modifier && ROW_LOCKS.has(m.modifier))) return node;
    const kept = node.endModifiers.filter((m) => !(m.modifier && ROW_LOCKS.has(m.modifier)));
    return Object.freeze({ ...node, endModifiers: kept.length ? Object.freeze(kept) : undefined });
  }
  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return args.result;
  }
}

/** SQLite transactions take the write lock up front (BEGIN IMMEDIATE) so two writers never deadlock on upgrade. */
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

class ImmediateSqliteDialect extends SqliteDialect {
  readonly #driverConfig: SqliteDialectConfig;
  constructor(config: SqliteDialectConfig) {
    super(config);
    this.#driverConfig = config;
  }
  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.#driverConfig);
  }
}

/**
 * Money is read as bigint (defaultSafeIntegers). A statement that touches no table holding money
 * reads its integers (ids, sort, counts) as plain numbers: turning each into a BigInt and back was
 * a third of the time of a list request. The names of every table with a `…_minor` column:
 */
export const MONEY_TABLES = /\b(clients|ledger_entries|processing_modules|licenses|tariff_periods|tariff_upstream_costs|gateway_payments)\b/;

/**
 * Kysely's SQLite driver prepares every query anew; preparing costs about as much as running a
 * small query. Statements are reusable, so keep the recent ones by their SQL text.
 */
function withStatementCache(db: SqliteDatabase.Database, size = 500): SqliteDatabase.Database {
  const cache = new Map<string, SqliteDatabase.Statement>();
  const prepare = db.prepare.bind(db);
  return new Proxy(db, {
    get(target, prop, receiver) {
      if (prop !== 'prepare') {
        const value = Reflect.get(target, prop, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      }
      return (source: string) => {
        let statement = cache.get(source);
        if (statement) {
          cache.delete(source);
        } else {
          statement = prepare(source);
          if (statement.reader && !MONEY_TABLES.test(source)) statement.safeIntegers(false);
          if (cache.size >= size) cache.delete(cache.keys().next().value!);
        }
        cache.set(source, statement);
        return statement;
      };
    },
  });
}

export interface DbHandle {
  kysely: Kysely<Database>;
  dialect: DialectKind;
  /** PostgreSQL's connection string (for a LISTEN connection of its own). */
  databaseUrl?: string;
  close(): Promise<void>;
}

export function openDatabase(options: { databaseUrl?: string; sqliteFile?: string }): DbHandle {
  const plugins = [new CamelCasePlugin(), new UniformValuesPlugin()];
  if (options.databaseUrl) {
    const pool = new pg.Pool({
      connectionString: options.databaseUrl,
      max: 10,
      types: {
        getTypeParser: ((oid: number, format?: string) =>
          oid === pg.types.builtins.INT8 ? BigInt : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
      },
    });
    // An idle connection the server closed (a restart, an administrator) is dropped from the pool and
    // the next query opens another; unhandled, pg would throw it out of the process.
    pool.on('error', () => {});
    const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }), plugins });
    return { kysely, dialect: 'postgres', databaseUrl: options.databaseUrl, close: () => kysely.destroy() };
  }
  const file = options.sqliteFile ?? ':memory:';
  if (file !== ':memory:') createPrivateFile(file);
  const sqlite = new SqliteDatabase(file);
  sqlite.defaultSafeIntegers(true);
  sqlite.pragma('journal_mode = WAL');
  if (file !== ':memory:') restrictSidecars(file);
  // Money is written here: a committed payment must survive a power loss.
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  // SQLite's own lower() folds ASCII only, so searching "ромашка" would miss "Ромашка"; JavaScript's
  // folds every script, like PostgreSQL's. No index is built on lower(), so replacing it is safe.
  sqlite.function('lower', { deterministic: true }, (value: unknown) => (typeof value === 'string' ? value.toLowerCase() : value));
  const kysely = new Kysely<Database>({
    dialect: new ImmediateSqliteDialect({ database: withStatementCache(sqlite) }),
    plugins: [new NoRowLocksPlugin(), ...plugins],
  });
  return { kysely, dialect: 'sqlite', close: () => kysely.destroy() };
}

/**
 * The database holds password hashes, sessions and money: its directory is created 0700 and the file
 * is 0600 whatever the umask (an existing file from an older version is tightened too). SQLite gives
 * the -wal and -shm files it creates the database file's mode.
 */
function createPrivateFile(file: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  fs.closeSync(fs.openSync(file, 'a', 0o600));
  fs.chmodSync(file, 0o600);
}

/** -wal and -shm left by an older version with a looser mode. */
function restrictSidecars(file: string): void {
  for (const sidecar of [`${file}-wal`, `${file}-shm`]) {
    if (fs.existsSync(sidecar)) fs.chmodSync(sidecar, 0o600);
  }
}

/**
 * Makes transactions that name the same key wait for each other until they end. SQLite needs
 * nothing: its transactions take the write lock from their first statement (BEGIN IMMEDIATE).
 * PostgreSQL takes a transaction-level advisory lock on the key's hash.
 */
export async function lockKey(trx: Transaction<Database>, dialect: DialectKind, key: string): Promise<void> {
  if (dialect === 'postgres') await sql`select pg_advisory_xact_lock(hashtextextended(${key}, 0))`.execute(trx);
}

/** Column types for migrations. */
export function columnTypes(dialect: DialectKind) {
  const pgTypes = dialect === 'postgres';
  return {
    /** Surrogate key: never reused, even after the newest row is deleted. */
    id: (pgTypes ? sql.raw('bigint generated by default as identity') : 'integer') as DataTypeExpression,
    idConstraints: (c: ColumnDefinitionBuilder) => (pgTypes ? c.primaryKey() : c.primaryKey().autoIncrement()),
    /** A column referencing a surrogate key. */
    ref: (pgTypes ? 'bigint' : 'integer') as DataTypeExpression,
    timestamp: sql.raw(pgTypes ? 'timestamptz' : 'text'),
    /** Integer money in minor units. */
    money: 'bigint' as DataTypeExpression,
    json: 'text' as DataTypeExpression,
  } as const;
}

interface DriverError {
  code?: string;
  constraint?: string;
  message?: string;
}

export function isUniqueViolation(error: unknown): boolean {
  const e = error as DriverError;
  return e?.code === '23505' || e?.code === 'SQLITE_CONSTRAINT_UNIQUE' || e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

export function isForeignKeyViolation(error: unknown): boolean {
  const e = error as DriverError;
  return e?.code === '23503' || e?.code === 'SQLITE_CONSTRAINT_FOREIGNKEY';
}
