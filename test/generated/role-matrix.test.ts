// Who may call what, checked for every operation the OpenAPI lists: anonymous callers, a client on its
// own data, another client on the first one's data, an employee without rights, an employee holding
// exactly the declared right, one holding it but working in another department (for department work:
// tasks, operations, tickets), and an administrator. The expected answer comes from what the operation
// declares (x-billrelay-right, `security: []`, "clients act on their own data"), so a route added
// anywhere is checked once it is registered; one without a declared right fails here.
//
// How each role is asked (guards run before body validation, see platform/http/app.ts):
// - refused roles get real ids, and must get 401 (anonymous) or 403 naming the right;
// - allowed staff get real ids for reads (and must not get 404 then), and for writes an id that does
//   not exist and an empty body: any answer but 401/403 (400, 404, 422…) shows the right check passed,
//   and nothing in the shared fixtures changes;
// - outsiders (the other client, the employee of another department) get the first client's / the
//   department's real ids and the smallest body the schema accepts, and must get 404, the same answer
//   as for an id that does not exist; their lists must not show those ids.
import { beforeAll, describe, expect, test } from 'vitest';
import { useBillrelay } from '../support/billrelay.js';
import type { Answer, ApiClient } from '../support/http.js';
import { buildWorld, employeeWith, requiredQuery, resolvePathParams, type World } from './fixtures.js';
import { fillPath, minimalBody, readOpenApi, sampleBodies, type ApiOperation, type OpenApiDocument } from './openapi.js';

/**
 * Operations without x-billrelay-right, each with who may call it and why (the same list as
 * rights.test.ts's WITHOUT_RIGHT, with the behaviour checked here):
 * - public: anyone, logged in or not (never 401/403);
 * - authenticated: anyone logged in (anonymous 401);
 * - client: any client (anonymous 401, employees 403);
 * - staff: any employee (anonymous 401, clients 403);
 * - skip: not called here, with the reason.
 */
const WITHOUT_RIGHT: Record<string, { access: 'public' | 'authenticated' | 'client' | 'staff' | 'skip'; why: string }> = {
  'POST /api/v1/auth/login': { access: 'public', why: 'logging in' },
  'POST /api/v1/auth/logout': { access: 'skip', why: "ends the caller's session (the auth tests cover it)" },
  'POST /api/v1/auth/register': { access: 'public', why: 'clients sign up' },
  'GET /api/v1/auth/site': { access: 'public', why: "the login page shows whose site it is (the provider's name only)" },
  'POST /api/v1/auth/password-reset': { access: 'public', why: 'a forgotten password' },
  'POST /api/v1/auth/password-reset/confirm': { access: 'public', why: 'the mailed token is the proof' },
  'POST /api/v1/auth/confirm-email': { access: 'public', why: 'the mailed token is the proof' },
  // Its 401 is about the signature (and names the signature header), never about logging in.
  'POST /api/v1/payments/webhooks/{gateway}': { access: 'public', why: 'payment gateways, signed' },
  'POST /api/v1/payments/webhooks/{gateway}/{providerId}': { access: 'public', why: "a provider's card gateway, signed with its webhook secret" },
  'POST /api/v1/auth/confirm-email/resend': { access: 'client', why: "the logged-in client, for its own address (staff use the client's route)" },
  'GET /api/v1/auth/me': { access: 'authenticated', why: 'whoever is logged in' },
  'GET /api/v1/localizations': { access: 'authenticated', why: 'every logged-in user picks a language from it' },
  'GET /api/v1/localizations/{code}': { access: 'authenticated', why: 'every logged-in user picks a language from it' },
  'GET /api/v1/catalog': { access: 'authenticated', why: 'what clients can order' },
  'POST /api/v1/auth/impersonation/end': { access: 'authenticated', why: 'the way back from "log in as client" (409 for any other session)' },
  'POST /api/v1/auth/tokens': { access: 'staff', why: "an employee's own API tokens" },
  'GET /api/v1/auth/tokens': { access: 'staff', why: "an employee's own API tokens" },
  'DELETE /api/v1/auth/tokens/{id}': { access: 'staff', why: "an employee's own API tokens" },
  'GET /api/v1/rights': { access: 'staff', why: 'the catalog itself, for every employee' },
  'GET /api/v1/dashboard': { access: 'staff', why: 'any employee; each part is left out without the read right of its area' },
};

/** Work that belongs to a department: only its members (and administrators) see it; others get 404. */
const DEPARTMENT_SCOPED = ['/api/v1/tasks', '/api/v1/operations', '/api/v1/tickets'];

const t = useBillrelay({ env: { BILLRELAY_WORKER: 'off' } });

let doc: OpenApiDocument;
let operations: ApiOperation[];
let world: World;
let noRights: ApiClient;
const withRight = new Map<string, ApiClient>();
const inOtherDepartment = new Map<string, ApiClient>();

const scoped = (op: ApiOperation) => DEPARTMENT_SCOPED.some((p) => op.path === p || op.path.startsWith(`${p}/`));

beforeAll(async () => {
  ({ doc, operations } = await readOpenApi(t()));
  world = await buildWorld(t());
  noRights = await employeeWith(t(), [], [world.workDepartmentId]);
  for (const op of operations) {
    if (!op.right) continue;
    if (!withRight.has(op.right)) withRight.set(op.right, await employeeWith(t(), [op.right], [world.workDepartmentId]));
    if (scoped(op) && !inOtherDepartment.has(op.right)) inOtherDepartment.set(op.right, await employeeWith(t(), [op.right], [world.otherDepartmentId]));
  }
}, 180_000);

const isWrite = (op: ApiOperation) => op.method !== 'GET';
const ids = (answer: Answer) => (Array.isArray(answer.body?.items) ? answer.body.items.map((i: { id?: unknown }) => String(i.id)) : []);

describe('role matrix from the OpenAPI', () => {
  test('every operation declares a right or is in the explicit list of those that need none', () => {
    const keys = new Set(operations.map((o) => o.key));
    const undeclared = operations.filter((o) => !o.right && !WITHOUT_RIGHT[o.key]).map((o) => o.key);
    expect(undeclared, 'operations without x-billrelay-right and not in WITHOUT_RIGHT').toEqual([]);
    expect(Object.keys(WITHOUT_RIGHT).filter((k) => !keys.has(k)), 'stale WITHOUT_RIGHT entries').toEqual([]);
    expect(operations.length).toBeGreaterThan(100);
  });

  test('each role gets the answer the declaration says', async () => {
    const failures: string[] = [];
    const notes: string[] = [];
    let checks = 0;
    for (const op of operations) {
      const access = op.right ? 'right' : WITHOUT_RIGHT[op.key]?.access;
      if (!access || access === 'skip') continue;
      const owner = op.clients ? world.clientA.api : t().admin;
      const real = await resolvePathParams(t(), world, op, owner);
      if (real.unresolved.length) notes.push(`${op.key}: no fixture for ${real.unresolved.join(', ')} (404 tolerated, outsider checks skipped)`);
      const fake = Object.fromEntries(op.pathParams.map((p) => [p.name, p.schema.pattern?.includes('0-9') ? '999999999' : 'zz']));
      const query = requiredQuery(world, op);
      const minimal = minimalBody(doc, op.body, world.named);
      const send = (api: ApiClient, values: Record<string, string>, body: unknown) =>
        api.request(op.method, fillPath(op.path, values) + query, isWrite(op) ? (body ?? {}) : undefined, { 'idempotency-key': `matrix-${checks}` });
      const check = (role: string, answer: Answer, ok: boolean, expected: string) => {
        checks += 1;
        if (answer.status >= 500 || !ok) failures.push(`${op.key} as ${role}: expected ${expected}, got ${answer.status} ${JSON.stringify(answer.body).slice(0, 300)}`);
      };
      const refused = (role: string, answer: Answer) => {
        const named = answer.body?.error?.details?.right === op.right;
        check(role, answer, answer.status === 403 && named, `403 naming ${op.right}`);
      };
      /**
       * An outsider on someone else's data: the smallest body the schema accepts, or, when the service
       * wants more (a 400 about the body as a whole), other valid bodies from a fixed seed.
       */
      const outsiderAsks = async (api: ApiClient) => {
        let answer = await send(api, real.values, minimal);
        for (const body of isWrite(op) && op.body ? sampleBodies(doc, op.body, world.named) : []) {
          if (answer.status !== 400) break;
          answer = await send(api, real.values, body);
        }
        return answer;
      };
      /** Allowed staff: reads with real ids (then not even 404), writes with an id that does not exist and an empty body. */
      const allowed = async (role: string, api: ApiClient) => {
        if (isWrite(op)) {
          const answer = await send(api, fake, op.body ? {} : undefined);
          check(role, answer, answer.status !== 401 && answer.status !== 403, 'not 401/403');
        } else {
          const answer = await send(api, real.values, undefined);
          const tolerate404 = real.unresolved.length > 0;
          check(role, answer, ![401, 403].includes(answer.status) && (tolerate404 || answer.status !== 404), tolerate404 ? 'not 401/403' : 'not 401/403/404');
        }
      };

      // Anonymous.
      const anonymous = await send(t().anonymous(), real.values, minimal);
      if (access === 'public') check('anonymous', anonymous, anonymous.status !== 403 && !(anonymous.status === 401 && !anonymous.body?.error?.field), 'not 403, nor 401 for want of a login');
      else check('anonymous', anonymous, anonymous.status === 401, '401');

      if (access !== 'right') {
        // Every logged-in kind of user: clients are refused staff operations; employees pass.
        for (const [role, api, isClient] of [['client', world.clientA.api, true], ['employee without rights', noRights, false], ['administrator', t().admin, false]] as const) {
          if ((access === 'staff' && isClient) || (access === 'client' && !isClient)) {
            const answer = await send(api, real.values, minimal);
            check(role, answer, answer.status === 403, '403');
          } else if (isWrite(op)) {
            const answer = await send(api, fake, op.body ? {} : undefined);
            check(role, answer, answer.status !== 401 && answer.status !== 403, 'not 401/403');
          } else {
            const answer = await send(api, real.values, undefined);
            check(role, answer, answer.status !== 401 && answer.status !== 403, 'not 401/403');
          }
        }
        continue;
      }

      // Clients.
      if (!op.clients) {
        refused('client', await send(world.clientA.api, real.values, minimal));
        refused('another client', await send(world.clientB.api, real.values, minimal));
      } else {
        // The first client on its own data (writes with an empty body: validation or the action itself).
        const own = await send(world.clientA.api, real.values, isWrite(op) && op.body ? {} : undefined);
        const ownOk = ![401, 403].includes(own.status) && (real.unresolved.length > 0 || own.status !== 404);
        check('client on its own data', own, ownOk, 'not 401/403/404');
        if (op.pathParams.length && !real.unresolved.length) {
          const theirs = await outsiderAsks(world.clientB.api);
          check("another client on the first one's data", theirs, theirs.status === 404, '404');
        } else if (!isWrite(op) && !op.pathParams.length) {
          const list = await send(world.clientB.api, real.values, undefined);
          const foreign = world.ids[op.path];
          check('another client (list)', list, list.status === 200 && (!foreign || !ids(list).includes(foreign)), `200 without the first client's ${foreign ?? 'items'}`);
        }
      }

      // Employees.
      const refusedEmployee = await send(noRights, real.values, minimal);
      refused('employee without rights', refusedEmployee);
      if (refusedEmployee.status === 403 && !String(refusedEmployee.body?.error?.message).includes(op.right!)) {
        failures.push(`${op.key} as employee without rights: the message does not name ${op.right}: ${refusedEmployee.body?.error?.message}`);
      }
      await allowed(`employee with ${op.right}`, withRight.get(op.right!)!);
      if (scoped(op)) {
        const outsider = inOtherDepartment.get(op.right!)!;
        if (op.pathParams.length && !real.unresolved.length) {
          const answer = await outsiderAsks(outsider);
          check(`employee with ${op.right} of another department`, answer, answer.status === 404, '404');
        } else if (!isWrite(op) && !op.pathParams.length) {
          const answer = await send(outsider, real.values, undefined);
          const foreign = world.ids[op.path];
          check(`employee with ${op.right} of another department (list)`, answer, answer.status === 200 && (!foreign || !ids(answer).includes(foreign)), `200 without ${foreign ?? 'items'}`);
        }
      }
      await allowed('administrator', t().admin);
    }
    if (notes.length) console.info(`role matrix: ${notes.join('\n')}`);
    expect(failures).toEqual([]);
    expect(checks).toBeGreaterThan(operations.length * 4);
  }, 240_000);
});
