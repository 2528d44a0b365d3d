// `npm run screenshots`: a PNG of every page of the staff menu, in English and Russian, into
// docs/screenshots/<lang>/<page>.png, and of the client area's pages (as the seeded client) into
// docs/screenshots/<lang>/client-<page>.png. Builds the SPA, starts billrelay on a throwaway SQLite data dir
// beside the upstream simulator, fills it through the public API as a shop would (a module, a data
// center, a department, tariffs, a client who paid and has an active license, a task), then logs in
// as the administrator in Debian's Chromium (and then as the client, who also has a support ticket answered). The pages come from web/src/menu.ts, so a new menu entry
// gets its screenshot without touching this script. The pages a visitor sees before logging in (log in,
// register, forgot the password) are shot too, as login.png, register.png and forgot-password.png.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { build } from 'vite';
import { createBillrelay } from '../src/app.js';
import { loadConfig } from '../src/platform/config.js';
import { createLogger } from '../src/platform/logger.js';
import { startSandbox } from '../src/sandbox/index.js';
import { ApiClient } from '../test/support/http.js';
import { MENU } from '../web/src/menu.js';

const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const ADMIN_EMAIL = 'admin@example.com';
const ADMIN_PASSWORD = 'admin-password-1';
const LANGUAGES = ['en', 'ru'] as const;
const WIDE = { width: 1280, height: 800 };
const NARROW = { width: 390, height: 844 };
/** Pages also shot at phone width (by their file name). */
const NARROW_PAGES = ['dashboard', 'licenses', 'license', 'processing-modules-new', 'client-overview', 'client-ticket'];
const CLIENT_EMAIL = 'olga@example.com';
const CLIENT_PASSWORD = 'client-password';

const root = fileURLToPath(new URL('..', import.meta.url));
const outDir = path.join(root, 'docs/screenshots');

const say = (line: string) => process.stdout.write(`${line}\n`);

async function main(): Promise<void> {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: apt-get install -y chromium (or set CHROMIUM)`);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'billrelay-screenshots-'));
  const cleanups: Array<() => Promise<void>> = [async () => fs.rmSync(tmp, { recursive: true, force: true })];
  try {
    say('building the web UI…');
    const webDir = path.join(tmp, 'web');
    await build({ configFile: path.join(root, 'web/vite.config.ts'), logLevel: 'warn', build: { outDir: webDir, emptyOutDir: true } });

    say('starting the upstream simulator…');
    const upstream = await startSandbox({});
    cleanups.unshift(() => upstream.close());

    say('starting billrelay on a throwaway SQLite data dir…');
    const config = loadConfig({
      BILLRELAY_DATA_DIR: path.join(tmp, 'data'),
      BILLRELAY_ADMIN_EMAIL: ADMIN_EMAIL,
      BILLRELAY_ADMIN_PASSWORD: ADMIN_PASSWORD,
      BILLRELAY_WEB_DIR: webDir,
      BILLRELAY_WORKER_POLL_MS: '50',
      BILLRELAY_KEY_POLL_MS: '20',
      BILLRELAY_SCHEDULER: 'off',
      LOG_LEVEL: 'warn',
    });
    const billrelay = await createBillrelay({ config, logger: createLogger('warn') });
    cleanups.unshift(() => billrelay.close());
    await billrelay.app.listen({ port: 0, host: '127.0.0.1' });
    const address = billrelay.app.server.address();
    const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;

    const seeded = await seed(url, upstream);

    say('starting Chromium…');
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    cleanups.unshift(() => browser.close());

    const pages: Array<{ file: string; route: string }> = [
      ...MENU.flatMap((group) => group.routes.map((route) => ({ file: route, route }))),
      { file: 'processing-modules-new', route: 'processing-modules/new' },
      { file: 'processing-module', route: `processing-modules/${seeded.moduleId}` },
      { file: 'license', route: `licenses/${seeded.licenseId}` },
      { file: 'operation', route: `operations/${seeded.operationId}` },
    ];
    // The client area, as the seeded client sees it (its pages are those of web/src/client/menu.ts and a few more).
    const clientPages: Array<{ file: string; route: string }> = [
      { file: 'client-overview', route: 'dashboard' },
      { file: 'client-licenses', route: 'licenses' },
      { file: 'client-license', route: `licenses/${seeded.licenseId}` },
      { file: 'client-order', route: 'order' },
      { file: 'client-balance', route: 'balance' },
      { file: 'client-profile', route: 'profile' },
      { file: 'client-support', route: 'support' },
      { file: 'client-ticket', route: `support/${seeded.ticketId}` },
    ];
    // Before logging in: the language chosen on the login page, as a visitor does.
    const visitorPages = [
      { file: 'login', route: '' },
      { file: 'register', route: 'register' },
      { file: 'forgot-password', route: 'forgot-password' },
    ];
    let written = 0;
    for (const language of LANGUAGES) {
      fs.mkdirSync(path.join(outDir, language), { recursive: true });
      for (const [size, viewport] of [['wide', WIDE], ['narrow', NARROW]] as const) {
        const context = await browser.newContext({ viewport, locale: language === 'ru' ? 'ru-RU' : 'en-GB', colorScheme: 'light' });
        const page = await context.newPage();
        await page.goto(`${url}/billmgr/`);
        await page.locator('select').last().selectOption(language);
        for (const { file, route } of visitorPages) {
          if (size === 'narrow' && file !== 'register') continue;
          const target = path.join(outDir, language, `${size === 'narrow' ? `${file}-390` : file}.png`);
          await shoot(page, `${url}/billmgr/${route}`, target, 'form');
          written += 1;
          say(`  ${language} ${String(viewport.width).padStart(4)} px  ${path.relative(root, target)}`);
        }
        await context.close();
      }
      for (const [size, viewport, who, list] of [
        ['wide', WIDE, ADMIN_EMAIL, pages],
        ['narrow', NARROW, ADMIN_EMAIL, pages],
        ['wide', WIDE, CLIENT_EMAIL, clientPages],
        ['narrow', NARROW, CLIENT_EMAIL, clientPages],
      ] as const) {
        const page = await loggedIn(browser, url, language, viewport, who, who === ADMIN_EMAIL ? ADMIN_PASSWORD : CLIENT_PASSWORD);
        for (const { file, route } of list) {
          if (size === 'narrow' && !NARROW_PAGES.includes(file)) continue;
          const name = size === 'narrow' ? `${file}-390` : file;
          const target = path.join(outDir, language, `${name}.png`);
          await shoot(page, `${url}/billmgr/${route}`, target);
          written += 1;
          say(`  ${language} ${String(viewport.width).padStart(4)} px  ${path.relative(root, target)}`);
        }
        await page.context().close();
      }
    }
    say(`done: ${written} screenshots in ${path.relative(root, outDir)}/`);
  } finally {
    for (const cleanup of cleanups) await cleanup().catch((error: unknown) => say(`cleanup: ${String(error)}`));
  }
}

interface Seeded {
  moduleId: number;
  licenseId: number;
  operationId: number;
  ticketId: number;
}

/** What a shop has after its first day, made through the public API (and the simulator's account). */
async function seed(url: string, upstream: Awaited<ReturnType<typeof startSandbox>>): Promise<Seeded> {
  const admin = new ApiClient(url);
  const ok = async (what: string, pending: Promise<{ status: number; body: any }>, status = [200, 201]) => {
    const answer = await pending;
    if (!status.includes(answer.status)) throw new Error(`${what}: ${answer.status} ${JSON.stringify(answer.body)}`);
    say(`  ${what}`);
    return answer.body;
  };
  say('filling billrelay through the API…');
  await ok('logged in as the administrator', admin.login(ADMIN_EMAIL, ADMIN_PASSWORD));

  const datacenter = await ok('a data center', admin.post('/api/v1/datacenters', { name: { en: 'Frankfurt', ru: 'Франкфурт' }, externalId: 'FRA-1' }));
  await ok('a second data center', admin.post('/api/v1/datacenters', { name: { en: 'Amsterdam', ru: 'Амстердам' }, externalId: 'AMS-1' }));
  const department = await ok(
    'a department',
    admin.post('/api/v1/departments', {
      name: { en: 'Support', ru: 'Поддержка' },
      memberIds: [1],
      showInSupportCenter: true,
      providerIds: [1],
      ticketCategoryDescription: { en: 'Questions about the panel, keys and IP addresses', ru: 'Вопросы о панели, ключах и IP-адресах' },
    }),
  );

  upstream.control.upsertAccount({ username: 'partner', password: 'partner-password', balance: '1500.00' });
  const module = await ok(
    'a processing module connected to the simulator',
    admin.post('/api/v1/processing-modules', {
      productType: 'licenses',
      moduleType: 'billmanager',
      connection: { url: upstream.url, username: 'partner', password: 'partner-password' },
      name: { en: 'ispmanager partner', ru: 'Партнёр ispmanager' },
      datacenterId: datacenter.id,
      departmentId: department.id,
      minimalBalance: '100',
    }),
  );

  const tariffs: number[] = [];
  for (const [upstreamTariffId, markupPercent] of [['55227', '25'], ['55228', '20']] as const) {
    const imported = await ok(`tariff ${upstreamTariffId} imported`, admin.post('/api/v1/tariffs/import', { processingModuleId: module.id, upstreamTariffId, providerId: 1, markupPercent }));
    await ok(`tariff ${upstreamTariffId} enabled`, admin.post(`/api/v1/tariffs/${imported.id}/enable`));
    tariffs.push(imported.id);
  }

  const client = await ok('a client', admin.post('/api/v1/clients', { name: 'Olga Petrova', email: CLIENT_EMAIL, password: CLIENT_PASSWORD, providerId: 1, language: 'ru' }));
  await ok('a payment', admin.post(`/api/v1/clients/${client.id}/payments`, { amount: '500.00', method: 'bank_transfer' }));
  const license = await ok(
    'a license ordered',
    admin.post('/api/v1/licenses', { clientId: client.id, tariffId: tariffs[0], period: 12, licenseName: 'web1', ip: '203.0.113.10', autoRenew: true, datacenterId: datacenter.id }),
  );
  await until('the license to become active', async () => (await admin.get(`/api/v1/licenses/${license.id}`)).body.status === 'active');
  say('  the license is active');

  // The upstream refuses the next order: its operation waits for a person, and the department gets a task.
  upstream.control.inject({ func: 'soft.order.param', fault: { error: { type: 'value', object: 'ip', msg: 'The IP address is not allowed' } }, count: 1 });
  const refused = await ok(
    'a second license ordered (the upstream will refuse it)',
    admin.post('/api/v1/licenses', { clientId: client.id, tariffId: tariffs[1], period: 1, licenseName: 'shop', ip: '203.0.113.11', datacenterId: datacenter.id }),
  );
  await until('a task for a person', async () => (await admin.get('/api/v1/tasks')).body.total > 0);
  say('  a task waits for a person');
  const operations = (await admin.get(`/api/v1/operations?licenseId=${refused.id}`)).body.items as Array<{ id: number }>;
  const operationId = operations[0]?.id ?? (await admin.get('/api/v1/operations')).body.items[0]?.id;
  if (!operationId) throw new Error('no operation to show');

  // The client asks support about the license (with a file); support answers.
  const olga = new ApiClient(url);
  await ok('logged in as the client', olga.login(CLIENT_EMAIL, CLIENT_PASSWORD));
  const file = await ok('a file uploaded', olga.request('POST', '/api/v1/attachments?name=panel-error.txt', 'License key is invalid (code 17)\n', { 'content-type': 'text/plain' }));
  const ticket = await ok(
    'a support ticket opened',
    olga.post('/api/v1/tickets', {
      departmentId: department.id,
      subject: 'The panel says my key is invalid',
      body: 'Hello! After moving the server the panel says the license key is invalid. The message is attached.',
      licenseId: license.id,
      attachmentIds: [file.id],
    }),
  );
  await ok(
    'support answered',
    admin.post(`/api/v1/tickets/${ticket.id}/messages`, {
      body: 'Hello Olga! The key is bound to the IP address. Please change the license IP on its page to the new server’s address, then reload the panel.',
      status: 'waiting_for_client',
    }),
  );
  return { moduleId: module.id, licenseId: license.id, operationId, ticketId: ticket.id };
}

async function until(what: string, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** A fresh browser profile that chose the language on the login page and logged in (and chose it again in the top bar). */
async function loggedIn(browser: Browser, url: string, language: string, viewport: { width: number; height: number }, email: string, password: string): Promise<Page> {
  const context = await browser.newContext({ viewport, locale: language === 'ru' ? 'ru-RU' : 'en-GB', colorScheme: 'light' });
  const page = await context.newPage();
  await page.goto(`${url}/billmgr/`);
  await page.locator('select').last().selectOption(language);
  await page.locator('input[type="email"]').fill(email);
  await page.locator('input[type="password"]').fill(password);
  await page.locator('button[type="submit"]').click();
  await page.locator('.topbar').waitFor();
  // A person's own language setting may win at login: the top bar's choice is the one shot.
  await page.locator('.topbar select').selectOption(language);
  return page;
}

/** The page once its data has arrived (no loader left), the whole length of it. */
async function shoot(page: Page, address: string, file: string, ready = 'h1'): Promise<void> {
  await page.goto(address);
  await page.locator(ready).first().waitFor();
  await page.waitForLoadState('networkidle', { timeout: 5000 }).catch(() => {});
  await page.waitForFunction('!document.querySelector(".mantine-Loader-root, [aria-busy=true]")', undefined, { timeout: 10_000 }).catch(() => {});
  // Transitions (menus, notifications) settle.
  await page.waitForTimeout(300);
  await page.screenshot({ path: file, fullPage: true });
}

main().catch((error: unknown) => {
  process.stderr.write(`screenshots: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exitCode = 1;
});
