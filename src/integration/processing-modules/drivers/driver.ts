// The contract between the processing-modules area and an upstream license seller.
// A driver knows the upstream and nothing else: no database, no HTTP server, no clock of its own.
// Everything it returns is plain data; everything it throws is an UpstreamError.

import type { Money } from '../../../platform/money.js';

export type UpstreamLicenseStatus = 'ordered' | 'active' | 'suspended' | 'deleted' | 'processing' | 'unknown';

export interface UpstreamPeriod {
  /** 1, 12 (months); -100 trial; -50 day; 0 lifetime (no longer sold). */
  months: number;
  cost: Money;
}

export interface UpstreamTariff {
  id: string;
  name: string;
  itemtype: string;
  periods: UpstreamPeriod[];
  currency: string;
}

export interface UpstreamAccount {
  balance: Money;
  currency: string;
  /** The account name the upstream knows us by. */
  account: string;
  /** Where the upstream answered (its URL with the path that worked), for drivers that have one. */
  endpoint?: string;
}

export interface CheckIpRequest {
  tariffId: string;
  period: number;
  ip: string;
}

export interface OpenRequest extends CheckIpRequest {
  licenseName: string;
  /** Our own id of the service; the only way to find an order whose answer was lost. */
  remoteId: string;
  /** Upstream auto-renewal period in months; null/undefined leaves it off. */
  autoProlong?: number | null;
}

export interface UpstreamLicense {
  upstreamId: string;
  remoteId: string | null;
  tariffId: string;
  ip: string;
  licenseName: string;
  /** null while the upstream has not issued the key yet (it is empty for a while after ordering). */
  licenseKey: string | null;
  status: UpstreamLicenseStatus;
  /** YYYY-MM-DD, null when the upstream did not say (list rows may lack it). */
  createdOn: string | null;
  expiresOn: string | null;
}

export interface LicenseParams {
  ip?: string;
  licenseName?: string;
}

/** A read of the whole `func=soft` list. */
export interface UpstreamList {
  licenses: UpstreamLicense[];
  /**
   * false when rows may be missing (a list filter saved in the upstream's web UI could not be reset):
   * nothing may be concluded from a license's absence.
   */
  complete: boolean;
}

/** What we know of an order whose answer may have been lost. */
export interface OrderLookup {
  remoteId: string;
  ip: string;
  licenseName: string;
  tariffId: string;
  /** The tariff's name as the price list shows it: list rows may carry it instead of the id. */
  tariffName?: string | null;
  /** YYYY-MM-DD on which the order was first sent (the upstream's own day may differ by one). */
  sentOn: string;
}

export type OrderLookupResult =
  /** Our order, confirmed by its remoteid or by IP, name, tariff and date on the license form. */
  | { found: 'one'; license: UpstreamLicense; by: 'remoteid' | 'match' }
  /** Several licenses fit and none can be told apart: a person decides, nothing is bought. */
  | { found: 'several'; candidates: UpstreamLicense[] }
  /** Nothing fits and the list was complete: the order never arrived. */
  | { found: 'none' }
  /** Nothing fits, but the list may be filtered: absence proves nothing. */
  | { found: 'unknown'; reason: string };

export interface LicenseDriver {
  /** Verifies the credentials and reads the balance. */
  checkConnection(): Promise<UpstreamAccount>;
  priceList(): Promise<UpstreamTariff[]>;
  /** Resolves when the upstream would accept the IP; throws UpstreamValueError when it would not. */
  checkIp(req: CheckIpRequest): Promise<void>;
  /** Buys a license. Never retried by the driver: after a doubtful failure use findOrder. */
  open(req: OpenRequest): Promise<{ upstreamId: string }>;
  /** null when the upstream does not know the id. */
  getLicense(upstreamId: string): Promise<UpstreamLicense | null>;
  /** Finds what an order whose answer was lost left upstream, without relying on remoteid coming back. */
  findOrder(lookup: OrderLookup): Promise<OrderLookupResult>;
  list(): Promise<UpstreamList>;
  /** remoteId is sent again with every write, so an edit never blanks it where the upstream keeps it. */
  setParams(upstreamId: string, params: LicenseParams, remoteId: string): Promise<void>;
  /** licenseKey is null when the upstream has not issued the new key yet. */
  newKey(upstreamId: string, remoteId: string): Promise<{ licenseKey: string | null }>;
  prolong(upstreamId: string, months: number): Promise<{ expiresOn: string }>;
  changeTariff(upstreamId: string, tariffId: string, period: number): Promise<void>;
  suspend(upstreamId: string): Promise<void>;
  resume(upstreamId: string): Promise<void>;
  close(upstreamId: string): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Errors. One family; callers switch on `kind`, retry on `transient`, and after a failed write
// look the result up (never re-send) when `mayHaveTakenEffect` is true.
// Messages are built from already-scrubbed text: constructors never see credentials.

export type UpstreamErrorKind =
  | 'auth'
  | 'access'
  | 'value'
  | 'insufficient-funds'
  | 'not-found'
  | 'rejected'
  | 'network'
  | 'tls'
  | 'timeout'
  | 'http'
  | 'reset'
  | 'protocol'
  | 'currency';

/**
 * One call a driver made upstream, as told to an observer (metrics): the function, how long it took and
 * how it failed. Nothing else: no URL, no account, no parameters.
 */
export interface UpstreamCall {
  func: string;
  write: boolean;
  durationMs: number;
  /** null when the upstream answered without an error. */
  error: UpstreamErrorKind | null;
}

export type UpstreamCallObserver = (call: UpstreamCall) => void;

export interface UpstreamErrorDetails {
  /** Whether the upstream may have carried out the operation although we got no clean answer. */
  mayHaveTakenEffect?: boolean;
  /** The upstream function called, e.g. "soft.order.param". */
  func?: string;
  /** doc.error.$type / $object as the upstream sent them (scrubbed). */
  upstreamType?: string;
  upstreamObject?: string;
  /** The upstream's own human message (scrubbed). */
  upstreamMessage?: string;
  /** A system error code such as ECONNREFUSED; never the original error object. */
  causeCode?: string;
}

export abstract class UpstreamError extends Error {
  abstract readonly kind: UpstreamErrorKind;
  readonly transient: boolean;
  readonly mayHaveTakenEffect: boolean;
  readonly func: string | undefined;
  readonly upstreamType: string | undefined;
  readonly upstreamObject: string | undefined;
  readonly upstreamMessage: string | undefined;
  readonly causeCode: string | undefined;

  protected constructor(message: string, transient: boolean, details: UpstreamErrorDetails = {}) {
    super(message);
    this.transient = transient;
    this.mayHaveTakenEffect = details.mayHaveTakenEffect ?? false;
    this.func = details.func;
    this.upstreamType = details.upstreamType;
    this.upstreamObject = details.upstreamObject;
    this.upstreamMessage = details.upstreamMessage;
    this.causeCode = details.causeCode;
  }

  /** Loggers serialize this; it holds only fields that were built secret-free. */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      kind: this.kind,
      message: this.message,
      transient: this.transient,
      mayHaveTakenEffect: this.mayHaveTakenEffect,
      func: this.func,
      upstreamType: this.upstreamType,
      upstreamObject: this.upstreamObject,
      upstreamMessage: this.upstreamMessage,
      causeCode: this.causeCode,
    };
  }
}

export function isUpstreamError(error: unknown): error is UpstreamError {
  return error instanceof UpstreamError;
}

function withUpstreamText(message: string, upstreamMessage: string | undefined): string {
  return upstreamMessage ? `${message} (upstream says: ${upstreamMessage})` : message;
}

export class UpstreamAuthError extends UpstreamError {
  override name = 'UpstreamAuthError';
  readonly kind = 'auth';
  constructor(details: UpstreamErrorDetails = {}) {
    super(
      withUpstreamText(
        'The upstream refused the login: wrong username or password, or two-factor authentication ' +
          'is enabled on this account: disable it or use another account',
        details.upstreamMessage,
      ),
      false,
      details,
    );
  }
}

export class UpstreamAccessError extends UpstreamError {
  override name = 'UpstreamAccessError';
  readonly kind = 'access';
  constructor(details: UpstreamErrorDetails = {}) {
    super(
      withUpstreamText(
        'The upstream denied access: API access may not be allowed from this server\'s IP address, ' +
          'or the account lacks the right for this action',
        details.upstreamMessage,
      ),
      false,
      details,
    );
  }
}

export class UpstreamValueError extends UpstreamError {
  override name = 'UpstreamValueError';
  readonly kind = 'value';
  /** The offending field as the upstream named it (e.g. "ip"), null when it did not say. */
  readonly field: string | null;
  constructor(field: string | null, details: UpstreamErrorDetails = {}) {
    const base = field ? `The upstream rejected the value of "${field}"` : 'The upstream rejected a value';
    super(withUpstreamText(base, details.upstreamMessage), false, details);
    this.field = field;
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), field: this.field };
  }
}

export class UpstreamInsufficientFunds extends UpstreamError {
  override name = 'UpstreamInsufficientFunds';
  readonly kind = 'insufficient-funds';
  constructor(details: UpstreamErrorDetails = {}) {
    super(
      withUpstreamText('The upstream account balance is too low for this purchase', details.upstreamMessage),
      false,
      details,
    );
  }
}

export class UpstreamNotFound extends UpstreamError {
  override name = 'UpstreamNotFound';
  readonly kind = 'not-found';
  constructor(details: UpstreamErrorDetails = {}) {
    super(withUpstreamText('The upstream does not know this object', details.upstreamMessage), false, details);
  }
}

/** An upstream error of a type we do not recognise (module-specific ones). */
export class UpstreamRejectedError extends UpstreamError {
  override name = 'UpstreamRejectedError';
  readonly kind = 'rejected';
  constructor(details: UpstreamErrorDetails = {}) {
    const type = details.upstreamType ? ` (${details.upstreamType})` : '';
    super(withUpstreamText(`The upstream refused the request${type}`, details.upstreamMessage), false, details);
  }
}

/**
 * The account's currency could not be told: the upstream states none, or the account holds several
 * and none was chosen. Someone has to say which currency the module sells in.
 */
export class UpstreamCurrencyUnknown extends UpstreamError {
  override name = 'UpstreamCurrencyUnknown';
  readonly kind = 'currency';
  /** The currencies the account holds, when the upstream listed them. */
  readonly candidates: string[];
  constructor(candidates: string[], details: UpstreamErrorDetails = {}) {
    super(
      candidates.length > 1
        ? `The upstream account holds several currencies (${candidates.join(', ')}): choose the one this module sells in`
        : 'The upstream does not state the account currency: choose the currency this module sells in',
      false,
      details,
    );
    this.candidates = candidates;
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), candidates: this.candidates };
  }
}

export class UpstreamNetworkError extends UpstreamError {
  override name = 'UpstreamNetworkError';
  readonly kind = 'network';
  constructor(message: string, details: UpstreamErrorDetails = {}) {
    super(message, true, details);
  }
}

export class UpstreamTlsError extends UpstreamError {
  override name = 'UpstreamTlsError';
  readonly kind = 'tls';
  constructor(message: string, details: UpstreamErrorDetails = {}) {
    super(message, true, details);
  }
}

export class UpstreamTimeoutError extends UpstreamError {
  override name = 'UpstreamTimeoutError';
  readonly kind = 'timeout';
  constructor(message: string, details: UpstreamErrorDetails = {}) {
    super(message, true, details);
  }
}

export class UpstreamHttpError extends UpstreamError {
  override name = 'UpstreamHttpError';
  readonly kind = 'http';
  readonly status: number;
  /** Start of the body, secrets removed, at most 200 characters. */
  readonly excerpt: string;
  constructor(status: number, excerpt: string, details: UpstreamErrorDetails = {}) {
    // 5xx, 408 and 429 are the upstream's or a proxy's passing trouble; other codes mean a wrong URL.
    const transient = status >= 500 || status === 408 || status === 429;
    super(`The upstream answered HTTP ${status}`, transient, details);
    this.status = status;
    this.excerpt = excerpt;
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), status: this.status, excerpt: this.excerpt };
  }
}

export class UpstreamResetError extends UpstreamError {
  override name = 'UpstreamResetError';
  readonly kind = 'reset';
  constructor(message: string, details: UpstreamErrorDetails = {}) {
    super(message, true, details);
  }
}

export class UpstreamProtocolError extends UpstreamError {
  override name = 'UpstreamProtocolError';
  readonly kind = 'protocol';
  /** Start of the offending body, secrets removed, at most 200 characters. */
  readonly excerpt: string;
  constructor(reason: string, excerpt: string, details: UpstreamErrorDetails = {}) {
    super(`The upstream sent an unexpected answer: ${reason}`, true, details);
    this.excerpt = excerpt;
  }
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), excerpt: this.excerpt };
  }
}
