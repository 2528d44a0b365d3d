// `billrelay upstream probe` as an operator runs it: through the command (in-process, with its own
// stdout/stderr/env), against the simulator and against hosts that are not a BILLmanager.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { startSandbox, type Sandbox } from '../sandbox/index.js';
import { PASSWORD_ENV, renderTable, upstreamCommand, type UpstreamCliIo } from './upstream.js';

const USERNAME = 'ops@billrelay.test';
const PASSWORD = 'Cli-probe-Pa55';

let sandbox: Sandbox;
let dir: string;
const servers: Server[] = [];

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'billrelay-probe-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
afterEach(async () => {
  await sandbox?.close();
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

interface Run {
  code: number | null;
  out: string;
  err: string;
}

async function run(args: string[], io: Partial<UpstreamCliIo> = {}): Promise<Run> {
  const result: Run = { code: null, out: '', err: '' };
  const full: UpstreamCliIo = {
    out: (t) => void (result.out += t),
    err: (t) => void (result.err += t),
    env: { [PASSWORD_ENV]: PASSWORD },
    stderrIsTTY: false,
    columns: 120,
    askPassword: null,
    setExitCode: (code) => void (result.code = code),
    ...io,
  };
  await upstreamCommand(full).parseAsync(['probe', ...args], { from: 'user' });
  return result;
}

async function startUpstream(profile: 'realistic' | 'convenient'): Promise<Sandbox> {
  sandbox = await startSandbox({ profile, accounts: [{ username: USERNAME, password: PASSWORD, balance: '100.00' }] });
  sandbox.control.configure({ keyDelay: { reads: 0 } });
  return sandbox;
}

async function order(sb: Sandbox): Promise<string> {
  const body = new URLSearchParams({
    func: 'soft.order.param', pricelist: '55227', period: '1', ip: '203.0.113.5', licname: 'x', remoteid: 'r1',
    skipbasket: 'on', clicked_button: 'finish', sok: 'ok', out: 'json', authinfo: `${USERNAME}:${PASSWORD}`,
  });
  const answer = (await fetch(`${sb.url}/billmgr`, { method: 'POST', body }).then((r) => r.json())) as { doc: { id: { $: string } } };
  return answer.doc.id.$;
}

async function htmlServer(): Promise<string> {
  const server = createServer((req, res) => {
    req.resume();
    const found = req.url === '/';
    res.writeHead(found ? 200 : 404, { 'content-type': 'text/html' });
    res.end(found ? '<html><body>It works!</body></html>' : '<html><body>404 Not Found</body></html>');
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** The table's rows read back: per row, each column's wrapped lines joined again. */
function tableRows(out: string): string[][] {
  const lines = out.split('\n');
  const start = lines.findIndex((l) => /^-+\+-/.test(l));
  const rows: string[][] = [];
  for (const line of lines.slice(start + 1)) {
    if (line.trim() === '') break;
    const cells = line.split(' | ').map((c) => c.trim());
    if (cells[0]) rows.push(cells);
    else rows[rows.length - 1] = rows[rows.length - 1]!.map((c, i) => [c, cells[i] ?? ''].filter(Boolean).join(' '));
  }
  return rows;
}

function row(out: string, assumptionStart: string): { status: string; upstream: string; billrelay: string } {
  const found = tableRows(out).find((r) => r[1]!.startsWith(assumptionStart));
  expect(found, `row "${assumptionStart}"`).toBeDefined();
  return { status: found![0]!, upstream: found![2]!, billrelay: found![3]! };
}

/** What a terminal shows of text that rewrites its last line with \r and ESC[K. */
function onScreen(text: string): string {
  return text
    .split('\n')
    .map((line) => line.split('\r').map((part) => part.replace(/^\x1b\[K/, '')).filter((part, i, all) => part !== '' || i === all.length - 1).pop() ?? '')
    .join('\n');
}

describe('billrelay upstream probe', () => {
  test('prints the table for the realistic profile and writes masked raw answers', async () => {
    const sb = await startUpstream('realistic');
    const id = await order(sb);
    const key = sb.control.licenses().find((l) => l.id === id)!.key;
    const file = path.join(dir, 'realistic.json');

    const result = await run(['--url', sb.url, '--username', USERNAME, '--json', file]);
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    expect(result.out).toContain(`Upstream   ${sb.url}/billmgr`);
    expect(result.out).toContain('billrelay assumes');
    expect(result.out).toContain('this upstream');
    expect(result.out).toContain('billrelay will');
    expect(row(result.out, 'the remoteid')).toEqual({
      status: 'adapted',
      upstream: 'in list rows: no; in the soft.edit form: no',
      billrelay: 'finds lost orders by IP + license name + tariff, confirmed with soft.edit',
    });
    expect(row(result.out, 'the account currency')).toMatchObject({ upstream: 'whoami states none; func=subaccount lists one balance, in EUR', billrelay: 'uses EUR (from the sub-account)' });
    expect(row(result.out, "a list row's pricelist").upstream).toContain('a name ("ispmanager 6 lite" = price-list id 55227)');
    expect(row(result.out, 'soft.edit of an unknown id').upstream).toContain('$type "missed", $object "item"');
    expect(row(result.out, 'the endpoint').billrelay).toBe(`keeps the first that answered: ${sb.url}/billmgr`);
    expect(row(result.out, 'authinfo').upstream).toBe(`whoami ok: account ${USERNAME}, balance 94.00`);
    expect(row(result.out, 'func=soft pages').upstream).toContain('p_elems present (1 license(s))');
    expect(result.out).toContain('nothing was bought or changed');
    expect(result.out).toContain(`Raw answers written to ${file}`);

    const written = fs.readFileSync(file, 'utf8');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(written).not.toContain(PASSWORD);
    expect(written).not.toContain(key);
    const parsed = JSON.parse(written) as { calls: { func: string; path: string; params: Record<string, string>; body: unknown }[] };
    expect(parsed.calls.map((c) => c.func)).toEqual(['whoami', 'whoami', 'subaccount', 'pricelist.export', 'soft', 'soft.edit', 'soft.edit']);
    expect(JSON.stringify(parsed.calls)).not.toContain('authinfo');
    expect(written).toContain('"lickey": {\n');
    expect(sb.control.purchases()).toHaveLength(1); // the test's own order only
  });

  test('the convenient profile reads differently', async () => {
    const sb = await startUpstream('convenient');
    await order(sb);
    const result = await run(['--url', sb.url, '--username', USERNAME]);
    expect(result.code).toBe(0);
    expect(row(result.out, 'the remoteid')).toMatchObject({ status: 'ok', upstream: 'in list rows: yes; in the soft.edit form: yes' });
    expect(row(result.out, 'the account currency')).toMatchObject({ upstream: 'whoami states EUR', billrelay: 'uses EUR' });
    expect(row(result.out, "a list row's pricelist").billrelay).toBe('reads the tariff id from list rows');
    expect(row(result.out, 'soft.edit of an unknown id').upstream).toContain('$object "elid"');
  });

  test('only /manager/billmgr answering', async () => {
    const sb = await startUpstream('realistic');
    sb.control.configure({ quirks: { paths: ['/manager/billmgr'] } });
    const result = await run(['--url', sb.url, '--username', USERNAME]);
    expect(result.code).toBe(0);
    expect(result.out).toContain(`Upstream   ${sb.url}/manager/billmgr`);
    expect(row(result.out, 'the endpoint').upstream).toBe('/billmgr: HTTP 404, not JSON; /manager/billmgr: answers as a BILLmanager');
  });

  test('a host that is not a BILLmanager: one line on stderr, exit 1', async () => {
    const url = await htmlServer();
    const file = path.join(dir, 'html.json');
    const result = await run(['--url', url, '--username', USERNAME, '--json', file]);
    expect(result.code).toBe(1);
    expect(result.out).toBe('');
    expect(result.err).toBe(`billrelay: ${url} is not a BILLmanager: /billmgr answered HTTP 404, not JSON; /manager/billmgr answered HTTP 404, not JSON\n`);
    // The file still says what was seen, for whoever is asked for help.
    expect(JSON.parse(fs.readFileSync(file, 'utf8')).failure.kind).toBe('not-billmanager');
  });

  test('a wrong password: one clear line, exit 1', async () => {
    const sb = await startUpstream('realistic');
    const result = await run(['--url', sb.url, '--username', USERNAME], { env: { [PASSWORD_ENV]: 'not-the-password' } });
    expect(result.code).toBe(1);
    expect(result.err.trimEnd().split('\n')).toHaveLength(1);
    expect(result.err).toMatch(/^billrelay: The upstream refused the login: wrong username or password, or two-factor authentication is enabled/);
    expect(result.err).not.toContain('not-the-password');
  });

  test('the password from --password-env, from a prompt, or a clear refusal without one', async () => {
    const sb = await startUpstream('realistic');
    const viaEnv = await run(['--url', sb.url, '--username', USERNAME, '--password-env', 'UPSTREAM_PW'], { env: { UPSTREAM_PW: PASSWORD } });
    expect(viaEnv.code).toBe(0);

    const missing = await run(['--url', sb.url, '--username', USERNAME, '--password-env', 'UPSTREAM_PW'], { env: {} });
    expect(missing).toMatchObject({ code: 1, err: 'billrelay: $UPSTREAM_PW (from --password-env) is not set\n' });

    const prompts: string[] = [];
    const asked = await run(['--url', sb.url, '--username', USERNAME], {
      env: {},
      askPassword: async (prompt) => {
        prompts.push(prompt);
        return PASSWORD;
      },
    });
    expect(asked.code).toBe(0);
    expect(prompts).toEqual([`Password for ${USERNAME}: `]);

    const callsBefore = sb.control.calls().length;
    const noTerminal = await run(['--url', sb.url, '--username', USERNAME], { env: {} });
    expect(noTerminal.code).toBe(1);
    expect(noTerminal.err).toContain(`set $${PASSWORD_ENV}`);
    // Nothing was sent without a password.
    expect(sb.control.calls()).toHaveLength(callsBefore);
  });

  test('progress: each step on stderr with --progress; on a terminal one line rewritten and erased', async () => {
    const sb = await startUpstream('realistic');
    const lines = await run(['--url', sb.url, '--username', USERNAME, '--progress']);
    expect(lines.code).toBe(0);
    expect(lines.err.split('\n').filter(Boolean)).toEqual([
      'probing whoami at /billmgr…',
      'probing whoami at /manager/billmgr…',
      'reading the sub-accounts (func=subaccount)…',
      'reading the price list (func=pricelist.export)…',
      'reading one row of the license list (func=soft)…',
      'reading an unknown license id 999999999 (func=soft.edit)…',
    ]);

    const url = await htmlServer();
    const tty = await run(['--url', url, '--username', USERNAME], { stderrIsTTY: true });
    expect(tty.code).toBe(1);
    expect(tty.err).toContain('probing whoami at /billmgr…');
    expect(onScreen(tty.err)).toBe(`billrelay: ${url} is not a BILLmanager: /billmgr answered HTTP 404, not JSON; /manager/billmgr answered HTTP 404, not JSON\n`);
  });

  test('the table wraps long cells within the width', () => {
    const lines = renderTable(['', 'a', 'b', 'c'], [['ok', 'word '.repeat(30), 'x', 'averyveryveryverylongwordthatdoesnotfitanywhereatallreallynotevenclose']], 80);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(80);
    expect(lines.join(' ')).toContain('averyvery');
  });

  test('registered in the billrelay command; the exit code reaches the shell', async () => {
    const url = await htmlServer();
    const root = path.resolve(import.meta.dirname, '../..');
    // Asynchronously: the HTML server answers from this very process.
    const child = spawn(path.join(root, 'node_modules/.bin/tsx'), [path.join(root, 'src/cli/main.ts'), 'upstream', 'probe', '--url', url, '--username', USERNAME], {
      env: { ...process.env, [PASSWORD_ENV]: PASSWORD },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const status = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(status).toBe(1);
    expect(stdout).toBe('');
    expect(stderr.trimEnd().split('\n')).toEqual([`billrelay: ${url} is not a BILLmanager: /billmgr answered HTTP 404, not JSON; /manager/billmgr answered HTTP 404, not JSON`]);
  }, 60_000);
});
