// Card payments in Chromium: staff set a provider's Stripe account in the Payment gateways dialog (keys
// write-only, errors under the field), and a client pays by card: the Balance page sends it to the
// payment page (here the local Stripe stub's), and back on the Balance page it sees the payment waiting,
// then booked once the signed webhook arrives. axe finds nothing serious; English and Russian.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { TestBillrelay } from '../support/billrelay.js';
import { createClient, type TestClient } from '../support/scenario.js';
import { startStripeStub, type StripeStub } from '../support/stripe.js';
import { axeViolations, hasChromium, skipNote, startUi, type Ui } from './browser.js';

const SECRET_KEY = 'sk_test_51BrowserSecretKey000WXYZ';
const WEBHOOK_SECRET = 'whsec_browserSigningSecret0000';

describe.skipIf(!hasChromium)(`card payments in Chromium${skipNote}`, () => {
  let ui: Ui;
  let server: TestBillrelay;
  let page: Page;
  let stripe: StripeStub;
  let customer: TestClient;

  beforeAll(async () => {
    stripe = await startStripeStub();
    ui = await startUi({ env: { BILLRELAY_SCHEDULER: 'off', BILLRELAY_WORKER: 'off', BILLRELAY_STRIPE_API_URL: stripe.url } }, { bypassCSP: true });
    ({ server, page } = ui);
    customer = await createClient(server);
  }, 180_000);

  afterAll(async () => {
    await ui?.close();
    await stripe?.close();
  });

  async function openGateways() {
    await page.goto(`${server.url}/billmgr/providers`);
    await page.getByRole('button', { name: 'Payment gateways of Default provider' }).click();
    const dialog = page.getByRole('dialog', { name: 'Payment gateways: Default provider' });
    await dialog.getByRole('form', { name: 'Stripe settings' }).waitFor();
    return dialog;
  }

  test('staff set the Stripe keys: errors under the field, keys never shown again', async () => {
    await ui.login();
    let dialog = await openGateways();
    expect(await dialog.getByTestId('webhook-url').innerText()).toBe(`${server.url}/api/v1/payments/webhooks/stripe/1`);
    expect(await axeViolations(page)).toEqual([]);
    // Enabling without keys: the server says what is missing, under the field.
    await dialog.getByLabel('Clients may pay by card through Stripe').check();
    await dialog.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => dialog.getByRole('alert').allInnerTexts()).toEqual([expect.stringContaining('secretKey')]);
    // A publishable key is refused as typed.
    await dialog.getByLabel('Secret key').fill('pk_test_publishable');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => dialog.getByRole('alert').allInnerTexts()).toEqual(['A secret key starts with sk_ or rk_ (Stripe dashboard → Developers → API keys).']);
    await dialog.getByLabel('Secret key').fill(SECRET_KEY);
    await dialog.getByLabel('Webhook signing secret').fill(WEBHOOK_SECRET);
    await dialog.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Stripe settings saved').waitFor();
    await dialog.waitFor({ state: 'hidden' });

    dialog = await openGateways();
    await dialog.getByText('Set (ends with WXYZ). Leave empty to keep it.').waitFor();
    expect(await dialog.getByLabel('Secret key').inputValue()).toBe('');
    expect(await dialog.getByLabel('Clients may pay by card through Stripe').isChecked()).toBe(true);
    expect(await page.content()).not.toContain(SECRET_KEY);
    const saved = (await server.admin.get('/api/v1/providers/1/payment-gateways')).body.items[0];
    expect(saved).toMatchObject({ enabled: true, secretKeySet: true, webhookSecretSet: true, secretKeyHint: 'WXYZ' });
    await page.keyboard.press('Escape');
  }, 120_000);

  test('in Russian: the gateway dialog', async () => {
    await page.goto(`${server.url}/billmgr/providers`);
    await page.getByLabel('Language').selectOption('ru');
    await page.getByRole('button', { name: 'Платёжные шлюзы провайдера Default provider' }).click();
    const dialog = page.getByRole('dialog', { name: 'Платёжные шлюзы: Default provider' });
    await dialog.getByText('Клиенты могут платить картой через Stripe').waitFor();
    await dialog.getByText('Задан (оканчивается на WXYZ). Оставьте пустым, чтобы не менять.').waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await page.keyboard.press('Escape');
    await page.getByLabel('Язык').selectOption('en');
    await page.getByRole('heading', { name: 'Providers', level: 1 }).waitFor();
  }, 120_000);

  test('a client pays by card: Stripe’s page, back to the balance, pending, then booked', async () => {
    await page.context().clearCookies();
    await page.goto(`${server.url}/billmgr/`);
    await page.getByLabel('E-mail').fill(customer.email);
    await page.getByLabel('Password').fill('client-password');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('button', { name: 'Log out' }).waitFor();
    await page.goto(`${server.url}/billmgr/balance`);
    const form = page.getByRole('form', { name: 'Top up the balance' });
    await form.getByRole('option', { name: 'Card (Stripe)' }).waitFor({ state: 'attached' });
    await form.getByLabel('Amount, EUR *').fill('12.00');
    await form.getByLabel('Payment method').selectOption('stripe');
    expect(await axeViolations(page)).toEqual([]);
    await form.getByRole('button', { name: 'Top up' }).click();
    // The browser reaches the payment page the gateway answered.
    await page.getByRole('heading', { name: 'Stripe test checkout' }).waitFor();
    const session = [...stripe.sessions.values()].find((s) => page.url() === s.url)!;
    expect(session).toMatchObject({ amount_total: 1200, currency: 'eur', metadata: { client_id: String(customer.id) } });

    // Stripe sends the client back before its webhook arrives: the payment waits.
    await page.goto(session.success_url);
    const returned = page.getByTestId('returned-payment');
    await returned.getByText('Waiting for the payment').waitFor();
    expect(await returned.innerText()).toContain(session.metadata.billrelay_reference);
    expect(await axeViolations(page)).toEqual([]);
    const payload = stripe.event('checkout.session.completed', stripe.pay(session.id));
    const booked = await server.anonymous().request('POST', '/api/v1/payments/webhooks/stripe/1', payload, { 'content-type': 'application/json', 'stripe-signature': stripe.sign(payload, WEBHOOK_SECRET) });
    expect(booked.status, JSON.stringify(booked.body)).toBe(200);
    // The page sees it booked by itself.
    await returned.getByText('Your payment has arrived').waitFor({ timeout: 15_000 });
    await expect.poll(() => page.getByTestId('balance').innerText(), { timeout: 15_000 }).toContain('12.00');
    expect((await server.admin.get(`/api/v1/clients/${customer.id}`)).body.balance).toBe('12.00');
  }, 120_000);

  test('in Russian: the card option and a payment that was not completed', async () => {
    await page.goto(`${server.url}/billmgr/balance`);
    await page.getByLabel('Language').selectOption('ru');
    const form = page.getByRole('form', { name: 'Пополнить баланс' });
    await form.getByRole('option', { name: 'Карта (Stripe)' }).waitFor({ state: 'attached' });
    const started = await customer.api.post(`/api/v1/clients/${customer.id}/payments/start`, { gateway: 'stripe', amount: '3.00' });
    const session = stripe.sessions.get([...stripe.sessions.values()].find((s) => s.metadata.billrelay_reference === started.body.gatewayPaymentId)!.id)!;
    await page.goto(session.cancel_url);
    await page.getByTestId('returned-payment').getByText('Платёж не завершён').waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await page.getByLabel('Язык').selectOption('en');
  }, 120_000);

  test('at 390 px neither the balance page with a returned payment nor the gateway dialog scrolls sideways', async () => {
    const width = () => page.evaluate('document.documentElement.scrollWidth').then(Number);
    const started = await customer.api.post(`/api/v1/clients/${customer.id}/payments/start`, { gateway: 'stripe', amount: '4.00' });
    await page.setViewportSize({ width: 390, height: 760 });
    try {
      await page.goto(`${server.url}/billmgr/balance?payment=${started.body.gatewayPaymentId}`);
      await page.getByTestId('returned-payment').getByText('Waiting for the payment').waitFor();
      expect(await width()).toBeLessThanOrEqual(390);
      await page.context().clearCookies();
      await ui.login();
      const dialog = await openGateways();
      await dialog.getByTestId('webhook-url').waitFor();
      expect(await width()).toBeLessThanOrEqual(390);
    } finally {
      await page.setViewportSize({ width: 1200, height: 760 });
    }
  }, 120_000);
});
