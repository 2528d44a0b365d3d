// The ispmanager license seller (a BILLmanager) behind the LicenseDriver contract.
// Each method is exactly one protocol call from docs/billmanager-api.md, plus the reads that make a
// doubtful answer safe (a missing new expiry is read back, IP/name changes resend the current values).

import { MoneyError, isCurrency } from '../../../../platform/money.js';
import {
  UpstreamNotFound,
  UpstreamProtocolError,
  type CheckIpRequest,
  type LicenseDriver,
  type LicenseParams,
  type OpenRequest,
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
  parseWhoami,
  priceListCurrency,
  protocolError,
  text,
  type Doc,
  type ParseContext,
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

  async checkConnection(): Promise<UpstreamAccount> {
    const ctx = this.client.context('whoami', false);
    const doc = await this.client.read('whoami');
    const who = parseWhoami(doc, ctx, snapshot(doc));
    const currency = who.currency ?? (await this.currencyWithoutWhoami());
    this.knownCurrency = currency;
    return { balance: readMoney(who.balance, currency, ctx, doc), currency, account: who.account };
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
      if (error instanceof UpstreamNotFound) return null;
      throw error;
    }
    // An empty form is not proof that the license is gone; saying so could make the caller re-buy.
    if (text(doc.status) === null && text(doc.pricelist) === null && text(doc.ip) === null) {
      throw protocolError('the license form is empty', snapshot(doc), this.client.context('soft.edit', false));
    }
    return parseLicense(doc, upstreamId);
  }

  async findByRemoteId(remoteId: string): Promise<UpstreamLicense | null> {
    // A live license wins; a deleted one is still reported so the caller sees what happened.
    const matches = await this.findAllByRemoteId(remoteId);
    const row = matches.find((l) => l.status !== 'deleted') ?? matches[0];
    if (!row) return null;
    // List rows carry no key and maybe no dates; the form has everything.
    return (await this.getLicense(row.upstreamId)) ?? row;
  }

  /** Every row with this remoteid, oldest first; the upstream does not deduplicate orders. */
  async findAllByRemoteId(remoteId: string): Promise<UpstreamLicense[]> {
    const found: UpstreamLicense[] = [];
    for await (const license of this.iterate()) if (license.remoteId === remoteId) found.push(license);
    return found.sort(byUpstreamId);
  }

  async list(): Promise<UpstreamLicense[]> {
    const all: UpstreamLicense[] = [];
    for await (const license of this.iterate()) all.push(license);
    return all;
  }

  /** Pages through `func=soft` until the upstream has nothing new to say. */
  async *iterate(): AsyncGenerator<UpstreamLicense> {
    const seen = new Set<string>();
    for (let page = 1; page <= this.maxPages; page++) {
      const doc = await this.client.read('soft', { p_num: page, p_cnt: this.pageSize });
      const { licenses, total } = parseListPage(doc);
      const fresh = licenses.filter((l) => !seen.has(l.upstreamId));
      for (const license of fresh) {
        seen.add(license.upstreamId);
        yield license;
      }
      // A short page, a page of rows already seen (paging ignored) or the stated total ends it.
      const done = fresh.length === 0 || licenses.length < this.pageSize || (total !== null && seen.size >= total);
      if (done) return;
    }
  }

  async setParams(upstreamId: string, params: LicenseParams): Promise<void> {
    if (params.ip === undefined && params.licenseName === undefined) return;
    // A submitted form may blank the fields it does not carry, so both are always sent.
    const current = await this.getLicense(upstreamId);
    if (!current) throw new UpstreamNotFound({ func: 'soft.edit' });
    await this.client.write('soft.edit', {
      elid: upstreamId,
      ip: params.ip ?? current.ip,
      licname: params.licenseName ?? current.licenseName,
      sok: 'ok',
    });
  }

  async newKey(upstreamId: string): Promise<{ licenseKey: string | null }> {
    const doc = await this.client.write('soft.edit', { elid: upstreamId, clicked_button: 'newkey', sok: 'ok' });
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

  private readPriceList(): Promise<Doc> {
    return this.client.read('pricelist.export', { itemtype: 'soft' });
  }

  /** The account currency: known, stated by whoami, stated by the price list, or configured. */
  private async accountCurrency(): Promise<string> {
    if (this.knownCurrency) return this.knownCurrency;
    const doc = await this.client.read('whoami');
    const who = parseWhoami(doc, this.client.context('whoami', false), snapshot(doc));
    this.knownCurrency = who.currency ?? this.requireFallback(doc);
    return this.knownCurrency;
  }

  private async currencyWithoutWhoami(): Promise<string> {
    if (this.knownCurrency) return this.knownCurrency;
    const doc = await this.readPriceList();
    return priceListCurrency(doc) ?? this.requireFallback(doc);
  }

  private requireFallback(doc: Doc): string {
    if (this.fallbackCurrency) return this.fallbackCurrency;
    throw protocolError(
      'the upstream does not state the account currency; configure a fallback currency',
      snapshot(doc),
      this.client.context('whoami', false),
    );
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

function byUpstreamId(a: UpstreamLicense, b: UpstreamLicense): number {
  const [x, y] = [Number(a.upstreamId), Number(b.upstreamId)];
  return Number.isFinite(x) && Number.isFinite(y) ? x - y : a.upstreamId.localeCompare(b.upstreamId);
}
