// E-mail through the outbox and a real SMTP server (smtp-server in this process): what a client
// receives when their license becomes active, what happens when the server refuses, that a crash
// mid-send never sends twice, and that without SMTP nothing is lost (staff read the outbox).
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Sandbox } from '../../sandbox/index.js';
import type { ManualClock } from '../../platform/clock.js';
import { systemActor } from '../../platform/actor.js';
import { LicenseHistory } from '../../licenses/history.js';
import { startUpstream } from '../../../test/support/upstream.js';
import { ADMIN_EMAIL, ADMIN_PASSWORD, startBillrelay, type TestBillrelay } from '../../../test/support/billrelay.js';
import { createBillrelay } from '../../app.js';
import { loadConfig } from '../../platform/config.js';
import { createLogger } from '../../platform/logger.js';
import { connectSandboxModule, drain, licenseRow, OPERATIONS_TEST_ENV } from '../../../test/support/licenses.js';
import { nextIp } from '../../../test/support/scenario.js';
import { closedPort, SMTP_PASSWORD, SMTP_USER, startSmtp, type TestSmtp } from '../../../test/support/smtp.js';
import { MessageRepository } from './repository.js';
import { UNKNOWN_OUTCOME } from './sender.js';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const MAIL_ENV = { ...OPERATIONS_TEST_ENV, BILLRELAY_MAIL_FROM: 'Billing <billing@reseller.test>', BILLRELAY_MAIL_RETRY_BASE_MS: '60000' };

let smtp: TestSmtp;
let t: TestBillrelay;
let upstream: Sandbox;
const logs: string[] = [];
let unique = 0;

beforeAll(async () => {
  smtp = await startSmtp();
  t = await startBillrelay({ env: { ...MAIL_ENV, BILLRELAY_SMTP_URL: smtp.url }, logSink: logs });
  upstream = await startUpstream(t);
});
afterAll(async () => {
  await upstream?.close();
  await t?.close();
  await smtp?.close();
});

/** A provider of its own (its name signs the e-mails), a tariff on a sandbox module, and a client with money. */
async function clientWithTariff(language: 'en' | 'ru', name = 'Иван Петров') {
  unique += 1;
  const module = await connectSandboxModule(t, upstream);
  const provider = await t.admin.post('/api/v1/providers', { name: `Hosting ${unique}`, currency: 'EUR', supportEmail: `support${unique}@reseller.test` });
  expect(provider.status).toBe(201);
  const tariff = await t.admin.post('/api/v1/tariffs/import', { processingModuleId: module.id, upstreamTariffId: '55227', providerId: provider.body.id, markupPercent: '20' });
  expect(tariff.status).toBe(201);
  expect((await t.admin.post(`/api/v1/tariffs/${tariff.body.id}/enable`)).status).toBe(200);
  const email = `mail-${Date.now().toString(36)}-${unique}@example.test`;
  const client = await t.admin.post('/api/v1/clients', { name, email, password: 'client-password', language, providerId: provider.body.id });
  expect(client.status).toBe(201);
  const paid = await t.admin.post(`/api/v1/clients/${client.body.id}/payments`, { amount: '500.00', method: 'bank_transfer' });
  expect(paid.status).toBe(201);
  return { clientId: client.body.id as number, email, tariffId: tariff.body.id as number, providerName: provider.body.name as string, api: await t.loginAs(email, 'client-password') };
}

const mailsTo = (email: string) => smtp.received.filter((m) => m.to.includes(email));
const messagesOf = async (clientId: number) => (await t.admin.get(`/api/v1/messages?clientId=${clientId}`)).body.items as Array<Record<string, unknown>>;

describe('a license ordered through the upstream simulator', () => {
  test('a Russian client gets exactly one "license active" e-mail, in Russian, with the key, from their provider', async () => {
    const c = await clientWithTariff('ru', 'Иван & <Co>');
    const ordered = await c.api.post('/api/v1/licenses', { tariffId: c.tariffId, period: 12, licenseName: 'shop-1', ip: nextIp(), autoRenew: false });
    expect(ordered.status, JSON.stringify(ordered.body)).toBe(201);
    const op = await t.billrelay.db.kysely.selectFrom('operations').select('id').where('licenseId', '=', ordered.body.id).executeTakeFirstOrThrow();
    expect((await drain(t, Number(op.id))).status).toBe('succeeded');
    const license = await licenseRow(t, ordered.body.id);
    expect(license.status).toBe('active');
    expect(license.licenseKey).toBeTruthy();

    await t.billrelay.mailer.runOnce();
    // The worker running again (or a second worker) sends nothing more.
    await t.billrelay.mailer.runOnce();
    const mails = mailsTo(c.email);
    const active = mails.filter((m) => m.subject.includes('активна'));
    expect(active).toHaveLength(1);
    const mail = active[0]!;
    expect(mail.subject).toBe('Лицензия shop-1 активна');
    expect(mail.text).toContain('Здравствуйте, Иван & <Co>!');
    expect(mail.text).toContain(license.licenseKey!);
    expect(mail.text).toContain(`Команда ${c.providerName}`);
    // In the HTML the client's own words are escaped, and the key is there too.
    expect(mail.html).toContain('Здравствуйте, Иван &amp; &lt;Co&gt;!');
    expect(mail.html).not.toContain('<Co>');
    expect(mail.html).toContain(license.licenseKey!);
    expect(mail.headers.from).toContain('billing@reseller.test');
    expect(mail.headers['reply-to']).toMatch(/support\d+@reseller\.test/);
    expect(mail.headers['content-language']).toBe('ru');
    // The payment that topped the balance up was mailed too (in Russian), once.
    expect(mails.filter((m) => m.subject.startsWith('Платёж'))).toHaveLength(1);

    const listed = await messagesOf(c.clientId);
    expect(listed.find((m) => m.event === 'license_active')).toMatchObject({ status: 'sent', locale: 'ru', recipientAddress: c.email, attempts: 1 });
  });
});

describe('the rest of a license\'s life', () => {
  test('renewed, suspended and deleted: one e-mail each, in English for an English client', async () => {
    const c = await clientWithTariff('en', 'Erin');
    const ordered = await c.api.post('/api/v1/licenses', { tariffId: c.tariffId, period: 12, licenseName: 'life', ip: nextIp(), autoRenew: false });
    expect(ordered.status).toBe(201);
    const id = ordered.body.id as number;
    const run = async (path: string, body?: Record<string, unknown>) => {
      const answer = await t.admin.post(`/api/v1/licenses/${id}/${path}`, body);
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      const ops = await t.billrelay.db.kysely.selectFrom('operations').select('id').where('licenseId', '=', id).where('status', '=', 'pending').execute();
      for (const op of ops) expect((await drain(t, Number(op.id))).status).toBe('succeeded');
    };
    const first = await t.billrelay.db.kysely.selectFrom('operations').select('id').where('licenseId', '=', id).executeTakeFirstOrThrow();
    await drain(t, Number(first.id));
    await run('renew', {});
    const renewedUntil = (await licenseRow(t, id)).expiresOn!;
    await run('suspend');
    await run('delete');
    expect((await licenseRow(t, id)).status).toBe('deleted');
    await t.billrelay.mailer.runOnce();
    const subjects = mailsTo(c.email).map((m) => m.subject).filter((s) => s.includes('life'));
    expect(subjects.sort()).toEqual(['License life deleted', 'License life is active', 'License life renewed', 'License life suspended']);
    expect(mailsTo(c.email).find((m) => m.subject === 'License life renewed')!.text).toContain(`renewed until ${renewedUntil}`);
  });
});

describe('the SMTP server refusing', () => {
  test('451 → retried later with backoff, then sent once', async () => {
    const clock = t.clock as ManualClock;
    const c = await clientWithTariff('en', 'Alice');
    await t.billrelay.mailer.runOnce();
    smtp.refuseWith = 451;
    try {
      const paid = await t.admin.post(`/api/v1/clients/${c.clientId}/payments`, { amount: '12.50', method: 'bank_transfer' });
      expect(paid.status).toBe(201);
      expect(await t.billrelay.mailer.runOnce()).toMatchObject({ sent: 0, retried: 1 });
      const [message] = (await messagesOf(c.clientId)).filter((m) => m.subject === 'Payment of 12.50 EUR received');
      expect(message).toMatchObject({ status: 'pending', attempts: 1 });
      expect(message!.lastError).toMatch(/451/);
      expect(Date.parse(message!.nextAttemptAt as string) - clock.now().getTime()).toBe(60_000);
      // Refused again after the first pause: the next pause is twice as long.
      clock.advance(60_000);
      expect(await t.billrelay.mailer.runOnce()).toMatchObject({ retried: 1 });
      const again = (await t.admin.get(`/api/v1/messages/${message!.id}`)).body;
      expect(again.attempts).toBe(2);
      expect(Date.parse(again.nextAttemptAt) - clock.now().getTime()).toBe(120_000);
    } finally {
      smtp.refuseWith = null;
    }
    // The server accepts again, but the message is not due yet: nothing is sent early.
    expect(await t.billrelay.mailer.runOnce()).toMatchObject({ sent: 0 });
    expect(mailsTo(c.email).filter((m) => m.subject === 'Payment of 12.50 EUR received')).toHaveLength(0);
    clock.advance(120_000);
    expect(await t.billrelay.mailer.runOnce()).toMatchObject({ sent: 1 });
    await t.billrelay.mailer.runOnce();
    expect(mailsTo(c.email).filter((m) => m.subject === 'Payment of 12.50 EUR received')).toHaveLength(1);
    // The SMTP credentials are nowhere: not in the API's answers, not in the logs.
    const listed = JSON.stringify((await t.admin.get('/api/v1/messages?perPage=500')).body);
    expect(listed).not.toContain(SMTP_PASSWORD);
    expect(logs.join('\n')).not.toContain(SMTP_PASSWORD);
    expect(listed).not.toContain(`${SMTP_USER}:`);
  });

  test('no server listening at all (connection refused): the message waits with a retry time, nothing is lost; once a server listens there it is sent exactly once', async () => {
    const port = await closedPort();
    const down = await startBillrelay({ env: { ...MAIL_ENV, BILLRELAY_SMTP_URL: `smtp://${SMTP_USER}:${SMTP_PASSWORD}@127.0.0.1:${port}` } });
    let late: TestSmtp | undefined;
    try {
      const clock = down.clock as ManualClock;
      const client = await down.admin.post('/api/v1/clients', { name: 'Faye', email: 'faye@example.test', password: 'client-password', language: 'en', providerId: 1 });
      expect(client.status).toBe(201);
      expect((await down.admin.post(`/api/v1/clients/${client.body.id}/payments`, { amount: '3.00', method: 'bank_transfer' })).status).toBe(201);
      const payment = async () => {
        const items = (await down.admin.get(`/api/v1/messages?clientId=${client.body.id}`)).body.items as Array<Record<string, unknown>>;
        const found = items.filter((m) => m.subject === 'Payment of 3.00 EUR received');
        expect(found).toHaveLength(1);
        return found[0]!;
      };

      expect(await down.billrelay.mailer.runOnce()).toEqual({ sent: 0, retried: 1, failed: 0 });
      const waiting = await payment();
      expect(waiting).toMatchObject({ status: 'pending', attempts: 1 });
      expect(waiting.lastError).toMatch(/ECONNREFUSED/);
      expect(Date.parse(waiting.nextAttemptAt as string) - clock.now().getTime()).toBe(60_000);
      // Not due yet: not even tried.
      expect(await down.billrelay.mailer.runOnce()).toEqual({ sent: 0, retried: 0, failed: 0 });
      expect((await payment()).attempts).toBe(1);
      // Still down after the pause: tried again, and the next pause is twice as long.
      clock.advance(60_000);
      expect(await down.billrelay.mailer.runOnce()).toEqual({ sent: 0, retried: 1, failed: 0 });
      const again = await payment();
      expect(again).toMatchObject({ status: 'pending', attempts: 2 });
      expect(Date.parse(again.nextAttemptAt as string) - clock.now().getTime()).toBe(120_000);

      // The server comes up on that port; the message is sent when it is due, once.
      late = await startSmtp({ port });
      expect(await down.billrelay.mailer.runOnce()).toEqual({ sent: 0, retried: 0, failed: 0 });
      expect(late.received).toHaveLength(0);
      clock.advance(120_000);
      expect(await down.billrelay.mailer.runOnce()).toEqual({ sent: 1, retried: 0, failed: 0 });
      expect(await down.billrelay.mailer.runOnce()).toEqual({ sent: 0, retried: 0, failed: 0 });
      expect(late.received.map((m) => [m.to, m.subject])).toEqual([[['faye@example.test'], 'Payment of 3.00 EUR received']]);
      expect(await payment()).toMatchObject({ status: 'sent', attempts: 3 });
    } finally {
      await down.close();
      await late?.close();
    }
  });

  test('a sender that stopped mid-send: the message goes to a person (failed), never resent blindly; retry sends it once', async () => {
    const clock = t.clock as ManualClock;
    const c = await clientWithTariff('en', 'Bob');
    await t.billrelay.mailer.runOnce();
    const paid = await t.admin.post(`/api/v1/clients/${c.clientId}/payments`, { amount: '7.00', method: 'bank_transfer' });
    expect(paid.status).toBe(201);
    // Another worker claimed it (its claim committed) and died before marking it sent.
    const claimed = await new MessageRepository(t.billrelay.db).claim('crashed-worker', clock.now(), 120_000, 10);
    expect(claimed.map((m) => m.subject)).toContain('Payment of 7.00 EUR received');
    const id = claimed.find((m) => m.subject === 'Payment of 7.00 EUR received')!.id;
    // While its lease runs nobody else touches it.
    expect(await t.billrelay.mailer.runOnce()).toMatchObject({ sent: 0, failed: 0 });
    clock.advance(120_001);
    await t.billrelay.mailer.runOnce();
    const failed = (await t.admin.get(`/api/v1/messages/${id}`)).body;
    expect(failed).toMatchObject({ status: 'failed', lastError: UNKNOWN_OUTCOME });
    expect(mailsTo(c.email).filter((m) => m.subject === 'Payment of 7.00 EUR received')).toHaveLength(0);
    // Only a failed message can be retried; a person does it after checking.
    const notFailed = (await messagesOf(c.clientId)).find((m) => m.status === 'sent')!;
    const refused = await t.admin.post(`/api/v1/messages/${notFailed.id}/retry`);
    expect(refused.status).toBe(409);
    expect(refused.body.error.field).toBe('status');
    const retried = await t.admin.post(`/api/v1/messages/${id}/retry`);
    expect(retried.status, JSON.stringify(retried.body)).toBe(200);
    expect(retried.body).toMatchObject({ status: 'pending', attempts: 0 });
    await t.billrelay.mailer.runOnce();
    expect(mailsTo(c.email).filter((m) => m.subject === 'Payment of 7.00 EUR received')).toHaveLength(1);
    expect((await t.admin.get(`/api/v1/messages/${id}`)).body.status).toBe('sent');
  });
});

describe('idempotency', () => {
  test('the same event twice writes one message; "renewal failed for lack of money" at most once a day', async () => {
    const clock = t.clock as ManualClock;
    const c = await clientWithTariff('en', 'Carol');
    const ordered = await c.api.post('/api/v1/licenses', { tariffId: c.tariffId, period: 12, licenseName: 'web', ip: nextIp(), autoRenew: false });
    expect(ordered.status).toBe(201);
    const history = new LicenseHistory(clock);
    const unpaid = () => t.billrelay.db.transaction((trx) =>
      history.record(trx, systemActor('auto-renewal'), { licenseId: ordered.body.id, event: 'note', to: 'renewal_unpaid', message: 'Auto-renewal could not be paid' }));
    await unpaid();
    await unpaid();
    // Read from the outbox directly: a day later the admin's session has expired.
    const count = async () =>
      (await t.billrelay.db.kysely.selectFrom('messages').select('id').where('clientId', '=', c.clientId).where('event', '=', 'renewal_unpaid').execute()).length;
    expect(await count()).toBe(1);
    clock.advance(24 * 3_600_000);
    await unpaid();
    expect(await count()).toBe(2);
  });
});

describe('a crash between the commit and the send', () => {
  test('the process that committed the e-mail ends before sending it: the next one on the same database sends it exactly once', async () => {
    const first = await startBillrelay({ env: { ...MAIL_ENV, BILLRELAY_SMTP_URL: smtp.url } });
    let closedFirst = false;
    try {
      const client = await first.admin.post('/api/v1/clients', { name: 'Erin', email: 'erin@example.test', password: 'client-password', language: 'en', providerId: 1 });
      expect((await first.admin.post(`/api/v1/clients/${client.body.id}/payments`, { amount: '9.00', method: 'bank_transfer' })).status).toBe(201);
      // The payment and its e-mail are committed; the process goes away before its sender ran.
      await first.billrelay.close();
      closedFirst = true;
      expect(smtp.received.filter((m) => m.to.includes('erin@example.test'))).toHaveLength(0);
      const config = loadConfig({
        ...MAIL_ENV,
        BILLRELAY_SMTP_URL: smtp.url,
        BILLRELAY_DATA_DIR: first.database.dataDir,
        ...(first.database.databaseUrl ? { DATABASE_URL: first.database.databaseUrl } : {}),
        BILLRELAY_ADMIN_EMAIL: ADMIN_EMAIL,
        BILLRELAY_ADMIN_PASSWORD: ADMIN_PASSWORD,
        BILLRELAY_WEB_DIR: `${first.database.dataDir}/no-web`,
        BILLRELAY_SCHEDULER: 'off',
        LOG_LEVEL: 'warn',
      });
      const second = await createBillrelay({ config, clock: first.clock, logger: createLogger('warn') });
      try {
        await second.mailer.runOnce();
        await second.mailer.runOnce();
      } finally {
        await second.close();
      }
      const mails = smtp.received.filter((m) => m.to.includes('erin@example.test'));
      expect(mails.map((m) => m.subject)).toEqual(['Payment of 9.00 EUR received']);
    } finally {
      if (closedFirst) await first.database.drop();
      else await first.close();
    }
  });
});

describe('a process killed (SIGKILL)', () => {
  /** Its own billrelay and upstream (on a clock that starts now, as the process's own does), a client with money and a tariff. */
  async function setUp() {
    const own = await startBillrelay({ env: { ...MAIL_ENV, BILLRELAY_SMTP_URL: smtp.url } });
    const ownUpstream = await startUpstream(own);
    const module = await connectSandboxModule(own, ownUpstream);
    const tariff = await own.admin.post('/api/v1/tariffs/import', { processingModuleId: module.id, upstreamTariffId: '55227', providerId: 1, markupPercent: '20' });
    expect(tariff.status).toBe(201);
    expect((await own.admin.post(`/api/v1/tariffs/${tariff.body.id}/enable`)).status).toBe(200);
    unique += 1;
    const email = `killed-${unique}-${Date.now().toString(36)}@example.test`;
    const client = await own.admin.post('/api/v1/clients', { name: 'Gus', email, password: 'client-password', language: 'en', providerId: 1 });
    expect(client.status).toBe(201);
    expect((await own.admin.post(`/api/v1/clients/${client.body.id}/payments`, { amount: '100.00', method: 'bank_transfer' })).status).toBe(201);
    // The payment's e-mail goes now; only the license's is left for the processes below.
    expect(await own.billrelay.mailer.runOnce()).toMatchObject({ sent: 1 });
    const api = await own.loginAs(email, 'client-password');
    const ordered = await api.post('/api/v1/licenses', { tariffId: tariff.body.id, period: 12, licenseName: `killed${unique}`, ip: nextIp(), autoRenew: false });
    expect(ordered.status, JSON.stringify(ordered.body)).toBe(201);
    const activeMessage = () =>
      own.billrelay.db.kysely.selectFrom('messages').selectAll().where('event', '=', 'license_active').where('entityId', '=', ordered.body.id).executeTakeFirst();
    return { own, ownUpstream, email, licenseId: ordered.body.id as number, subject: `License killed${unique} is active`, activeMessage };
  }

  /** `billrelay worker` on that database, sending through the test SMTP server, on its own (system) clock. */
  function spawnWorker(own: TestBillrelay) {
    const output: string[] = [];
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/cli/main.ts'), 'worker'], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        // The same system clock as this process, under faketime too (a worker a year behind runs nothing).
        ...Object.fromEntries(Object.entries(process.env).filter(([k]) => k === 'LD_PRELOAD' || k.startsWith('FAKETIME'))),
        BILLRELAY_DATA_DIR: own.database.dataDir,
        ...(own.database.databaseUrl ? { DATABASE_URL: own.database.databaseUrl } : {}),
        BILLRELAY_WEB_DIR: path.join(own.database.dataDir, 'no-web'),
        ...MAIL_ENV,
        BILLRELAY_WORKER: 'on',
        BILLRELAY_SCHEDULER: 'off',
        BILLRELAY_WORKER_POLL_MS: '50',
        BILLRELAY_KEY_POLL_MS: '20',
        BILLRELAY_SMTP_URL: smtp.url,
        BILLRELAY_MAIL_RETRY_BASE_MS: '600000',
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (d: Buffer) => output.push(d.toString()));
    child.stderr!.on('data', (d: Buffer) => output.push(d.toString()));
    return {
      child,
      /** Short polls while the process starts (seconds on a loaded machine) and works. */
      async until(check: () => Promise<boolean>) {
        const deadline = Date.now() + 180_000;
        while (!(await check())) {
          if (Date.now() > deadline || child.exitCode !== null) throw new Error(`the worker process did not get there; it wrote:\n${output.join('')}`);
          await new Promise((r) => setTimeout(r, 100));
        }
      },
      async kill() {
        if (child.exitCode === null && child.signalCode === null) {
          const exited = new Promise((r) => child.once('exit', r));
          child.kill('SIGKILL');
          await exited;
        }
        expect(child.signalCode).toBe('SIGKILL');
      },
    };
  }

  test('after committing a license and its e-mail, before delivering it (the server said "later"): the next process delivers it exactly once', async () => {
    const s = await setUp();
    let worker: ReturnType<typeof spawnWorker> | undefined;
    try {
      // The worker process commits the license and its e-mail, tries to send it, is told to come back
      // later (in 10 minutes of its own clock), and is killed meanwhile.
      smtp.refuseWith = 451;
      worker = spawnWorker(s.own);
      await worker.until(async () => {
        const m = await s.activeMessage();
        return !!m && m.status === 'pending' && m.attempts === 1;
      });
      await worker.kill();
      smtp.refuseWith = null;

      const license = await licenseRow(s.own, s.licenseId);
      expect(license.status).toBe('active');
      const waiting = (await s.activeMessage())!;
      expect(waiting).toMatchObject({ status: 'pending', attempts: 1 });
      expect(waiting.lastError).toMatch(/451/);
      expect(mailsTo(s.email).filter((m) => m.subject === s.subject)).toHaveLength(0);

      // The next process (this one, on the same database) sends it when it is due: once.
      const clock = s.own.clock as ManualClock;
      expect(await s.own.billrelay.mailer.runOnce()).toMatchObject({ sent: 0 });
      clock.set(new Date(Date.parse(waiting.nextAttemptAt) + 1000));
      expect(await s.own.billrelay.mailer.runOnce()).toMatchObject({ sent: 1, failed: 0 });
      expect(await s.own.billrelay.mailer.runOnce()).toMatchObject({ sent: 0, retried: 0, failed: 0 });
      const mails = mailsTo(s.email).filter((m) => m.subject === s.subject);
      expect(mails).toHaveLength(1);
      expect(mails[0]!.text).toContain(license.licenseKey!);
      expect((await s.activeMessage())!).toMatchObject({ status: 'sent', attempts: 2 });
    } finally {
      smtp.refuseWith = null;
      await worker?.kill().catch(() => {});
      await s.ownUpstream.close();
      await s.own.close();
    }
    // Starting a process compiles the CLI with tsx: seconds on an idle machine, far more on a loaded one.
  }, 240_000);

  test('in the middle of the SMTP conversation (data sent, no answer yet): never resent blindly; it goes to a person, whose retry delivers it once', async () => {
    const s = await setUp();
    let worker: ReturnType<typeof spawnWorker> | undefined;
    try {
      smtp.stall = true;
      smtp.stalled = 0;
      worker = spawnWorker(s.own);
      await worker.until(async () => smtp.stalled > 0 && (await s.activeMessage())?.status === 'sending');
      await worker.kill();
      smtp.stall = false;

      // Nobody knows whether the server kept it: after the dead process's lease, a person decides.
      const sending = (await s.activeMessage())!;
      const clock = s.own.clock as ManualClock;
      expect(await s.own.billrelay.mailer.runOnce()).toMatchObject({ sent: 0, failed: 0 });
      clock.set(new Date(Date.parse(sending.leaseExpiresAt!) + 1000));
      expect(await s.own.billrelay.mailer.runOnce()).toMatchObject({ sent: 0, failed: 1 });
      expect(await s.own.billrelay.mailer.runOnce()).toMatchObject({ sent: 0, failed: 0 });
      expect((await s.activeMessage())!).toMatchObject({ status: 'failed', lastError: UNKNOWN_OUTCOME });
      expect(mailsTo(s.email).filter((m) => m.subject === s.subject)).toHaveLength(0);

      await s.own.admin.login(ADMIN_EMAIL, ADMIN_PASSWORD);
      expect((await s.own.admin.post(`/api/v1/messages/${sending.id}/retry`)).status).toBe(200);
      expect(await s.own.billrelay.mailer.runOnce()).toMatchObject({ sent: 1 });
      expect(await s.own.billrelay.mailer.runOnce()).toMatchObject({ sent: 0 });
      expect(mailsTo(s.email).filter((m) => m.subject === s.subject)).toHaveLength(1);
    } finally {
      smtp.stall = false;
      await worker?.kill().catch(() => {});
      await s.ownUpstream.close();
      await s.own.close();
    }
  }, 240_000);
});

describe('without SMTP configured', () => {
  test('messages stay pending and staff read them under Tools → Messages', async () => {
    const plain = await startBillrelay({ env: { ...MAIL_ENV } });
    try {
      const client = await plain.admin.post('/api/v1/clients', { name: 'Dora <script>', email: 'dora@example.test', password: 'client-password', language: 'en', providerId: 1 });
      expect(client.status).toBe(201);
      expect((await plain.admin.post(`/api/v1/clients/${client.body.id}/payments`, { amount: '20.00', method: 'bank_transfer' })).status).toBe(201);
      expect(await plain.billrelay.mailer.runOnce()).toEqual({ sent: 0, retried: 0, failed: 0 });
      const list = await plain.admin.get('/api/v1/messages?status=pending&recipient=DORA@');
      expect(list.status).toBe(200);
      expect(list.body).toMatchObject({ total: 1, smtpConfigured: false });
      expect(list.body.items[0]).toMatchObject({ event: 'payment_booked', status: 'pending', recipientAddress: 'dora@example.test', subject: 'Payment of 20.00 EUR received', attempts: 0 });
      const one = await plain.admin.get(`/api/v1/messages/${list.body.items[0].id}`);
      expect(one.body.text).toContain('Hello, Dora <script>!');
      expect(one.body.html).toContain('Hello, Dora &lt;script&gt;!');
      expect((await plain.admin.get('/api/v1/messages?recipient=nobody')).body.total).toBe(0);
      expect((await plain.admin.get('/api/v1/messages/999999')).status).toBe(404);
      // Clients cannot read the outbox.
      const dora = await plain.loginAs('dora@example.test', 'client-password');
      expect((await dora.get('/api/v1/messages')).status).toBe(403);
    } finally {
      await plain.close();
    }
  });
});
