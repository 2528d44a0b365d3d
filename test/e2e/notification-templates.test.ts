// Settings → Notification templates in Chromium: a template edited with its preview (escaped, in a
// sandboxed frame), an unknown placeholder shown under the field, saved, and reset to the default after a
// confirm; in English and Russian, without axe violations, and at 390 px without sideways scrolling.
// Needs Debian's Chromium; skipped without it.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { axeViolations, hasChromium, skipNote, startUi, type Ui } from './browser.js';

describe.skipIf(!hasChromium)(`Settings → Notification templates in Chromium${skipNote}`, () => {
  let ui: Ui;

  beforeAll(async () => {
    // bypassCSP only lets axe-core in; messages-page.test.ts and csp.test.ts check the SPA under the policy.
    ui = await startUi({}, { bypassCSP: true });
  }, 120_000);

  afterAll(async () => {
    await ui?.close();
  });

  test('staff edit a template with a preview, save it and reset it to the default', async () => {
    const { page, server } = ui;
    await ui.login();
    await page.getByRole('link', { name: 'Notification templates' }).click();
    await page.getByRole('heading', { name: 'Notification templates' }).waitFor();
    await page.getByRole('link', { name: 'Edit: Payment booked (en)' }).click();
    await page.getByRole('heading', { name: 'Payment booked (en)' }).waitFor();
    const subject = page.getByLabel('Subject');
    const body = page.getByLabel('Text');
    expect(await subject.inputValue()).toBe('Payment of {amount} received');
    expect(await body.inputValue()).toContain('We have received your payment of {amount}.');

    // An unknown placeholder is named under the field.
    await body.fill('Hello {name}!\n\nThanks for {amout}.');
    await page.getByRole('button', { name: 'Preview' }).click();
    await page.getByText(/\{amout\} is not a placeholder of this message/).waitFor();

    await subject.fill('We got {amount}');
    await body.fill('Hello {name}!\n\nThanks for <b>{amount}</b>.\n\nYour {provider} team');
    await page.getByRole('button', { name: 'Preview' }).click();
    const frame = page.frameLocator('iframe.message-html');
    await frame.getByText('Thanks for <b>25.00 EUR</b>.').waitFor();
    expect(await frame.locator('b').count()).toBe(0);
    expect(await page.locator('iframe.message-html').getAttribute('sandbox')).toBe('');
    expect(await page.locator('.preview-subject').innerText()).toBe('We got 25.00 EUR');
    expect(await axeViolations(page), 'editor with preview').toEqual([]);

    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Payment booked (en): saved; it is used for the next e-mails').waitFor();
    await page.getByText('changed', { exact: true }).first().waitFor();
    const saved = (await server.admin.get('/api/v1/notification-templates/payment_booked/en')).body;
    expect(saved).toMatchObject({ customized: true, current: { subject: 'We got {amount}', body: 'Hello {name}!\n\nThanks for <b>{amount}</b>.\n\nYour {provider} team' } });

    await page.getByRole('button', { name: 'Reset to default' }).click();
    const dialog = page.getByRole('dialog', { name: 'Reset to the default words?' });
    await dialog.getByRole('button', { name: 'Reset to default' }).click();
    await page.getByText('Payment booked (en): the default words are used again').waitFor();
    await page.getByText('The default words are sent.').waitFor();
    expect(await subject.inputValue()).toBe('Payment of {amount} received');
    expect((await server.admin.get('/api/v1/notification-templates/payment_booked/en')).body.customized).toBe(false);

    await page.getByRole('link', { name: 'Notification templates' }).first().click();
    expect(await axeViolations(page), 'list').toEqual([]);
  }, 90_000);

  test("the client page shows an unconfirmed address and mails the link again (not twice in 5 minutes); the provider form sets the sender", async () => {
    const { page, server } = ui;
    const created = await server.admin.post('/api/v1/clients', { name: 'Una Unconfirmed', email: 'una@example.test', password: 'client-password', providerId: 1 });
    expect(created.status).toBe(201);
    await page.goto(`${server.url}/billmgr/clients/${created.body.id}`);
    await expect.poll(() => page.locator('.facts').first().innerText()).toMatch(/E-mail confirmed\s+not yet/);
    const resend = page.getByRole('button', { name: 'Send the confirmation link again' });
    await resend.click();
    await page.getByText('A new confirmation link was mailed to una@example.test').waitFor();
    await resend.click();
    await page.getByText(/A confirmation e-mail was sent less than 5 minutes ago/).waitFor();
    const outbox = (await server.admin.get('/api/v1/messages?recipient=una@example.test')).body.items as { event: string }[];
    expect(outbox.map((m) => m.event)).toEqual(['email_confirmation']);

    await page.goto(`${server.url}/billmgr/providers`);
    await page.getByRole('button', { name: 'Edit Default provider' }).click();
    const edit = page.getByRole('dialog', { name: 'Edit provider' });
    await edit.getByLabel('Sender shown in e-mails').fill('Default Billing');
    await edit.getByLabel('Sender address of e-mails').fill('not-an-address');
    await edit.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => edit.getByRole('alert').innerText()).toContain('Enter an e-mail address');
    await edit.getByLabel('Sender address of e-mails').fill('billing@default.test');
    await edit.getByRole('button', { name: 'Save' }).click();
    await edit.waitFor({ state: 'detached' });
    expect((await server.admin.get('/api/v1/providers/1')).body).toMatchObject({ mailFromName: 'Default Billing', mailFromAddress: 'billing@default.test' });
  }, 60_000);

  test('at 390 px neither the list nor the editor scrolls sideways', async () => {
    const { page, server } = ui;
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      for (const route of ['notification-templates', 'notification-templates/license_active/en']) {
        await page.goto(`${server.url}/billmgr/${route}`);
        await page.getByRole('main').getByText(/License \{licenseName\} is active|Subject/).first().waitFor();
        expect(Number(await page.evaluate('document.documentElement.scrollWidth')), route).toBeLessThanOrEqual(390);
      }
    } finally {
      await page.setViewportSize({ width: 1200, height: 760 });
    }
  }, 60_000);

  // Last: it switches the UI to Russian (and back).
  test('in Russian: the list and the editor speak Russian, the preview shows the Russian words', async () => {
    const { page, server } = ui;
    await page.goto(`${server.url}/billmgr/notification-templates`);
    await page.getByLabel('Language', { exact: true }).selectOption('ru');
    await page.getByRole('heading', { name: 'Шаблоны уведомлений' }).waitFor();
    await page.getByLabel('Язык писем').selectOption('ru');
    // The list follows the filter (it re-renders after the URL changes): only the Russian e-mails.
    await page.getByRole('link', { name: 'Изменить: Платёж зачислен (ru)' }).waitFor();
    await expect.poll(() => page.getByRole('link', { name: 'Изменить: Платёж зачислен (en)' }).count()).toBe(0);
    expect(page.url()).toContain('locale=ru');
    await page.getByRole('link', { name: 'Изменить: Платёж зачислен (ru)' }).click();
    await page.getByRole('button', { name: 'Предпросмотр' }).waitFor();
    expect(await page.getByLabel('Тема').inputValue()).toBe('Платёж на {amount} получен');
    await page.getByRole('button', { name: 'Предпросмотр' }).click();
    await page.frameLocator('iframe.message-html').getByText('Мы получили ваш платёж на 25.00 EUR.', { exact: false }).waitFor();
    expect(await page.locator('.preview-subject').innerText()).toBe('Платёж на 25.00 EUR получен');
    expect(await axeViolations(page), 'ru editor').toEqual([]);
    await page.getByLabel('Язык', { exact: true }).selectOption('en');
    await page.getByRole('button', { name: 'Preview' }).waitFor();
  }, 60_000);
});
