// GET /metrics and /readyz as a monitoring system uses them, on SQLite and PostgreSQL: an order taken
// through the API and delivered by the worker shows up in the numbers, the token is required, and
// readiness names what is not ready.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { ManualClock } from '../clock.js';
import type { Sandbox } from '../../sandbox/index.js';
import { startBillrelay, useBillrelay, type TestBillrelay } from '../../../test/support/billrelay.js';
import { drain, OPERATIONS_TEST_ENV } from '../../../test/support/licenses.js';
import { connectModule, createClient, importTariff, nextIp } from '../../../test/support/scenario.js';
import { startUpstream } from '../../../test/support/upstream.js';

const TOKEN = 'metrics-token-for-tests-1234';
const t = useBillrelay({ env: { ...OPERATIONS_TEST_ENV, BILLRELAY_METRICS_TOKEN: TOKEN } });
let upstream: Sandbox;

beforeAll(async () => {
  upstream = await startUpstream(t());
});
afterAll(() => upstream.close());

const scrape = async () => {
  const answer = await t().anonymous().get('/metrics', { authorization: `Bearer ${TOKEN}` });
  expect(answer.status, String(answer.body)).toBe(200);
  return answer.body as string;
};

/** The value of one sample: `name{labels}` exactly as the exposition format writes it, or undefined. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const wanted = Object.entries(labels);
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1], l[2]]));
    if (wanted.every(([k, v]) => have[k] === v) && Object.keys(have).length === wanted.length) return Number(m[3]);
  }
  return undefined;
}

/** The sum of a metric's samples over every label set that includes `labels`. */
function total(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1], l[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) sum += Number(m[3]);
  }
  return sum;
}

describe('GET /metrics', () => {
  test('needs the token: 401 without it or with another one, never the numbers', async () => {
    const none = await t().anonymous().get('/metrics');
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toContain('Bearer');
    const wrong = await t().anonymous().get('/metrics', { authorization: 'Bearer not-the-token' });
    expect(wrong.status).toBe(401);
    expect(JSON.stringify(wrong.body)).not.toContain('billrelay_');
    // A logged-in administrator's session is no metrics token either.
    expect((await t().admin.get('/metrics')).status).toBe(401);
    const right = await t().anonymous().get('/metrics', { authorization: `Bearer ${TOKEN}` });
    expect(right.status).toBe(200);
    expect(right.headers.get('content-type')).toContain('text/plain');
  });

  test('after an order reaches active: operations, time from order to active, upstream calls by function, balances, tasks, outbox and HTTP routes', async () => {
    const clock = t().clock as ManualClock;
    const module = await connectModule(t(), upstream, { balance: '500.00' }, { name: { en: 'Partner EU' } });
    const tariff = await importTariff(t(), module.id, '55227', { markupPercent: '25' });
    const client = await createClient(t(), { balance: '200.00' });

    // A refused pre-check is an upstream error of its function.
    upstream.control.inject({ func: 'soft.checkip', fault: { error: { type: 'value', object: 'ip', msg: 'This IP already has an ispmanager license' } }, count: 1 });
    const refused = await client.api.post('/api/v1/licenses/check', { tariffId: tariff.id, period: 12, ip: nextIp() });
    expect(refused.status).toBe(422);

    const ordered = await client.api.post('/api/v1/licenses', { tariffId: tariff.id, period: 12, licenseName: 'web1', ip: nextIp() });
    expect(ordered.status, JSON.stringify(ordered.body)).toBe(201);
    const [op] = (await t().admin.get(`/api/v1/operations?licenseId=${ordered.body.id}`)).body.items as Array<{ id: number }>;
    // Ninety seconds pass between the order and its delivery.
    clock.advance(90_000);
    expect((await drain(t(), op!.id)).status).toBe('succeeded');
    const license = await client.api.get(`/api/v1/licenses/${ordered.body.id}`);
    expect(license.body.status).toBe('active');

    // A second order the upstream refuses: its operation waits for a person, with a task.
    upstream.control.inject({ func: 'soft.order.param', fault: { error: { type: 'value', object: 'ip', msg: 'The IP address is not allowed' } }, count: 1 });
    const second = await client.api.post('/api/v1/licenses', { tariffId: tariff.id, period: 1, licenseName: 'web2', ip: nextIp() });
    expect(second.status).toBe(201);
    const [op2] = (await t().admin.get(`/api/v1/operations?licenseId=${second.body.id}`)).body.items as Array<{ id: number }>;
    expect((await drain(t(), op2!.id)).status).toBe('manual');

    const text = await scrape();
    expect(sample(text, 'billrelay_operations', { kind: 'open', status: 'succeeded' })).toBe(1);
    expect(sample(text, 'billrelay_operations', { kind: 'open', status: 'manual' })).toBe(1);

    // One delivery, observed at 90 s: above the 60 s bucket, within the 300 s one.
    expect(sample(text, 'billrelay_order_to_active_seconds_count')).toBe(1);
    expect(sample(text, 'billrelay_order_to_active_seconds_sum')).toBe(90);
    expect(sample(text, 'billrelay_order_to_active_seconds_bucket', { le: '60' })).toBe(0);
    expect(sample(text, 'billrelay_order_to_active_seconds_bucket', { le: '300' })).toBe(1);

    // Upstream calls by function: the purchase sent once and refused once, the pre-check refused once.
    expect(sample(text, 'billrelay_upstream_call_duration_seconds_count', { function: 'soft.order.param', outcome: 'ok' })).toBe(1);
    expect(sample(text, 'billrelay_upstream_call_duration_seconds_count', { function: 'soft.order.param', outcome: 'error' })).toBe(1);
    expect(sample(text, 'billrelay_upstream_call_errors_total', { function: 'soft.order.param', kind: 'value' })).toBe(1);
    expect(sample(text, 'billrelay_upstream_call_errors_total', { function: 'soft.checkip', kind: 'value' })).toBe(1);
    expect(total(text, 'billrelay_upstream_call_duration_seconds_count', { function: 'whoami', outcome: 'ok' })).toBeGreaterThanOrEqual(1);

    // The module's balance and days left: the dashboard's numbers.
    const dashboard = (await t().admin.get('/api/v1/dashboard')).body as { modules: Array<{ moduleId: number; balance: string | null; daysLeft: number | null }> };
    const shown = dashboard.modules.find((m) => m.moduleId === module.id)!;
    expect(shown.balance).not.toBeNull();
    expect(sample(text, 'billrelay_upstream_balance', { module_id: String(module.id), module: 'Partner EU', currency: 'EUR' })).toBe(Number(shown.balance));
    expect(shown.daysLeft).not.toBeNull();
    expect(sample(text, 'billrelay_upstream_balance_days_left', { module_id: String(module.id), module: 'Partner EU' })).toBe(shown.daysLeft);

    // The outbox backlog is what Tools → Messages lists as pending (no SMTP here: nothing leaves).
    const pending = (await t().admin.get('/api/v1/messages?status=pending')).body as { total: number };
    expect(pending.total).toBeGreaterThan(0);
    expect(sample(text, 'billrelay_outbox_messages', { status: 'pending' })).toBe(pending.total);

    // The task of the refused order is open, not yet overdue; ten days later it is.
    const tasks = (await t().admin.get('/api/v1/tasks?status=open')).body as { total: number };
    expect(tasks.total).toBe(1);
    expect(total(text, 'billrelay_tasks_open')).toBe(1);
    expect(total(text, 'billrelay_tasks_overdue')).toBe(0);
    // (Read last: the administrator's session does not outlive ten days.)
    clock.advance(10 * 86_400_000);
    const later = await scrape();
    expect(total(later, 'billrelay_tasks_open')).toBe(1);
    expect(total(later, 'billrelay_tasks_overdue')).toBe(1);

    // HTTP latency by route pattern, never by the URL asked.
    expect(total(text, 'billrelay_http_request_duration_seconds_count', { method: 'GET', route: '/api/v1/licenses/:id', status_code: '200' })).toBeGreaterThanOrEqual(1);
    expect(text).not.toContain(`/api/v1/licenses/${ordered.body.id}"`);

    // No secret, no address of the upstream, no account name in any label.
    expect(text).not.toContain('partner-password');
    expect(text).not.toContain(upstream.url);
    expect(text).not.toContain(module.username);
    expect(text).not.toContain(client.email);
  });
});

describe('GET /readyz', () => {
  test('200 naming every check; the worker is "off" in a process that runs none', async () => {
    const answer = await t().anonymous().get('/readyz');
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ status: 'ready', checks: { database: 'ok', migrations: 'ok', worker: 'off' } });
    // /healthz still says the process is alive.
    expect((await t().anonymous().get('/healthz')).body).toEqual({ status: 'ok' });
    // Operator's routes, not the integrators' API: outside the OpenAPI (and so outside the role matrix).
    const paths = Object.keys(((await t().anonymous().get('/api/docs/json')).body as { paths: Record<string, unknown> }).paths);
    expect(paths.filter((p) => ['/metrics', '/readyz', '/healthz'].includes(p))).toEqual([]);
  });

  describe('on an instance with its worker running and no metrics token', () => {
    let other: TestBillrelay;
    beforeAll(async () => {
      other = await startBillrelay({ env: { BILLRELAY_METRICS_TOKEN: '' } });
    });
    afterAll(() => other.close());

    test('without BILLRELAY_METRICS_TOKEN there is no /metrics', async () => {
      expect((await other.anonymous().get('/metrics')).status).toBe(404);
      expect((await other.anonymous().get('/metrics', { authorization: `Bearer ${TOKEN}` })).status).toBe(404);
    });

    test('503 naming the migrations when the schema is behind the code, then the database when it is gone', async () => {
      expect((await other.anonymous().get('/readyz')).body).toEqual({ status: 'ready', checks: { database: 'ok', migrations: 'ok', worker: 'ok' } });

      const db = other.billrelay.db.kysely;
      const last = await sql<{ name: string; timestamp: string }>`select name, timestamp from kysely_migration order by name desc limit 1`.execute(db);
      const { name, timestamp } = last.rows[0]!;
      await sql`delete from kysely_migration where name = ${name}`.execute(db);
      const behind = await other.anonymous().get('/readyz');
      expect(behind.status).toBe(503);
      expect(behind.body).toMatchObject({ status: 'not_ready', checks: { database: 'ok', migrations: 'behind' }, notReady: ['migrations'], pending: [name] });
      await sql`insert into kysely_migration (name, timestamp) values (${name}, ${timestamp})`.execute(db);
      expect((await other.anonymous().get('/readyz')).status).toBe(200);

      await other.billrelay.worker.stop();
      await other.billrelay.scheduler.stop();
      const stopped = await other.anonymous().get('/readyz');
      expect(stopped.status).toBe(503);
      expect(stopped.body).toMatchObject({ checks: { worker: 'stopped' }, notReady: ['worker'] });

      await other.billrelay.db.close();
      const gone = await other.anonymous().get('/readyz');
      expect(gone.status).toBe(503);
      expect(gone.body).toMatchObject({ status: 'not_ready', checks: { database: 'unreachable' }, notReady: ['database', 'migrations', 'worker'] });
    });
  });
});
