// A real billrelay serving a freshly built SPA, and Debian's Chromium looking at it: shared by the browser tests.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { build } from 'vite';
import { ADMIN_EMAIL, ADMIN_PASSWORD, startBillrelay, type StartOptions, type TestBillrelay } from '../support/billrelay.js';

export const CHROMIUM = '/usr/bin/chromium';
export const hasChromium = fs.existsSync(CHROMIUM);
export const skipNote = hasChromium ? '' : ` (skipped: ${CHROMIUM} not found; apt-get install -y chromium)`;
/** Screenshots stay after the run so a person can look at them. */
export const shotDir = process.env.E2E_SCREENSHOT_DIR ?? os.tmpdir();
const root = fileURLToPath(new URL('../..', import.meta.url));

export interface Ui {
  server: TestBillrelay;
  page: Page;
  /** Logs in as the first administrator through the login form. */
  login(): Promise<void>;
  close(): Promise<void>;
}

export interface BrowserOptions {
  /**
   * Lets page.addScriptTag inject a test tool (axe-core) into pages whose CSP forbids it. Only for such
   * tools: csp.test.ts keeps the policy on to prove the SPA itself needs nothing more.
   */
  bypassCSP?: boolean;
}

export async function startUi(options: StartOptions = {}, browserOptions: BrowserOptions = {}): Promise<Ui> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'billrelay-e2e-'));
  const webDir = path.join(tmp, 'web');
  await build({
    configFile: path.join(root, 'web/vite.config.ts'),
    logLevel: 'warn',
    build: { outDir: webDir, emptyOutDir: true },
  });
  let server: TestBillrelay | undefined;
  let context: BrowserContext | undefined;
  const close = async () => {
    await context?.close();
    await server?.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  };
  try {
    server = await startBillrelay({ ...options, env: { ...options.env, BILLRELAY_WEB_DIR: webDir } });
    context = await chromium.launchPersistentContext(path.join(tmp, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
      locale: 'en-US',
      viewport: { width: 1200, height: 760 },
      // The SPA honours reduced motion (no dialog fades): axe and clicks never meet a half-faded dialog.
      reducedMotion: 'reduce',
      bypassCSP: browserOptions.bypassCSP ?? false,
      // A suite run under faketime (proving it does not depend on today's date) moves the server's clock;
      // Chromium hangs under libfaketime, and the tests need only the server's date, so it keeps the real one.
      env: Object.fromEntries(Object.entries(process.env).filter(([k, v]) => v !== undefined && k !== 'LD_PRELOAD' && !k.startsWith('FAKETIME'))) as Record<string, string>,
    });
  } catch (error) {
    await close();
    throw error;
  }
  const page = context.pages()[0] ?? (await context.newPage());
  const url = server.url;
  return {
    server,
    page,
    async login() {
      await page.goto(`${url}/billmgr/`);
      await page.getByLabel('E-mail').fill(ADMIN_EMAIL);
      await page.getByLabel('Password').fill(ADMIN_PASSWORD);
      await page.getByRole('button', { name: 'Log in' }).click();
      await page.getByRole('button', { name: 'Log out' }).waitFor();
    },
    close,
  };
}

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[] }[];
}

/** Serious and critical axe-core violations on the page as it is now, one line each (needs BrowserOptions.bypassCSP). */
export async function axeViolations(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in globalThis))) await page.addScriptTag({ path: AXE });
  const violations = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(context: unknown, options: unknown): Promise<{ violations: AxeViolation[] }> } }).axe;
    return (await axe.run((globalThis as unknown as { document: unknown }).document, { resultTypes: ['violations'] })).violations;
  });
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')})`);
}
