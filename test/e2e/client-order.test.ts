// A new client in Chromium, from nothing to a running license: registers on the page linked from the login
// page, confirms the address with the mailed link (a real SMTP server), logs in, sees on the order page that
// the balance falls short and by how much, tops up there through the manual gateway (confirmed by its signed
// notification), orders with the keyboard alone, lands on the license page while the license becomes active,
// and finds the charge and a receipt on the balance page. The same client then goes on as issue 13's journey
// says: copies the key, tops up on the balance page and renews, changes the IP, opens a ticket and reads the
// staff's answer when the page shows it by itself. The profile changes the e-mail address (confirmed from the
// mail sent to the new one) and the phone, refuses a password change with a wrong current password under that
// field, and switches the area to Russian. axe-core finds no serious or critical violation on these pages
// (the e-mail confirmation page and the dialogs among them), and none scrolls sideways at 390 px.
import type { Page } from 'playwright-core';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { signWebhook } from '../../src/clients/payments/gateway.js';
import type { Sandbox } from '../../src/sandbox/index.js';
import type { TestBillrelay } from '../support/billrelay.js';
import { connectModule, importTariff, nextIp } from '../support/scenario.js';
import { startSmtp, type TestSmtp } from '../support/smtp.js';
import { startUpstream } from '../support/upstream.js';
import { axeViolations, hasChromium, shotDir, skipNote, startUi, type Ui } from './browser.js';

const euros = (amount: string) => new Intl.NumberFormat('en-US', { style: 'currency', currency: 'EUR', maximumFractionDigits: 20 }).format(amount as Intl.StringNumericLiteral);

async function until<T>(what: () => Promise<T>, ok: (value: T) => boolean, label: string): Promise<T> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const value = await what();
    if (ok(value)) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${label}: ${JSON.stringify(await what())}`);
}

describe.skipIf(!hasChromium)(`a client registers, tops up and orders in Chromium${skipNote}`, () => {
  let ui: Ui;
  let server: TestBillrelay;
  let page: Page;
  let upstream: Sandbox;
  let smtp: TestSmtp;
  let monthly: string;
  let clientId: number;
  let licenseId: number;
  const email = 'new-customer@example.test';
  const newEmail = 'nina@shop.example.test';
  const password = 'client-password';

  const main = () => page.getByRole('main');
  const cents = (a: string) => BigInt(a.replace('.', ''));
  const license = async () => (await server.admin.get(`/api/v1/licenses/${licenseId}`)).body;
  const balance = async () => (await server.admin.get(`/api/v1/clients/${clientId}`)).body.balance as string;
  /** The bank's notification that the payment with this reference arrived, signed with the installation's webhook key. */
  const bankPays = async (reference: string, amount: string) => {
    const raw = JSON.stringify({ transactionId: reference, clientId, amount, currency: 'EUR', status: 'paid' });
    const key = server.billrelay.services.secrets.deriveKey('payment-webhook:manual');
    const booked = await server.anonymous().request('POST', '/api/v1/payments/webhooks/manual', raw, { 'content-type': 'application/json', 'x-billrelay-signature': signWebhook(key, raw) });
    expect(booked.status, JSON.stringify(booked.body)).toBe(200);
  };
  const narrow = async (route: string, heading: string) => {
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      await page.goto(`${server.url}/billmgr/${route}`);
      await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
      expect(Number(await page.evaluate('document.documentElement.scrollWidth')), route).toBeLessThanOrEqual(390);
    } finally {
      await page.setViewportSize({ width: 1200, height: 760 });
    }
  };
  /** Tab until the focused element matches; the keyboard alone. */
  const tabTo = async (matches: string, label: string) => {
    for (let i = 0; i < 40; i++) {
      await page.keyboard.press('Tab');
      if (await page.evaluate(`document.activeElement?.matches(${JSON.stringify(matches)}) ?? false`)) return;
    }
    throw new Error(`Tab never reached ${label}`);
  };
  const focusedLabel = async () => String(await page.evaluate("document.activeElement?.labels?.[0]?.textContent ?? document.activeElement?.textContent ?? ''"));

  beforeAll(async () => {
    smtp = await startSmtp();
    ui = await startUi({ env: { BILLRELAY_SCHEDULER: 'off', BILLRELAY_SMTP_URL: smtp.url, BILLRELAY_MAIL_FROM: 'Billing <billing@reseller.test>' } }, { bypassCSP: true });
    ({ server, page } = ui);
    upstream = await startUpstream(server);
    const module = await connectModule(server, upstream);
    const lite = await importTariff(server, module.id, '55227', { markupPercent: '20' });
    await importTariff(server, module.id, '55228', { markupPercent: '20' });
    // Where the journey's question goes.
    const desk = await server.admin.post('/api/v1/departments', { name: { en: 'Licenses', ru: 'Лицензии' }, taskLocale: 'en', showInSupportCenter: true, providerIds: [1], ticketCategoryDescription: { en: 'Keys and the panel', ru: 'Ключи и панель' } });
    expect(desk.status, JSON.stringify(desk.body)).toBe(201);
    monthly = lite.periods.find((p) => p.period === 1)!.price;
  }, 180_000);

  // A failed step leaves a screenshot and the page's text behind, for whoever looks into it.
  afterEach(async ({ task }) => {
    if (task.result?.state !== 'fail' || !page) return;
    const file = path.join(shotDir, `client-order-${task.name.slice(0, 40).replace(/\W+/g, '-')}.png`);
    await page.screenshot({ path: file, fullPage: true }).catch(() => undefined);
    console.error(`screenshot: ${file}\n${await page.locator('body').innerText().catch(() => '')}`);
  });

  afterAll(async () => {
    await ui?.close();
    await upstream?.close();
    await smtp?.close();
  });

  test('registers on the page linked from login, confirms the address from the e-mail, logs in', async () => {
    await page.goto(`${server.url}/billmgr/`);
    await page.getByRole('link', { name: 'Create an account' }).click();
    await page.getByRole('heading', { name: 'Create an account' }).waitFor();
    expect(await axeViolations(page)).toEqual([]);
    // Mismatched passwords are caught under the field before anything is sent.
    await page.getByLabel('Name *').fill('Nina Newcomer');
    await page.getByLabel('E-mail *').fill(email);
    await page.getByLabel('Password *', { exact: true }).fill(password);
    await page.getByLabel('Repeat the password *').fill('something-else-7');
    await page.getByLabel('Country *').selectOption('DE');
    await page.getByRole('button', { name: 'Create the account' }).click();
    await page.getByText('The passwords differ.').waitFor();
    await page.getByLabel('Repeat the password *').fill(password);
    await page.getByRole('button', { name: 'Create the account' }).click();
    await page.getByRole('status').filter({ hasText: 'follow its link to confirm the address' }).waitFor();
    expect(await axeViolations(page)).toEqual([]);

    await server.billrelay.mailer.runOnce();
    const mail = await until(async () => smtp.received.find((m) => m.to.includes(email)), Boolean, 'the confirmation e-mail');
    const link = mail!.text.match(/https?:\/\/\S+\/billmgr\/confirm-email\?token=[A-Za-z0-9_-]+/)?.[0];
    expect(link, mail!.text).toBeTruthy();
    await page.goto(link!);
    await page.getByText('Your e-mail address is confirmed').waitFor();
    expect(await axeViolations(page)).toEqual([]);
    // A link that is no longer good says so, in words.
    await page.goto(link!);
    await page.getByRole('alert').first().waitFor();
    expect(await axeViolations(page)).toEqual([]);

    await page.goto(`${server.url}/billmgr/`);
    await page.getByLabel('E-mail').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('button', { name: 'Log out' }).waitFor();
    await page.getByText('Nina Newcomer').waitFor();
    const found = await server.admin.get(`/api/v1/clients?search=${encodeURIComponent(email)}`);
    expect(found.body.items).toHaveLength(1);
    expect(found.body.items[0]).toMatchObject({ email, name: 'Nina Newcomer', emailConfirmed: true, providerId: 1, country: 'DE', balance: '0.00' });
    clientId = found.body.items[0].id;
  }, 90_000);

  test('the order page shows the shortfall, tops up in the same flow, and orders with the keyboard alone', async () => {
    await page.goto(`${server.url}/billmgr/order`);
    await main().getByRole('heading', { name: 'Order a license' }).waitFor();
    await main().getByRole('radio', { name: 'ispmanager 6 lite' }).waitFor();
    expect(await axeViolations(page)).toEqual([]);

    // The tariff: Tab into the catalog, Space picks the first tariff plan.
    await tabTo('input[type=radio][name=tariffId]', 'the tariff plans');
    await page.keyboard.press('Space');
    expect(await main().getByRole('radio', { name: 'ispmanager 6 lite' }).isChecked()).toBe(true);
    // The period: the first is one month.
    await tabTo('input[type=radio][name=period]', 'the periods');
    await page.keyboard.press('Space');
    expect(await main().getByRole('radio', { name: `1 month — ${euros(monthly)}` }).isChecked()).toBe(true);
    await page.keyboard.press('Tab');
    expect(await focusedLabel()).toContain('License name');
    await page.keyboard.type('shop-server');
    await page.keyboard.press('Tab');
    expect(await focusedLabel()).toContain('Server IP address');
    // A private address is refused as it is typed, before anything is asked.
    await page.keyboard.type('192.168.1.20');
    await main().getByText('192.168.1.20 is not a public address').waitFor();
    for (let i = 0; i < '192.168.1.20'.length; i++) await page.keyboard.press('Backspace');
    const ip = nextIp();
    await page.keyboard.type(ip);
    await main().getByText('The license server accepts this address.').waitFor();
    expect(await main().getByText('is not a public address').count()).toBe(0);

    // Nothing on the balance: the shortfall is the price, and the order button waits for the money.
    const summary = main().getByRole('status').filter({ hasText: 'Missing:' });
    await summary.filter({ hasText: euros(monthly) }).waitFor();
    expect(await main().getByRole('button', { name: 'Order and pay from the balance' }).isDisabled()).toBe(true);
    expect(await axeViolations(page)).toEqual([]);

    // The top-up in the same flow: its amount is the shortfall; a bank transfer gives a payment reference.
    await tabTo('button[type=submit]', 'the top-up button');
    expect(await focusedLabel()).toContain('Top up');
    expect(await main().getByLabel('Amount, EUR *').inputValue()).toBe(monthly);
    await page.keyboard.press('Enter');
    const reference = (await main().getByRole('status').filter({ hasText: 'quote the payment reference' }).locator('code').innerText()).trim();
    expect(reference).toMatch(new RegExp(`^P${clientId}-`));
    await bankPays(reference, monthly);
    // The page sees the money arrive by itself; what was typed stays, and the order goes on.
    await page.getByText('Your payment has arrived').waitFor();
    await until(() => main().getByRole('button', { name: 'Order and pay from the balance' }).isEnabled(), Boolean, 'the order button');
    expect(await main().getByLabel('License name *').inputValue()).toBe('shop-server');
    await tabTo('button[type=submit][form=client-order]', 'the order button');
    await page.keyboard.press('Enter');

    await page.waitForURL(/\/billmgr\/licenses\/\d+$/);
    licenseId = Number(new URL(page.url()).pathname.split('/').pop());
    // The license page (the client area's) follows the purchase by itself: active without a reload.
    await main().getByRole('heading', { name: 'shop-server' }).waitFor();
    await main().locator('dl.facts').getByText('active', { exact: true }).waitFor({ timeout: 30_000 });
    const license = await until(async () => (await server.admin.get(`/api/v1/licenses/${licenseId}`)).body, (l) => l.status === 'active', 'the license to become active');
    expect(license).toMatchObject({ clientId, ip, licenseName: 'shop-server', price: monthly, autoRenew: true });
  }, 120_000);

  test('the balance page shows the payment with its receipt and the charge of the order', async () => {
    await page.goto(`${server.url}/billmgr/balance`);
    await main().getByRole('heading', { name: 'Balance and payments', level: 1 }).waitFor();
    const ledger = main().getByRole('table', { name: 'All balance movements' });
    const charge = ledger.getByRole('row').filter({ hasText: 'Charge' }).filter({ hasText: 'shop-server' });
    await charge.waitFor();
    expect(await charge.innerText()).toContain(euros(`-${monthly}`));
    expect(await main().getByTestId('balance').innerText()).toBe(euros('0.00'));
    const payments = main().getByRole('table', { name: 'Payments' });
    const receipt = payments.getByRole('link', { name: /^Receipt R-\d{6}$/ });
    await receipt.waitFor();
    const answer = await page.request.get(new URL((await receipt.getAttribute('href'))!, server.url).toString());
    expect(answer.status()).toBe(200);
    const html = await answer.text();
    expect(html).toContain(`${monthly} EUR`);
    expect(html).toContain('Nina Newcomer');
    expect(await axeViolations(page)).toEqual([]);
  }, 60_000);

  test('the journey goes on: the key is copied, a second top-up on the balance page pays a renewal, the IP is changed', async () => {
    await page.goto(`${server.url}/billmgr/licenses/${licenseId}`);
    const facts = main().locator('dl.facts');
    const active = await license();
    await facts.getByText(active.licenseKey).waitFor();
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
    await facts.getByRole('button', { name: 'Copy the license key' }).click();
    await page.getByText('Copied').waitFor();
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe(active.licenseKey);

    // Nothing left on the balance after the order: a top-up on the balance page, by bank transfer.
    await page.goto(`${server.url}/billmgr/balance`);
    await main().getByRole('heading', { name: 'Balance and payments', level: 1 }).waitFor();
    await main().getByLabel('Amount, EUR *').fill(monthly);
    await main().getByRole('button', { name: 'Top up' }).click();
    const reference = (await main().getByRole('status').filter({ hasText: 'quote the payment reference' }).locator('code').innerText()).trim();
    await bankPays(reference, monthly);
    await main().getByTestId('balance').filter({ hasText: euros(monthly) }).waitFor();

    await page.goto(`${server.url}/billmgr/licenses/${licenseId}`);
    await main().getByRole('heading', { name: 'shop-server' }).waitFor();
    const navigations: string[] = [];
    const seeNavigation = (frame: import('playwright-core').Frame) => void (frame === page.mainFrame() && navigations.push(frame.url()));
    page.on('framenavigated', seeNavigation);
    try {
      await main().getByRole('button', { name: 'Renew' }).click();
      const dialog = page.getByRole('dialog', { name: 'Renew shop-server' });
      await dialog.getByText(`Your balance: ${euros(monthly)}`).waitFor();
      expect(await dialog.getByLabel('Period *').locator('option:checked').innerText()).toBe(`1 month — ${euros(monthly)}`);
      expect(await axeViolations(page)).toEqual([]);
      await dialog.getByRole('button', { name: 'Renew' }).click();
      await page.getByText('Renewal of shop-server asked').first().waitFor();
      const renewed = await until(license, (l) => l.expiresAt !== active.expiresAt && l.pendingOperations.length === 0, 'the renewal');
      await facts.getByText(new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeZone: 'UTC' }).format(new Date(`${renewed.expiresAt}T00:00:00Z`))).waitFor();
      expect(await balance()).toBe('0.00');

      await main().getByRole('button', { name: 'Change IP or name' }).click();
      const params = page.getByRole('dialog', { name: 'IP and name of shop-server' });
      const fresh = nextIp();
      await params.getByLabel('IP *').fill(fresh);
      await params.getByRole('button', { name: 'Save' }).click();
      await page.getByText('Change of shop-server asked').waitFor();
      await facts.getByText(fresh, { exact: true }).waitFor();
      expect((await until(license, (l) => l.pendingOperations.length === 0, 'the IP change')).ip).toBe(fresh);
      expect(navigations).toEqual([]);
    } finally {
      page.off('framenavigated', seeNavigation);
    }
  }, 120_000);

  test('the journey ends in support: a ticket about the license, answered by staff, read without a reload', async () => {
    const subject = 'Where do I enter the key?';
    await page.getByRole('navigation', { name: 'Client menu' }).getByRole('link', { name: 'Support' }).click();
    await main().getByRole('button', { name: 'New ticket' }).click();
    const form = main().getByRole('form', { name: 'New ticket' });
    await form.getByRole('radio', { name: 'Licenses' }).check();
    await form.getByLabel('Subject *').fill(subject);
    await form.getByLabel('Message *').fill('The license is active. Where in the panel does the key go?');
    await form.getByLabel('License it concerns').selectOption({ label: `shop-server (${(await license()).ip})` });
    await form.getByRole('button', { name: 'Open the ticket' }).click();
    await page.getByRole('heading', { name: subject, level: 1 }).waitFor();
    const ticketId = Number(new URL(page.url()).pathname.split('/').pop());
    expect((await server.admin.get(`/api/v1/tickets/${ticketId}`)).body).toMatchObject({ subject, clientId, licenseId });

    const navigations: string[] = [];
    const seeNavigation = (frame: import('playwright-core').Frame) => void (frame === page.mainFrame() && navigations.push(frame.url()));
    page.on('framenavigated', seeNavigation);
    try {
      // Staff answer through the API; the ticket page reads the ticket again by itself and shows it.
      const answer = await server.admin.post(`/api/v1/tickets/${ticketId}/messages`, { body: 'Under Settings, License: paste it there and save.', status: 'waiting_for_client' });
      expect(answer.status, JSON.stringify(answer.body)).toBe(201);
      const thread = main().locator('.ticket-thread');
      await thread.getByText('Under Settings, License: paste it there and save.').waitFor({ timeout: 40_000 });
      await main().locator('dl.facts').getByText('waiting for your answer').waitFor();
      expect(navigations).toEqual([]);
      expect(await axeViolations(page)).toEqual([]);
    } finally {
      page.off('framenavigated', seeNavigation);
    }
  }, 90_000);

  test('the profile changes the e-mail address, confirmed from the mail sent to the new one, and the phone', async () => {
    await page.goto(`${server.url}/billmgr/profile`);
    await main().getByRole('heading', { name: 'Profile', level: 1 }).waitFor();
    const form = main().getByRole('form', { name: 'E-mail address' });
    await form.getByText(`Your address: ${email} (confirmed)`).waitFor();
    // Checked in the browser first, then by the server: the current password is required and must be right.
    await form.getByRole('button', { name: 'Change the e-mail address' }).click();
    await form.getByText('Enter the new e-mail address.').waitFor();
    await form.getByText('Enter your current password.').waitFor();
    await form.getByLabel('New e-mail address *').fill(newEmail);
    await form.getByLabel('Current password *').fill('not-my-password-1');
    await form.getByRole('button', { name: 'Change the e-mail address' }).click();
    await form.getByRole('alert').filter({ hasText: 'the current password is wrong' }).waitFor();
    expect((await server.admin.get(`/api/v1/clients/${clientId}`)).body.email).toBe(email);
    expect(await axeViolations(page)).toEqual([]);

    await form.getByLabel('Current password *').fill(password);
    await form.getByRole('button', { name: 'Change the e-mail address' }).click();
    await page.getByText(`Your address is now ${newEmail}`).waitFor();
    await form.getByText(`Your address: ${newEmail} (not confirmed yet)`).waitFor();
    expect((await server.admin.get(`/api/v1/clients/${clientId}`)).body).toMatchObject({ email: newEmail, emailConfirmed: false });

    await server.billrelay.mailer.runOnce();
    const mail = await until(async () => smtp.received.find((m) => m.to.includes(newEmail)), Boolean, 'the confirmation e-mail to the new address');
    const link = mail!.text.match(/https?:\/\/\S+\/billmgr\/confirm-email\?token=[A-Za-z0-9_-]+/)?.[0];
    expect(link, mail!.text).toBeTruthy();
    await page.goto(link!);
    await page.getByText('Your e-mail address is confirmed').waitFor();
    expect((await server.admin.get(`/api/v1/clients/${clientId}`)).body.emailConfirmed).toBe(true);

    // The phone: a malformed one is refused under the field; a good one is kept.
    await page.goto(`${server.url}/billmgr/profile`);
    const details = main().getByRole('form', { name: 'Contact details and language' });
    await details.getByLabel('Phone').fill('call me');
    await details.getByRole('button', { name: 'Save' }).click();
    await details.getByText('Enter a phone number such as +49 30 1234567').waitFor();
    await details.getByLabel('Phone').fill('+49 30 1234567');
    await details.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Your details are saved.').waitFor();
    await until(async () => (await server.admin.get(`/api/v1/clients/${clientId}`)).body.phone, (p) => p === '+49 30 1234567', 'the phone saved');
    expect(await details.getByLabel('Phone').inputValue()).toBe('+49 30 1234567');
  }, 90_000);

  test('the profile refuses a wrong current password under its field, and switches to Russian', async () => {
    await page.goto(`${server.url}/billmgr/profile`);
    await main().getByRole('heading', { name: 'Profile', level: 1 }).waitFor();
    expect(await axeViolations(page)).toEqual([]);
    const form = main().getByRole('form', { name: 'Change the password' });
    await form.getByLabel('Current password *').fill('not-my-password-1');
    await form.getByLabel('New password *', { exact: true }).fill('brand-new-password-5');
    await form.getByLabel('Repeat the new password *').fill('brand-new-password-5');
    await form.getByRole('button', { name: 'Change the password' }).click();
    // The server's refusal sits under the field it names.
    const current = form.locator('.mantine-PasswordInput-root').filter({ has: page.getByLabel('Current password *') });
    await current.getByRole('alert').filter({ hasText: 'the current password is wrong' }).waitFor();
    // Still logged in: nothing changed.
    expect(await page.getByRole('button', { name: 'Log out' }).count()).toBe(1);

    for (const [route, heading] of [['order', 'Order a license'], ['balance', 'Balance and payments'], ['profile', 'Profile']] as const) await narrow(route, heading);

    await page.goto(`${server.url}/billmgr/profile`);
    await main().getByLabel('Language', { exact: true }).selectOption('ru');
    await main().getByRole('button', { name: 'Save' }).click();
    await main().getByRole('heading', { name: 'Профиль', level: 1 }).waitFor();
    await main().getByRole('heading', { name: 'Смена пароля' }).waitFor();
    expect((await server.admin.get(`/api/v1/clients/${clientId}`)).body.language).toBe('ru');
    await page.goto(`${server.url}/billmgr/order`);
    await main().getByRole('heading', { name: 'Заказ лицензии' }).waitFor();
    await main().getByText('Баланс', { exact: true }).waitFor();
    expect(await axeViolations(page)).toEqual([]);
  }, 90_000);

  test('at 390 px the registration page does not scroll sideways', async () => {
    await page.getByRole('button', { name: /Log out|Выйти/ }).click();
    await narrow('register', 'Регистрация');
  }, 60_000);
});
