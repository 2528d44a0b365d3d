// The server's error messages reach a person in the UI's language: the SPA sends its language as
// Accept-Language and shows the server's sentence. Needs Debian's Chromium at /usr/bin/chromium.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ADMIN_EMAIL, type TestBillrelay } from '../support/billrelay.js';
import { hasChromium, skipNote, startUi, type Ui } from './browser.js';

describe.skipIf(!hasChromium)(`server errors in the UI's language${skipNote}`, () => {
  let ui: Ui;
  let server: TestBillrelay;
  let page: Page;

  beforeAll(async () => {
    ui = await startUi();
    ({ server, page } = ui);
  }, 120_000);

  afterAll(async () => {
    await ui?.close();
  });

  test('a wrong login in the Russian UI is refused in Russian', async () => {
    await page.goto(`${server.url}/billmgr/`);
    await page.getByLabel('Language').selectOption('ru');
    await page.getByRole('button', { name: 'Войти' }).waitFor();
    await page.getByLabel('E-mail').fill(ADMIN_EMAIL);
    await page.getByLabel('Пароль').fill('wrong-password-1');
    await page.getByRole('button', { name: 'Войти' }).click();
    await page.getByText('Неверный e-mail или пароль').waitFor();
    expect(await page.locator('body').innerText()).not.toContain('Wrong e-mail or password');

    // Back in English, the same refusal is in English.
    await page.getByLabel('Язык').selectOption('en');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByText('Wrong e-mail or password').waitFor();
  });
});
