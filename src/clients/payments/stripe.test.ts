// Card payments through Stripe, end to end and offline: the official SDK talks to a local stub of the
// Checkout Sessions and payment intents endpoints, and webhooks are signed with the SDK's test helper.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startBillrelay, type TestBillrelay } from '../../../test/support/billrelay.js';
import type { ApiClient } from '../../../test/support/http.js';
import { startStripeStub, type StripeStub, type StubSession } from '../../../test/support/stripe.js';

const SECRET_KEY = 'sk_test_51Provider1SecretKeyAbcdefWXYZ';
const WEBHOOK_SECRET = 'whsec_provider1SigningSecret0123456789';
const OTHER_KEY = 'sk_test_51Provider2SecretKeyQrstuv9876';
const OTHER_WEBHOOK_SECRET = 'whsec_provider2SigningSecret9876543210';

let stripe: StripeStub;
let t: TestBillrelay;
const logs: string[] = [];
let otherProviderId: number;

beforeAll(async () => {
  stripe = await startStripeStub();
  t = await startBillrelay({ env: { BILLRELAY_STRIPE_API_URL: stripe.url, BILLRELAY_WORKER: 'off' }, logSink: logs });
  const other = await t.admin.post('/api/v1/providers', { name: 'Second provider', currency: 'EUR' });
  expect(other.status, JSON.stringify(other.body)).toBe(201);
  otherProviderId = other.body.id;
}, 60_000);

afterAll(async () => {
  await t?.close();
  await stripe?.close();
});

let seq = 0;
async function newClient(providerId = 1): Promise<{ id: number; api: ApiClient }> {
  seq += 1;
  const email = `stripe${seq}-${Date.now()}@example.test`;
  const answer = await t.admin.post('/api/v1/clients', { name: `Card client ${seq}`, email, password: 'client-password', language: 'en', providerId });
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  return { id: answer.body.id, api: await t.loginAs(email, 'client-password') };
}

const webhook = (providerId: number, payload: string, signature: string | undefined) =>
  t.anonymous().request('POST', `/api/v1/payments/webhooks/stripe/${providerId}`, payload, { 'content-type': 'application/json', ...(signature ? { 'stripe-signature': signature } : {}) });
const signed = (payload: string, providerId = 1) => webhook(providerId, payload, stripe.sign(payload, providerId === 1 ? WEBHOOK_SECRET : OTHER_WEBHOOK_SECRET));
const balance = async (clientId: number) => (await t.admin.get(`/api/v1/clients/${clientId}`)).body.balance as string;

async function topUp(client: { id: number; api: ApiClient }, amount: string): Promise<{ reference: string; session: StubSession }> {
  const started = await client.api.post(`/api/v1/clients/${client.id}/payments/start`, { gateway: 'stripe', amount });
  expect(started.status, JSON.stringify(started.body)).toBe(200);
  const session = [...stripe.sessions.values()].find((s) => s.metadata.billrelay_reference === started.body.gatewayPaymentId)!;
  expect(started.body.redirectUrl).toBe(session.url);
  return { reference: started.body.gatewayPaymentId, session };
}

describe('Stripe settings per provider', () => {
  test('keys are stored, never answered (only the last 4 characters), nor logged; enabling needs both', async () => {
    const empty = await t.admin.get('/api/v1/providers/1/payment-gateways');
    expect(empty.body.items).toEqual([expect.objectContaining({ gateway: 'stripe', enabled: false, secretKeySet: false, webhookSecretSet: false, webhookPath: '/api/v1/payments/webhooks/stripe/1' })]);

    const half = await t.admin.put('/api/v1/providers/1/payment-gateways/stripe', { enabled: true, secretKey: SECRET_KEY });
    expect(half.status).toBe(400);
    expect(half.body.error.field).toBe('webhookSecret');
    const badKey = await t.admin.put('/api/v1/providers/1/payment-gateways/stripe', { secretKey: 'pk_test_publishable' });
    expect(badKey.status).toBe(400);
    expect(JSON.stringify(badKey.body)).toContain('secretKey');

    const set = await t.admin.put('/api/v1/providers/1/payment-gateways/stripe', { enabled: true, secretKey: SECRET_KEY, webhookSecret: WEBHOOK_SECRET });
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    expect(set.body).toMatchObject({ enabled: true, secretKeySet: true, secretKeyHint: 'WXYZ', webhookSecretSet: true });
    // Changing only whether it is enabled keeps the keys.
    const off = await t.admin.put('/api/v1/providers/1/payment-gateways/stripe', { enabled: false });
    expect(off.body).toMatchObject({ enabled: false, secretKeySet: true, webhookSecretSet: true });
    await t.admin.put('/api/v1/providers/1/payment-gateways/stripe', { enabled: true });
    const other = await t.admin.put(`/api/v1/providers/${otherProviderId}/payment-gateways/stripe`, { enabled: true, secretKey: OTHER_KEY, webhookSecret: OTHER_WEBHOOK_SECRET });
    expect(other.status).toBe(200);

    const read = await t.admin.get('/api/v1/providers/1/payment-gateways');
    const audit = await t.admin.get('/api/v1/audit?perPage=100');
    for (const answer of [set, read, audit]) {
      expect(JSON.stringify(answer.body)).not.toContain(SECRET_KEY);
      expect(JSON.stringify(answer.body)).not.toContain(WEBHOOK_SECRET);
    }
    expect((await t.admin.put('/api/v1/providers/999999/payment-gateways/stripe', { enabled: false })).status).toBe(404);
    expect((await t.admin.put('/api/v1/providers/1/payment-gateways/paypal', { enabled: false })).status).toBe(404);
  });

  test('clients see the card gateway only where their provider enabled it', async () => {
    const client = await newClient();
    const listed = await client.api.get(`/api/v1/clients/${client.id}/payments/gateways`);
    expect(listed.body.items.map((g: { id: string; method: string }) => `${g.id}:${g.method}`)).toEqual(['manual:bank_transfer', 'stripe:card']);
    const third = await t.admin.post('/api/v1/providers', { name: 'Third provider', currency: 'EUR' });
    const plain = await newClient(third.body.id);
    expect((await plain.api.get(`/api/v1/clients/${plain.id}/payments/gateways`)).body.items.map((g: { id: string }) => g.id)).toEqual(['manual']);
    const refused = await plain.api.post(`/api/v1/clients/${plain.id}/payments/start`, { gateway: 'stripe', amount: '5.00' });
    expect(refused.status).toBe(422);
    expect(refused.body.error.field).toBe('gateway');
  });
});

describe('a top-up through Stripe Checkout', () => {
  test('Stripe refusing the key is a 502 naming the gateway, without the key', async () => {
    const provider = await t.admin.post('/api/v1/providers', { name: 'Revoked provider', currency: 'EUR' });
    const revoked = 'sk_test_51RevokedKeyRevokedKey_revoked';
    await t.admin.put(`/api/v1/providers/${provider.body.id}/payment-gateways/stripe`, { enabled: true, secretKey: revoked, webhookSecret: 'whsec_revokedProviderSecret' });
    const client = await newClient(provider.body.id);
    const refused = await client.api.post(`/api/v1/clients/${client.id}/payments/start`, { gateway: 'stripe', amount: '5.00' });
    expect(refused.status).toBe(502);
    expect(refused.body.error.code).toBe('gateway_unavailable');
    expect(refused.body.error.message).toContain('Stripe');
    expect(JSON.stringify(refused.body)).not.toContain(revoked);
  });

  test('start → Checkout Session → signed webhook → the balance grows once', async () => {
    const client = await newClient();
    const { reference, session } = await topUp(client, '25.50');
    expect(session).toMatchObject({ amount_total: 2550, currency: 'eur', client_reference_id: reference, metadata: { billrelay_reference: reference, client_id: String(client.id), provider_id: '1' } });
    expect(session.success_url).toContain(`/billmgr/balance?payment=${reference}`);
    expect(stripe.keys.at(-1)).toBe(SECRET_KEY);
    expect((await client.api.get(`/api/v1/clients/${client.id}/payments/started/${reference}`)).body).toMatchObject({ status: 'pending', amount: '25.50', currency: 'EUR' });
    // Coming back from the payment page books nothing: only the webhook does.
    expect(await balance(client.id)).toBe('0.00');

    const completed = stripe.event('checkout.session.completed', stripe.pay(session.id));
    const first = await signed(completed);
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body).toMatchObject({ booked: true, created: true, entry: { kind: 'payment', amount: '25.50', method: 'card', reference: `gateway:stripe:${reference}` } });
    const again = await signed(completed);
    expect(again.body).toMatchObject({ booked: true, created: false });
    expect(await balance(client.id)).toBe('25.50');
    expect((await client.api.get(`/api/v1/clients/${client.id}/payments/started/${reference}`)).body.status).toBe('paid');
    // Another client cannot read it.
    const stranger = await newClient();
    expect((await stranger.api.get(`/api/v1/clients/${client.id}/payments/started/${reference}`)).status).toBe(404);
    expect((await stranger.api.get(`/api/v1/clients/${stranger.id}/payments/started/${reference}`)).status).toBe(404);
  });

  test('a session completed before the money arrives books only at async_payment_succeeded', async () => {
    const client = await newClient();
    const { session } = await topUp(client, '10.00');
    const pending = await signed(stripe.event('checkout.session.completed', { ...stripe.pay(session.id), payment_status: 'unpaid' }));
    expect(pending.body.booked).toBe(false);
    expect(await balance(client.id)).toBe('0.00');
    const succeeded = await signed(stripe.event('checkout.session.async_payment_succeeded', stripe.pay(session.id)));
    expect(succeeded.body).toMatchObject({ booked: true, created: true });
    expect(await balance(client.id)).toBe('10.00');
  });

  test('events that are not about our payments are acknowledged and book nothing', async () => {
    const foreign = await signed(stripe.event('checkout.session.completed', { id: 'cs_foreign', object: 'checkout.session', amount_total: 500, currency: 'eur', metadata: {}, client_reference_id: null, payment_intent: 'pi_foreign', payment_status: 'paid' }));
    expect(foreign.status).toBe(200);
    expect(foreign.body.booked).toBe(false);
    const other = await signed(stripe.event('customer.created', { id: 'cus_1', object: 'customer' }));
    expect(other.body.booked).toBe(false);
  });
});

describe('refunds and disputes', () => {
  async function tasksAbout(reference: string) {
    const list = await t.admin.get('/api/v1/tasks?type=payment&perPage=100');
    expect(list.status).toBe(200);
    return (list.body.items as Array<{ title: string; text: string }>).filter((task) => task.title.includes(reference));
  }

  test('partial refunds book the difference once each, in any order, with a task for the department', async () => {
    const client = await newClient();
    const { reference, session } = await topUp(client, '10.00');
    await signed(stripe.event('checkout.session.completed', stripe.pay(session.id)));
    const three = stripe.event('charge.refunded', stripe.charge(session, 300));
    const first = await signed(three);
    expect(first.body).toMatchObject({ booked: true, created: true, entry: { kind: 'reversal', amount: '-3.00', balanceAfter: '7.00' } });
    expect((await signed(three)).body.created).toBe(false);
    const five = await signed(stripe.event('charge.refunded', stripe.charge(session, 500)));
    expect(five.body.entry).toMatchObject({ amount: '-2.00', balanceAfter: '5.00' });
    // A late notification with the smaller total: already booked.
    expect((await signed(three)).body.booked).toBe(false);
    expect(await balance(client.id)).toBe('5.00');
    const tasks = await tasksAbout(reference);
    expect(tasks).toHaveLength(2);
    expect(tasks.map((task) => task.text).join('\n')).toContain('Stripe refunded 5.00 EUR');
  });

  test('a refund arriving before the payment books the payment and the refund; the late payment event books nothing more', async () => {
    const client = await newClient();
    const { session } = await topUp(client, '20.00');
    const refund = await signed(stripe.event('charge.refunded', stripe.charge(session, 2000)));
    expect(refund.status, JSON.stringify(refund.body)).toBe(200);
    expect(refund.body.entry).toMatchObject({ kind: 'reversal', amount: '-20.00', balanceAfter: '0.00' });
    const late = await signed(stripe.event('checkout.session.completed', stripe.pay(session.id)));
    expect(late.body).toMatchObject({ booked: true, created: false });
    expect(await balance(client.id)).toBe('0.00');
    const ledger = await t.admin.get(`/api/v1/clients/${client.id}/ledger`);
    expect(ledger.body.items.map((e: { kind: string; amount: string }) => `${e.kind} ${e.amount}`)).toEqual(['reversal -20.00', 'payment 20.00']);
  });

  test('a dispute takes the money back once, even below the credit limit, and opens a task', async () => {
    const client = await newClient();
    const { reference, session } = await topUp(client, '15.00');
    await signed(stripe.event('checkout.session.completed', stripe.pay(session.id)));
    // The client spent part of it meanwhile.
    expect((await t.admin.post(`/api/v1/clients/${client.id}/corrections`, { amount: '-10.00', comment: 'spent' })).status).toBeLessThan(300);
    const dispute = stripe.event('charge.dispute.created', stripe.dispute(session, 1500));
    const first = await signed(dispute);
    expect(first.body).toMatchObject({ booked: true, created: true, entry: { kind: 'reversal', amount: '-15.00', balanceAfter: '-10.00' } });
    expect((await signed(dispute)).body.created).toBe(false);
    expect(await balance(client.id)).toBe('-10.00');
    const tasks = await tasksAbout(reference);
    expect(tasks).toHaveLength(1);
    expect(tasks[0]!.title).toContain('disputed (fraudulent)');
  });
});

describe('webhook signatures', () => {
  test('a tampered body, a wrong secret, a stale or missing signature, or another provider’s endpoint: 4xx, nothing booked', async () => {
    const client = await newClient();
    const { session } = await topUp(client, '30.00');
    const payload = stripe.event('checkout.session.completed', stripe.pay(session.id));
    const signature = stripe.sign(payload, WEBHOOK_SECRET);
    const tampered = await webhook(1, payload.replace('"amount_total": 3000', '"amount_total": 300000'), signature);
    expect(tampered.status).toBe(401);
    expect(tampered.body.error.field).toBe('stripe-signature');
    expect((await webhook(1, payload, stripe.sign(payload, 'whsec_not_the_secret'))).status).toBe(401);
    const stale = stripe.sign(payload, WEBHOOK_SECRET, Math.floor(t.clock.now().getTime() / 1000) - 600);
    expect((await webhook(1, payload, stale)).status).toBe(401);
    expect((await webhook(1, payload, undefined)).status).toBe(401);
    expect((await webhook(otherProviderId, payload, signature)).status).toBe(401);
    expect((await webhook(999999, payload, signature)).status).toBe(404);
    expect(await balance(client.id)).toBe('0.00');
    // The genuine one still books.
    expect((await webhook(1, payload, signature)).body.created).toBe(true);
    expect(await balance(client.id)).toBe('30.00');
  });

  test('no secret reached the logs', () => {
    const all = logs.join('\n');
    expect(all.length).toBeGreaterThan(0);
    for (const secret of [SECRET_KEY, WEBHOOK_SECRET, OTHER_KEY, OTHER_WEBHOOK_SECRET]) expect(all).not.toContain(secret);
  });
});

describe('secrets rotate', () => {
  test('re-seals every gateway secret with the new key (run last: the running app keeps the old key)', async () => {
    const { SecretBox } = await import('../../platform/crypto/secrets.js');
    const { randomBytes } = await import('node:crypto');
    const next = randomBytes(32);
    const old = (t.billrelay.services.secrets as unknown as { keys: Buffer[] }).keys;
    expect(await t.billrelay.services.payments.resealSecrets(new SecretBox([next, ...old]))).toBe(6);
    const rows = await t.billrelay.db.kysely.selectFrom('providerPaymentGateways').select(['providerId', 'secretKeySealed', 'webhookSecretSealed']).where('providerId', 'in', [1, otherProviderId]).orderBy('providerId').execute();
    const onlyNew = new SecretBox([next]);
    expect(rows.map((r) => [onlyNew.open(r.secretKeySealed!), onlyNew.open(r.webhookSecretSealed!)])).toEqual([[SECRET_KEY, WEBHOOK_SECRET], [OTHER_KEY, OTHER_WEBHOOK_SECRET]]);
  });
});
