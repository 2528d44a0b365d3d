// The upstream functions the license module uses, answered the way BILLmanager answers them:
// text under "$", attributes as "$name", single-object lists, strings for numbers and dates, and
// errors in doc.error with HTTP 200. Handlers run synchronously, so each call is atomic.

import { isIP } from 'node:net';
import { Money } from '../platform/money.js';
import { addDays, addMonths, isoDate } from './dates.js';
import { licenseKey } from './prng.js';
import {
  DELETE_AFTER_DAYS,
  EDITION_RANK,
  TRIAL_DAYS,
  priceIn,
  type ListFilter,
  type SandboxAccount,
  type SandboxLicense,
  type SandboxState,
  type SandboxTariff,
} from './state.js';

export type Lang = 'en' | 'ru';
export type Json = Record<string, unknown>;

/** An upstream refusal; becomes doc.error. */
export class SandboxError extends Error {
  constructor(
    readonly type: string,
    readonly object: string,
    message: string,
    readonly params: Json[] = [],
  ) {
    super(message);
  }
}

export interface Call {
  state: SandboxState;
  func: string;
  params: Record<string, string>;
  callerIp: string;
  now: Date;
  lang: Lang;
}

function t(call: Call, en: string, ru: string): string {
  return call.lang === 'ru' ? ru : en;
}

const txt = (value: string | number) => ({ $: String(value) });

/** One row → the row itself, none → absent: the list quirk every client has to survive. */
export function listShape<T>(rows: T[]): T | T[] | undefined {
  if (rows.length === 0) return undefined;
  return rows.length === 1 ? rows[0] : rows;
}

// ---------------------------------------------------------------------------------------------
// Entry point

type Handler = (call: Call, account: SandboxAccount) => Json;

const HANDLERS: Record<string, Handler> = {
  whoami,
  'pricelist.export': priceListExport,
  'soft.checkip': checkIp,
  'soft.order.param': order,
  'soft.edit': edit,
  'service.prolong': prolong,
  'service.changepricelist': changePriceList,
  'soft.suspend': suspend,
  'soft.resume': resume,
  'soft.delete': remove,
  'soft.filter': filter,
  subaccount,
  soft: list,
};

/** The `doc` for one call; throws SandboxError for refusals. */
export function answer(call: Call): Json {
  const account = authenticate(call);
  applyLifecycle(call.state, isoDate(call.now));
  const handler = HANDLERS[call.func];
  if (!handler) {
    throw new SandboxError('missed', 'func', t(call, `Function '${call.func}' not found`, `Функция '${call.func}' не найдена`));
  }
  return handler(call, account);
}

/** Who the caller is, from authinfo=user:password; two-factor accounts cannot log in this way. */
export function authenticate(call: Call): SandboxAccount {
  const authinfo = call.params.authinfo ?? '';
  const colon = authinfo.indexOf(':');
  const username = colon >= 0 ? authinfo.slice(0, colon) : authinfo;
  const password = colon >= 0 ? authinfo.slice(colon + 1) : '';
  const account = call.state.accounts.get(username);
  if (!account || account.password !== password) {
    throw new SandboxError('auth', 'badpassword', t(call, 'Invalid username or password', 'Неверное имя пользователя или пароль'));
  }
  if (account.twoFactor) {
    throw new SandboxError('auth', 'totp', t(call, 'Two-factor authentication code required', 'Требуется код двухфакторной аутентификации'));
  }
  if (account.allowedIps && !account.allowedIps.includes(call.callerIp)) {
    throw new SandboxError(
      'access',
      'ip',
      t(call, `Access from IP address ${call.callerIp} is denied for this user`, `Доступ с IP-адреса ${call.callerIp} запрещён`),
    );
  }
  return account;
}

/** Unrenewed licenses stop at expiry and are deleted DELETE_AFTER_DAYS later, as upstream does. */
export function applyLifecycle(state: SandboxState, today: string): void {
  for (const license of state.licenses) {
    if ((license.status === 2 || license.status === 3) && license.expiredate < today) {
      license.status = 3;
      license.suspendedBy = 'expiry';
    }
    if (license.status === 3 && license.suspendedBy === 'expiry' && addDays(license.expiredate, DELETE_AFTER_DAYS) < today) {
      license.status = 4;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Lookups and checks

function requireParam(call: Call, name: string, label: string): string {
  const value = call.params[name]?.trim();
  if (!value) throw new SandboxError('missed', name, t(call, `The '${label}' field is required`, `Поле '${label}' обязательно`));
  return value;
}

function invalid(call: Call, name: string, label: string, value: string): SandboxError {
  return new SandboxError(
    'value',
    name,
    t(call, `The '${label}' field has invalid value.`, `Поле '${label}' имеет неверное значение.`),
    [{ $name: 'object', $type: 'msg', $msg: label, $: name }, { $name: 'value', $: value }],
  );
}

function requireTariff(call: Call): SandboxTariff {
  const id = requireParam(call, 'pricelist', 'Tariff plan');
  const tariff = call.state.tariffs.find((p) => p.id === id);
  if (!tariff) throw invalid(call, 'pricelist', 'Tariff plan', id);
  return tariff;
}

function requirePeriod(call: Call, tariff: SandboxTariff): { months: number; eur: string } {
  const raw = requireParam(call, 'period', 'Period');
  const period = tariff.periods.find((p) => String(p.months) === raw);
  if (!period) throw invalid(call, 'period', 'Period', raw);
  return period;
}

function requireIp(call: Call): string {
  const ip = requireParam(call, 'ip', 'IP address');
  if (isIP(ip) === 0) throw invalid(call, 'ip', 'IP address', ip);
  return ip;
}

function assertIpFree(call: Call, ip: string, tariff: SandboxTariff, exceptId: string | null): void {
  const taken = call.state.licenses.some(
    (l) => l.status !== 4 && l.ip === ip && l.pricelist === tariff.id && l.id !== exceptId,
  );
  if (taken) {
    throw new SandboxError(
      'exists',
      'ip',
      t(call, `A ${tariff.name} license for IP address ${ip} already exists`, `Лицензия ${tariff.name} для IP-адреса ${ip} уже существует`),
    );
  }
}

/** An unknown elid, refused in the shape the profile says (the real one is not documented). */
function notFound(call: Call, id: string): SandboxError {
  const message = t(call, `The object '${id}' was not found`, `Объект '${id}' не найден`);
  switch (call.state.quirks.notFound) {
    case 'missed-elid':
      return new SandboxError('missed', 'elid', message);
    case 'missed-item':
      return new SandboxError('missed', 'item', message);
    case 'access':
      return new SandboxError('access', 'item', t(call, 'Insufficient privileges to access this object', 'Недостаточно прав для доступа к объекту'));
    case 'value':
      return invalid(call, 'elid', 'Id', id);
  }
}

/** The caller's license by elid; deleted ones only where `allowDeleted` (reads, repeated deletes). */
function requireLicense(call: Call, account: SandboxAccount, allowDeleted = false): SandboxLicense {
  const id = requireParam(call, 'elid', 'Id');
  const license = call.state.licenses.find((l) => l.id === id && l.owner === account.username);
  if (!license || (license.status === 4 && !allowDeleted)) throw notFound(call, id);
  return license;
}

function tariffOf(state: SandboxState, license: SandboxLicense): SandboxTariff {
  return state.tariffs.find((p) => p.id === license.pricelist)!;
}

/** Takes money from the balance or refuses; nothing is bought when it refuses. */
function charge(call: Call, account: SandboxAccount, amount: Money, licenseId: string | null): void {
  if (amount.minor === 0n) return;
  if (account.balance.lessThan(amount)) {
    const need = `${amount.toString()} ${amount.currency}`;
    const have = `${account.balance.toString()} ${account.balance.currency}`;
    throw new SandboxError(
      'value',
      'balance',
      t(
        call,
        `Insufficient funds on the account balance: ${need} required, ${have} available`,
        `Недостаточно средств на балансе: требуется ${need}, доступно ${have}`,
      ),
    );
  }
  account.balance = account.balance.subtract(amount);
  if (licenseId === null) return;
  call.state.charges.push({
    account: account.username,
    func: call.func,
    licenseId,
    amount: amount.toString(),
    currency: amount.currency,
    at: call.now.toISOString(),
  });
}

function submitted(call: Call): boolean {
  return call.params.sok === 'ok';
}

const ok = (value: Json = {}) => ({ ok: value });

// ---------------------------------------------------------------------------------------------
// Functions

/** The account's balances per currency; the only place the realistic profile states the currency. */
function subaccount(call: Call, account: SandboxAccount): Json {
  if (!['both', 'subaccount'].includes(call.state.quirks.currencyIn)) {
    throw new SandboxError('missed', 'func', t(call, `Function '${call.func}' not found`, `Функция '${call.func}' не найдена`));
  }
  const rows = [account.balance, ...account.otherBalances].map((balance, i) => ({
    id: txt(accountIndex(call.state, account) * 100 + i),
    currency: txt(balance.currency),
    balance: txt(balance.toString()),
  }));
  return { elem: listShape(rows), p_elems: txt(rows.length) };
}

function whoami(call: Call, account: SandboxAccount): Json {
  const showCurrency = ['both', 'whoami'].includes(call.state.quirks.currencyIn);
  const user: Json = {
    $id: String(accountIndex(call.state, account)),
    $name: account.username,
    $balance: account.balance.toString(),
    $level: '16',
  };
  if (showCurrency) user.$currency = account.balance.currency;
  return { user };
}

function accountIndex(state: SandboxState, account: SandboxAccount): number {
  return [...state.accounts.keys()].indexOf(account.username) + 1;
}

function exportPeriod(period: { months: number; eur: string }, currency: string, withCurrency: boolean): Json {
  // Yearly prices come as one "year", trials as their code: the parser must handle both forms.
  const shape =
    period.months === 12
      ? { $length: '1', $type: 'year' }
      : period.months < 0
        ? { $length: String(period.months), $type: 'trial' }
        : { $length: String(period.months), $type: 'month' };
  const row: Json = { ...shape, $cost: priceIn(period.eur, currency).toString() };
  if (withCurrency) row.$currency = currency;
  return row;
}

function priceListExport(call: Call, account: SandboxAccount): Json {
  const currency = account.balance.currency;
  const withCurrency = ['both', 'pricelist'].includes(call.state.quirks.currencyIn);
  const itemtype = call.params.itemtype;
  const onlyAvailable = call.params.onlyavailable === 'on';
  const tariffs = itemtype && itemtype !== 'soft' ? [] : call.state.tariffs.filter((t) => !onlyAvailable || t.active !== false);
  const flag = (on: boolean | undefined) => txt(on ? 'on' : 'off');
  const rows = tariffs.map((tariff) => ({
    id: txt(tariff.id),
    name: txt(tariff.name),
    itemtype: txt('soft'),
    active: flag(tariff.active !== false),
    // Written bare, the other form an export may use; the client must read both.
    hideinorder: tariff.hideinorder ? 'on' : 'off',
    archived: flag(tariff.archived),
    price: { period: listShape(tariff.periods.map((p) => exportPeriod(p, currency, withCurrency))) },
  }));
  return { pricelist: listShape(rows) };
}

function checkIp(call: Call): Json {
  const tariff = requireTariff(call);
  requirePeriod(call, tariff);
  assertIpFree(call, requireIp(call), tariff, null);
  return ok({ $: 'ok' });
}

function order(call: Call, account: SandboxAccount): Json {
  const tariff = requireTariff(call);
  const period = requirePeriod(call, tariff);
  const ip = requireIp(call);
  if (tariff.archived || tariff.active === false) throw invalid(call, 'pricelist', 'Tariff plan', tariff.id);
  if (!submitted(call)) return { pricelist: txt(tariff.id), period: txt(period.months), ip: txt(ip) };
  if (call.params.skipbasket !== 'on') {
    throw new SandboxError('value', 'skipbasket', t(call, 'The sandbox only sells with skipbasket=on', 'Песочница продаёт только с skipbasket=on'));
  }
  assertIpFree(call, ip, tariff, null);
  const id = String(call.state.nextLicenseId);
  const cost = priceIn(period.eur, account.balance.currency);
  if (call.state.quirks.lowBalanceOrder === 'unpaid' && account.balance.lessThan(cost)) return unpaidOrder(call, account, tariff, period.months, ip, id);
  charge(call, account, cost, id);
  call.state.nextLicenseId += 1;
  call.state.licenses.push(newLicense(call, account, tariff, period.months, ip, id));
  call.state.purchases.push({
    licenseId: id,
    account: account.username,
    pricelist: tariff.id,
    period: period.months,
    ip,
    remoteid: call.params.remoteid || null,
    cost: cost.toString(),
    currency: cost.currency,
    at: call.now.toISOString(),
  });
  return call.state.quirks.orderIdIn === 'item' ? { ok: {}, item: { $id: id } } : { ok: {}, id: txt(id) };
}

/** Accepted but not paid: the license stays "ordered" without a key, and nothing is bought. */
function unpaidOrder(call: Call, account: SandboxAccount, tariff: SandboxTariff, months: number, ip: string, id: string): Json {
  call.state.nextLicenseId += 1;
  const license = newLicense(call, account, tariff, months, ip, id);
  license.status = 1;
  license.keyPendingReads = Number.POSITIVE_INFINITY;
  call.state.licenses.push(license);
  return call.state.quirks.orderIdIn === 'item' ? { ok: {}, item: { $id: id } } : { ok: {}, id: txt(id) };
}

function newLicense(call: Call, account: SandboxAccount, tariff: SandboxTariff, months: number, ip: string, id: string): SandboxLicense {
  const today = isoDate(call.now);
  const { keyDelay } = call.state;
  return {
    id,
    owner: account.username,
    remoteid: call.params.remoteid || null,
    pricelist: tariff.id,
    period: months,
    ip,
    licname: call.params.licname ?? '',
    key: licenseKey(call.state.random),
    keyPendingReads: keyDelay.reads,
    keyReadyAt: call.now.getTime() + keyDelay.ms,
    status: 2,
    suspendedBy: null,
    autoprolong: call.params.autoprolong && call.params.autoprolong !== 'null' ? call.params.autoprolong : null,
    createdate: today,
    expiredate: months < 0 ? addDays(today, TRIAL_DAYS) : addMonths(today, months),
  };
}

/** The key as a read sees it: empty for the first reads / milliseconds after an order. */
function visibleKey(call: Call, license: SandboxLicense): string {
  if (license.keyPendingReads > 0) {
    license.keyPendingReads -= 1;
    return '';
  }
  return call.now.getTime() < license.keyReadyAt ? '' : license.key;
}

function licenseForm(call: Call, license: SandboxLicense): Json {
  const key = visibleKey(call, license);
  return {
    elid: txt(license.id),
    pricelist: txt(license.pricelist),
    period: txt(license.period),
    ip: txt(license.ip),
    licname: license.licname ? txt(license.licname) : {},
    // An empty element arrives as {} in out=json.
    lickey: key ? txt(key) : {},
    status: txt(license.status),
    createdate: txt(license.createdate),
    expiredate: txt(license.expiredate),
    ...(call.state.quirks.formRemoteId ? { remoteid: license.remoteid ? txt(license.remoteid) : {} } : {}),
    autoprolong: txt(license.autoprolong ?? 'null'),
    // Form furniture the real upstream sends too; clients must ignore it.
    metadata: { $name: 'soft.edit', $type: 'form', form: { field: [{ $name: 'ip' }, { $name: 'licname' }] } },
    slist: { $name: 'autoprolong', val: [{ $key: 'null', $: 'off' }, { $key: '1', $: '1 month' }] },
  };
}

function edit(call: Call, account: SandboxAccount): Json {
  if (!submitted(call)) return licenseForm(call, requireLicense(call, account, true));
  const license = requireLicense(call, account);
  if (call.params.clicked_button === 'newkey') {
    license.key = licenseKey(call.state.random);
    license.keyPendingReads = 0;
    license.keyReadyAt = 0;
    return { ...ok(), lickey: txt(license.key) };
  }
  if (call.params.ip !== undefined) {
    const ip = requireIp(call);
    assertIpFree(call, ip, tariffOf(call.state, license), license.id);
    license.ip = ip;
  }
  if (call.params.licname !== undefined) license.licname = call.params.licname;
  if (call.params.remoteid !== undefined) license.remoteid = call.params.remoteid || null;
  else if (call.state.quirks.editBlanksRemoteId) license.remoteid = null;
  return ok({ $: 'ok' });
}

function prolong(call: Call, account: SandboxAccount): Json {
  const license = requireLicense(call, account);
  const tariff = tariffOf(call.state, license);
  if (tariff.edition === 'trial') {
    throw new SandboxError('value', 'period', t(call, 'Trial licenses cannot be renewed', 'Пробную лицензию нельзя продлить'));
  }
  const period = requirePeriod(call, tariff);
  if (!submitted(call)) return { elid: txt(license.id), expiredate: txt(license.expiredate) };
  charge(call, account, priceIn(period.eur, account.balance.currency), license.id);
  // Active licenses continue from their expiry, suspended ones from today.
  const from = license.status === 2 ? license.expiredate : isoDate(call.now);
  const fromExpiry = license.expiredate;
  license.expiredate = addMonths(from, period.months);
  const recorded = call.state.charges.at(-1);
  if (recorded && recorded.licenseId === license.id && recorded.func === call.func) Object.assign(recorded, { fromExpiry, toExpiry: license.expiredate });
  license.status = 2;
  license.suspendedBy = null;
  const expiry = { newexpiredate: txt(license.expiredate) };
  return call.state.quirks.expiryIn === 'nested' ? { ...ok(), doc: expiry } : { ...ok(), ...expiry };
}

function changePriceList(call: Call, account: SandboxAccount): Json {
  const license = requireLicense(call, account);
  const from = tariffOf(call.state, license);
  const to = requireTariff(call);
  const period = requirePeriod(call, to);
  if (!submitted(call)) return { elid: txt(license.id), pricelist: txt(from.id) };
  assertUpgrade(call, license, from, to);
  assertIpFree(call, license.ip, to, license.id);
  const fromTrial = from.edition === 'trial';
  charge(call, account, changeCost(from, to, period, account.balance.currency), license.id);
  license.pricelist = to.id;
  license.period = period.months;
  if (fromTrial) {
    license.expiredate = addMonths(isoDate(call.now), period.months);
    license.status = 2;
    license.suspendedBy = null;
  }
  return ok();
}

function assertUpgrade(call: Call, license: SandboxLicense, from: SandboxTariff, to: SandboxTariff): void {
  if (to.edition === 'trial' || EDITION_RANK[to.edition] <= EDITION_RANK[from.edition]) {
    throw new SandboxError('value', 'pricelist', t(call, 'Only an upgrade to a higher edition is possible', 'Возможен только переход на старшую редакцию'));
  }
  if (from.edition === 'trial' && license.status === 2) {
    throw new SandboxError('value', 'pricelist', t(call, 'The trial license is still active', 'Пробная лицензия ещё действует'));
  }
}

/** From a trial: the full price; otherwise the difference for the period (upgrades only). */
function changeCost(from: SandboxTariff, to: SandboxTariff, period: { months: number; eur: string }, currency: string): Money {
  const target = priceIn(period.eur, currency);
  const old = from.periods.find((p) => p.months === period.months);
  if (from.edition === 'trial' || !old) return target;
  const difference = target.subtract(priceIn(old.eur, currency));
  return difference.isNegative() ? Money.zero(currency) : difference;
}

function suspend(call: Call, account: SandboxAccount): Json {
  const license = requireLicense(call, account);
  if (license.status !== 3) {
    license.status = 3;
    license.suspendedBy = 'admin';
  }
  return ok();
}

function resume(call: Call, account: SandboxAccount): Json {
  const license = requireLicense(call, account);
  if (license.status === 3 && license.suspendedBy === 'expiry') {
    throw new SandboxError('value', 'status', t(call, 'The license has expired: renew it', 'Срок лицензии истёк: продлите её'));
  }
  license.status = 2;
  license.suspendedBy = null;
  return ok();
}

function remove(call: Call, account: SandboxAccount): Json {
  const license = requireLicense(call, account, true);
  license.status = 4;
  return ok();
}

function list(call: Call, account: SandboxAccount): Json {
  const saved = call.state.listFilters.get(account.username) ?? {};
  const own = call.state.licenses.filter((l) => l.owner === account.username && matchesFilter(l, saved));
  const size = positiveInt(call.params.p_cnt) ?? Math.max(own.length, 1);
  const page = positiveInt(call.params.p_num) ?? 1;
  const rows = own.slice((page - 1) * size, page * size).map((l) => listRow(call, l));
  return { elem: listShape(rows), p_elems: txt(own.length), p_num: txt(page), p_cnt: txt(size) };
}

function matchesFilter(license: SandboxLicense, filter: ListFilter): boolean {
  if (filter.status && String(license.status) !== filter.status) return false;
  if (filter.ip && !license.ip.includes(filter.ip)) return false;
  if (filter.licname && !license.licname.includes(filter.licname)) return false;
  return true;
}

/**
 * `soft.filter`: without sok the saved filter as a form; with sok=ok the submitted form replaces it
 * (fields not sent are cleared, as a submitted form does), so an empty submit shows every row again.
 */
function filter(call: Call, account: SandboxAccount): Json {
  const current = call.state.listFilters.get(account.username) ?? {};
  if (!submitted(call)) return { status: txt(current.status ?? ''), ip: txt(current.ip ?? ''), licname: txt(current.licname ?? '') };
  const next: ListFilter = {};
  for (const field of ['status', 'ip', 'licname'] as const) if (call.params[field]) next[field] = call.params[field];
  call.state.listFilters.set(account.username, next);
  return ok();
}

function listRow(call: Call, license: SandboxLicense): Json {
  const { quirks } = call.state;
  const tariff = tariffOf(call.state, license);
  return {
    id: txt(license.id),
    licname: license.licname ? txt(license.licname) : {},
    ip: txt(license.ip),
    status: txt(license.status),
    expiredate: txt(license.expiredate),
    pricelist: txt(quirks.listTariff === 'name' ? tariff.name : license.pricelist),
    ...(quirks.listRemoteId ? { remoteid: license.remoteid ? txt(license.remoteid) : {} } : {}),
  };
}

function positiveInt(raw: string | undefined): number | null {
  return raw && /^\d+$/.test(raw) && Number(raw) > 0 ? Number(raw) : null;
}
