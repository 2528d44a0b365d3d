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
  /** Balances in other currencies, listed by `func=subaccount` after the main one; nothing is bought with them. */
  otherBalances: Money[];
}

export type Edition = 'trial' | 'lite' | 'pro' | 'host';

export interface SandboxTariff {
  id: string;
  name: string;
  edition: Edition;
  /** Periods in months (-100 trial) with the EUR cost. */
  periods: { months: number; eur: string }[];
  /** Off: not sold, and `onlyavailable=on` leaves it out (default on). */
  active?: boolean;
  /** Hidden from the order form, yet still exported, `onlyavailable=on` or not. */
  hideinorder?: boolean;
  /** No longer sold, yet still exported, `onlyavailable=on` or not; orders of it are refused. */
  archived?: boolean;
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
  // Exported even with onlyavailable=on, as public clients' own filtering suggests: a client must skip them.
  { id: '41052', name: 'ispmanager 5 lite', edition: 'lite', archived: true, periods: [{ months: 1, eur: '5.00' }, { months: 12, eur: '50.00' }] },
  { id: '55240', name: 'ispmanager 6 trial (partners)', edition: 'trial', hideinorder: true, periods: [{ months: -100, eur: '0.00' }] },
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
  /** A renewal: the expiry it extended from and the one it set (so a test can see a period renewed twice). */
  fromExpiry?: string;
  toExpiry?: string;
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
  /** Where the account currency is stated (`subaccount`: only by func=subaccount). */
  currencyIn: 'both' | 'whoami' | 'pricelist' | 'subaccount' | 'none';
  /** Whether `func=soft` rows echo the remoteid an order carried. */
  listRemoteId: boolean;
  /** Whether the `soft.edit` form shows it. */
  formRemoteId: boolean;
  /** What the `pricelist` column of `func=soft` rows holds: the tariff's id or its name. */
  listTariff: 'id' | 'name';
  /** How a read of an unknown elid is refused (ISPsystem's own module raises missed/item). */
  notFound: 'missed-elid' | 'missed-item' | 'access' | 'value';
  /** A `soft.edit` submit without `remoteid` blanks the stored one, as a form submit may. */
  editBlanksRemoteId: boolean;
  /** Too little balance with skipbasket=on: an error, or an unpaid license left "ordered" (status 1). */
  lowBalanceOrder: 'error' | 'unpaid';
  /** The paths that answer as a BILLmanager; others are an nginx 404. */
  paths: string[];
}

/**
 * `realistic`: what public evidence says the real upstream does, and where it is silent, the less
 * convenient reading. `convenient`: the reading billrelay was first written against; kept for tests
 * that exercise something else and for comparing both.
 */
export type SandboxProfile = 'realistic' | 'convenient';

export const PROFILES: Record<SandboxProfile, Quirks> = {
  realistic: {
    orderIdIn: 'id',
    expiryIn: 'nested',
    currencyIn: 'subaccount',
    listRemoteId: false,
    formRemoteId: false,
    listTariff: 'name',
    notFound: 'missed-item',
    editBlanksRemoteId: true,
    lowBalanceOrder: 'error',
    paths: ['/billmgr', '/manager/billmgr'],
  },
  convenient: {
    orderIdIn: 'id',
    expiryIn: 'flat',
    currencyIn: 'both',
    listRemoteId: true,
    formRemoteId: true,
    listTariff: 'id',
    notFound: 'missed-elid',
    editBlanksRemoteId: false,
    lowBalanceOrder: 'error',
    paths: ['/billmgr', '/manager/billmgr'],
  },
};

export interface KeyDelay {
  reads: number;
  ms: number;
}

export interface SandboxState {
  profile: SandboxProfile;
  /** A list filter saved per account in the web UI: `func=soft` shows only rows matching it. */
  listFilters: Map<string, ListFilter>;
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

/** The fields of a saved `soft.filter`; an empty filter shows every row. */
export interface ListFilter {
  status?: string;
  ip?: string;
  licname?: string;
}

export interface StateOptions {
  /** Default `realistic`; quirks given here override the profile's. */
  profile?: SandboxProfile;
  seed?: number;
  currency?: string;
  keyDelay?: Partial<KeyDelay>;
  quirks?: Partial<Quirks>;
}

export function createState(options: StateOptions = {}): SandboxState {
  const profile = options.profile ?? 'realistic';
  const state: SandboxState = {
    profile,
    listFilters: new Map(),
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
    quirks: { ...PROFILES[profile], paths: [...PROFILES[profile].paths], ...options.quirks },
    random: seededRandom(options.seed ?? 1),
  };
  const currency = options.currency ?? 'EUR';
  state.accounts.set(DEMO_ACCOUNT.username, {
    username: DEMO_ACCOUNT.username,
    password: DEMO_ACCOUNT.password,
    twoFactor: false,
    allowedIps: undefined,
    balance: priceIn(DEMO_ACCOUNT.balance, currency),
    otherBalances: [],
  });
  return state;
}
