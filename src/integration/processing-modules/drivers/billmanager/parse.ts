// Tolerant reading of BILLmanager `out=json` bodies. Several details of the shape are inferred
// (see docs/billmanager-api.md), so every reader accepts each reading seen in public clients and
// ignores fields it does not know.

import { Money, MoneyError, isCurrency } from '../../../../platform/money.js';
import {
  UpstreamAccessError,
  UpstreamAuthError,
  UpstreamInsufficientFunds,
  UpstreamNotFound,
  UpstreamProtocolError,
  UpstreamRejectedError,
  UpstreamValueError,
  type UpstreamError,
  type UpstreamErrorDetails,
  type UpstreamLicense,
  type UpstreamLicenseStatus,
  type UpstreamPeriod,
  type UpstreamTariff,
} from '../driver.js';
import { excerpt, type Scrub } from './scrub.js';

export type Doc = Record<string, unknown>;

/** What a parse failure needs to build a safe error. */
export interface ParseContext {
  func: string;
  scrub: Scrub;
  /** True when the call was a write that reached the upstream. */
  mayHaveTakenEffect: boolean;
}

// ---------------------------------------------------------------------------------------------
// Primitive readers

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The text of a value: `{"$": "x"}`, a bare string or number; null when absent or empty. */
export function text(value: unknown): string | null {
  const raw = isRecord(value) ? value.$ : value;
  if (typeof raw === 'number') return String(raw);
  if (typeof raw !== 'string') return null;
  const trimmed = raw.trim();
  return trimmed === '' ? null : trimmed;
}

/** An XML attribute turned JSON key: attr(x, 'balance') reads x.$balance. */
export function attr(value: unknown, name: string): string | null {
  return isRecord(value) ? text(value[`$${name}`]) : null;
}

/** Lists arrive as an array, a single object when there is one row, or not at all. */
export function asArray(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

/** YYYY-MM-DD from "2026-12-31", "2026-12-31 10:00:00" or "31.12.2026"; null otherwise. */
export function parseDate(value: unknown): string | null {
  const raw = text(value);
  if (!raw) return null;
  const iso = /^(\d{4})-(\d{2})-(\d{2})/.exec(raw);
  const dotted = /^(\d{2})\.(\d{2})\.(\d{4})/.exec(raw);
  const date = iso ? `${iso[1]}-${iso[2]}-${iso[3]}` : dotted ? `${dotted[3]}-${dotted[2]}-${dotted[1]}` : null;
  return date && !date.startsWith('0000') ? date : null;
}

const STATUS_CODES: Record<string, UpstreamLicenseStatus> = {
  '1': 'ordered',
  '2': 'active',
  '3': 'suspended',
  '4': 'deleted',
  '5': 'processing',
};

const STATUS_WORDS: [RegExp, UpstreamLicenseStatus][] = [
  [/^order/i, 'ordered'],
  [/^activ/i, 'active'],
  [/^(suspend|stop)/i, 'suspended'],
  [/^delet/i, 'deleted'],
  [/^(process|in progress)/i, 'processing'],
];

export function parseStatus(value: unknown): UpstreamLicenseStatus {
  const raw = text(value);
  if (!raw) return 'unknown';
  const byCode = STATUS_CODES[raw];
  if (byCode) return byCode;
  return STATUS_WORDS.find(([pattern]) => pattern.test(raw))?.[1] ?? 'unknown';
}

const CURRENCY_SYMBOLS: Record<string, string> = { '€': 'EUR', $: 'USD', '₽': 'RUB', 'руб': 'RUB', 'руб.': 'RUB', '£': 'GBP' };

/** An ISO 4217 code from a code or a well-known symbol; null for anything else (e.g. an internal id). */
export function parseCurrency(value: unknown): string | null {
  const raw = text(value);
  if (!raw) return null;
  const upper = raw.toUpperCase();
  if (isCurrency(upper)) return upper;
  return CURRENCY_SYMBOLS[raw.toLowerCase()] ?? null;
}

/** "1000.00", "1 000.00", "1,000.50", "12,50" → Money; more decimals than the currency has are rounded. */
export function parseAmount(raw: string, currency: string): Money {
  let s = raw.replace(/[\s\u00a0]/g, '');
  if (/^-?\d+,\d{1,2}$/.test(s)) s = s.replace(',', '.');
  else s = s.replace(/,/g, '');
  return Money.parseRounded(s, currency);
}

// ---------------------------------------------------------------------------------------------
// Body → doc, doc.error → typed error

export function protocolError(reason: string, body: string, ctx: ParseContext): UpstreamProtocolError {
  return new UpstreamProtocolError(reason, excerpt(body, ctx.scrub), {
    func: ctx.func,
    mayHaveTakenEffect: ctx.mayHaveTakenEffect,
  });
}

/** Parses the body into `doc`; a body that is not JSON or has no `doc` object is a protocol error. */
export function parseBody(body: string, ctx: ParseContext): Doc {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw protocolError('the body is not JSON', body, ctx);
  }
  if (!isRecord(json) || !isRecord(json.doc)) throw protocolError('the body has no "doc" object', body, ctx);
  return json.doc;
}

const FUNDS_TYPE = /balance|money|fund|payment|notenough|insufficient/i;
const FUNDS_OBJECT = /^(balance|money|funds|amount)$/i;
const FUNDS_MESSAGE = new RegExp(
  [
    'insufficient (funds|balance)',
    'not enough (money|funds|balance)',
    '(low|insufficient) balance',
    'balance is (too low|insufficient|not enough)',
    'top up (your|the) balance',
    'недостаточно (средств|денег)',
    'не хватает (средств|денег)',
    'пополните баланс',
  ].join('|'),
  'i',
);
const NOT_FOUND_TYPE = /^(notfound|not_found|nofound|noobject)$/i;
const NOT_FOUND_MESSAGE = /not found|does not exist|doesn't exist|no such|не найден|не существует/i;

interface ErrorFacts {
  type: string;
  object: string | null;
  field: string | null;
  message: string;
}

function errorFacts(error: Record<string, unknown>): ErrorFacts {
  const params = asArray(error.param).filter(isRecord);
  const objectParam = params.find((p) => attr(p, 'name') === 'object');
  const object = attr(error, 'object');
  return {
    type: (attr(error, 'type') ?? '').toLowerCase(),
    object,
    field: object ?? text(objectParam) ?? null,
    message: text(error.msg) ?? text(error) ?? '',
  };
}

function isInsufficientFunds(f: ErrorFacts): boolean {
  if (f.type === 'auth' || f.type === 'access') return false;
  return FUNDS_TYPE.test(f.type) || (f.object !== null && FUNDS_OBJECT.test(f.object)) || FUNDS_MESSAGE.test(f.message);
}

function isNotFound(f: ErrorFacts): boolean {
  if (NOT_FOUND_TYPE.test(f.type) || f.field === 'elid') return true;
  // ISPsystem's own module raises missed/item for an object that is not there.
  if (f.type === 'missed' && f.object === 'item') return true;
  // A value error naming a field ("tariff not found" on pricelist) is more useful as a value error.
  return f.field === null && NOT_FOUND_MESSAGE.test(f.message);
}

/** The typed error for `doc.error`, or null when the doc reports success. */
export function errorFromDoc(doc: Doc, ctx: Pick<ParseContext, 'func' | 'scrub'>): UpstreamError | null {
  if (doc.error === undefined) return null;
  const f = errorFacts(isRecord(doc.error) ? doc.error : { msg: doc.error });
  const details: UpstreamErrorDetails = {
    func: ctx.func,
    upstreamType: f.type || undefined,
    upstreamObject: f.object ? ctx.scrub(f.object) : undefined,
    upstreamMessage: f.message ? ctx.scrub(f.message) : undefined,
  };
  if (f.type === 'auth') return new UpstreamAuthError(details);
  if (f.type === 'access') return new UpstreamAccessError(details);
  if (isInsufficientFunds(f)) return new UpstreamInsufficientFunds(details);
  if (isNotFound(f)) return new UpstreamNotFound(details);
  if (f.type === 'value' || f.type === 'missed' || f.type === 'exists') {
    return new UpstreamValueError(f.field ? ctx.scrub(f.field) : null, details);
  }
  return new UpstreamRejectedError(details);
}

// ---------------------------------------------------------------------------------------------
// Function results

export interface WhoamiResult {
  account: string;
  balance: string;
  currency: string | null;
}

export function parseWhoami(doc: Doc, ctx: ParseContext, body: string): WhoamiResult {
  const user = isRecord(doc.user) ? doc.user : null;
  const balance = attr(user, 'balance') ?? text(user?.balance);
  if (!user || !balance) throw protocolError('whoami has no user balance', body, ctx);
  return {
    account: attr(user, 'name') ?? text(user.name) ?? '',
    balance,
    currency: parseCurrency(user.$currency) ?? parseCurrency(user.currency),
  };
}

export interface SubAccount {
  currency: string;
  balance: string;
}

/** `func=subaccount`: one row per currency the account holds (rows without a readable currency are skipped). */
export function parseSubAccounts(doc: Doc): SubAccount[] {
  const out: SubAccount[] = [];
  for (const row of asArray(doc.elem).filter(isRecord)) {
    const currency = parseCurrency(row.currency) ?? parseCurrency(row.$currency) ?? parseCurrency(row.currency_iso) ?? parseCurrency(row.iso);
    const balance = text(row.balance) ?? attr(row, 'balance');
    if (currency && balance) out.push({ currency, balance });
  }
  return out;
}

/** The currency stated anywhere in a price list export, if any. */
export function priceListCurrency(doc: Doc): string | null {
  const docLevel = parseCurrency(doc.$currency) ?? parseCurrency(doc.currency);
  if (docLevel) return docLevel;
  for (const row of asArray(doc.pricelist).filter(isRecord)) {
    const found = rowCurrency(row);
    if (found) return found;
  }
  return null;
}

function rowCurrency(row: Record<string, unknown>): string | null {
  const price = isRecord(row.price) ? row.price : null;
  const fromPeriod = asArray(price?.period)
    .map((p) => parseCurrency(isRecord(p) ? p.$currency : null))
    .find((c) => c !== null);
  return (
    parseCurrency(row.$currency) ??
    parseCurrency(row.currency) ??
    parseCurrency(price?.$currency) ??
    parseCurrency(price?.currency) ??
    fromPeriod ??
    null
  );
}

/** Months of a period: `$length` with `$type` month/year, or the special negative/zero codes as they are. */
export function periodMonths(period: Record<string, unknown>): number | null {
  const raw = attr(period, 'length') ?? attr(period, 'months') ?? text(period);
  if (raw === null || !/^-?\d+$/.test(raw)) return null;
  const length = Number(raw);
  if (length <= 0) return length;
  const type = (attr(period, 'type') ?? 'month').toLowerCase();
  if (type.startsWith('year')) return length * 12;
  if (type.startsWith('day')) return -50;
  if (type.startsWith('trial')) return -100;
  return length;
}

function parsePeriods(row: Record<string, unknown>, currency: string): UpstreamPeriod[] {
  const price = isRecord(row.price) ? row.price : row;
  const periods: UpstreamPeriod[] = [];
  for (const period of asArray(price.period).filter(isRecord)) {
    const months = periodMonths(period);
    const cost = attr(period, 'cost') ?? text(period.cost);
    if (months === null || cost === null) continue;
    periods.push({ months, cost: parseAmount(cost, currency) });
  }
  return periods;
}

const ON = /^(on|yes|true|1)$/i;

/** A flag as the export writes it: `{"$": "on"}`, `"on"`, `"off"`, or an empty element. */
function isOn(value: unknown): boolean {
  const raw = text(value);
  return raw !== null && ON.test(raw);
}

/**
 * Whether a price list row can be ordered: what every public client checks even after asking with
 * `onlyavailable=on`. `active` counts only where the row carries it.
 */
export function isOrderable(row: Record<string, unknown>): boolean {
  const flag = (name: string) => (name in row ? row[name] : row[`$${name}`]);
  if (('active' in row || '$active' in row) && !isOn(flag('active'))) return false;
  return !isOn(flag('hideinorder')) && !isOn(flag('archived'));
}

export function parsePriceList(doc: Doc, accountCurrency: string, ctx: ParseContext, body: string): UpstreamTariff[] {
  const tariffs: UpstreamTariff[] = [];
  for (const row of asArray(doc.pricelist).filter(isRecord)) {
    if (!isOrderable(row)) continue;
    const id = text(row.id) ?? attr(row, 'id');
    if (!id) continue;
    const currency = rowCurrency(row) ?? accountCurrency;
    try {
      tariffs.push({
        id,
        name: text(row.name) ?? attr(row, 'name') ?? id,
        itemtype: text(row.itemtype) ?? attr(row, 'itemtype') ?? '',
        periods: parsePeriods(row, currency),
        currency,
      });
    } catch (error) {
      if (error instanceof MoneyError) throw protocolError(`tariff ${id} has an unreadable cost`, body, ctx);
      throw error;
    }
  }
  return tariffs;
}

/** The new license id: `doc.id.$`, or `doc.item.$id` as some clients read it. */
export function parseOrderId(doc: Doc): string | null {
  return text(doc.id) ?? attr(doc.item, 'id') ?? text(isRecord(doc.item) ? doc.item.id : null) ?? attr(doc, 'id');
}

/** The new expiry of a renewal: `doc.newexpiredate.$` or `doc.doc.newexpiredate.$`. */
export function parseNewExpiry(doc: Doc): string | null {
  const nested = isRecord(doc.doc) ? doc.doc.newexpiredate : undefined;
  return parseDate(doc.newexpiredate) ?? parseDate(nested) ?? parseDate(doc.expiredate);
}

/** A license from a `soft.edit` form or a `soft` list row; both use the same field names. */
export function parseLicense(fields: Record<string, unknown>, upstreamId: string): UpstreamLicense {
  return {
    upstreamId,
    remoteId: text(fields.remoteid),
    tariffId: text(fields.pricelist_id) ?? text(fields.pricelist) ?? '',
    ip: text(fields.ip) ?? '',
    licenseName: text(fields.licname) ?? '',
    licenseKey: text(fields.lickey),
    status: parseStatus(fields.status),
    createdOn: parseDate(fields.createdate),
    expiresOn: parseDate(fields.expiredate),
  };
}

export interface ListPage {
  licenses: UpstreamLicense[];
  /** p_elems: the total row count, when the upstream says. */
  total: number | null;
}

export function parseListPage(doc: Doc): ListPage {
  const licenses = asArray(doc.elem)
    .filter(isRecord)
    .map((row) => ({ row, id: text(row.id) ?? text(row.elid) }))
    .filter((r): r is { row: Record<string, unknown>; id: string } => r.id !== null)
    .map(({ row, id }) => parseLicense(row, id));
  const total = text(doc.p_elems);
  return { licenses, total: total !== null && /^\d+$/.test(total) ? Number(total) : null };
}
