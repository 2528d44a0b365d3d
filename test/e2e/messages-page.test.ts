// Tools → Messages in Chromium under the real Content-Security-Policy: the outbox list, a message's text
// and its HTML in a sandboxed frame, at desktop and phone width. Needs Debian's Chromium; skipped without it.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { hasChromium, skipNote, startUi, type Ui } from './browser.js';

describe.skipIf(!hasChromium)(`Tools → Messages in Chromium${skipNote}`, () => {
  let ui: Ui;
  const violations: string[] = [];

  beforeAll(async () => {
    ui = await startUi();
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
  });

  test('without SMTP the e-mail waits in the outbox; staff read its text and its HTML (escaped, in a sandboxed frame)', async () => {
    const { page, server } = ui;
    const created = await server.admin.post('/api/v1/clients', { name: 'Dora <b>bold</b>', email: 'dora@example.test', password: 'client-password', providerId: 1 });
    expect(created.status).toBe(201);
    expect((await server.admin.post(`/api/v1/clients/${created.body.id}/payments`, { amount: '20.00', method: 'bank_transfer' })).status).toBe(201);
    await ui.login();
    await page.getByRole('link', { name: 'Messages' }).click();
    await page.getByRole('heading', { name: 'Messages' }).waitFor();
    await page.getByText('No SMTP server is configured').waitFor();
    const row = page.getByRole('row', { name: /dora@example\.test/ });
    await row.getByText('pending').waitFor();
    await row.getByRole('link', { name: 'Payment of 20.00 EUR received' }).click();
    await page.getByRole('heading', { name: 'Payment of 20.00 EUR received' }).waitFor();
    expect(await page.locator('pre.message-text').innerText()).toContain('Hello, Dora <b>bold</b>!');
    await page.getByRole('button', { name: 'HTML' }).click();
    const frame = page.frameLocator('iframe.message-html');
    await frame.getByText('We have received your payment of 20.00 EUR.').waitFor();
    // The name shows as typed, not as markup.
    expect(await frame.locator('body').innerText()).toContain('Hello, Dora <b>bold</b>!');
    expect(await frame.locator('b').count()).toBe(0);
    expect(await page.locator('iframe.message-html').getAttribute('sandbox')).toBe('');
    expect(violations).toEqual([]);
  }, 60_000);

  test('at 390 px neither the list nor a message scrolls sideways', async () => {
    const { page, server } = ui;
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      for (const route of ['messages', 'messages/1']) {
        await page.goto(`${server.url}/billmgr/${route}`);
        await page.getByRole('main').getByText('Payment of 20.00 EUR received').first().waitFor();
        expect(Number(await page.evaluate('document.documentElement.scrollWidth')), route).toBeLessThanOrEqual(390);
      }
    } finally {
      await page.setViewportSize({ width: 1200, height: 760 });
    }
    expect(violations).toEqual([]);
  }, 60_000);
});
