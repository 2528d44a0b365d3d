// The sandbox's own controls, outside the upstream protocol: accounts, faults, clock, quirks and an
// inspection of what was bought and charged. Tests use them in-process or over HTTP (/_control/*).

import { z } from 'zod';
import { Money } from '../platform/money.js';
import { FaultInjector, type FaultSpec } from './faults.js';
import {
  PROFILES,
  RATES,
  type ListFilter,
  type SandboxProfile,
  type CallRecord,
  type Charge,
  type KeyDelay,
  type Purchase,
  type Quirks,
  type SandboxAccount,
  type SandboxLicense,
  type SandboxState,
} from './state.js';

export interface AccountInput {
  username: string;
  password?: string;
  twoFactor?: boolean;
  /** null or absent: any IP may call. */
  allowedIps?: string[] | null;
  /** Decimal amount in the account currency, e.g. "25.00". */
  balance?: string;
  /** EUR (default), USD or RUB. */
  currency?: string;
  /** Balances in other currencies the account also holds (sub-accounts), e.g. {"USD": "5.00"}. */
  otherBalances?: Record<string, string>;
}

export interface AccountView {
  username: string;
  twoFactor: boolean;
  allowedIps: string[] | null;
  balance: string;
  currency: string;
  otherBalances: Record<string, string>;
}

export interface LicenseView extends Omit<SandboxLicense, 'keyPendingReads' | 'keyReadyAt'> {}

export interface Inspection {
  now: string;
  accounts: AccountView[];
  licenses: LicenseView[];
  purchases: Purchase[];
  charges: Charge[];
  calls: CallRecord[];
  faults: ReturnType<FaultInjector['pending']>;
}

export interface SandboxSettings {
  profile?: SandboxProfile;
  keyDelay?: Partial<KeyDelay>;
  quirks?: Partial<Quirks>;
}

export class SandboxControl {
  constructor(
    readonly state: SandboxState,
    private readonly faults: FaultInjector,
    private readonly clock: () => Date,
  ) {}

  inject(spec: FaultSpec): void {
    this.faults.inject(spec);
  }

  clear(): void {
    this.faults.clear();
  }

  /** Creates the account or changes the given fields of an existing one. */
  upsertAccount(input: AccountInput): AccountView {
    const existing = this.state.accounts.get(input.username);
    if (!existing && input.password === undefined) throw new Error(`a new account needs a password`);
    const currency = input.currency ?? existing?.balance.currency ?? 'EUR';
    if (!RATES[currency]) throw new Error(`the sandbox sells in ${Object.keys(RATES).join(', ')}, not ${currency}`);
    const balanceText = input.balance ?? existing?.balance.toString() ?? '0.00';
    for (const other of Object.keys(input.otherBalances ?? {})) {
      if (!RATES[other] || other === currency) throw new Error(`another balance must be in one of ${Object.keys(RATES).join(', ')} other than ${currency}, not ${other}`);
    }
    const otherBalances = input.otherBalances
      ? Object.entries(input.otherBalances).map(([code, amount]) => Money.parse(amount, code))
      : (existing?.otherBalances ?? []);
    const account: SandboxAccount = {
      username: input.username,
      password: input.password ?? existing?.password ?? '',
      twoFactor: input.twoFactor ?? existing?.twoFactor ?? false,
      allowedIps: input.allowedIps === null ? undefined : (input.allowedIps ?? existing?.allowedIps),
      balance: Money.parse(balanceText, currency),
      otherBalances,
    };
    this.state.accounts.set(account.username, account);
    return accountView(account);
  }

  account(username: string): AccountView | null {
    const account = this.state.accounts.get(username);
    return account ? accountView(account) : null;
  }

  purchases(): Purchase[] {
    return [...this.state.purchases];
  }

  charges(): Charge[] {
    return [...this.state.charges];
  }

  licenses(): LicenseView[] {
    return this.state.licenses.map(licenseView);
  }

  /** Calls received, optionally of one function: shows whether a client re-sent a write. */
  calls(func?: string): CallRecord[] {
    return this.state.calls.filter((c) => func === undefined || c.func === func);
  }

  inspect(): Inspection {
    return {
      now: this.now().toISOString(),
      accounts: [...this.state.accounts.values()].map(accountView),
      licenses: this.licenses(),
      purchases: this.purchases(),
      charges: this.charges(),
      calls: this.calls(),
      faults: this.faults.pending(),
    };
  }

  now(): Date {
    return this.clock();
  }

  shiftClock(ms: number): Date {
    this.state.clockOffsetMs += ms;
    return this.now();
  }

  shiftDays(days: number): Date {
    return this.shiftClock(days * 86_400_000);
  }

  /** A profile first resets every quirk to it; quirks given alongside then override single ones. */
  configure(settings: SandboxSettings): void {
    if (settings.profile) {
      this.state.profile = settings.profile;
      Object.assign(this.state.quirks, PROFILES[settings.profile], { paths: [...PROFILES[settings.profile].paths] });
    }
    Object.assign(this.state.keyDelay, settings.keyDelay);
    Object.assign(this.state.quirks, settings.quirks);
  }

  /** Saves a list filter for the account, as someone clicking in the upstream's web UI would. */
  setListFilter(username: string, filter: ListFilter): void {
    this.state.listFilters.set(username, { ...filter });
  }
}

function accountView(account: SandboxAccount): AccountView {
  return {
    username: account.username,
    twoFactor: account.twoFactor,
    allowedIps: account.allowedIps ?? null,
    balance: account.balance.toString(),
    currency: account.balance.currency,
    otherBalances: Object.fromEntries(account.otherBalances.map((m) => [m.currency, m.toString()])),
  };
}

function licenseView(license: SandboxLicense): LicenseView {
  const { keyPendingReads: _reads, keyReadyAt: _at, ...view } = license;
  return { ...view };
}

// ---------------------------------------------------------------------------------------------
// HTTP: /_control/*

const FaultBody = z.object({
  func: z.string().optional(),
  fault: z.union([
    z.enum(['drop-after-commit', 'hang-after-commit', 'timeout', 'http-500', 'reset', 'malformed', 'latency']),
    z.object({ error: z.object({ type: z.string(), object: z.string().optional(), msg: z.string() }) }),
  ]),
  probability: z.number().min(0).max(1).optional(),
  count: z.number().int().positive().optional(),
  latencyMs: z.number().int().nonnegative().optional(),
  commit: z.boolean().optional(),
  body: z.string().optional(),
});

const AccountBody = z.object({
  username: z.string().min(1),
  password: z.string().optional(),
  twoFactor: z.boolean().optional(),
  allowedIps: z.array(z.string()).nullable().optional(),
  balance: z.string().regex(/^-?\d+(\.\d+)?$/).optional(),
  currency: z.string().optional(),
  otherBalances: z.record(z.string(), z.string().regex(/^-?\d+(\.\d+)?$/)).optional(),
});

const ListFilterBody = z.object({ username: z.string().min(1), status: z.string().optional(), ip: z.string().optional(), licname: z.string().optional() });

const ClockBody = z.object({ shiftMs: z.number().optional(), shiftDays: z.number().optional() });

const SettingsBody = z.object({
  profile: z.enum(['realistic', 'convenient']).optional(),
  keyDelay: z.object({ reads: z.number().int().nonnegative(), ms: z.number().int().nonnegative() }).partial().optional(),
  quirks: z
    .object({
      orderIdIn: z.enum(['id', 'item']),
      expiryIn: z.enum(['flat', 'nested']),
      currencyIn: z.enum(['both', 'whoami', 'pricelist', 'subaccount', 'none']),
      listRemoteId: z.boolean(),
      formRemoteId: z.boolean(),
      listTariff: z.enum(['id', 'name']),
      notFound: z.enum(['missed-elid', 'missed-item', 'access', 'value']),
      editBlanksRemoteId: z.boolean(),
      lowBalanceOrder: z.enum(['error', 'unpaid']),
      paths: z.array(z.string().startsWith('/')),
    })
    .partial()
    .optional(),
});

export interface ControlResponse {
  status: number;
  body: unknown;
}

type Route = (control: SandboxControl, body: unknown) => ControlResponse;

const ROUTES: Record<string, Route> = {
  'POST /_control/faults': (control, body) => {
    control.inject(FaultBody.parse(body) as FaultSpec);
    return { status: 201, body: { faults: control.inspect().faults } };
  },
  'DELETE /_control/faults': (control) => {
    control.clear();
    return { status: 200, body: { faults: [] } };
  },
  'POST /_control/accounts': (control, body) => ({ status: 200, body: control.upsertAccount(cleanAccount(AccountBody.parse(body))) }),
  'GET /_control/inspect': (control) => ({ status: 200, body: control.inspect() }),
  'POST /_control/clock': (control, body) => {
    const { shiftMs = 0, shiftDays = 0 } = ClockBody.parse(body);
    return { status: 200, body: { now: control.shiftClock(shiftMs + shiftDays * 86_400_000).toISOString() } };
  },
  'POST /_control/settings': (control, body) => {
    const parsed = SettingsBody.parse(body);
    control.configure({ profile: parsed.profile, keyDelay: stripUndefined(parsed.keyDelay ?? {}), quirks: stripUndefined(parsed.quirks ?? {}) });
    return { status: 200, body: { profile: control.state.profile, keyDelay: control.state.keyDelay, quirks: control.state.quirks } };
  },
  'POST /_control/list-filter': (control, body) => {
    const { username, ...filter } = ListFilterBody.parse(body);
    control.setListFilter(username, stripUndefined(filter));
    return { status: 200, body: { username, filter } };
  },
};

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function cleanAccount(parsed: z.infer<typeof AccountBody>): AccountInput {
  return stripUndefined(parsed) as AccountInput;
}

/** Answers a /_control/* request; bad input is a 400 with the reason. */
export function handleControl(control: SandboxControl, method: string, path: string, rawBody: string): ControlResponse {
  const route = ROUTES[`${method} ${path}`];
  if (!route) return { status: 404, body: { error: `no control route ${method} ${path}` } };
  try {
    return route(control, rawBody.trim() ? JSON.parse(rawBody) : {});
  } catch (error) {
    const reason = error instanceof z.ZodError ? z.prettifyError(error) : error instanceof Error ? error.message : String(error);
    return { status: 400, body: { error: reason } };
  }
}
