// What clients receive by e-mail (through a real SMTP server) ahead of an auto-renewal (from the
// scheduler, on a manual clock) and when their license gets a new key.
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { ManualClock } from '../../platform/clock.js';
import { addDays, isoDate } from '../../platform/dates.js';
import type { Sandbox } from '../../sandbox/index.js';
import { ADMIN_EMAIL, ADMIN_PASSWORD, startBillrelay, type TestBillrelay } from '../../../test/support/billrelay.js';
import { drain, licenseRow, OPERATIONS_TEST_ENV } from '../../../test/support/licenses.js';
import { connectModule, importTariff, insertLicense, newProvider } from '../../../test/support/scheduling.js';
import { nextIp } from '../../../test/support/scenario.js';
import { startSmtp, type TestSmtp } from '../../../test/support/smtp.js';
import { startUpstream } from '../../../test/support/upstream.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const clock = new ManualClock('2026-11-25T10:00:00Z');
let smtp: TestSmtp;
let t: TestBillrelay;
let upstream: Sandbox;
let seq = 0;

beforeAll(async () => {
  smtp = await startSmtp();
  t = await startBillrelay({ clock, env: { ...OPERATIONS_TEST_ENV, BILLRELAY_SMTP_URL: smtp.url, BILLRELAY_MAIL_FROM: 'Billing <billing@reseller.test>' } });
  upstream = await startUpstream(t);
});
afterAll(async () => {
  await upstream?.close();
  await t?.close();
  await smtp?.close();
});
beforeEach(async () => {
  await t.admin.login(ADMIN_EMAIL, ADMIN_PASSWORD);
});

/** A provider with the lite tariff on a module of its own (1 month: 7.20 EUR). */
async function shop() {
  const module = await connectModule(t, upstream);
  const provider = await newProvider(t);
  const tariff = await importTariff(t, module.id, '55227', provider.id);
  expect((await t.admin.post(`/api/v1/tariffs/${tariff.id}/enable`)).status).toBe(200);
  return { moduleId: module.id, providerId: provider.id, tariffId: tariff.id };
}

async function client(providerId: number, language: 'en' | 'ru', money: { balance?: string; creditLimit?: string } = {}) {
  seq += 1;
  const email = `notices-${seq}-${Date.now().toString(36)}@example.test`;
  const answer = await t.admin.post('/api/v1/clients', {
    name: `Client ${seq}`, email, password: 'client-password', language, providerId, ...(money.creditLimit ? { creditLimit: money.creditLimit } : {}),
  });
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  if (money.balance) expect((await t.admin.post(`/api/v1/clients/${answer.body.id}/payments`, { amount: money.balance, method: 'bank_transfer' })).status).toBe(201);
  return { id: answer.body.id as number, email };
}

async function received(email: string, subject: string | RegExp) {
  await t.billrelay.mailer.runOnce();
  return smtp.received.filter((m) => m.to.includes(email) && (typeof subject === 'string' ? m.subject === subject : subject.test(m.subject)));
}

async function later(ms: number) {
  clock.advance(ms);
  return t.billrelay.scheduler.tick();
}

describe('an auto-renewal coming (BILLRELAY_RENEWAL_NOTICE_DAYS, 7 by default)', () => {
  test('7 days before expiry: the price, and whether the balance (with the credit limit) covers it; once per license and expiry', async () => {
    const s = await shop();
    const rich = await client(s.providerId, 'ru', { balance: '100.00' });
    const poor = await client(s.providerId, 'en', { balance: '1.00' });
    const onCredit = await client(s.providerId, 'en', { balance: '5.00', creditLimit: '5.00' });
    const today = isoDate(clock.now());
    const inAWeek = addDays(today, 7);
    const license = (clientId: number, expiresOn: string, autoRenew = true) =>
      insertLicense(t, { clientId, tariffId: s.tariffId, moduleId: s.moduleId, period: 1, expiresOn, autoRenew, upstreamId: null, licenseName: `shop-${++seq}` });
    const richOne = await license(rich.id, inAWeek);
    const poorOne = await license(poor.id, inAWeek);
    const creditOne = await license(onCredit.id, inAWeek);
    const manual = await license(rich.id, addDays(today, 5), false);
    const later10 = await license(rich.id, addDays(today, 10));
    const name = async (id: number) => (await licenseRow(t, id)).licenseName;

    await later(HOUR);
    await later(HOUR);
    await t.billrelay.scheduler.tick();

    const ru = await received(rich.email, `Лицензия ${await name(richOne.id)} будет продлена автоматически`);
    expect(ru).toHaveLength(1);
    expect(ru[0]!.headers['content-language']).toBe('ru');
    expect(ru[0]!.text).toContain(`истекает ${inAWeek}, и она будет автоматически продлена ещё на 1 мес.`);
    expect(ru[0]!.text).toContain('Продление стоит 7.20 EUR, и средств на балансе для него достаточно (доступно 100.00 EUR).');

    const topUp = await received(poor.email, `Top up your balance to renew license ${await name(poorOne.id)}`);
    expect(topUp).toHaveLength(1);
    expect(topUp[0]!.text).toContain(`expires on ${inAWeek}. It is set to renew automatically for another 1-month period.`);
    expect(topUp[0]!.text).toContain('The renewal costs 7.20 EUR, but only 1.00 EUR is available on your balance. Top up your balance by at least 6.20 EUR');

    const credit = await received(onCredit.email, `License ${await name(creditOne.id)} will be renewed automatically`);
    expect(credit).toHaveLength(1);
    expect(credit[0]!.text).toContain('The renewal costs 7.20 EUR, and your balance covers it (available: 10.00 EUR).');

    // Not auto-renewing, or not yet 7 days ahead: nothing.
    expect(await received(rich.email, new RegExp(await name(manual.id)))).toHaveLength(0);
    expect(await received(rich.email, new RegExp(await name(later10.id)))).toHaveLength(0);

    // Three days on, the later license's turn; the others are not mailed again (the money changed meanwhile, too).
    expect((await t.admin.post(`/api/v1/clients/${poor.id}/payments`, { amount: '50.00', method: 'bank_transfer' })).status).toBe(201);
    for (let i = 0; i < 3; i += 1) await later(DAY);
    expect(await received(rich.email, `Лицензия ${await name(later10.id)} будет продлена автоматически`)).toHaveLength(1);
    expect(await received(rich.email, `Лицензия ${await name(richOne.id)} будет продлена автоматически`)).toHaveLength(1);
    expect(await received(poor.email, new RegExp(await name(poorOne.id)))).toHaveLength(1);
    const rows = await t.billrelay.db.kysely.selectFrom('messages').select(['event', 'entityId']).where('event', 'in', ['renewal_coming', 'renewal_coming_topup']).where('entityId', 'in', [richOne.id, poorOne.id, creditOne.id, manual.id, later10.id]).execute();
    expect(rows).toHaveLength(4);
  });
});

describe('an auto-renewal the balance does not cover (the renewals job, on a manual clock)', () => {
  test('the client is mailed once a day until the license expires: not twice the same day, again the next day, not after expiry', async () => {
    const s = await shop();
    const poor = await client(s.providerId, 'en', { balance: '1.00' });
    // A fresh day, early: every run below stays within its day until the clock is moved a day on.
    clock.set(`${addDays(isoDate(clock.now()), 1)}T06:00:00.000Z`);
    const day0 = isoDate(clock.now());
    const expiresOn = addDays(day0, 2);
    const { id } = await insertLicense(t, { clientId: poor.id, tariffId: s.tariffId, moduleId: s.moduleId, period: 1, expiresOn, autoRenew: true, licenseName: `unpaid-${++seq}` });
    const name = (await licenseRow(t, id)).licenseName;
    const subject = `License ${name} could not be renewed`;
    const unpaidNotes = async () =>
      (await t.billrelay.db.kysely.selectFrom('licenseHistory').select('id').where('licenseId', '=', id).where('event', '=', 'note').where('toValue', '=', 'renewal_unpaid').execute()).length;

    await later(HOUR);
    const first = await received(poor.email, subject);
    expect(first).toHaveLength(1);
    expect(first[0]!.text).toContain(`expires on ${expiresOn} and could not be renewed automatically: your balance is not enough.`);
    expect(first[0]!.headers['content-language']).toBe('en');
    expect(await unpaidNotes()).toBe(1);
    // Nothing was charged or asked of the upstream.
    expect(await t.billrelay.db.kysely.selectFrom('operations').select('id').where('licenseId', '=', id).execute()).toHaveLength(0);

    // The job runs again the same day (hourly, and once more at once): no second e-mail.
    await later(HOUR);
    await later(5 * HOUR);
    await t.billrelay.scheduler.tick();
    expect(await received(poor.email, subject)).toHaveLength(1);
    expect(await unpaidNotes()).toBe(1);

    // The next day: one more; on the day it expires: one more.
    await later(DAY - 7 * HOUR);
    await later(HOUR);
    expect(await received(poor.email, subject)).toHaveLength(2);
    await later(DAY);
    await later(HOUR);
    expect(await received(poor.email, subject)).toHaveLength(3);
    // Expired: no more.
    await later(DAY);
    await later(DAY);
    expect(await received(poor.email, subject)).toHaveLength(3);
    expect(await unpaidNotes()).toBe(3);
  });
});

describe('an auto-renewal at a period the tariff no longer has', () => {
  test('the client is not told their balance is short (it is not); the history says why, once a day', async () => {
    const s = await shop();
    const rich = await client(s.providerId, 'en', { balance: '100.00' });
    const expiresOn = addDays(isoDate(clock.now()), 2);
    // The lite tariff has 1- and 12-month periods, not 5.
    const { id } = await insertLicense(t, { clientId: rich.id, tariffId: s.tariffId, moduleId: s.moduleId, period: 5, expiresOn, autoRenew: true, licenseName: `unpriced-${++seq}` });
    const name = (await licenseRow(t, id)).licenseName;
    await later(HOUR);
    await later(HOUR);
    expect(await received(rich.email, new RegExp(`${name} could not be renewed`))).toHaveLength(0);
    const notes = await t.billrelay.db.kysely.selectFrom('licenseHistory').select(['toValue', 'message']).where('licenseId', '=', id).where('event', '=', 'note').execute();
    expect(notes.map((n) => n.toValue)).toEqual(['renewal_unpriced']);
    expect(notes[0]!.message).toContain('no longer has a 5-month period');
  });
});

describe('a new license key', () => {
  test('the client gets the new key once; a new license\'s key comes only with "license active"', async () => {
    const s = await shop();
    const c = await client(s.providerId, 'ru', { balance: '100.00' });
    const api = await t.loginAs(c.email, 'client-password');
    const ordered = await api.post('/api/v1/licenses', { tariffId: s.tariffId, period: 12, licenseName: 'keyed', ip: nextIp(), autoRenew: false });
    expect(ordered.status, JSON.stringify(ordered.body)).toBe(201);
    const id = ordered.body.id as number;
    const open = await t.billrelay.db.kysely.selectFrom('operations').select('id').where('licenseId', '=', id).executeTakeFirstOrThrow();
    expect((await drain(t, Number(open.id))).status).toBe('succeeded');
    const firstKey = (await licenseRow(t, id)).licenseKey!;
    expect(await received(c.email, 'Лицензия keyed активна')).toHaveLength(1);
    expect(await received(c.email, 'Новый ключ лицензии keyed')).toHaveLength(0);

    const asked = await t.admin.post(`/api/v1/licenses/${id}/new-key`, {});
    expect(asked.status, JSON.stringify(asked.body)).toBe(200);
    const op = await t.billrelay.db.kysely.selectFrom('operations').select('id').where('licenseId', '=', id).where('kind', '=', 'new_key').executeTakeFirstOrThrow();
    expect((await drain(t, Number(op.id))).status).toBe('succeeded');
    const newKey = (await licenseRow(t, id)).licenseKey!;
    expect(newKey).not.toBe(firstKey);

    const mails = await received(c.email, 'Новый ключ лицензии keyed');
    expect(mails).toHaveLength(1);
    expect(mails[0]!.text).toContain('прежний ключ больше не действует');
    expect(mails[0]!.text).toContain(newKey);
    expect(mails[0]!.text).not.toContain(firstKey);
    expect(mails[0]!.html).toContain(newKey);
    // The worker running again sends nothing more.
    expect(await received(c.email, 'Новый ключ лицензии keyed')).toHaveLength(1);
    // The key is named by its hash in the outbox's key, not by itself.
    const row = await t.billrelay.db.kysely.selectFrom('messages').select('idempotencyKey').where('event', '=', 'license_new_key').where('entityId', '=', id).executeTakeFirstOrThrow();
    expect(row.idempotencyKey).not.toContain(newKey);
  });
});
