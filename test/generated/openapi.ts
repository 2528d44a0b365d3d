// The API's own OpenAPI document as the list of what to test: every operation with its declared
// right, whether clients may call it, its parameters and its JSON body schema, plus a small generator
// of values from JSON Schema (fast-check arbitraries). The generated tests (role-matrix, fuzz) read
// it from a started billrelay, so a route added anywhere is covered as soon as it is registered.
import fc from 'fast-check';
import type { TestBillrelay } from '../support/billrelay.js';

export interface Schema {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  items?: Schema;
  enum?: unknown[];
  const?: unknown;
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
  nullable?: boolean;
  pattern?: string;
  format?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: boolean | number;
  exclusiveMaximum?: boolean | number;
  minItems?: number;
  maxItems?: number;
  default?: unknown;
}

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema: Schema;
}

interface RawOperation {
  description?: string;
  security?: unknown[];
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content?: Record<string, { schema?: Schema }> };
  'x-billrelay-right'?: string;
}

export interface ApiOperation {
  /** "GET /api/v1/licenses/{id}" */
  key: string;
  method: string;
  path: string;
  /** The declared right (x-billrelay-right), if any. */
  right?: string;
  /** Clients may call it on their own data (requireClientOrRight documents this in the description). */
  clients: boolean;
  /** `security: []`: callable without logging in. */
  public: boolean;
  pathParams: Parameter[];
  queryParams: Parameter[];
  body?: Schema;
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, RawOperation>>;
  components?: { schemas?: Record<string, Schema> };
}

const METHODS = new Set(['get', 'post', 'put', 'patch', 'delete']);

export async function readOpenApi(t: TestBillrelay): Promise<{ doc: OpenApiDocument; operations: ApiOperation[] }> {
  const answer = await t.anonymous().get('/api/docs/json');
  if (answer.status !== 200) throw new Error(`GET /api/docs/json: ${answer.status}`);
  const doc = answer.body as OpenApiDocument;
  const operations: ApiOperation[] = [];
  for (const [path, ops] of Object.entries(doc.paths)) {
    if (!path.startsWith('/api/v1/')) continue;
    for (const [method, op] of Object.entries(ops)) {
      if (!METHODS.has(method)) continue;
      const params = op.parameters ?? [];
      const json = op.requestBody?.content?.['application/json']?.schema;
      operations.push({
        key: `${method.toUpperCase()} ${path}`,
        method: method.toUpperCase(),
        path,
        right: op['x-billrelay-right'],
        clients: /clients act on their own data without it/.test(op.description ?? ''),
        public: Array.isArray(op.security) && op.security.length === 0,
        pathParams: params.filter((p) => p.in === 'path'),
        queryParams: params.filter((p) => p.in === 'query'),
        body: json ? resolve(doc, json) : undefined,
      });
    }
  }
  return { doc, operations };
}

/** Follows $ref (only local ones exist) and merges allOf one level deep. */
export function resolve(doc: OpenApiDocument, schema: Schema): Schema {
  let s = schema;
  for (let i = 0; s.$ref && i < 20; i += 1) {
    const name = s.$ref.replace('#/components/schemas/', '');
    s = doc.components?.schemas?.[name] ?? {};
  }
  if (s.allOf?.length) {
    const parts = s.allOf.map((p) => resolve(doc, p));
    return {
      ...s,
      allOf: undefined,
      type: 'object',
      properties: Object.assign({}, ...parts.map((p) => p.properties ?? {}), s.properties ?? {}),
      required: [...new Set(parts.flatMap((p) => p.required ?? []).concat(s.required ?? []))],
    };
  }
  return s;
}

/** The path with its {params} replaced (values are URL-encoded). */
export function fillPath(path: string, values: Record<string, string>): string {
  return path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(values[name] ?? '1'));
}

/** The collection a path parameter points into: "/api/v1/licenses/{id}/renew" → "/api/v1/licenses". */
export function collectionOf(path: string, param: string): string {
  return path.slice(0, path.indexOf(`{${param}}`) - 1);
}

const typesOf = (s: Schema): string[] => (Array.isArray(s.type) ? s.type : s.type ? [s.type] : []);

function lowerBound(s: Schema, fallback: number): number {
  if (typeof s.exclusiveMinimum === 'number') return s.exclusiveMinimum + 1;
  if (s.minimum === undefined) return fallback;
  return s.exclusiveMinimum === true ? s.minimum + 1 : s.minimum;
}

function upperBound(s: Schema, fallback: number): number {
  if (typeof s.exclusiveMaximum === 'number') return s.exclusiveMaximum - 1;
  if (s.maximum === undefined) return fallback;
  return s.exclusiveMaximum === true ? s.maximum - 1 : s.maximum;
}

function stringArbitrary(s: Schema): fc.Arbitrary<string> {
  const min = s.minLength ?? 0;
  const max = Math.max(min, Math.min(s.maxLength ?? 40, 40));
  const fits = (v: string) => v.length >= min && v.length <= (s.maxLength ?? Infinity);
  if (s.pattern) {
    let matching: fc.Arbitrary<string>;
    try {
      matching = fc.stringMatching(new RegExp(s.pattern, 'u'));
    } catch {
      matching = fc.string({ minLength: min, maxLength: max });
    }
    return matching.map((v) => (fits(v) ? v : v.slice(0, s.maxLength ?? v.length))).filter(fits);
  }
  if (s.format === 'email') return fc.stringMatching(/^[a-z][a-z0-9]{0,15}$/).map((u) => `${u}@example.test`);
  if (s.format === 'uri' || s.format === 'url') return fc.constantFrom('http://127.0.0.1:9/', 'http://127.0.0.1:1/x', 'https://127.0.0.1:9/api');
  if (s.format === 'date-time') return fc.date({ min: new Date('2020-01-01'), max: new Date('2035-01-01'), noInvalidDate: true }).map((d) => d.toISOString());
  if (s.format === 'date') return fc.date({ min: new Date('2020-01-01'), max: new Date('2035-01-01'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
  return fc.string({ minLength: min, maxLength: max });
}

/** Values valid for the schema (as far as JSON Schema says; the service may still refuse them). */
export function arbitraryFor(doc: OpenApiDocument, schema: Schema, depth = 0): fc.Arbitrary<unknown> {
  const s = resolve(doc, schema);
  const base = ((): fc.Arbitrary<unknown> => {
    if (s.const !== undefined) return fc.constant(s.const);
    if (s.enum?.length) return fc.constantFrom(...s.enum);
    const alternatives = s.anyOf ?? s.oneOf;
    if (alternatives?.length) return fc.oneof(...alternatives.map((a) => arbitraryFor(doc, a, depth + 1)));
    const types = typesOf(s).filter((x) => x !== 'null');
    const type = types[0] ?? (s.properties ? 'object' : undefined);
    switch (type) {
      case 'string':
        return stringArbitrary(s);
      case 'integer': {
        const lo = Math.max(lowerBound(s, -1000), Number.MIN_SAFE_INTEGER);
        const hi = Math.min(upperBound(s, 1_000_000), Number.MAX_SAFE_INTEGER);
        // Small values hit existing rows (ids) and usual periods more often than the whole range does.
        return fc.oneof({ arbitrary: fc.integer({ min: lo, max: Math.min(hi, Math.max(lo, 0) + 24) }), weight: 3 }, { arbitrary: fc.integer({ min: lo, max: hi }), weight: 1 });
      }
      case 'number':
        return fc.double({ min: Math.max(lowerBound(s, -1e6), -1e15), max: Math.min(upperBound(s, 1e6), 1e15), noNaN: true, noDefaultInfinity: true });
      case 'boolean':
        return fc.boolean();
      case 'array': {
        if (depth > 4) return fc.constant([]);
        const min = s.minItems ?? 0;
        return fc.array(arbitraryFor(doc, s.items ?? {}, depth + 1), { minLength: min, maxLength: Math.max(min, Math.min(s.maxItems ?? 3, 3)) });
      }
      case 'object': {
        if (depth > 4) return fc.constant({});
        const props = s.properties ?? {};
        const model: Record<string, fc.Arbitrary<unknown>> = {};
        for (const [name, p] of Object.entries(props)) model[name] = arbitraryFor(doc, p, depth + 1);
        return fc.record(model, { requiredKeys: (s.required ?? []).filter((k) => k in props) });
      }
      default:
        return fc.constantFrom<unknown>('x', 1, true);
    }
  })();
  const nullable = s.nullable === true || typesOf(s).includes('null');
  return nullable ? fc.oneof({ arbitrary: base, weight: 4 }, { arbitrary: fc.constant(null), weight: 1 }) : base;
}

/**
 * The smallest body the schema accepts: required properties only, generated from a fixed seed, with
 * the named ids of `known` (tariffId, clientId…) put in where the body asks for them.
 */
export function minimalBody(doc: OpenApiDocument, schema: Schema | undefined, known: Record<string, unknown>): unknown {
  if (!schema) return undefined;
  const s = resolve(doc, schema);
  if (!s.properties) return fc.sample(arbitraryFor(doc, s), { numRuns: 1, seed: 42 })[0];
  const out: Record<string, unknown> = {};
  for (const name of s.required ?? []) {
    const prop = s.properties[name];
    if (!prop) continue;
    if (name in known) out[name] = known[name];
    else if (resolve(doc, prop).default !== undefined) out[name] = resolve(doc, prop).default;
    else out[name] = fc.sample(arbitraryFor(doc, prop), { numRuns: 1, seed: 42 })[0];
  }
  return out;
}

/** A few whole valid bodies from a fixed seed, with the named ids of `known` put in. */
export function sampleBodies(doc: OpenApiDocument, schema: Schema, known: Record<string, unknown>, count = 8): unknown[] {
  return fc.sample(arbitraryFor(doc, schema), { numRuns: count, seed: 7 }).map((body) => {
    if (!body || typeof body !== 'object' || Array.isArray(body)) return body;
    const out = { ...(body as Record<string, unknown>) };
    for (const key of Object.keys(out)) if (key in known) out[key] = known[key];
    return out;
  });
}
