// `billrelay demo` as someone trying billrelay runs it: a real process on a free port, the printed
// client login used as printed, and Ctrl-C (SIGINT) ending it cleanly with its data directory gone.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { expect, test } from 'vitest';
import { ApiClient } from '../../test/support/http.js';

const root = path.resolve(import.meta.dirname, '../..');
const main = path.join(root, 'src/cli/main.ts');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

test('the demo starts, serves the client its active license with the printed login, and stops cleanly on Ctrl-C', async () => {
  const port = await freePort();
  // One process (node with tsx's loader), so the signal reaches the demo itself.
  const child = spawn(process.execPath, ['--import', 'tsx', main, 'demo', '--port', String(port)], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: '', BILLRELAY_DATA_DIR: '', LOG_LEVEL: 'warn' },
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    // A limit for a slow shared machine (four orders delivered by the worker), not a measurement.
    for (let i = 0; i < 1200 && !out.includes('Press Ctrl-C') && child.exitCode === null; i++) await new Promise((r) => setTimeout(r, 100));
    expect(out, out).toContain('Press Ctrl-C to stop.');

    const url = /billrelay demo shop: (\S+)\/billmgr/.exec(out)?.[1];
    expect(url).toBe(`http://localhost:${port}`);
    const [, email, password] = /Client login: +(\S+) +(\S+)/.exec(out) ?? [];
    const [, staffEmail, staffPassword] = /Staff login: +(\S+) +(\S+)/.exec(out) ?? [];
    const dataDir = /Data: +(\S+)/.exec(out)?.[1];
    expect(dataDir && fs.existsSync(dataDir)).toBe(true);

    const client = new ApiClient(`http://127.0.0.1:${port}`);
    expect((await client.login(email!, password!)).status).toBe(200);
    const licenses = (await client.get('/api/v1/licenses')).body as { items: Array<{ licenseName: string; status: string; licenseKey: string | null; expiresAt: string | null }> };
    const byName = Object.fromEntries(licenses.items.map((l) => [l.licenseName, l]));
    expect(byName.web1).toMatchObject({ status: 'active' });
    expect(byName.web1!.licenseKey).toBeTruthy();
    expect(byName.mail).toMatchObject({ status: 'suspended' });
    expect(byName.test).toMatchObject({ status: 'processing' });
    // "Expiring": ordered for a month twenty days ago, it ends within the dashboard's fortnight.
    const daysLeft = (Date.parse(byName.shop!.expiresAt!) - Date.now()) / 86_400_000;
    expect(daysLeft).toBeGreaterThan(0);
    expect(daysLeft).toBeLessThan(14);

    // The staff login works, and the license waiting for a person has its task.
    const staff = new ApiClient(`http://127.0.0.1:${port}`);
    expect((await staff.login(staffEmail!, staffPassword!)).status).toBe(200);
    expect((await staff.get('/api/v1/tasks?status=open')).body.total).toBe(1);

    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(fs.existsSync(dataDir!)).toBe(false);
    expect(out).toContain('demo stopped');
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
}, 180_000);
