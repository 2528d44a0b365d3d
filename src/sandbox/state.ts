// Everything the simulated license seller knows: accounts, its price list, licenses, and the
// purchases and charges tests count.

import { Money, roundHalfAwayFromZero } from '../platform/money.js';
import { seededRandom, type Random } from './prng.js';

export const DEMO_ACCOUNT = { username: 'demo@billrelay.test', password: 'demo-password', balance: '1000.00' };

export interface SandboxAccount {
  username: string;
  password: string;
  /** Accounts with two-factor authentication cannot use the API (the login fails). */
  twoFactor: boolean;
  /** Client IPs the API accepts for this account; undefined accepts any. */
  allowedIps: string[] | undefined;
  balance: Money;
}

export type Edition = 'trial' | 'lite' | 'pro' | 'host';

export interface SandboxTariff {
  id: string;
  name: string;
  edition: Edition;
  /** Periods in months (-100 trial) with the EUR cost. */
  periods: { months: number; eur: string }[];
}

export const EDITION_RANK: Record<Edition, number> = { trial: 0, lite: 1, pro: 2, host: 3 };
export const TRIAL_DAYS = 14;
/** A license suspended at its expiry is deleted this many days later. */
export const DELETE_AFTER_DAYS = 30;

export const PRICE_LIST: SandboxTariff[] = [
  { id: '55227', name: 'ispmanager 6 lite', edition: 'lite', periods: [{ months: 1, eur: '6.00' }, { months: 12, eur: '60.00' }] },
  { id: '55228', name: 'ispmanager 6 pro', edition: 'pro', periods: [{ months: 1, eur: '12.00' }, { months: 12, eur: '120.00' }] },
  { id: '55229', name: 'ispmanager 6 host', edition: 'host', periods: [{ months: 1, eur: '20.00' }, { months: 12, eur: '200.00' }] },
  { id: '55239', name: 'ispmanager 6 trial', edition: 'trial', periods: [{ months: -100, eur: '0.00' }] },
];

/** Accounts may hold one of these currencies; prices are converted from EUR at a fixed rate. */
export const RATES: Record<string, [bigint, bigint]> = { EUR: [1n, 1n], USD: [11n, 10n], RUB: [100n, 1n] };

export function priceIn(eur: string, currency: string): Money {
  const [num, den] = RATES[currency] ?? [1n, 1n];
  return Money.of(roundHalfAwayFromZero(Money.parse(eur, 'EUR').minor * num, den), currency);
}

export type StatusCode = 1 | 2 | 3 | 4 | 5;

export interface SandboxLicense {
  id: string;
  owner: string;
  remoteid: string | null;
  pricelist: string;
  period: number;
  ip: string;
  licname: string;
  key: string;
  /** The key reads as empty for this many more reads … */
  keyPendingReads: number;
  /** … and until this time (ms since epoch, sandbox clock). */
  keyReadyAt: number;
  status: StatusCode;
  /** Why it is suspended: a resume only lifts an administrative suspension. */
  suspendedBy: 'admin' | 'expiry' | null;
  autoprolong: string | null;
  createdate: string;
  expiredate: string;
}

export interface Purchase {
  licenseId: string;
  account: string;
  pricelist: string;
  period: number;
  ip: string;
  remoteid: string | null;
  cost: string;
  currency: string;
  at: string;
}

export interface Charge {
  account: string;
  func: string;
  licenseId: string;
  amount: string;
  currency: string;
  at: string;
}

export interface CallRecord {
  func: string;
  account: string | null;
  fault: string | null;
  at: string;
}

/** Shapes the real upstream is inferred to send in more than one way; tests switch between them. */
export interface Quirks {
  /** Where an order answer carries the new id: doc.id.$ or doc.item.$id. */
  orderIdIn: 'id' | 'item';
  /** Where a renewal answer carries the new expiry: doc.newexpiredate.$ or doc.doc.newexpiredate.$. */
  expiryIn: 'flat' | 'nested';
  /** Where the account currency is stated. */
  currencyIn: 'both' | 'whoami' | 'pricelist' | 'none';
}

export interface KeyDelay {
  reads: number;
  ms: number;
}

export interface SandboxState {
  accounts: Map<string, SandboxAccount>;
  tariffs: SandboxTariff[];
  licenses: SandboxLicense[];
  purchases: Purchase[];
  charges: Charge[];
  calls: CallRecord[];
  nextLicenseId: number;
  clockOffsetMs: number;
  keyDelay: KeyDelay;
  quirks: Quirks;
  random: Random;
}

export interface StateOptions {
  seed?: number;
  currency?: string;
  keyDelay?: Partial<KeyDelay>;
  quirks?: Partial<Quirks>;
}

export function createState(options: StateOptions = {}): SandboxState {
  const state: SandboxState = {
    accounts: new Map(),
    // A copy per sandbox, so one test changing a tariff cannot leak into another.
    tariffs: PRICE_LIST.map((tariff) => ({ ...tariff, periods: tariff.periods.map((p) => ({ ...p })) })),
    licenses: [],
    purchases: [],
    charges: [],
    calls: [],
    nextLicenseId: 3_100_001,
    clockOffsetMs: 0,
    keyDelay: { reads: 1, ms: 0, ...options.keyDelay },
    quirks: { orderIdIn: 'id', expiryIn: 'flat', currencyIn: 'both', ...options.quirks },
    random: seededRandom(options.seed ?? 1),
  };
  const currency = options.currency ?? 'EUR';
  state.accounts.set(DEMO_ACCOUNT.username, {
    username: DEMO_ACCOUNT.username,
    password: DEMO_ACCOUNT.password,
    twoFactor: false,
    allowedIps: undefined,
    balance: priceIn(DEMO_ACCOUNT.balance, currency),
  });
  return state;
}
