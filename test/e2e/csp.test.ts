// The Content-Security-Policy in a real browser: the SPA and Swagger UI load and work under it, and
// the browser reports no violation. Needs Debian's Chromium (apt-get install -y chromium); skipped without it.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { hasChromium, skipNote, startUi, type Ui } from './browser.js';

describe.skipIf(!hasChromium)(`Content-Security-Policy in Chromium${skipNote}`, () => {
  let ui: Ui;
  const violations: string[] = [];

  beforeAll(async () => {
    ui = await startUi();
    // Registered before any page script runs, on every page the test opens.
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

  test('the SPA logs in and shows its pages with no violation', async () => {
    await ui.login();
    await ui.page.getByRole('heading', { name: 'What needs attention' }).waitFor();
    await ui.page.getByRole('link', { name: 'Data centers' }).click();
    await ui.page.getByRole('heading', { name: 'Data centers' }).waitFor();
    expect(violations).toEqual([]);
  }, 60_000);

  test('Swagger UI at /api/docs renders the operations with no violation', async () => {
    const { page, server } = ui;
    await page.goto(`${server.url}/api/docs`);
    await page.locator('.swagger-ui .opblock').first().waitFor();
    expect(await page.locator('.swagger-ui .info .title').innerText()).toContain('billrelay API');
    // Its stylesheet applied: an operation's summary is laid out as a flex row.
    const display = (el: unknown) => (globalThis as unknown as { getComputedStyle(e: unknown): { display: string } }).getComputedStyle(el).display;
    expect(await page.locator('.opblock-summary').first().evaluate(display)).toBe('flex');
    await page.locator('.opblock-summary').first().click();
    await page.locator('.opblock-body').first().waitFor();
    expect(violations).toEqual([]);
  }, 60_000);
});
