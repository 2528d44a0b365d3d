// Bad query strings never make a 500, and a refused one says which parameter is wrong: for every GET
// operation in the OpenAPI, as an administrator and as a client, queries generated from each declared
// parameter's schema, then mutated (wrong types, long values, NUL and odd Unicode — also as raw and
// broken percent-encodings —, negative and huge page numbers, unknown sort fields and parameters, a
// parameter repeated), with the path's ids mutated too.
//
// Fixed seed and a bounded number of cases per operation and caller; to replay or go further (the
// same variables as the body fuzz, fuzz.test.ts):
//   FUZZ_SEED=123 FUZZ_RUNS=500 FUZZ_ONLY='GET /api/v1/licenses' npx vitest run test/generated/query-fuzz.test.ts
import fc from 'fast-check';
import { beforeAll, describe, expect, test } from 'vitest';
import { useBillrelay } from '../support/billrelay.js';
import type { Answer, ApiClient } from '../support/http.js';
import { buildWorld, resolvePathParams, type World } from './fixtures.js';
import { arbitraryFor, fillPath, readOpenApi, type ApiOperation, type OpenApiDocument } from './openapi.js';

const SEED = Number(process.env.FUZZ_SEED ?? 20261202);
const RUNS = Number(process.env.FUZZ_RUNS ?? 24);
const ONLY = process.env.FUZZ_ONLY;

/** The upstream cannot be reached or answers badly: a gateway's failure, not the input's (see fuzz.test.ts). */
const GATEWAY_FAILURES = new Set(['upstream_unreachable', 'upstream_tls', 'upstream_protocol', 'upstream_timeout']);

const t = useBillrelay({ env: { BILLRELAY_WORKER: 'off' } });

let doc: OpenApiDocument;
let targets: ApiOperation[];
let world: World;

beforeAll(async () => {
  const read = await readOpenApi(t());
  doc = read.doc;
  targets = read.operations.filter((op) => op.method === 'GET' && (!ONLY || op.key.includes(ONLY)));
  world = await buildWorld(t());
}, 60_000);

type Mutation = 'valid' | 'none' | 'wrongType' | 'huge' | 'odd' | 'raw' | 'page' | 'id' | 'repeated' | 'unknown' | 'sort';

/** Values as they go on the wire: already percent-encoded (some on purpose not validly). */
const enc = (v: string) => encodeURIComponent(v);
const WRONG_TYPES = ['abc', '1.5', '', '-', 'true', 'null', '[]', '{}', enc('{"a":1}'), '1e3', '0x10', 'NaN', 'Infinity', enc(' 1'), enc('1 '), '%2B1'];
const HUGE = [enc('x'.repeat(4_000)), enc('é'.repeat(2_000)), '9'.repeat(4_000), enc('x'.repeat(20_000))];
const ODD = ['%00', 'a%00b', enc('\u202Eevil\u202C'), enc('a\u200Bb'), enc('\uFEFF'), enc('😀🏳️‍🌈'), enc('مرحبا'), enc("'; drop table clients; --"), enc('../../etc/passwd'), enc('%'), enc('\\u0000'), enc('a_b%c'), '+', enc('*')];
/** Not valid UTF-8 or not valid percent-encoding at all: a lone surrogate, a stray byte, a bare "%". */
const RAW = ['%ED%A0%80', '%FF', '%C3', '%', '%zz', '%2', 'a%', '%E0%80%AF'];
const PAGES = ['-1', '0', '1', '2', '500', '501', '99999999', '9007199254740991', '9007199254740993', '99999999999999999999', '1e3', '1.5', '-0', '%201'];
const IDS = ['0', '-1', '999999999', '2147483648', '9007199254740993', '99999999999999999999', '01', '1.0', 'abc', '1e3'];
const PATH_IDS = ['999999999', '0', '01', '1.0', ' 1', '-1', '99999999999999999999', 'abc', '1e3', '\u0000', '%', '😀', 'x'.repeat(2_000)];
const UNKNOWN = ['sort=zz', 'sort=-id', 'sort=name%20desc', 'order=sideways', 'orderBy=zz%3Bdrop', 'sortBy=password', 'zz=1', 'page[size]=5', 'a.b=1', '__proto__=1', 'constructor=1', '=1', '&&', 'perPage'];

interface Case {
  mutation: Mutation;
  query: string;
  pathMutation?: string;
}

/** A generated value as the client would write it in a URL. */
function wire(value: unknown): string {
  try {
    return enc(typeof value === 'string' ? value : JSON.stringify(value) ?? '');
  } catch {
    return '%ED%A0%80';
  }
}

function caseArbitrary(op: ApiOperation): fc.Arbitrary<Case> {
  const params = op.queryParams;
  const model: Record<string, fc.Arbitrary<unknown>> = {};
  for (const p of params) model[p.name] = arbitraryFor(doc, p.schema);
  const valid = fc.record(model, { requiredKeys: params.filter((p) => p.required).map((p) => p.name) });
  const kinds: Mutation[] = params.length
    ? ['valid', 'valid', 'none', 'wrongType', 'wrongType', 'huge', 'odd', 'raw', 'page', 'id', 'id', 'repeated', 'unknown', 'sort']
    : ['none', 'unknown', 'sort', 'odd', 'raw'];
  const pathMutation = op.pathParams.length ? fc.option(fc.constantFrom(...PATH_IDS), { freq: 4 }) : fc.constant(null);
  return fc.tuple(valid, fc.constantFrom(...kinds), fc.nat(), fc.nat(), fc.boolean(), pathMutation).map(([generated, kind, pick, pickValue, realIds, pathId]) => {
    const one = <T>(list: readonly T[]) => list[pickValue % list.length]!;
    const values = new Map<string, string>();
    if (kind !== 'none') {
      for (const [name, value] of Object.entries(generated)) {
        if (value === undefined) continue;
        // Often the fixtures' real ids, so the query gets past "not found" to the lists and filters.
        const named = world.named[name];
        values.set(name, realIds && named !== undefined ? String(named) : wire(value));
      }
    }
    const target = params.length ? params[pick % params.length]!.name : 'zz';
    const pageParam = params.find((p) => p.name === (pick % 2 ? 'page' : 'perPage')) ?? params.find((p) => /^(page|perPage)$/.test(p.name));
    const extra: string[] = [];
    switch (kind) {
      case 'wrongType': values.set(target, one(WRONG_TYPES)); break;
      case 'huge': values.set(target, one(HUGE)); break;
      case 'odd': values.set(target, one(ODD)); break;
      case 'raw': values.set(target, one(RAW)); break;
      case 'page': values.set(pageParam?.name ?? target, one(PAGES)); break;
      case 'id': values.set(params.find((p) => /Id$|^id$/.test(p.name))?.name ?? target, one(IDS)); break;
      case 'repeated': extra.push(`${enc(target)}=${values.get(target) ?? '1'}`, `${enc(target)}=${one(IDS)}`); break;
      case 'unknown': extra.push(one(UNKNOWN)); break;
      case 'sort': extra.push(one(UNKNOWN.slice(0, 6))); break;
      default: break;
    }
    const parts = [...values].map(([name, value]) => `${enc(name)}=${value}`).concat(extra);
    return { mutation: kind, query: parts.length ? `?${parts.join('&')}` : '', ...(pathId !== null ? { pathMutation: pathId } : {}) };
  });
}

/** 32-bit FNV-1a, so each operation's cases stay the same when other operations come and go. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

function problem(answer: Answer): string | undefined {
  const code = answer.body?.error?.code;
  if (answer.status >= 500 && !GATEWAY_FAILURES.has(code)) return `${answer.status} (a 5xx)`;
  if ((answer.status === 400 || answer.status === 422) && !answer.body?.error?.field) return `${answer.status} without error.field`;
  return undefined;
}

const short = (text: string) => (text.length > 300 ? `${text.slice(0, 200)}…(${text.length} chars)` : text);

describe('fuzzing the query string of every read operation from its parameters', () => {
  test('no 5xx, and every 400/422 names the parameter', async () => {
    expect(targets.length).toBeGreaterThan(ONLY ? 0 : 30);
    expect(targets.filter((op) => op.queryParams.length).length).toBeGreaterThan(ONLY ? -1 : 10);
    const failures: string[] = [];
    const statuses = new Map<number, number>();
    let requests = 0;
    const callers: Array<[string, ApiClient, (op: ApiOperation) => boolean]> = [
      ['administrator', t().admin, () => true],
      // Clients only where they may read: elsewhere a 403 comes before the query is looked at.
      ['client', world.clientA.api, (op) => op.clients || op.public || !op.right],
    ];
    for (const op of targets) {
      for (const [who, api, applies] of callers) {
        if (!applies(op)) continue;
        const seed = (SEED ^ hash(`${who} ${op.key}`)) >>> 0;
        const { values } = await resolvePathParams(t(), world, op, api);
        let shown = 0;
        for (const [index, c] of fc.sample(caseArbitrary(op), { numRuns: RUNS, seed }).entries()) {
          const pathValues = c.pathMutation === undefined ? values : Object.fromEntries(Object.keys(values).map((k) => [k, c.pathMutation!]));
          const url = fillPath(op.path, pathValues) + c.query;
          const answer = await api.get(url);
          requests += 1;
          statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
          const wrong = problem(answer);
          if (wrong && shown < 3) {
            shown += 1;
            failures.push(`GET ${short(url)} as ${who} [${c.mutation}] ${wrong}\n  answer: ${short(JSON.stringify(answer.body))}\n  replay: FUZZ_SEED=${SEED} FUZZ_RUNS=${RUNS} FUZZ_ONLY='${op.key}' (case ${index})`);
          }
        }
      }
      const me = await t().admin.get('/api/v1/auth/me');
      if (me.status !== 200) throw new Error(`after ${op.key} the administrator's session is gone (${me.status}); FUZZ_SEED=${SEED}`);
    }
    if (process.env.FUZZ_STATS) console.info([...statuses].sort().map(([s, n]) => `${s}×${n}`).join(' '));
    if (failures.length) console.error(`query fuzz: seed ${SEED}, ${RUNS} cases per operation and caller\n${failures.join('\n')}`);
    expect(failures).toEqual([]);
    // Not all refusals: the generated queries reach the lists often enough to mean something.
    const accepted = [...statuses].filter(([s]) => s < 300).reduce((n, [, c]) => n + c, 0);
    expect(accepted, 'answers with 2xx').toBeGreaterThan(ONLY ? 0 : targets.length * 3);
  }, 300_000);
});
