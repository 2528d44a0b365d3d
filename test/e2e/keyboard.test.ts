// The module wizard with the keyboard only (Tab, Shift+Tab, Enter, Space, arrows and typing; no mouse),
// against the upstream simulator, ending with the module listed. Needs Debian's Chromium at /usr/bin/chromium.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { ADMIN_EMAIL, ADMIN_PASSWORD, type TestBillrelay } from '../support/billrelay.js';
import { hasChromium, skipNote, startUi, type Ui } from './browser.js';

const PASSWORD = 'Upstream-Secret-7q2w';

/** What has the focus, as a person using a screen reader would hear it. */
interface Focused {
  tag: string;
  type: string | null;
  /** The label of a form field, the text of a button or link. */
  name: string;
  checked: boolean;
  value: string;
}

const FOCUSED = `(() => {
  const el = document.activeElement;
  if (!el || el === document.body) return { tag: 'body', type: null, name: '', checked: false, value: '' };
  const label = el.labels && el.labels[0] ? el.labels[0].innerText : el.getAttribute('aria-label') || el.innerText || '';
  return { tag: el.tagName.toLowerCase(), type: el.getAttribute('type'), name: label.trim(), checked: !!el.checked, value: el.value ?? '' };
})()`;

const focused = (page: Page) => page.evaluate(FOCUSED) as Promise<Focused>;

/** Presses Tab (or Shift+Tab) until the focus is on what `wanted` says, as a person tabbing through the page would. */
async function tabTo(page: Page, wanted: (f: Focused) => boolean, what: string, key: 'Tab' | 'Shift+Tab' = 'Tab'): Promise<Focused> {
  const seen: string[] = [];
  for (let i = 0; i < 60; i++) {
    await page.keyboard.press(key);
    const now = await focused(page);
    if (wanted(now)) return now;
    seen.push(`${now.tag}:${now.name}`);
  }
  throw new Error(`${what} cannot be reached with ${key}; the focus went through: ${seen.join(' | ')}`);
}

const named = (tag: string, name: string | RegExp) => (f: Focused) =>
  f.tag === tag && (typeof name === 'string' ? f.name === name : name.test(f.name));

describe.skipIf(!hasChromium)(`keyboard only${skipNote}`, () => {
  let ui: Ui;
  let server: TestBillrelay;
  let page: Page;
  let upstream: Sandbox;

  beforeAll(async () => {
    upstream = await startSandbox({ accounts: [{ username: 'partner', password: PASSWORD, balance: '250.00', currency: 'EUR' }] });
    ui = await startUi();
    ({ server, page } = ui);
  }, 120_000);

  afterAll(async () => {
    await ui?.close();
    await upstream?.close();
  });

  test('an administrator adds a processing module with the wizard without touching the mouse', async () => {
    await server.admin.post('/api/v1/datacenters', { name: { en: 'Frankfurt' } });

    // Log in.
    await page.goto(`${server.url}/billmgr/`);
    await page.getByRole('button', { name: 'Log in' }).waitFor();
    await tabTo(page, named('input', 'E-mail'), 'the e-mail field');
    await page.keyboard.type(ADMIN_EMAIL);
    await tabTo(page, named('input', 'Password'), 'the password field');
    await page.keyboard.type(ADMIN_PASSWORD);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'What needs attention' }).waitFor();

    // The menu, then "Add".
    await tabTo(page, named('a', 'Processing modules'), 'the menu entry');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Processing modules' }).waitFor();
    await page.getByText('No processing modules yet.').waitFor();
    await tabTo(page, named('button', 'Add'), 'the Add button');
    await page.keyboard.press('Enter');
    const wizard = page.getByRole('region', { name: 'Add processing module' });

    // 1. Product type: the one there is is chosen; Next.
    await wizard.getByRole('radio', { name: 'Licenses' }).waitFor();
    const licenses = await tabTo(page, named('input', 'Licenses'), 'the product type');
    expect(licenses.checked).toBe(true);
    await tabTo(page, named('button', 'Next'), 'Next');
    await page.keyboard.press('Enter');

    // 2. Module type: the focus moves to the step; the arrows choose, Space presses Next.
    await wizard.getByRole('form', { name: 'Module type' }).waitFor();
    let now = await focused(page);
    if (now.tag !== 'input' || now.type !== 'radio') now = await tabTo(page, (f) => f.type === 'radio', 'the module types', 'Shift+Tab');
    if (!now.name.startsWith('BILLmanager')) {
      await page.keyboard.press('ArrowDown');
      now = await focused(page);
    }
    expect(now.name).toMatch(/^BILLmanager/);
    expect(now.checked).toBe(true);
    await tabTo(page, named('button', 'Next'), 'Next');
    await page.keyboard.press('Space');

    // 3. Integration settings: the focus is on the first field; the URL is replaced by typing.
    await wizard.getByRole('form', { name: 'Integration settings' }).waitFor();
    expect(await focused(page)).toMatchObject({ tag: 'input', name: 'URL *' });
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.type(upstream.url);
    await tabTo(page, named('input', 'Username *'), 'the username');
    await page.keyboard.type('partner');
    await tabTo(page, named('input', 'Password *'), 'the password');
    await page.keyboard.type(PASSWORD);
    await tabTo(page, named('button', 'Check connection'), 'Check connection');
    await page.keyboard.press('Enter');
    await expect.poll(async () => (await wizard.getByRole('status').allInnerTexts()).join(' ')).toContain('Connection works: balance €250.00');
    // The focus did not fall out of the wizard while the check ran (the button is disabled meanwhile).
    // (Given back on the frame after the answer renders, so read it once that frame ran.)
    await expect.poll(() => focused(page)).toMatchObject({ tag: 'button', name: 'Check connection' });
    await tabTo(page, named('button', 'Next'), 'Next');
    await page.keyboard.press('Enter');

    // 4. Parameters: a data center chosen with the arrows, names typed, Enter finishes.
    await wizard.getByRole('form', { name: 'Parameters' }).waitFor();
    expect(await focused(page)).toMatchObject({ tag: 'select', name: 'Data center' });
    await page.keyboard.press('ArrowDown');
    expect(await wizard.getByLabel('Data center').inputValue()).not.toBe('');
    await tabTo(page, named('input', 'Name (en) *'), 'the English name');
    await page.keyboard.type('ispmanager keyboard');
    await tabTo(page, named('input', 'Name (ru)'), 'the Russian name');
    await page.keyboard.type('ispmanager клавиатура');
    await tabTo(page, named('input', 'Minimal balance (EUR)'), 'the minimal balance');
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.type('50');
    // Shift+Tab goes back through the fields without getting stuck.
    await tabTo(page, named('input', 'Name (en) *'), 'the English name, backwards', 'Shift+Tab');
    await page.keyboard.press('Enter');

    await page.getByText('Processing module "ispmanager keyboard" added').waitFor();
    await expect
      .poll(() => page.locator('table[aria-label="Processing modules"] tbody tr').allInnerTexts())
      .toEqual([expect.stringMatching(/^1\tispmanager keyboard\tBILLmanager\tenabled\t€250\.00\t€50\.00\tFrankfurt\t/)]);
    const [stored] = (await server.admin.get('/api/v1/processing-modules')).body.items;
    expect(stored).toMatchObject({ name: { en: 'ispmanager keyboard', ru: 'ispmanager клавиатура' }, minimalBalance: '50.00' });
  }, 90_000);
});
