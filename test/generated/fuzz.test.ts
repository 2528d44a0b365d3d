// Bad input never makes a 500, and a refused body says which field is wrong: for every write operation
// with a JSON body in the OpenAPI, as an administrator, bodies generated from its schema, then mutated
// (wrong types, missing and extra fields, 100k strings, NUL and odd Unicode, money strings out of
// range, ids that do not exist or are not canonical), with the path's ids mutated too.
//
// Fixed seed and a bounded number of cases per operation; to replay or go further:
//   FUZZ_SEED=123 FUZZ_RUNS=500 FUZZ_ONLY='/licenses' npx vitest run test/generated/fuzz.test.ts
import fc from 'fast-check';
import { beforeAll, describe, expect, test } from 'vitest';
import { useBillrelay } from '../support/billrelay.js';
import type { Answer } from '../support/http.js';
import { OPERATIONS_TEST_ENV } from '../support/licenses.js';
import { buildWorld, resolvePathParams, type World } from './fixtures.js';
import { arbitraryFor, fillPath, readOpenApi, resolve, type ApiOperation, type OpenApiDocument } from './openapi.js';

const SEED = Number(process.env.FUZZ_SEED ?? 20261202);
const RUNS = Number(process.env.FUZZ_RUNS ?? 24);
const ONLY = process.env.FUZZ_ONLY;

/**
 * Answers that are not the input's fault and not a bug: the upstream (here a closed port, the URLs a
 * generated connection names) cannot be reached or answers badly, which platform/http/errors.ts maps
 * to 502/504 on purpose.
 */
const GATEWAY_FAILURES = new Set(['upstream_unreachable', 'upstream_tls', 'upstream_protocol', 'upstream_timeout']);

const t = useBillrelay({ env: { ...OPERATIONS_TEST_ENV } });

let doc: OpenApiDocument;
let targets: ApiOperation[];
let world: World;

beforeAll(async () => {
  const read = await readOpenApi(t());
  doc = read.doc;
  targets = read.operations.filter((op) => op.method !== 'GET' && op.body && (!ONLY || op.key.includes(ONLY)));
  world = await buildWorld(t());
}, 60_000);

type Json = unknown;
type Mutation = 'valid' | 'named' | 'wrongType' | 'missing' | 'empty' | 'extra' | 'huge' | 'odd' | 'money' | 'id' | 'root';

const WRONG_TYPES: Json[] = [0, -1, 1.5, 'x', '', true, false, null, [], {}, [1], { a: 1 }];
const EXTRA_KEYS = ['zzExtra', 'id', 'isAdmin', 'constructor', 'clientId', 'balance'];
const HUGE = ['x'.repeat(100_000), 'é'.repeat(100_000), '1'.repeat(100_000)];
const ODD = ['a\u0000b', '\u0000', '\ud800', 'x\udfffy', '\u202Eevil\u202C', 'a\u200Bb', '\uFEFF', '😀🏳️‍🌈', 'مرحبا', ' ', '', 'null', "'; drop table clients; --", '../../etc/passwd', '%00', '\\u0000'];
const MONEY = ['1e309', '-1e309', '-0', '99999999999999999999.99', '0.0001', '1e-7', 'NaN', 'Infinity', '-1', '+1', '1,00', ' 1.00', '1.', '.5', '0x10', '٣.٠٠', 1e309 as number, -0, 1e21];
const IDS = [0, -1, 999_999_999, 2 ** 31, 2 ** 53, 2 ** 63, 1.5, '1', '01', '1.0', ' 1', '1e3', 'abc', ''];
const PATH_IDS = ['999999999', '0', '01', '1.0', ' 1', '-1', '99999999999999999999', 'abc', '1e3', '\u0000', '%', '1/../1'];

interface Case {
  mutation: Mutation;
  body: Json;
  pathMutation?: string;
}

/** Every place a value can be replaced: leaves and objects of the body, and the schema's top-level properties. */
function places(body: Json, schema: ReturnType<typeof resolve>): string[][] {
  const out: string[][] = [];
  const walk = (value: Json, at: string[]) => {
    if (at.length) out.push(at);
    if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) walk(v, [...at, k]);
  };
  walk(body, []);
  for (const name of Object.keys(schema.properties ?? {})) if (!out.some((p) => p.length === 1 && p[0] === name)) out.push([name]);
  return out;
}

function setAt(body: Json, at: string[], value: Json): Json {
  if (!at.length) return value;
  const copy: any = Array.isArray(body) ? [...body] : body && typeof body === 'object' ? { ...body } : {};
  copy[at[0]!] = setAt(copy[at[0]!], at.slice(1), value);
  return copy;
}

function deleteAt(body: Json, at: string[]): Json {
  if (!body || typeof body !== 'object' || !at.length) return body;
  const copy: any = Array.isArray(body) ? [...body] : { ...body };
  if (at.length === 1) delete copy[at[0]!];
  else copy[at[0]!] = deleteAt(copy[at[0]!], at.slice(1));
  return copy;
}

/**
 * Values the JSON schema cannot say are wanted (the services check them): real ids of the fixtures, an
 * address that is an e-mail, a known time zone, currency and IP, a localized name with the default
 * locale. Put into generated bodies so they get past validation to the services often enough.
 */
const ALIASES: Record<string, string> = {
  memberIds: 'employeeId', headEmployeeId: 'employeeId', performerId: 'employeeId', providerIds: 'providerId',
  departmentIds: 'departmentId', processingModuleIds: 'processingModuleId',
};

function realistic(body: Json, key = ''): Json {
  if (Array.isArray(body)) return body.map((v) => realistic(v, key));
  if (body && typeof body === 'object') {
    const out: Record<string, Json> = {};
    for (const [k, v] of Object.entries(body)) out[k] = realistic(v, k);
    if (/^(name|title|subject|text|body|.*Description)$/.test(key)) out.en ??= `Fuzz ${key}`;
    return out;
  }
  const named = world.named[ALIASES[key] ?? key];
  if (named !== undefined && typeof body === 'number') return named;
  // Another default language would make every later localized name need it.
  if (key === 'isDefault') return undefined;
  if (/^(period|upstreamPeriod)$/.test(key) && typeof body === 'number') return 12;
  if (typeof body !== 'string') return body;
  if (key === 'rights') return 'tariffs.read';
  if (/On$|^holidays$/.test(key)) return '2027-03-01';
  if (/email$/i.test(key)) return `fuzz-${body.length}-${Math.abs(hash(body))}@example.test`;
  if (key === 'timeZone') return 'Europe/Berlin';
  if (key === 'currency') return 'EUR';
  if (key === 'ip') return `198.51.100.${(body.length % 200) + 1}`;
  if (key === 'url') return world.upstream.url;
  if (/password$/i.test(key) || key === 'passwordConfirmation') return 'fuzz-password-correct-horse';
  if (key === 'country') return 'DE';
  if (/^(language|taskLocale)$/.test(key)) return 'en';
  return body;
}

function caseArbitrary(op: ApiOperation): fc.Arbitrary<Case> {
  const schema = resolve(doc, op.body!);
  const mutation = fc.constantFrom<Mutation>('valid', 'named', 'named', 'wrongType', 'missing', 'empty', 'extra', 'huge', 'odd', 'money', 'money', 'id', 'id', 'root');
  const pathMutation = op.pathParams.length ? fc.option(fc.constantFrom(...PATH_IDS), { freq: 4 }) : fc.constant(null);
  return fc.tuple(arbitraryFor(doc, schema), mutation, fc.nat(), fc.nat(), pathMutation).map(([valid, kind, pick, pickValue, pathId]) => {
    const body = kind === 'valid' ? valid : realistic(valid);
    if (kind === 'valid' && body && typeof body === 'object' && 'isDefault' in body) delete (body as Record<string, Json>).isDefault;
    const spots = places(body, schema);
    const spot = spots.length ? spots[pick % spots.length]! : ['zzExtra'];
    const one = <T>(list: readonly T[]) => list[pickValue % list.length]!;
    let mutated: Json = body;
    switch (kind) {
      case 'wrongType': mutated = setAt(body, spot, one(WRONG_TYPES.filter((v) => typeof v !== typeof getAt(body, spot)))); break;
      case 'missing': mutated = deleteAt(body, spot); break;
      case 'empty': mutated = {}; break;
      case 'extra': mutated = setAt(body, [...spot.slice(0, -1), one(EXTRA_KEYS)], 1); break;
      case 'huge': mutated = setAt(body, spot, one(HUGE)); break;
      case 'odd': mutated = setAt(body, spot, one(ODD)); break;
      case 'money': mutated = setAt(body, spot, one(MONEY)); break;
      case 'id': mutated = setAt(body, spot, one(IDS)); break;
      case 'root': mutated = one<Json>([null, [], 'x', 1, true, [{}]]); break;
      default: break;
    }
    return { mutation: kind, body: mutated, ...(pathId !== null ? { pathMutation: pathId } : {}) };
  });
}

function getAt(body: Json, at: string[]): Json {
  let v: any = body;
  for (const k of at) v = v && typeof v === 'object' ? v[k] : undefined;
  return v;
}

/** A body fit to print: long strings shortened. */
const printable = (body: Json) => JSON.stringify(body, (_, v) => (typeof v === 'string' && v.length > 60 ? `${v.slice(0, 20)}…(${v.length} chars)` : v));

/** 32-bit FNV-1a, so each operation's cases stay the same when other operations come and go. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

function problem(answer: Answer, c: Case): string | undefined {
  const code = answer.body?.error?.code;
  if (answer.status >= 500 && !GATEWAY_FAILURES.has(code)) return `${answer.status} (a 5xx)`;
  // A body that is not even an object has no field to name; anything else refused as bad input must.
  if ((answer.status === 400 || answer.status === 422) && c.mutation !== 'root' && !answer.body?.error?.field) return `${answer.status} without error.field`;
  return undefined;
}

describe('fuzzing every write operation from its schema', () => {
  test('no 5xx, and every 400/422 names the field', async () => {
    expect(targets.length).toBeGreaterThan(ONLY ? 0 : 30);
    const failures: string[] = [];
    const statuses = new Map<string, Map<number, number>>();
    let requests = 0;
    for (const op of targets) {
      const seed = (SEED ^ hash(op.key)) >>> 0;
      const { values } = await resolvePathParams(t(), world, op, t().admin);
      const cases = fc.sample(caseArbitrary(op), { numRuns: RUNS, seed });
      const counts = new Map<number, number>();
      statuses.set(op.key, counts);
      let shown = 0;
      for (const [index, c] of cases.entries()) {
        const pathValues = c.pathMutation === undefined ? values : Object.fromEntries(Object.keys(values).map((k) => [k, c.pathMutation!]));
        const url = fillPath(op.path, pathValues);
        const answer = await t().admin.request(op.method, url, c.body === undefined ? 'null' : JSON.stringify(c.body), {
          'content-type': 'application/json',
          'idempotency-key': `fuzz-${seed}-${index}`,
        });
        requests += 1;
        counts.set(answer.status, (counts.get(answer.status) ?? 0) + 1);
        if (process.env.FUZZ_STATS && answer.status === 400 && (c.mutation === 'valid' || c.mutation === 'named') && !c.pathMutation) console.info(`${op.key} valid→400: ${answer.body?.error?.message?.slice(0, 150)} ${printable(c.body).slice(0, 200)}`);
        const wrong = problem(answer, c);
        if (wrong && shown < 3) {
          shown += 1;
          failures.push(`${op.method} ${url} [${c.mutation}] ${wrong}\n  body: ${printable(c.body).slice(0, 600)}\n  answer: ${JSON.stringify(answer.body).slice(0, 400)}\n  replay: FUZZ_SEED=${SEED} FUZZ_RUNS=${RUNS} FUZZ_ONLY='${op.key}' (case ${index})`);
        }
      }
      // The administrator's session survives whatever the bodies said (else later answers mean nothing).
      const me = await t().admin.get('/api/v1/auth/me');
      if (me.status !== 200) throw new Error(`after ${op.key} the administrator's session is gone (${me.status}); FUZZ_SEED=${SEED}`);
    }
    if (process.env.FUZZ_STATS) console.info([...statuses].map(([k, m]) => `${k}: ${[...m].sort().map(([s, n]) => `${s}×${n}`).join(' ')}`).join('\n'));
    if (failures.length) console.error(`fuzz: seed ${SEED}, ${RUNS} cases per operation\n${failures.join('\n')}`);
    expect(failures).toEqual([]);
    // Not all refusals: the generated bodies get through to the services often enough to mean something.
    const accepted = [...statuses.values()].reduce((n, m) => n + [...m].filter(([s]) => s < 300).reduce((a, [, c]) => a + c, 0), 0);
    expect(accepted, 'answers with 2xx').toBeGreaterThan(ONLY ? 0 : targets.length);
    expect(requests).toBe(targets.length * RUNS);
  }, 300_000);
});
