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
  type SqliteStatement,
  type Transaction,
  type UnknownRow,
} from 'kysely';
import type { Database } from './schema.js';

export type DialectKind = 'sqlite' | 'postgres';

type DataTypeExpression = Parameters<CreateTableBuilder<string, never>['addColumn']>[1];

/*
 * Both dialects answer rows alike: camelCase keys (Kysely's CamelCasePlugin turns them into snake_case
 * on the way in), integers as numbers except money (`…Minor` keys stay bigint), timestamps as ISO
 * strings. Each column name is converted once.
 */
class ColumnNames extends CamelCasePlugin {
  name(column: string): string {
    return this.camelCase(column);
  }
  nested(row: UnknownRow): UnknownRow {
    return this.mapRow(row);
  }
}
const names = new ColumnNames();
interface RowKey {
  name: string;
  money: boolean;
}
const rowKeys = new Map<string, RowKey>();
function rowKey(column: string): RowKey {
  let key = rowKeys.get(column);
  if (!key) {
    const name = names.name(column);
    key = { name, money: name.endsWith('Minor') };
    rowKeys.set(column, key);
  }
  return key;
}

function uniform(value: unknown, money: boolean): unknown {
  switch (typeof value) {
    case 'bigint':
      return money ? value : Number(value);
    case 'number':
    case 'string':
      return money ? BigInt(value) : value;
    case 'object':
      if (value instanceof Date) return value.toISOString();
      // A JSON column PostgreSQL parsed: its keys are camelCased as Kysely's plugin does.
      if (Array.isArray(value)) return value.map((v) => (isPlainObject(v) ? names.nested(v) : v));
      return isPlainObject(value) ? names.nested(value) : value;
    default:
      return value;
  }
}

function isPlainObject(value: unknown): value is UnknownRow {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** PostgreSQL's rows (objects from pg) made uniform in one pass; the stock plugin rebuilt every row key by key. */
class PostgresRowsPlugin extends CamelCasePlugin {
  override async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    const rows = args.result.rows;
    if (!Array.isArray(rows) || rows.length === 0) return args.result;
    return {
      ...args.result,
      rows: rows.map((row) => {
        const out: UnknownRow = {};
        for (const column in row) {
          const key = rowKey(column);
          out[key.name] = uniform(row[column], key.money);
        }
        return out;
      }),
    };
  }
}

/** SQLite's rows come out of SqliteStatements already uniform; this plugin only names columns on the way in. */
class SqliteNamesPlugin extends CamelCasePlugin {
  override async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
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
 * The statements Kysely's SQLite driver runs. It prepares every query anew, and preparing costs about
 * as much as running a small query: statements are reusable, so the recent ones are kept by their SQL.
 * Reading statements answer rows built here from better-sqlite3's raw arrays, which it makes much
 * faster than keyed objects.
 */
class SqliteStatements {
  readonly #db: SqliteDatabase.Database;
  readonly #size: number;
  readonly #cache = new Map<string, SqliteStatement>();

  constructor(db: SqliteDatabase.Database, size = 500) {
    this.#db = db;
    this.#size = size;
  }

  prepare(source: string): SqliteStatement {
    let statement = this.#cache.get(source);
    if (statement) {
      this.#cache.delete(source);
    } else {
      const prepared = this.#db.prepare(source);
      statement = prepared.reader ? new RowsStatement(prepared) : prepared;
      if (this.#cache.size >= this.#size) this.#cache.delete(this.#cache.keys().next().value!);
    }
    this.#cache.set(source, statement);
    return statement;
  }

  close(): void {
    this.#db.close();
  }
}

/**
 * Integers are read exactly (defaultSafeIntegers: bigint), but making a BigInt of every id and count
 * and turning it back into a number cost a list request dearly. So a statement that only reads runs
 * with plain numbers first; if any value came back beyond 2^53 (where a number loses digits: a large
 * amount of money), the same read runs again with bigints. A writer (INSERT … RETURNING) never runs
 * twice: it always reads bigints.
 */
class RowsStatement implements SqliteStatement {
  readonly reader = true;
  readonly #statement: SqliteDatabase.Statement;
  readonly #keys: RowKey[];
  readonly #readonly: boolean;

  constructor(statement: SqliteDatabase.Statement) {
    this.#statement = statement.raw(true);
    this.#keys = statement.columns().map((c) => rowKey(c.name));
    this.#readonly = statement.readonly;
  }

  all(parameters: ReadonlyArray<unknown>): unknown[] {
    const statement = this.#statement;
    if (this.#readonly) {
      statement.safeIntegers(false);
      let rows: unknown[][];
      try {
        rows = statement.all(parameters) as unknown[][];
      } finally {
        statement.safeIntegers(true);
      }
      if (!rows.some(beyondExactNumbers)) return rows.map((row) => this.#row(row));
    }
    return (statement.all(parameters) as unknown[][]).map((row) => this.#row(row));
  }

  run(parameters: ReadonlyArray<unknown>) {
    return this.#statement.run(parameters);
  }

  *iterate(parameters: ReadonlyArray<unknown>): IterableIterator<unknown> {
    for (const row of this.#statement.iterate(parameters) as IterableIterator<unknown[]>) yield this.#row(row);
  }

  #row(values: unknown[]): UnknownRow {
    const keys = this.#keys;
    const row: UnknownRow = {};
    for (let i = 0; i < keys.length; i += 1) {
      const key = keys[i]!;
      const value = values[i];
      row[key.name] = typeof value === 'bigint' || key.money ? uniform(value, key.money) : value;
    }
    return row;
  }
}

function beyondExactNumbers(values: unknown[]): boolean {
  for (const value of values) {
    if (typeof value === 'number' && (value > Number.MAX_SAFE_INTEGER || value < -Number.MAX_SAFE_INTEGER)) return true;
  }
  return false;
}

export interface DbHandle {
  kysely: Kysely<Database>;
  dialect: DialectKind;
  /** PostgreSQL's connection string (for a LISTEN connection of its own). */
  databaseUrl?: string;
  close(): Promise<void>;
}

export function openDatabase(options: { databaseUrl?: string; sqliteFile?: string }): DbHandle {
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
    const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }), plugins: [new PostgresRowsPlugin()] });
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
    dialect: new ImmediateSqliteDialect({ database: new SqliteStatements(sqlite) }),
    plugins: [new NoRowLocksPlugin(), new SqliteNamesPlugin()],
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
