// The ispmanager license seller (a BILLmanager) behind the LicenseDriver contract.
// Each method is exactly one protocol call from docs/billmanager-api.md, plus the reads that make a
// doubtful answer safe (a missing new expiry is read back, IP/name changes resend the current values).

import { MoneyError, isCurrency } from '../../../../platform/money.js';
import {
  UpstreamError,
  UpstreamAccessError,
  UpstreamCurrencyUnknown,
  UpstreamNotFound,
  UpstreamProtocolError,
  UpstreamRejectedError,
  UpstreamValueError,
  type CheckIpRequest,
  type LicenseDriver,
  type LicenseParams,
  type OpenRequest,
  type OrderLookup,
  type OrderLookupResult,
  type UpstreamList,
  type UpstreamAccount,
  type UpstreamLicense,
  type UpstreamTariff,
} from '../driver.js';
import { BillmanagerClient, type BillmanagerClientOptions } from './client.js';
import {
  parseAmount,
  parseLicense,
  parseListPage,
  parseNewExpiry,
  parseOrderId,
  parsePriceList,
  parseSubAccounts,
  parseWhoami,
  priceListCurrency,
  protocolError,
  text,
  type Doc,
  type ParseContext,
  type SubAccount,
} from './parse.js';

export interface BillmanagerDriverOptions {
  /** Used when neither whoami nor the price list states the account currency. */
  fallbackCurrency?: string;
  /** Rows per `func=soft` page. */
  pageSize?: number;
  /** Hard stop for paging, in case an upstream keeps sending pages. */
  maxPages?: number;
}

export function createBillmanagerDriver(
  options: BillmanagerClientOptions & BillmanagerDriverOptions,
): BillmanagerDriver {
  return new BillmanagerDriver(new BillmanagerClient(options), options);
}

export class BillmanagerDriver implements LicenseDriver {
  private knownCurrency: string | null = null;
  private readonly fallbackCurrency: string | null;
  private readonly pageSize: number;
  private readonly maxPages: number;

  constructor(
    private readonly client: BillmanagerClient,
    options: BillmanagerDriverOptions = {},
  ) {
    const fallback = options.fallbackCurrency?.toUpperCase();
    this.fallbackCurrency = fallback && isCurrency(fallback) ? fallback : null;
    this.pageSize = options.pageSize ?? 100;
    this.maxPages = options.maxPages ?? 1000;
  }

  /**
   * whoami gives the balance; the currency comes from whoami where it says, else from the account's
   * sub-accounts (one balance per currency), else from the price list, else from the administrator.
   */
  async checkConnection(): Promise<UpstreamAccount> {
    const ctx = this.client.context('whoami', false);
    // The first call also finds the endpoint when the URL was given without a path.
    const doc = await this.client.locate('whoami');
    const who = parseWhoami(doc, ctx, snapshot(doc));
    const endpoint = this.client.endpoint;
    if (who.currency) {
      this.knownCurrency = who.currency;
      return { balance: readMoney(who.balance, who.currency, ctx, doc), currency: who.currency, account: who.account, endpoint };
    }
    const subAccounts = await this.subAccounts();
    if (subAccounts.length > 0) {
      const chosen = subAccounts.length === 1 ? subAccounts[0] : subAccounts.find((a) => a.currency === this.fallbackCurrency);
      if (!chosen) throw new UpstreamCurrencyUnknown(subAccounts.map((a) => a.currency), { func: 'subaccount' });
      this.knownCurrency = chosen.currency;
      return { balance: readMoney(chosen.balance, chosen.currency, ctx, doc), currency: chosen.currency, account: who.account, endpoint };
    }
    const currency = await this.currencyWithoutWhoami();
    this.knownCurrency = currency;
    return { balance: readMoney(who.balance, currency, ctx, doc), currency, account: who.account, endpoint };
  }

  /** The account's balances per currency; none where the upstream has no such function or lists nothing. */
  async subAccounts(): Promise<SubAccount[]> {
    try {
      return parseSubAccounts(await this.client.read('subaccount'));
    } catch (error) {
      // Not every billing offers sub-accounts to the API; their absence only means "ask elsewhere".
      if (error instanceof UpstreamValueError || error instanceof UpstreamNotFound || error instanceof UpstreamRejectedError || error instanceof UpstreamAccessError) return [];
      throw error;
    }
  }

  async priceList(): Promise<UpstreamTariff[]> {
    const ctx = this.client.context('pricelist.export', false);
    const doc = await this.readPriceList();
    const currency = priceListCurrency(doc) ?? (await this.accountCurrency());
    return parsePriceList(doc, currency, ctx, snapshot(doc));
  }

  async checkIp(req: CheckIpRequest): Promise<void> {
    await this.client.read('soft.checkip', { pricelist: req.tariffId, period: req.period, ip: req.ip });
  }

  async open(req: OpenRequest): Promise<{ upstreamId: string }> {
    const doc = await this.client.write('soft.order.param', {
      pricelist: req.tariffId,
      period: req.period,
      ip: req.ip,
      licname: req.licenseName,
      remoteid: req.remoteId,
      // The protocol's own spelling for "no auto-renewal".
      autoprolong: req.autoProlong ?? 'null',
      skipbasket: 'on',
      clicked_button: 'finish',
      sok: 'ok',
    });
    const upstreamId = parseOrderId(doc);
    if (!upstreamId) throw this.unreadable('soft.order.param', 'the order answer has no license id', doc);
    return { upstreamId };
  }

  async getLicense(upstreamId: string): Promise<UpstreamLicense | null> {
    let doc: Doc;
    try {
      doc = await this.client.read('soft.edit', { elid: upstreamId });
    } catch (error) {
      if (await this.isGone(error)) return null;
      throw error;
    }
    // An empty form is not proof that the license is gone; saying so could make the caller re-buy.
    if (text(doc.status) === null && text(doc.pricelist) === null && text(doc.ip) === null) {
      throw protocolError('the license form is empty', snapshot(doc), this.client.context('soft.edit', false));
    }
    return parseLicense(doc, upstreamId);
  }

  /**
   * After a lost order answer: by remoteid where the upstream shows it (list rows or the form), else
   * by IP, license name and tariff among licenses created since the order was sent, each confirmed on
   * its `soft.edit` form. Absence counts only when the list was complete.
   */
  async findOrder(lookup: OrderLookup): Promise<OrderLookupResult> {
    const { licenses, complete } = await this.list();
    const byRemoteId = licenses.filter((l) => l.remoteId === lookup.remoteId).sort(byUpstreamId);
    if (byRemoteId.length > 0) {
      // The upstream does not deduplicate: a live one wins over a deleted one, then the oldest.
      const row = byRemoteId.find((l) => l.status !== 'deleted') ?? byRemoteId[0]!;
      return { found: 'one', license: (await this.getLicense(row.upstreamId)) ?? row, by: 'remoteid' };
    }
    const confirmed: UpstreamLicense[] = [];
    for (const row of licenses.filter((l) => l.remoteId === null && rowMayBeOrder(l, lookup))) {
      const form = await this.getLicense(row.upstreamId);
      if (!form) continue;
      if (form.remoteId !== null) {
        if (form.remoteId === lookup.remoteId) return { found: 'one', license: form, by: 'remoteid' };
        continue; // another order's license
      }
      if (formIsOrder(form, lookup)) confirmed.push(form);
    }
    if (confirmed.length === 1) return { found: 'one', license: confirmed[0]!, by: 'match' };
    if (confirmed.length > 1) return { found: 'several', candidates: confirmed.sort(byUpstreamId) };
    if (complete) return { found: 'none' };
    return { found: 'unknown', reason: 'the upstream license list may be narrowed by a filter saved in its web interface, so a missing license proves nothing' };
  }

  /** Every license of the account, with whether the list can be trusted to be whole. */
  async list(): Promise<UpstreamList> {
    const unfiltered = await this.clearListFilter();
    const licenses: UpstreamLicense[] = [];
    const seen = new Set<string>();
    for (let page = 1; page <= this.maxPages; page++) {
      const doc = await this.client.read('soft', { p_num: page, p_cnt: this.pageSize });
      const { licenses: rows, total } = parseListPage(doc);
      const fresh = rows.filter((l) => !seen.has(l.upstreamId));
      for (const license of fresh) {
        seen.add(license.upstreamId);
        licenses.push(license);
      }
      // A short page, a page of rows already seen (paging ignored) or the stated total ends it.
      if (fresh.length === 0 || rows.length < this.pageSize || (total !== null && seen.size >= total)) {
        return { licenses, complete: unfiltered && (total === null || seen.size >= total) };
      }
    }
    return { licenses, complete: false };
  }

  /**
   * A filter saved for the account in the upstream's web UI narrows API lists too. Submitting the
   * filter form empty clears it; when the upstream refuses that, the list may be filtered.
   */
  private async clearListFilter(): Promise<boolean> {
    try {
      await this.client.read('soft.filter', { sok: 'ok' });
      return true;
    } catch (error) {
      if (error instanceof UpstreamError && !error.transient) return false;
      throw error;
    }
  }

  async setParams(upstreamId: string, params: LicenseParams, remoteId: string): Promise<void> {
    if (params.ip === undefined && params.licenseName === undefined) return;
    // A submitted form may blank the fields it does not carry, so both are always sent, and our
    // remoteid with them (as ISPsystem's own module does).
    const current = await this.getLicense(upstreamId);
    if (!current) throw new UpstreamNotFound({ func: 'soft.edit' });
    await this.client.write('soft.edit', {
      elid: upstreamId,
      ip: params.ip ?? current.ip,
      licname: params.licenseName ?? current.licenseName,
      remoteid: remoteId,
      sok: 'ok',
    });
  }

  async newKey(upstreamId: string, remoteId: string): Promise<{ licenseKey: string | null }> {
    const doc = await this.client.write('soft.edit', { elid: upstreamId, clicked_button: 'newkey', remoteid: remoteId, sok: 'ok' });
    return { licenseKey: text(doc.lickey) };
  }

  async prolong(upstreamId: string, months: number): Promise<{ expiresOn: string }> {
    const doc = await this.client.write('service.prolong', { elid: upstreamId, period: months, sok: 'ok' });
    const expiresOn = parseNewExpiry(doc) ?? (await this.expiryAfterWrite(upstreamId, doc));
    return { expiresOn };
  }

  async changeTariff(upstreamId: string, tariffId: string, period: number): Promise<void> {
    await this.client.write('service.changepricelist', { elid: upstreamId, pricelist: tariffId, period, sok: 'ok' });
  }

  async suspend(upstreamId: string): Promise<void> {
    await this.client.write('soft.suspend', { elid: upstreamId });
  }

  async resume(upstreamId: string): Promise<void> {
    await this.client.write('soft.resume', { elid: upstreamId });
  }

  async close(upstreamId: string): Promise<void> {
    await this.client.write('soft.delete', { elid: upstreamId, sok: 'ok' });
  }

  // -------------------------------------------------------------------------------------------

  /** Only what can be ordered now: parsePriceList also drops inactive, hidden and archived rows the upstream still sends. */
  private readPriceList(): Promise<Doc> {
    return this.client.read('pricelist.export', { itemtype: 'soft', onlyavailable: 'on' });
  }

  /**
   * Whether a refused `soft.edit` read means the license is gone. An unknown elid comes back as
   * `missed` (object `elid`, `item` or another), `access` or `value`; but `access` is also how an
   * account refused as a whole (say, from a non-whitelisted IP) is answered, so the account is
   * asked whoami first: only when that works is the refusal about the license.
   */
  private async isGone(error: unknown): Promise<boolean> {
    const shape =
      error instanceof UpstreamNotFound ||
      error instanceof UpstreamAccessError ||
      (error instanceof UpstreamValueError && (error.upstreamType === 'missed' || error.upstreamType === 'value'));
    if (!shape) return false;
    try {
      await this.client.read('whoami');
      return true;
    } catch {
      return false;
    }
  }

  /** The account currency: known, stated by whoami, stated by the price list, or configured. */
  private async accountCurrency(): Promise<string> {
    if (this.knownCurrency) return this.knownCurrency;
    return (await this.checkConnection()).currency;
  }

  private async currencyWithoutWhoami(): Promise<string> {
    if (this.knownCurrency) return this.knownCurrency;
    const doc = await this.readPriceList();
    return priceListCurrency(doc) ?? this.requireFallback(doc);
  }

  private requireFallback(_doc: Doc): string {
    if (this.fallbackCurrency) return this.fallbackCurrency;
    throw new UpstreamCurrencyUnknown([], { func: 'whoami' });
  }

  /** The renewal went through but its answer lacks the date: read it back rather than fail it. */
  private async expiryAfterWrite(upstreamId: string, doc: Doc): Promise<string> {
    const license = await this.getLicense(upstreamId).catch(() => null);
    if (license?.expiresOn) return license.expiresOn;
    throw this.unreadable('service.prolong', 'the renewal answer has no new expiry date', doc);
  }

  private unreadable(func: string, reason: string, doc: Doc): UpstreamProtocolError {
    return protocolError(reason, snapshot(doc), this.client.context(func, true));
  }
}

function snapshot(doc: Doc): string {
  return JSON.stringify({ doc });
}

function readMoney(amount: string, currency: string, ctx: ParseContext, doc: Doc) {
  try {
    return parseAmount(amount, currency);
  } catch (error) {
    if (error instanceof MoneyError) throw protocolError('the balance is not a number', snapshot(doc), ctx);
    throw error;
  }
}

/** The upstream's day may be behind ours: one day of slack before the day the order was sent. */
function createdSinceSent(createdOn: string | null, lookup: OrderLookup): boolean {
  return createdOn === null || createdOn >= addDays(lookup.sentOn, -1);
}

function sameTariff(shown: string, lookup: OrderLookup): boolean {
  if (shown === '' || shown === lookup.tariffId) return true;
  return !!lookup.tariffName && shown.trim().toLowerCase() === lookup.tariffName.trim().toLowerCase();
}

/** A list row that could be the order (rows may carry the tariff's name and no dates). */
function rowMayBeOrder(row: UpstreamLicense, lookup: OrderLookup): boolean {
  return row.status !== 'deleted' && row.ip === lookup.ip && row.licenseName === lookup.licenseName && sameTariff(row.tariffId, lookup) && createdSinceSent(row.createdOn, lookup);
}

/** The license form confirms it: same IP, name and tariff, created since the order was sent. */
function formIsOrder(form: UpstreamLicense, lookup: OrderLookup): boolean {
  return rowMayBeOrder(form, lookup) && (form.tariffId === lookup.tariffId || sameTariff(form.tariffId, lookup));
}

function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

function byUpstreamId(a: UpstreamLicense, b: UpstreamLicense): number {
  const [x, y] = [Number(a.upstreamId), Number(b.upstreamId)];
  return Number.isFinite(x) && Number.isFinite(y) ? x - y : a.upstreamId.localeCompare(b.upstreamId);
}
