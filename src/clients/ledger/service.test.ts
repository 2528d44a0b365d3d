import fc from 'fast-check';
import { sql } from 'kysely';
import { describe, expect, test } from 'vitest';
import { signWebhook } from '../payments/gateway.js';
import { useBillrelay } from '../../../test/support/billrelay.js';

const t = useBillrelay();

let seq = 0;
async function newClient(extra: Record<string, unknown> = {}) {
  seq += 1;
  const answer = await t().admin.post('/api/v1/clients', {
    name: `Client ${seq}`, email: `client${seq}-${Date.now()}@example.test`, password: 'client-password', language: 'en', providerId: 1, ...extra,
  });
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  return answer.body as { id: number; email: string; currency: string };
}

const pay = (clientId: number, amount: string, extra: Record<string, unknown> = {}, headers?: Record<string, string>) =>
  t().admin.post(`/api/v1/clients/${clientId}/payments`, { amount, method: 'bank_transfer', ...extra }, headers);

describe('the balance ledger', () => {
  test('payments add up; the ledger lists entries newest first with the running balance', async () => {
    const client = await newClient();
    expect((await pay(client.id, '25.00')).status).toBe(201);
    const second = await pay(client.id, '0.50', { comment: 'top-up' });
    expect(second.body).toMatchObject({ created: true, balance: '25.50', entry: { kind: 'payment', amount: '0.50', balanceAfter: '25.50', method: 'bank_transfer', comment: 'top-up' } });
    const ledger = await t().admin.get(`/api/v1/clients/${client.id}/ledger`);
    expect(ledger.body).toMatchObject({ balance: '25.50', currency: 'EUR', total: 2 });
    expect(ledger.body.items.map((e: { balanceAfter: string }) => e.balanceAfter)).toEqual(['25.50', '25.00']);
    expect((await t().admin.get(`/api/v1/clients/${client.id}`)).body.balance).toBe('25.50');
  });

  test('a payment reference is applied once', async () => {
    const client = await newClient();
    const first = await pay(client.id, '10.00', { reference: `bank-${client.id}` });
    const again = await pay(client.id, '10.00', { reference: `bank-${client.id}` });
    expect(first.status).toBe(201);
    expect(again.status).toBe(200);
    expect(again.body.created).toBe(false);
    expect(again.body.entry.id).toBe(first.body.entry.id);
    expect(again.body.balance).toBe('10.00');
  });

  test('Idempotency-Key: the same key and body answer the first answer again; another body is a 409', async () => {
    const client = await newClient();
    const key = { 'idempotency-key': `pay-${client.id}` };
    const first = await pay(client.id, '7.00', {}, key);
    const replay = await pay(client.id, '7.00', {}, key);
    expect(replay.status).toBe(first.status);
    expect(replay.body).toEqual(first.body);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    const conflict = await pay(client.id, '8.00', {}, key);
    expect(conflict.status).toBe(409);
    expect(conflict.body.error.field).toBe('Idempotency-Key');
    expect((await t().admin.get(`/api/v1/clients/${client.id}`)).body.balance).toBe('7.00');
  });

  test('bad payment input is a 400 naming the field and moves no money', async () => {
    const client = await newClient();
    const cases: Array<[unknown, string]> = [
      [{ amount: '-5.00' }, 'amount'],
      [{ amount: '1.234' }, 'amount'],
      [{ amount: 'ten' }, 'amount'],
      [{ amount: '5.00', method: 'bitcoin' }, 'method'],
      [{ amount: '0' }, 'amount'],
    ];
    for (const [body, field] of cases) {
      const answer = await t().admin.post(`/api/v1/clients/${client.id}/payments`, body);
      expect(answer.status, JSON.stringify(body)).toBe(400);
      expect(answer.body.error.field).toBe(field);
    }
    await fc.assert(
      fc.asyncProperty(fc.anything(), async (body) => {
        const answer = await t().admin.request('POST', `/api/v1/clients/${client.id}/payments`, JSON.stringify(body) ?? 'null');
        expect(answer.status).toBeGreaterThanOrEqual(400);
        expect(answer.status).toBeLessThan(500);
      }),
      { numRuns: 40 },
    );
    expect((await t().admin.get(`/api/v1/clients/${client.id}/ledger`)).body.total).toBe(0);
  });

  test('a charge beyond the balance is refused with 402 saying how much is missing', async () => {
    const client = await newClient();
    await pay(client.id, '10.00');
    const ledger = t().billrelay.services.ledger;
    const system = { kind: 'system' as const, id: null, label: 'test', locale: 'en' };
    const { Money } = await import('../../platform/money.js');
    await expect(ledger.post({ clientId: client.id, kind: 'charge', amount: Money.parse('12.50', 'EUR'), reference: `order:x${client.id}` }, system))
      .rejects.toMatchObject({ code: 'payment_required', message: expect.stringContaining('2.50 EUR is missing') });
    const charged = await ledger.post({ clientId: client.id, kind: 'charge', amount: Money.parse('10.00', 'EUR'), reference: `order:y${client.id}` }, system);
    expect(charged.entry).toMatchObject({ amount: '-10.00', balanceAfter: '0.00' });
    // A credit limit lets the balance go below zero, that far and no further.
    await t().admin.patch(`/api/v1/clients/${client.id}`, { creditLimit: '5.00' });
    await ledger.post({ clientId: client.id, kind: 'charge', amount: Money.parse('5.00', 'EUR'), reference: `order:z${client.id}` }, system);
    expect((await ledger.balance(client.id)).toString()).toBe('-5.00');
    await expect(ledger.post({ clientId: client.id, kind: 'charge', amount: Money.parse('0.01', 'EUR'), reference: `order:w${client.id}` }, system)).rejects.toMatchObject({ code: 'payment_required' });
  });

  test('two concurrent charges that together exceed the balance: exactly one succeeds (repeated)', async () => {
    const { Money } = await import('../../platform/money.js');
    const ledger = t().billrelay.services.ledger;
    const system = { kind: 'system' as const, id: null, label: 'test', locale: 'en' };
    for (let round = 0; round < 15; round++) {
      const client = await newClient();
      await pay(client.id, '10.00');
      const results = await Promise.allSettled(
        ['a', 'b', 'c'].map((n) => ledger.post({ clientId: client.id, kind: 'charge', amount: Money.parse('6.00', 'EUR'), reference: `race:${client.id}:${n}` }, system)),
      );
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      for (const r of results) if (r.status === 'rejected') expect(r.reason.code).toBe('payment_required');
      expect((await ledger.balance(client.id)).toString()).toBe('4.00');
      expect((await ledger.balanceFromEntries(client.id)).toString()).toBe('4.00');
    }
  });

  test('the same charge reference sent concurrently is applied once', async () => {
    const { Money } = await import('../../platform/money.js');
    const ledger = t().billrelay.services.ledger;
    const system = { kind: 'system' as const, id: null, label: 'test', locale: 'en' };
    const client = await newClient();
    await pay(client.id, '100.00');
    const results = await Promise.all(
      [1, 2, 3, 4].map(() => ledger.post({ clientId: client.id, kind: 'charge', amount: Money.parse('6.00', 'EUR'), reference: `renewal:${client.id}:2026-12-01` }, system)),
    );
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(results.map((r) => r.entry.id)).size).toBe(1);
    expect((await ledger.balance(client.id)).toString()).toBe('94.00');
  });

  test('entries are append-only, enforced by the database', async () => {
    const client = await newClient();
    await pay(client.id, '3.00');
    const db = t().billrelay.db.kysely;
    await expect(sql`update ledger_entries set amount_minor = 1000000 where client_id = ${client.id}`.execute(db)).rejects.toThrow(/append-only/);
    await expect(sql`delete from ledger_entries where client_id = ${client.id}`.execute(db)).rejects.toThrow(/append-only/);
    expect((await t().admin.get(`/api/v1/clients/${client.id}/ledger`)).body.items[0].amount).toBe('3.00');
  });

  test('corrections (administrators) may go either way and below zero', async () => {
    const client = await newClient();
    const minus = await t().admin.post(`/api/v1/clients/${client.id}/corrections`, { amount: '-2.00', comment: 'fee correction' });
    expect(minus.status).toBe(201);
    expect(minus.body.balance).toBe('-2.00');
    expect((await t().admin.post(`/api/v1/clients/${client.id}/corrections`, { amount: '1.00' })).body.error.field).toBe('comment');
  });
});

describe('amounts the database cannot hold', () => {
  const notify = (body: Record<string, unknown>) => {
    const raw = JSON.stringify({ currency: 'EUR', status: 'paid', ...body });
    const key = t().billrelay.services.secrets.deriveKey('payment-webhook:manual');
    return t().anonymous().request('POST', '/api/v1/payments/webhooks/manual', raw, { 'content-type': 'application/json', 'x-billrelay-signature': signWebhook(key, raw) });
  };

  test('the payment webhook has the REST API\'s amount limits', async () => {
    const client = await newClient();
    for (const amount of ['999999999999999.99', '1000000000000.00', '-5.00', '0.00', '1.001']) {
      const answer = await notify({ transactionId: `huge-${amount}`, clientId: client.id, amount });
      expect(answer.status, amount).toBe(400);
      expect(answer.body.error.field, amount).toBe('amount');
    }
    const answer = await notify({ transactionId: 'huge-client', clientId: 1e20, amount: '1.00' });
    expect(answer.status).toBe(400);
    expect(answer.body.error.field).toBe('clientId');
    expect((await notify({ transactionId: 'largest', clientId: client.id, amount: '999999999999.99' })).status).toBe(200);
  });

  test('a payment that would take the balance past what the database holds is a 422 naming amount', async () => {
    const client = await newClient();
    const nearMax = 9_223_372_036_854_775_807n - 50_000n;
    await t().billrelay.db.kysely.updateTable('clients').set({ balanceMinor: nearMax }).where('id', '=', client.id).execute();
    for (const answer of [await pay(client.id, '1000.00'), await notify({ transactionId: 'overflow', clientId: client.id, amount: '1000.00' })]) {
      expect(answer.status, JSON.stringify(answer.body)).toBe(422);
      expect(answer.body.error.field).toBe('amount');
    }
    // Still below the edge: accepted.
    expect((await pay(client.id, '100.00')).status).toBe(201);
    const correction = await t().admin.post(`/api/v1/clients/${client.id}/corrections`, { amount: '-1000.00', comment: 'c' });
    expect(correction.status).toBe(201);
    await t().billrelay.db.kysely.updateTable('clients').set({ balanceMinor: -nearMax }).where('id', '=', client.id).execute();
    const below = await t().admin.post(`/api/v1/clients/${client.id}/corrections`, { amount: '-1000.00', comment: 'c' });
    expect(below.status).toBe(422);
    expect(below.body.error.field).toBe('amount');
  });
});
