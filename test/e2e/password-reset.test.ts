// A forgotten password in Chromium under the real Content-Security-Policy: "Forgot password?" on the
// login page, the link read from the e-mail that arrived at a real SMTP server, a new password set on
// the page it opens, and a login with it. Needs Debian's Chromium; skipped without it.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startSmtp, type TestSmtp } from '../support/smtp.js';
import { hasChromium, skipNote, startUi, type Ui } from './browser.js';

describe.skipIf(!hasChromium)(`password reset in Chromium${skipNote}`, () => {
  let ui: Ui;
  let smtp: TestSmtp;
  const violations: string[] = [];

  beforeAll(async () => {
    smtp = await startSmtp();
    // No background sender: the test sends what is due (mailer.runOnce) and then reads what arrived.
    ui = await startUi({ env: { BILLRELAY_WORKER: 'off', BILLRELAY_SMTP_URL: smtp.url, BILLRELAY_MAIL_FROM: 'Billing <billing@reseller.test>' } });
    await ui.page.addInitScript(
      "document.addEventListener('securitypolicyviolation', (e) => console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI))",
    );
    ui.page.on('console', (message) => {
      const text = message.text();
      if (/CSP violation|Content Security Policy|Refused to/i.test(text)) violations.push(text);
    });
  }, 120_000);

  afterAll(async () => {
    await ui?.close();
    await smtp?.close();
  });

  test('forgot password → e-mail with a link → new password → log in with it; the link then refuses', async () => {
    const { page, server } = ui;
    const email = 'forgetful@example.test';
    const created = await server.admin.post('/api/v1/clients', { name: 'Fred Forgetful', email, password: 'client-password', providerId: 1 });
    expect(created.status).toBe(201);

    await page.goto(`${server.url}/billmgr/`);
    await page.getByRole('link', { name: 'Forgot password?' }).click();
    await page.getByRole('heading', { name: 'Forgotten password' }).waitFor();
    await page.getByLabel('E-mail').fill(email);
    await page.getByRole('button', { name: 'Send the link' }).click();
    await page.getByText('If the address is known, a message with a link').waitFor();

    await server.billrelay.mailer.runOnce();
    const mail = smtp.received.find((m) => m.to.includes(email));
    expect(mail?.subject).toBe('Resetting your password');
    const link = mail!.text.match(/https?:\/\/\S+\/billmgr\/reset-password\?token=[A-Za-z0-9_-]+/)?.[0];
    expect(link, mail!.text).toBeTruthy();
    expect(link!.startsWith(`${server.url}/billmgr/`)).toBe(true);

    await page.goto(link!);
    await page.getByRole('heading', { name: 'Set a new password' }).waitFor();
    // A weak password is refused under the field, by the server's policy.
    await page.getByLabel('New password', { exact: true }).fill('password');
    await page.getByLabel('Repeat the new password').fill('password');
    await page.getByRole('button', { name: 'Set the password' }).click();
    await page.getByRole('alert').filter({ hasText: /password/i }).first().waitFor();
    await page.getByLabel('New password', { exact: true }).fill('fresh-client-password-3');
    await page.getByLabel('Repeat the new password').fill('fresh-client-password-3');
    await page.getByRole('button', { name: 'Set the password' }).click();
    await page.getByText('Your password has been changed').waitFor();

    await page.getByRole('link', { name: 'Back to login' }).click();
    await page.getByLabel('E-mail').fill(email);
    await page.getByLabel('Password').fill('fresh-client-password-3');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('button', { name: 'Log out' }).waitFor();

    // The same link a second time says it was used.
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.goto(link!);
    await page.getByLabel('New password', { exact: true }).fill('other-client-password-4');
    await page.getByLabel('Repeat the new password').fill('other-client-password-4');
    await page.getByRole('button', { name: 'Set the password' }).click();
    await page.getByRole('alert').filter({ hasText: 'already used' }).waitFor();
    expect(violations).toEqual([]);
  }, 90_000);

  test('at 390 px the pages reached from e-mails do not scroll sideways', async () => {
    const { page, server } = ui;
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      for (const [route, heading] of [['forgot-password', 'Forgotten password'], ['reset-password?token=abc', 'Set a new password'], ['confirm-email?token=abc', 'E-mail confirmation']] as const) {
        await page.goto(`${server.url}/billmgr/${route}`);
        await page.getByRole('heading', { name: heading }).waitFor();
        expect(Number(await page.evaluate('document.documentElement.scrollWidth')), route).toBeLessThanOrEqual(390);
      }
      // An unknown confirmation link says so.
      await page.getByRole('alert').filter({ hasText: 'not valid' }).waitFor();
    } finally {
      await page.setViewportSize({ width: 1200, height: 760 });
    }
  }, 60_000);
});
