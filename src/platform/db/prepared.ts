// A query whose shape never changes is compiled once and run again with new parameters: Kysely
// otherwise rebuilds and recompiles its tree on every call, which is most of a small list request.
// Lists with optional filters have one shape per combination of filters given; each is compiled once.
import type { CompiledQuery, Compilable, Kysely } from 'kysely';
import type { Database } from './schema.js';

interface Prepared<Row> {
  query: CompiledQuery<Row>;
  /** For each parameter of the compiled query: the argument it takes ([index, element of an array or -1]), or null for a constant. */
  slots: Array<readonly [number, number] | null>;
}

/**
 * `build` receives placeholder markers instead of the real arguments; each marker must reach the
 * compiled query as a bound parameter (once or more; not folded into the SQL text), else the query is
 * built anew on every call as before. An argument that is `undefined` is passed to `build` as is: it
 * stands for an absent filter, and each combination of present and absent arguments is compiled once.
 * An array argument (`where('id', 'in', ids)`) is compiled once per length.
 * `build` may test an argument only for `undefined`; any other use of its value would be compiled in.
 * The compiled text is kept per dialect, so SQLite and PostgreSQL in one process do not share it.
 */
export function preparedQuery<Args extends unknown[], Row>(
  build: (db: Kysely<Database>, ...args: Args) => Compilable<Row>,
): (db: Kysely<Database>, ...args: Args) => Promise<Row[]> {
  const compiled = new Map<string, Prepared<Row> | null>();
  return async (db, ...args) => {
    const key = shapeOf(db, args);
    let prepared = compiled.get(key);
    if (prepared === undefined) {
      prepared = prepare(db, build, args);
      compiled.set(key, prepared);
    }
    if (prepared === null) return (await db.executeQuery(build(db, ...args).compile())).rows as Row[];
    const { query, slots } = prepared;
    const parameters = query.parameters.map((value, i) => {
      const slot = slots[i];
      if (!slot) return value;
      const arg = args[slot[0]];
      return slot[1] < 0 ? arg : (arg as unknown[])[slot[1]];
    });
    return (await db.executeQuery({ ...query, parameters })).rows as Row[];
  };
}

/** The first row of a prepared query, or undefined (Kysely's executeTakeFirst). */
export function preparedFirst<Args extends unknown[], Row>(
  build: (db: Kysely<Database>, ...args: Args) => Compilable<Row>,
): (db: Kysely<Database>, ...args: Args) => Promise<Row | undefined> {
  const run = preparedQuery(build);
  return async (db, ...args) => (await run(db, ...args))[0];
}

function shapeOf(db: Kysely<Database>, args: unknown[]): string {
  let key = db.getExecutor().adapter.constructor.name;
  for (const arg of args) key += arg === undefined ? ',' : Array.isArray(arg) ? `,[${arg.length}]` : ',1';
  return key;
}

function prepare<Args extends unknown[], Row>(
  db: Kysely<Database>,
  build: (db: Kysely<Database>, ...args: Args) => Compilable<Row>,
  args: Args,
): Prepared<Row> | null {
  const marker = (i: number, j = -1) => `\u0000prepared-${i}-${j}\u0000`;
  const where = new Map<string, readonly [number, number]>();
  const markers = args.map((arg, i) => {
    if (arg === undefined) return undefined;
    if (Array.isArray(arg)) {
      return arg.map((_, j) => {
        where.set(marker(i, j), [i, j]);
        return marker(i, j);
      });
    }
    where.set(marker(i), [i, -1]);
    return marker(i);
  }) as unknown as Args;
  const query = build(db, ...markers).compile();
  const slots = query.parameters.map((value) => (typeof value === 'string' ? where.get(value) ?? null : null));
  const reached = new Set(slots.map((slot) => slot && marker(slot[0], slot[1])));
  if ([...where.keys()].some((m) => !reached.has(m))) return null;
  // A marker folded into the SQL text would run with the marker instead of the value.
  if (query.sql.includes('\u0000prepared-')) return null;
  return { query, slots };
}
