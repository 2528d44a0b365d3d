// `billrelay upstream probe`: what a real upstream account does where the protocol is only inferred
// (docs/billmanager-api.md), found out with read-only calls before going live. Each finding pairs an
// assumption billrelay makes with what this upstream does and what billrelay will do about it.
//
// Only these calls are made, none with `sok`: whoami (on each candidate path), subaccount,
// pricelist.export, soft (one row), soft.edit of that row's license, soft.edit of a bogus id.
// Nothing here buys or changes anything upstream. The raw answers are kept, masked (no password,
// no authinfo, no license key), for the operator to send to whoever asks.

import { isUpstreamError, type UpstreamError } from '../driver.js';
import { BillmanagerClient, type Params } from './client.js';
import {
  asArray,
  attr,
  errorFromDoc,
  isOrderable,
  isRecord,
  parseListPage,
  parseSubAccounts,
  parseWhoami,
  priceListCurrency,
  text,
  type Doc,
  type SubAccount,
} from './parse.js';
import { excerpt, makeScrubber, type Scrub } from './scrub.js';
import { httpTransport, type HttpAnswer, type Transport } from './transport.js';

/** The endpoint paths a BILLmanager is known to answer at, in the order billrelay tries them. */
export const CANDIDATE_PATHS = ['/billmgr', '/manager/billmgr'] as const;
/** An id no account has: how the upstream refuses an unknown license. */
export const BOGUS_ELID = '999999999';
/** The functions the probe calls; a test asserts that no other reaches the upstream. */
export const PROBE_FUNCS = ['whoami', 'subaccount', 'pricelist.export', 'soft', 'soft.edit'] as const;

const MASK = '***';

export interface ProbeOptions {
  /** As the operator typed it; with no path both candidate paths are tried, with one it is used as given. */
  url: string;
  username: string;
  password: string;
  lang?: 'en' | 'ru';
  connectTimeoutMs?: number;
  readTimeoutMs?: number;
  /** How a POST reaches the upstream (default: the driver's own HTTP transport); tests wrap it to watch the wire. */
  transport?: Transport;
  /** Called before each call with a short description ("probing whoami at /billmgr"). */
  progress?: (step: string) => void;
}

export type FindingKey = 'endpoint' | 'authentication' | 'currency' | 'price-list' | 'remoteid' | 'tariff' | 'not-found' | 'paging';

/** ok: as billrelay expects; adapted: billrelay copes in another way; action: a person must decide; unknown: nothing to look at. */
export type FindingStatus = 'ok' | 'adapted' | 'action' | 'unknown';

export interface ProbeFinding {
  key: FindingKey;
  /** What billrelay assumes. */
  assumption: string;
  /** What this upstream does. */
  upstream: string;
  /** What billrelay will do. */
  billrelay: string;
  status: FindingStatus;
}

/** One call as it went over the wire, masked. */
export interface ProbeCall {
  func: string;
  /** The endpoint path the call went to. */
  path: string;
  /** The parameters billrelay sent, without authinfo, out and lang. */
  params: Record<string, string>;
  /** null when no answer came. */
  httpStatus: number | null;
  /** The parsed JSON body; null when there was no JSON answer. */
  body: unknown;
  /** The start of a body that was not JSON. */
  text?: string;
  /** What went wrong, in billrelay's words. */
  error?: string;
}

export interface PathResult {
  path: string;
  url: string;
  /** Answered with a JSON body holding a `doc` object (an error doc counts). */
  billmanager: boolean;
  /** What it answered, in a few words. */
  detail: string;
}

export type ProbeFailureKind = 'invalid-url' | 'unreachable' | 'not-billmanager' | 'auth' | 'access' | 'whoami';

export interface ProbeFacts {
  account: { name: string; balance: string } | null;
  currency: { value: string | null; source: 'whoami' | 'subaccount' | 'pricelist' | null; candidates: string[] };
  subAccounts: SubAccount[] | null;
  /** Every price-list row (archived or hidden ones too: a license may still be on one). */
  tariffs: { id: string; name: string; orderable: boolean }[];
  licensesListed: number;
  /** null: there was no license to look at. */
  remoteIdInList: boolean | null;
  remoteIdInForm: boolean | null;
  /** What the list rows' `pricelist` column holds; null without a row. */
  listTariff: { value: string; kind: 'id' | 'name' | 'other'; tariffId: string | null } | null;
  notFound: { type: string | null; object: string | null; message: string | null; kind: string | null } | null;
  /** p_elems of the list, null when absent; whether the list honoured p_cnt=1. */
  paging: { pElems: number | null; rowsForOne: number } | null;
}

export interface ProbeReport {
  /** The URL probed, without credentials or query. */
  url: string;
  /** The endpoint billrelay will use; null when none answered. */
  endpoint: string | null;
  /** Whether the operator's URL carried its own path (then only that was probed). */
  pathGiven: boolean;
  paths: PathResult[];
  /** Why the probe stopped early, in one line; null when it ran through. */
  failure: { kind: ProbeFailureKind; message: string } | null;
  facts: ProbeFacts;
  findings: ProbeFinding[];
  calls: ProbeCall[];
}

interface CallResult {
  doc: Doc | null;
  error: unknown;
  /** The parsed body whatever it said; undefined when there was no JSON answer. */
  json: unknown;
  answer: HttpAnswer | null;
}

/** Runs the probe; never throws for upstream trouble (it becomes the report's failure). */
export async function probeUpstream(options: ProbeOptions): Promise<ProbeReport> {
  return new Probe(options).run();
}

/** The URLs to try: origin + each candidate path, or the URL's own path as given. */
export function candidateEndpoints(raw: string): { origin: string; urls: { path: string; url: string }[]; pathGiven: boolean } | null {
  let parsed: URL;
  try {
    parsed = new URL(raw.trim());
  } catch {
    return null;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return null;
  const origin = parsed.origin;
  const path = parsed.pathname.replace(/\/+$/, '');
  if (path !== '') return { origin, urls: [{ path, url: `${origin}${path}` }], pathGiven: true };
  return { origin, urls: CANDIDATE_PATHS.map((p) => ({ path: p, url: `${origin}${p}` })), pathGiven: false };
}

class Probe {
  private readonly calls: ProbeCall[] = [];
  private readonly findings: ProbeFinding[] = [];
  private readonly facts: ProbeFacts = {
    account: null,
    currency: { value: null, source: null, candidates: [] },
    subAccounts: null,
    tariffs: [],
    licensesListed: 0,
    remoteIdInList: null,
    remoteIdInForm: null,
    listTariff: null,
    notFound: null,
    paging: null,
  };
  private readonly inner: Transport;
  private lastAnswer: HttpAnswer | null = null;
  private readonly scrub: Scrub;

  constructor(private readonly options: ProbeOptions) {
    this.scrub = makeScrubber(options.password);
    this.inner =
      options.transport ??
      httpTransport({ connectTimeoutMs: options.connectTimeoutMs ?? 10_000, readTimeoutMs: options.readTimeoutMs ?? 30_000 });
  }

  async run(): Promise<ProbeReport> {
    const candidates = candidateEndpoints(this.options.url);
    if (!candidates) {
      return this.report('', null, false, [], { kind: 'invalid-url', message: `"${this.scrub(this.options.url)}" is not an http(s) URL` });
    }
    const { origin, urls, pathGiven } = candidates;
    const shownUrl = pathGiven ? urls[0]!.url : origin;

    // 1. whoami on every candidate path: which one is a BILLmanager, and does the login work there.
    const tried: { path: string; url: string; client: BillmanagerClient; result: CallResult }[] = [];
    for (const { path, url } of urls) {
      const client = this.client(url);
      const result = await this.call(client, path, 'whoami', {}, `probing whoami at ${path}`);
      tried.push({ path, url, client, result });
    }
    const paths = tried.map(({ path, url, result }) => ({ path, url, billmanager: isBillmanagerAnswer(result), detail: describeAnswer(result, this.scrub) }));
    const kept = tried.find((t) => isBillmanagerAnswer(t.result));
    if (!kept) {
      const failure = tried.every((t) => t.result.answer === null)
        ? { kind: 'unreachable' as const, message: errorText(tried[0]!.result.error) }
        : {
            kind: 'not-billmanager' as const,
            message: `${shownUrl} is not a BILLmanager: ${paths.map((p) => `${p.path} answered ${p.detail}`).join('; ')}`,
          };
      return this.report(shownUrl, null, pathGiven, paths, failure);
    }
    this.endpointFinding(paths, kept.url, pathGiven);

    const login = this.loginFinding(kept.result, kept.client);
    if (login) return this.report(shownUrl, kept.url, pathGiven, paths, login);

    // 2. The rest, on the endpoint billrelay keeps.
    const { client, path } = kept;
    const whoami = kept.result.doc!;
    const subaccount = await this.call(client, path, 'subaccount', {}, 'reading the sub-accounts (func=subaccount)');
    const pricelist = await this.call(client, path, 'pricelist.export', { itemtype: 'soft', onlyavailable: 'on' }, 'reading the price list (func=pricelist.export)');
    const list = await this.call(client, path, 'soft', { p_num: '1', p_cnt: '1' }, 'reading one row of the license list (func=soft)');
    const firstId = list.doc ? firstRowId(list.doc) : null;
    const form = firstId
      ? await this.call(client, path, 'soft.edit', { elid: firstId }, `reading license ${firstId} (func=soft.edit, no changes)`)
      : null;
    const bogus = await this.call(client, path, 'soft.edit', { elid: BOGUS_ELID }, `reading an unknown license id ${BOGUS_ELID} (func=soft.edit)`);

    this.currencyFinding(whoami, subaccount, pricelist);
    this.priceListFinding(pricelist);
    this.remoteIdFinding(list, form);
    this.tariffFinding(list, form);
    this.notFoundFinding(bogus);
    this.pagingFinding(list);
    return this.report(shownUrl, kept.url, pathGiven, paths, null);
  }

  // -------------------------------------------------------------------------------------------
  // calls

  private client(url: string): BillmanagerClient {
    // The client builds its endpoint from the URL (appending /billmgr where the path lacks it); the
    // probe must hit exactly the candidate, so its transport sends there whatever the client computed.
    const target = new URL(url).toString();
    const transport: Transport = async (post) => {
      const answer = await this.inner({ ...post, url: target });
      this.lastAnswer = answer;
      return answer;
    };
    const client = new BillmanagerClient({
      url,
      username: this.options.username,
      password: this.options.password,
      lang: this.options.lang,
      connectTimeoutMs: this.options.connectTimeoutMs,
      readTimeoutMs: this.options.readTimeoutMs,
      readRetries: 0,
      transport,
    });
    return client;
  }

  private async call(client: BillmanagerClient, path: string, func: string, params: Record<string, string>, step: string): Promise<CallResult> {
    this.options.progress?.(step);
    this.lastAnswer = null;
    let doc: Doc | null = null;
    let error: unknown = null;
    try {
      doc = await client.read(func, params as Params);
    } catch (caught) {
      error = caught;
    }
    const answer = this.lastAnswer as HttpAnswer | null;
    const json = answer ? parseJson(answer.body) : undefined;
    const record: ProbeCall = { func, path, params: { ...params }, httpStatus: answer?.status ?? null, body: json ?? null };
    if (answer && json === undefined) record.text = excerpt(answer.body, this.scrub);
    if (error) record.error = errorText(error);
    this.calls.push(record);
    return { doc, error, json, answer };
  }

  private report(url: string, endpoint: string | null, pathGiven: boolean, paths: PathResult[], failure: ProbeReport['failure']): ProbeReport {
    return {
      url,
      endpoint,
      pathGiven,
      paths,
      failure,
      facts: this.facts,
      findings: this.findings,
      calls: maskCalls(this.calls, this.scrub),
    };
  }

  private add(finding: ProbeFinding): void {
    this.findings.push(finding);
  }

  // -------------------------------------------------------------------------------------------
  // findings

  private endpointFinding(paths: PathResult[], kept: string, pathGiven: boolean): void {
    const seen = paths.map((p) => `${p.path}: ${p.billmanager ? 'answers as a BILLmanager' : p.detail}`).join('; ');
    this.add({
      key: 'endpoint',
      assumption: pathGiven ? 'the endpoint is the URL as given' : `the endpoint is ${CANDIDATE_PATHS.join(' or ')} on the host`,
      upstream: pathGiven ? `${seen} (path given in the URL)` : seen,
      billrelay: pathGiven ? `uses ${kept} as given` : `keeps the first that answered: ${kept}`,
      status: 'ok',
    });
  }

  /** The authentication finding; a failure when billrelay could not work with this account at all. */
  private loginFinding(result: CallResult, client: BillmanagerClient): ProbeReport['failure'] {
    const assumption = 'authinfo=USER:PASSWORD on every call logs in';
    const error = result.error;
    if (isUpstreamError(error) && (error.kind === 'auth' || error.kind === 'access')) {
      const words =
        error.kind === 'auth'
          ? 'auth error: wrong username or password, or two-factor authentication may be enabled on this account'
          : "access error: API access may not be allowed from this machine's IP address, or the account lacks the right";
      this.add({ key: 'authentication', assumption, upstream: `${words}${upstreamSays(error)}`, billrelay: 'cannot connect: fix the account first', status: 'action' });
      return { kind: error.kind, message: error.message };
    }
    if (error) {
      this.add({ key: 'authentication', assumption, upstream: `whoami failed: ${errorText(error)}`, billrelay: 'cannot connect', status: 'action' });
      return { kind: 'whoami', message: `whoami failed: ${errorText(error)}` };
    }
    try {
      const who = parseWhoami(result.doc!, client.context('whoami', false), JSON.stringify(result.json));
      this.facts.account = { name: who.account, balance: who.balance };
      this.add({
        key: 'authentication',
        assumption,
        upstream: `whoami ok: account ${who.account || '(unnamed)'}, balance ${who.balance}`,
        billrelay: 'logs in with authinfo on every call',
        status: 'ok',
      });
    } catch {
      this.add({
        key: 'authentication',
        assumption,
        upstream: 'whoami ok, but its answer has no user balance',
        billrelay: 'cannot read the balance: the connection check fails; report this upstream answer (--json)',
        status: 'action',
      });
    }
    return null;
  }

  private currencyFinding(whoami: Doc, subaccount: CallResult, pricelist: CallResult): void {
    const assumption = 'the account currency is stated by whoami, else by the sub-accounts, else by the price list';
    const user = isRecord(whoami.user) ? whoami.user : null;
    const fromWhoami = user ? safeCurrency(() => parseWhoami(whoami, { func: 'whoami', scrub: this.scrub, mayHaveTakenEffect: false }, '').currency) : null;
    const subAccounts = subaccount.doc ? parseSubAccounts(subaccount.doc) : null;
    this.facts.subAccounts = subAccounts;
    const fromPriceList = pricelist.doc ? priceListCurrency(pricelist.doc) : null;
    const subText = subAccounts === null ? `func=subaccount failed (${shortError(subaccount.error)})` : subAccounts.length === 0 ? 'func=subaccount lists no balance' : null;

    const set = (value: string | null, source: ProbeFacts['currency']['source'], candidates: string[] = value ? [value] : []) => {
      this.facts.currency = { value, source, candidates };
    };
    if (fromWhoami) {
      set(fromWhoami, 'whoami');
      this.add({ key: 'currency', assumption, upstream: `whoami states ${fromWhoami}`, billrelay: `uses ${fromWhoami}`, status: 'ok' });
      return;
    }
    if (subAccounts && subAccounts.length === 1) {
      const only = subAccounts[0]!.currency;
      set(only, 'subaccount');
      this.add({
        key: 'currency',
        assumption,
        upstream: `whoami states none; func=subaccount lists one balance, in ${only}`,
        billrelay: `uses ${only} (from the sub-account)`,
        status: 'adapted',
      });
      return;
    }
    if (subAccounts && subAccounts.length > 1) {
      const currencies = subAccounts.map((a) => a.currency);
      set(null, 'subaccount', currencies);
      this.add({
        key: 'currency',
        assumption,
        upstream: `whoami states none; func=subaccount lists balances in ${currencies.join(', ')}`,
        billrelay: `the administrator must choose the currency when connecting the module (one of ${currencies.join(', ')})`,
        status: 'action',
      });
      return;
    }
    if (fromPriceList) {
      set(fromPriceList, 'pricelist');
      this.add({
        key: 'currency',
        assumption,
        upstream: `whoami states none; ${subText}; the price list is in ${fromPriceList}`,
        billrelay: `uses ${fromPriceList} (from the price list)`,
        status: 'adapted',
      });
      return;
    }
    set(null, null);
    this.add({
      key: 'currency',
      assumption,
      upstream: `stated nowhere: not by whoami, ${subText}, not by the price list`,
      billrelay: 'the administrator must choose the currency when connecting the module',
      status: 'action',
    });
  }

  private priceListFinding(pricelist: CallResult): void {
    const rows = pricelist.doc ? asArray(pricelist.doc.pricelist).filter(isRecord) : [];
    this.facts.tariffs = rows
      .map((row) => ({ id: text(row.id) ?? attr(row, 'id') ?? '', name: text(row.name) ?? attr(row, 'name') ?? '', orderable: isOrderable(row) }))
      .filter((t) => t.id !== '');
    const assumption = 'pricelist.export (itemtype=soft, onlyavailable=on) lists the tariffs to import';
    if (!pricelist.doc) {
      this.add({ key: 'price-list', assumption, upstream: `failed: ${shortError(pricelist.error)}`, billrelay: 'cannot import tariffs from this account', status: 'action' });
      return;
    }
    const orderable = this.facts.tariffs.filter((t) => t.orderable);
    const hidden = this.facts.tariffs.length - orderable.length;
    const shown = orderable.slice(0, 6).map((t) => `${t.id} ${t.name}`.trim());
    const more = orderable.length > shown.length ? `, … (${orderable.length - shown.length} more)` : '';
    const skipped = hidden > 0 ? `; ${hidden} more marked inactive, hidden or archived` : '';
    this.add({
      key: 'price-list',
      assumption,
      upstream: orderable.length ? `${orderable.length} orderable tariff(s): ${shown.join(', ')}${more}${skipped}` : `no orderable tariff${skipped}`,
      billrelay: orderable.length
        ? `imports tariffs by these ids${hidden > 0 ? ' and skips the others' : ''}`
        : 'has nothing to import: check the account with the seller',
      status: orderable.length ? 'ok' : 'action',
    });
  }

  private remoteIdFinding(list: CallResult, form: CallResult | null): void {
    const row = list.doc ? firstRow(list.doc) : null;
    const inList = row ? 'remoteid' in row : null;
    const inForm = form?.doc ? 'remoteid' in form.doc : null;
    this.facts.remoteIdInList = inList;
    this.facts.remoteIdInForm = inForm;
    const assumption = 'the remoteid sent with an order can be read back to find an order whose answer was lost';
    const nothing = list.doc ? 'no license to look at' : `the list failed: ${shortError(list.error)}`;
    const yesNo = (v: boolean | null) => (v === null ? `cannot tell (${nothing})` : v ? 'yes' : 'no');
    const upstream =
      inList === null && !form
        ? `cannot tell (${nothing})`
        : `in list rows: ${yesNo(inList)}; in the soft.edit form: ${form && !form.doc ? `cannot tell (${shortError(form.error)})` : yesNo(inForm)}`;
    if (inList || inForm) {
      this.add({ key: 'remoteid', assumption, upstream, billrelay: `finds lost orders by remoteid (${inList ? 'from the list' : 'on each soft.edit form'})`, status: 'ok' });
    } else if (inList === false && inForm === false) {
      this.add({ key: 'remoteid', assumption, upstream, billrelay: 'finds lost orders by IP + license name + tariff, confirmed with soft.edit', status: 'adapted' });
    } else {
      this.add({
        key: 'remoteid',
        assumption,
        upstream,
        billrelay: 'assumes it is not shown: finds lost orders by IP + license name + tariff, confirmed with soft.edit (probe again once the account has a license)',
        status: 'unknown',
      });
    }
  }

  private tariffFinding(list: CallResult, form: CallResult | null): void {
    const assumption = "a list row's pricelist column names the tariff (its id, or its name in the price list)";
    const row = list.doc ? firstRow(list.doc) : null;
    const value = row ? (text(row.pricelist_id) ?? text(row.pricelist)) : null;
    const formValue = form?.doc ? text(form.doc.pricelist) : null;
    const formText = formValue ? `; the soft.edit form shows ${this.describeTariff(formValue).text}` : '';
    if (!row) {
      this.add({
        key: 'tariff',
        assumption,
        upstream: `cannot tell (${list.doc ? 'no license to look at' : `the list failed: ${shortError(list.error)}`})`,
        billrelay: 'accepts an id or a price-list name; probe again once the account has a license',
        status: 'unknown',
      });
      return;
    }
    if (!value) {
      this.facts.listTariff = null;
      this.add({ key: 'tariff', assumption, upstream: `list rows have no pricelist column${formText}`, billrelay: 'takes the tariff from the soft.edit form', status: 'adapted' });
      return;
    }
    const described = this.describeTariff(value);
    this.facts.listTariff = { value, kind: described.kind, tariffId: described.tariffId };
    const billrelay =
      described.kind === 'id'
        ? 'reads the tariff id from list rows'
        : described.kind === 'name'
          ? `maps the name to price-list id ${described.tariffId}, confirmed with soft.edit`
          : 'cannot tell the tariff from list rows: relies on the soft.edit form';
    this.add({
      key: 'tariff',
      assumption,
      upstream: `list rows show ${described.text}${formText}`,
      billrelay,
      status: described.kind === 'id' ? 'ok' : described.kind === 'name' ? 'adapted' : 'action',
    });
  }

  private describeTariff(value: string): { kind: 'id' | 'name' | 'other'; tariffId: string | null; text: string } {
    const byId = this.facts.tariffs.find((t) => t.id === value);
    if (byId) return { kind: 'id', tariffId: byId.id, text: `an id ("${value}", in the price list)` };
    const byName = this.facts.tariffs.find((t) => t.name.trim().toLowerCase() === value.trim().toLowerCase());
    if (byName) return { kind: 'name', tariffId: byName.id, text: `a name ("${value}" = price-list id ${byName.id})` };
    return { kind: 'other', tariffId: null, text: `"${value}", neither a price-list id nor name` };
  }

  private notFoundFinding(bogus: CallResult): void {
    const assumption = 'soft.edit of an unknown id is refused in a recognizable way';
    const doc = isRecord(bogus.json) && isRecord(bogus.json.doc) ? bogus.json.doc : null;
    const error = doc && doc.error !== undefined ? (isRecord(doc.error) ? doc.error : { msg: doc.error }) : null;
    if (!error) {
      this.facts.notFound = null;
      this.add({
        key: 'not-found',
        assumption,
        upstream: doc ? `answered without an error for id ${BOGUS_ELID}` : `no BILLmanager answer: ${shortError(bogus.error)}`,
        billrelay: 'cannot tell a missing license from an empty form: it never concludes "gone" from an empty form; report this upstream answer (--json)',
        status: 'action',
      });
      return;
    }
    const type = attr(error, 'type');
    const object = attr(error, 'object');
    const message = text(error.msg) ?? text(error);
    const typed = errorFromDoc(doc!, { func: 'soft.edit', scrub: this.scrub });
    this.facts.notFound = { type, object, message: message ? this.scrub(message) : null, kind: typed?.kind ?? null };
    const shape = `error $type "${type ?? ''}"${object ? `, $object "${object}"` : ''}${message ? ` ("${this.scrub(message)}")` : ''}`;
    const auth = type === 'auth';
    this.add({
      key: 'not-found',
      assumption,
      upstream: `${shape}${typed?.kind === 'not-found' ? '' : ` (read as a ${typed?.kind ?? 'unknown'} error)`}`,
      billrelay: auth
        ? 'reads it as a login failure, not as "not found": report this upstream answer (--json)'
        : typed?.kind === 'not-found'
          ? 'treats it as "not found"'
          : 'treats it as "not found" after confirming the account works (whoami)',
      status: auth ? 'action' : typed?.kind === 'not-found' ? 'ok' : 'adapted',
    });
  }

  private pagingFinding(list: CallResult): void {
    const assumption = 'func=soft pages with p_num/p_cnt and states the row count in p_elems';
    if (!list.doc) {
      this.add({ key: 'paging', assumption, upstream: `the list failed: ${shortError(list.error)}`, billrelay: 'cannot list licenses: reconciliation and lost-order lookups fail', status: 'action' });
      return;
    }
    const { total } = parseListPage(list.doc);
    const rowsForOne = asArray(list.doc.elem).filter(isRecord).length;
    this.facts.paging = { pElems: total, rowsForOne };
    this.facts.licensesListed = total ?? rowsForOne;
    const honoured = rowsForOne <= 1;
    const parts = [
      total !== null ? `p_elems present (${total} license(s))` : 'no p_elems',
      honoured ? `p_cnt=1 gave ${rowsForOne} row(s)` : `p_cnt=1 ignored: ${rowsForOne} rows came back`,
    ];
    const billrelay =
      total !== null && honoured
        ? 'pages with p_num/p_cnt and stops at p_elems'
        : 'pages until a short page or a page of rows already seen (no total to check against: a saved list filter cannot be detected by the count)';
    this.add({ key: 'paging', assumption, upstream: parts.join('; '), billrelay, status: total !== null && honoured ? 'ok' : 'adapted' });
  }
}

// ---------------------------------------------------------------------------------------------
// helpers

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return undefined;
  }
}

function isBillmanagerAnswer(result: CallResult): boolean {
  return isRecord(result.json) && isRecord(result.json.doc);
}

function describeAnswer(result: CallResult, scrub: Scrub): string {
  if (!result.answer) return `nothing (${errorText(result.error)})`;
  if (isBillmanagerAnswer(result)) return `HTTP ${result.answer.status} with a BILLmanager document`;
  const { status, location } = result.answer;
  // Never followed (it would re-send the credentials), but worth saying where it points: often http → https.
  if (status >= 300 && status < 400) return `HTTP ${status}, a redirect to ${location ? excerpt(location, scrub, 120) : 'nowhere'} (not followed)`;
  const what = result.json === undefined ? 'not JSON' : 'JSON without a "doc" object';
  return `HTTP ${result.answer.status}, ${what}`;
}

function firstRow(doc: Doc): Record<string, unknown> | null {
  return asArray(doc.elem).find(isRecord) ?? null;
}

function firstRowId(doc: Doc): string | null {
  const row = firstRow(doc);
  return row ? (text(row.id) ?? text(row.elid)) : null;
}

function errorText(error: unknown): string {
  if (isUpstreamError(error)) return error.message;
  // Anything else is a bug of ours, not upstream text: its message holds no credentials.
  return error instanceof Error ? error.message : String(error);
}

function shortError(error: unknown): string {
  if (isUpstreamError(error)) {
    const shape = [error.upstreamType, error.upstreamObject].filter(Boolean).join('/');
    return shape ? `${error.kind} error ${shape}` : error.message;
  }
  return errorText(error);
}

function upstreamSays(error: UpstreamError): string {
  return error.upstreamMessage ? ` (upstream says: ${error.upstreamMessage})` : '';
}

function safeCurrency(read: () => string | null): string | null {
  try {
    return read();
  } catch {
    return null;
  }
}

/**
 * The calls as they may be shown or written to a file: `authinfo` dropped wherever it appears (the
 * upstream echoes the request in `tparams`), every `lickey` value and any repetition of it replaced
 * by "***", and the password scrubbed from every text.
 */
export function maskCalls(calls: ProbeCall[], scrub: Scrub): ProbeCall[] {
  const keys = new Set<string>();
  for (const call of calls) collectKeys(call.body, keys);
  const secrets = [...keys].filter((k) => k.length > 0).sort((a, b) => b.length - a.length);
  const maskText = (s: string) => {
    let out = scrub(s);
    for (const key of secrets) out = out.split(key).join(MASK);
    return out;
  };
  return calls.map((call) => {
    const masked = maskValue(call, maskText) as ProbeCall;
    delete (masked.params as Record<string, unknown>).authinfo;
    return masked;
  });
}

function collectKeys(value: unknown, into: Set<string>): void {
  if (Array.isArray(value)) {
    for (const item of value) collectKeys(item, into);
    return;
  }
  if (!isRecord(value)) return;
  for (const [key, inner] of Object.entries(value)) {
    if (key.toLowerCase() === 'lickey') {
      const found = text(inner);
      if (found) into.add(found);
    }
    collectKeys(inner, into);
  }
}

function maskValue(value: unknown, maskText: (s: string) => string): unknown {
  if (typeof value === 'string') return maskText(value);
  if (Array.isArray(value)) return value.map((item) => maskValue(item, maskText));
  if (!isRecord(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    const lower = key.toLowerCase();
    if (lower === 'authinfo') continue;
    if (lower === 'lickey') {
      out[key] = maskKey(inner, maskText);
      continue;
    }
    out[maskText(key)] = maskValue(inner, maskText);
  }
  return out;
}

/** A key's value masked in the shape it came in: "***" or {"$": "***"}; an empty one stays empty. */
function maskKey(value: unknown, maskText: (s: string) => string): unknown {
  if (isRecord(value)) {
    const { $: inner, ...rest } = value;
    const others = maskValue(rest, maskText) as Record<string, unknown>;
    return inner === undefined || inner === '' ? others : { ...others, $: MASK };
  }
  return value === '' || value === null || value === undefined ? value : MASK;
}
