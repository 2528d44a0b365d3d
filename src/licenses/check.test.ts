// Checking an order before paying (POST /licenses/check): the same refusals an order gives before money
// moves (address, tariff, period, the upstream's IP check), with nothing charged, bought or created.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Sandbox } from '../sandbox/index.js';
import { startUpstream } from '../../test/support/upstream.js';
import { useBillrelay } from '../../test/support/billrelay.js';
import { connectModule, createClient, importTariff, nextIp } from '../../test/support/scenario.js';

const t = useBillrelay({ env: { BILLRELAY_WORKER: 'off', BILLRELAY_SCHEDULER: 'off' } });
let upstream: Sandbox;
let tariffId: number;

beforeAll(async () => {
  upstream = await startUpstream(t());
  const module = await connectModule(t(), upstream);
  tariffId = (await importTariff(t(), module.id, '55227')).id;
});
afterAll(() => upstream.close());

describe('checking an order before paying', () => {
  test('a good address passes, even with no money on the balance; nothing is charged or created', async () => {
    const client = await createClient(t());
    const ip = nextIp();
    const answer = await client.api.post('/api/v1/licenses/check', { tariffId, period: 12, ip });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body).toEqual({ ip, status: 'ok' });
    expect((await client.api.get('/api/v1/licenses')).body.total).toBe(0);
    expect((await client.api.get(`/api/v1/clients/${client.id}/ledger`)).body.total).toBe(0);
    expect(upstream.control.purchases()).toHaveLength(0);
  });

  test('a private or malformed address is refused on ip without asking the upstream', async () => {
    const client = await createClient(t());
    for (const ip of ['192.168.1.10', '10.0.0.1', '1.2.3', 'example.com']) {
      const answer = await client.api.post('/api/v1/licenses/check', { tariffId, period: 12, ip });
      expect(answer.status, ip).toBe(400);
      expect(answer.body.error.field, ip).toBe('ip');
    }
  });

  test("the upstream's refusal of the address comes back as ip_refused on ip", async () => {
    const client = await createClient(t());
    upstream.control.inject({ func: 'soft.checkip', fault: { error: { type: 'value', object: 'ip', msg: 'This IP already has an ispmanager license' } }, count: 1 });
    const answer = await client.api.post('/api/v1/licenses/check', { tariffId, period: 12, ip: nextIp() });
    expect(answer.status).toBe(422);
    expect(answer.body.error).toMatchObject({ code: 'ip_refused', field: 'ip' });
    expect(answer.body.error.message).toMatch(/already has an ispmanager license/);
  });

  test('a period not sold is refused on period; another client is 404; anonymous is 401', async () => {
    const client = await createClient(t());
    const other = await createClient(t());
    const period = await client.api.post('/api/v1/licenses/check', { tariffId, period: 7, ip: nextIp() });
    expect(period.status).toBe(400);
    expect(period.body.error.field).toBe('period');
    expect((await client.api.post('/api/v1/licenses/check', { clientId: other.id, tariffId, period: 12, ip: nextIp() })).status).toBe(404);
    expect((await t().anonymous().post('/api/v1/licenses/check', { tariffId, period: 12, ip: nextIp() })).status).toBe(401);
    // Staff check for a client, naming it.
    expect((await t().admin.post('/api/v1/licenses/check', { clientId: client.id, tariffId, period: 12, ip: nextIp() })).status).toBe(200);
  });
});
