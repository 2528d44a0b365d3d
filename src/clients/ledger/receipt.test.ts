// A payment's receipt: a printable HTML page for the client who paid (and staff), 404 for anything else.
import { describe, expect, test } from 'vitest';
import { signWebhook } from '../payments/gateway.js';
import { useBillrelay } from '../../../test/support/billrelay.js';
import { createClient } from '../../../test/support/scenario.js';

const t = useBillrelay({ env: { BILLRELAY_WORKER: 'off' } });

/** A top-up as a client does it: started through the manual gateway, then confirmed by its signed notification. */
async function topUp(client: Awaited<ReturnType<typeof createClient>>, amount: string) {
  const started = await client.api.post(`/api/v1/clients/${client.id}/payments/start`, { gateway: 'manual', amount });
  expect(started.status, JSON.stringify(started.body)).toBe(200);
  const raw = JSON.stringify({ transactionId: started.body.gatewayPaymentId, clientId: client.id, amount, currency: 'EUR', status: 'paid' });
  const key = t().billrelay.services.secrets.deriveKey('payment-webhook:manual');
  const booked = await t().anonymous().request('POST', '/api/v1/payments/webhooks/manual', raw, { 'content-type': 'application/json', 'x-billrelay-signature': signWebhook(key, raw) });
  expect(booked.status, JSON.stringify(booked.body)).toBe(200);
  return { entryId: booked.body.entry.id as number, reference: started.body.gatewayPaymentId as string };
}

const receipt = (api: { request: (method: string, path: string) => Promise<{ status: number; body: unknown; headers: Headers }> }, clientId: number, entryId: number) =>
  api.request('GET', `/api/v1/clients/${clientId}/payments/${entryId}/receipt`);

describe('payment receipts', () => {
  test('the client gets a printable HTML receipt of its payment, naming the amount, the reference and both parties', async () => {
    const client = await createClient(t());
    const { entryId, reference } = await topUp(client, '25.50');
    const answer = await receipt(client.api, client.id, entryId);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toMatch(/^text\/html; charset=utf-8/);
    expect(answer.headers.get('content-disposition')).toMatch(/filename="receipt-R-\d{6}\.html"/);
    const html = String(answer.body);
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('Payment receipt No. R-');
    expect(html).toContain('25.50 EUR');
    expect(html).toContain(reference);
    expect(html).toContain(client.email);
    expect(html).not.toMatch(/<script|<style|style=/i);
    // The payments alone: the ledger filtered by kind.
    await t().admin.post(`/api/v1/clients/${client.id}/corrections`, { amount: '-1.00', comment: 'fee' });
    const payments = await client.api.get(`/api/v1/clients/${client.id}/ledger?kind=payment`);
    expect(payments.body.items.map((e: { id: number; kind: string }) => [e.id, e.kind])).toEqual([[entryId, 'payment']]);
    expect(payments.body.total).toBe(1);
    expect((await client.api.get(`/api/v1/clients/${client.id}/ledger`)).body.total).toBe(2);
    expect((await client.api.get(`/api/v1/clients/${client.id}/ledger?kind=gift`)).status).toBe(400);
    // Staff who read clients get it too.
    expect((await receipt(t().admin, client.id, entryId)).status).toBe(200);
  });

  test('a client of another language gets it in that language; names are escaped', async () => {
    const client = await createClient(t());
    expect((await t().admin.patch(`/api/v1/clients/${client.id}`, { language: 'ru', name: '<b>Иван</b>' })).status).toBe(200);
    const { entryId } = await topUp(client, '10.00');
    const html = String((await receipt(client.api, client.id, entryId)).body);
    expect(html).toContain('Квитанция об оплате');
    expect(html).toContain('&lt;b&gt;Иван&lt;/b&gt;');
    expect(html).not.toContain('<b>Иван');
  });

  test("another client's receipt, a charge, or an unknown entry is 404", async () => {
    const owner = await createClient(t());
    const other = await createClient(t(), { balance: '5.00' });
    const { entryId } = await topUp(owner, '7.00');
    // Asked under its own id or under the owner's: both 404.
    expect((await receipt(other.api, other.id, entryId)).status).toBe(404);
    expect((await receipt(other.api, owner.id, entryId)).status).toBe(404);
    // Under the owner's id by staff, but for the wrong client: 404.
    expect((await receipt(t().admin, other.id, entryId)).status).toBe(404);
    const correction = await t().admin.post(`/api/v1/clients/${owner.id}/corrections`, { amount: '-1.00', comment: 'fee' });
    expect((await receipt(owner.api, owner.id, correction.body.entry.id)).status).toBe(404);
    expect((await receipt(owner.api, owner.id, 999999)).status).toBe(404);
    expect((await receipt(t().anonymous(), owner.id, entryId)).status).toBe(401);
  });
});
