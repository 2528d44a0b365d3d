// A query whose shape never changes is compiled once and run again with new parameters: Kysely
// otherwise rebuilds and recompiles its tree on every call, which is most of a small list request.
import type { CompiledQuery, Compilable, Kysely } from 'kysely';
import type { Database } from './schema.js';

/**
 * `build` receives placeholder markers instead of the real parameters; each marker must reach the
 * compiled query as a bound parameter of its own (not be folded into the SQL text).
 */
export function preparedQuery<Args extends unknown[], Row>(
  build: (db: Kysely<Database>, ...args: Args) => Compilable<Row>,
): (db: Kysely<Database>, ...args: Args) => Promise<Row[]> {
  let compiled: { query: CompiledQuery<Row>; positions: number[] } | undefined;
  return async (db, ...args) => {
    if (!compiled) {
      const markers = args.map((_, i) => `\u0000prepared-${i}\u0000`) as unknown as Args;
      const query = build(db, ...markers).compile();
      const positions = args.map((_, i) => query.parameters.indexOf(markers[i]));
      if (positions.some((p) => p < 0)) return (await db.executeQuery(build(db, ...args).compile())).rows as Row[];
      compiled = { query, positions };
    }
    const parameters = [...compiled.query.parameters];
    compiled.positions.forEach((position, i) => (parameters[position] = args[i]));
    return (await db.executeQuery({ ...compiled.query, parameters })).rows as Row[];
  };
}
