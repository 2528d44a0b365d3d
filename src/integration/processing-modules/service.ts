import { commaList, type MessageRef } from '../../platform/i18n/messages.js';
import { Referrers, type Referrer } from '../../platform/referrers.js';
import type { Actor } from '../../platform/actor.js';
import type { AuditService } from '../../platform/audit/service.js';
import type { Clock } from '../../platform/clock.js';
import type { SecretBox } from '../../platform/crypto/secrets.js';
import type { Db, Executor } from '../../platform/db/db.js';
import type { Page, PageQuery } from '../../platform/db/paging.js';
import { closeGap, makeRoomAt, moveStep, moveTo } from '../../platform/db/sorting.js';
import { AppError, invalid, notFound, appError } from '../../platform/errors.js';
import { checkLocalized, pickLocalized, type LocaleCatalog } from '../../platform/i18n/localized.js';
import { Money, MoneyError } from '../../platform/money.js';
import type { LocalizationService } from '../../settings/localizations/service.js';
import { UpstreamError, type LicenseDriver, type UpstreamAccount } from './drivers/driver.js';
import type { ConnectionSettings, DriverFactory, ModuleType } from './drivers/index.js';
import { ProcessingModuleRepository, type ModuleInsert, type ModuleRow } from './repository.js';
import {
  DEFAULT_UPSTREAM_URL,
  type ModuleCreate,
  type ModulePatch,
  type ModuleView,
} from './schemas.js';
import { callUpstream, upstreamToAppError } from './upstream-errors.js';
import { moduleErrorAfter, type ModuleCall } from './module-health.js';
import { MODULE_TYPES_DESCRIPTION } from './types.js';

/** Something bound to processing modules (licenses, tariffs); asked before a module is deleted. */
export type ModuleReferrer = Referrer;

/** Told after a module's balance was read by hand and stored (the scheduler's low-balance rule). */
export type BalanceListener = (moduleId: number) => Promise<unknown>;

/** What the module's `connection` column holds; the password is sealed beside it. */
type Connection = { url: string; username: string; currency?: string | null };

export class ProcessingModuleService {
  private readonly repo = new ProcessingModuleRepository();
  private readonly referrers = new Referrers();
  private readonly balanceListeners: BalanceListener[] = [];

  constructor(
    private readonly db: Db,
    private readonly audit: AuditService,
    private readonly locales: LocalizationService,
    private readonly clock: Clock,
    private readonly secrets: SecretBox,
    private readonly drivers: DriverFactory,
  ) {}

  addReferrer(referrer: ModuleReferrer): void {
    this.referrers.add(referrer);
  }

  /** Wired in app.ts: what follows from a balance read by hand (a low-balance task opened or closed at once). */
  onBalanceRead(listener: BalanceListener): void {
    this.balanceListeners.push(listener);
  }

  /** Data centers and departments ask this before they are deleted. */
  async usedBy(db: Executor, column: 'datacenterId' | 'departmentId', id: number): Promise<MessageRef | undefined> {
    const n = await this.repo.countWhere(db, column, id);
    return n ? { key: 'uses.modules', params: { count: n } } : undefined;
  }

  types() {
    return MODULE_TYPES_DESCRIPTION;
  }

  async checkConnection(connection: ConnectionSettings): Promise<{ balance: string; currency: string; account: string; url: string }> {
    const account = await this.connect(connection);
    return { balance: account.balance.toString(), currency: account.currency, account: account.account, url: endpointOf(account, connection) };
  }

  async list(page: PageQuery, actor: Actor): Promise<Page<ModuleView>> {
    const [rows, total, catalog] = await Promise.all([
      this.repo.list(this.db.kysely, page),
      this.repo.count(this.db.kysely),
      this.locales.catalog(),
    ]);
    const items = await Promise.all(rows.map((r) => this.toView(this.db.kysely, r, actor, catalog)));
    return { items, total, page: page.page, perPage: page.perPage };
  }

  async get(id: number, actor: Actor): Promise<ModuleView> {
    return this.toView(this.db.kysely, await this.mustFind(this.db.kysely, id), actor, await this.locales.catalog());
  }

  async create(input: ModuleCreate, actor: Actor): Promise<ModuleView> {
    checkLocalized(input.name, await this.locales.catalog(), 'name');
    let account: UpstreamAccount | undefined;
    if (input.moduleType === 'billmanager') {
      if (!input.connection) throw appError('validation', 'module.connectionNeeded', {}, { field: 'connection' });
      // Checked live before anything is saved; the network call stays outside the transaction.
      account = await this.connect(input.connection);
    }
    const currency = account?.currency ?? null;
    const minimalBalance = parseMinimal(input.minimalBalance, currency);
    return this.db.transaction(async (trx) => {
      const catalog = await this.locales.catalog(trx);
      await this.checkReferences(trx, input.datacenterId ?? null, input.departmentId ?? null);
      if (currency) await this.checkCurrency(trx, input.departmentId ?? null, currency);
      const now = this.clock.now().toISOString();
      const connection = input.connection
        ? account
          ? storedConnection(input.connection, account)
          : { url: input.connection.url, username: input.connection.username }
        : null;
      const row: ModuleInsert = {
        productType: input.productType,
        moduleType: input.moduleType,
        name: JSON.stringify(input.name),
        datacenterId: input.datacenterId ?? null,
        departmentId: input.departmentId ?? null,
        sort: await makeRoomAt(trx, 'processingModules', input.sort),
        enabled: 1,
        operationLimit: input.operationLimit,
        connection: JSON.stringify(connection),
        passwordSealed: input.connection ? this.secrets.seal(input.connection.password) : null,
        currency,
        minimalBalanceMinor: minimalBalance,
        balanceMinor: account?.balance.minor ?? null,
        balanceCheckedAt: account ? now : null,
        lastError: null,
        lastErrorCode: null,
        lastErrorAt: null,
        createdAt: now,
        updatedAt: now,
      };
      const id = await this.repo.insert(trx, row);
      const view = await this.toView(trx, (await this.repo.find(trx, id))!, actor, catalog);
      await this.audit.record(trx, actor, 'processing_module.create', 'processing_module', id, null, view);
      return view;
    });
  }

  async update(id: number, input: ModulePatch, actor: Actor): Promise<ModuleView> {
    const current = await this.mustFind(this.db.kysely, id);
    if (input.name) checkLocalized(input.name, await this.locales.catalog(), 'name');
    let account: UpstreamAccount | undefined;
    let connection: (Connection & { password: string }) | undefined;
    if (input.connection && Object.keys(input.connection).length) {
      if (current.moduleType !== 'billmanager') throw appError('validation', 'module.manualNoConnection', {}, { field: 'connection' });
      const known = this.connectionOf(current)!;
      const patch = stripUndefined(input.connection);
      // The stored password goes only where it was entered for: never to another host or account.
      if (patch.password === undefined && movesAway(known, patch)) {
        throw appError(
          'password_required',
          'module.passwordAgain',
          {},
          { field: 'connection.password' },
        );
      }
      connection = { ...known, ...patch };
      account = await this.connect(connection);
    }
    const currency = account?.currency ?? current.currency;
    const minimal = input.minimalBalance !== undefined ? parseMinimal(input.minimalBalance, currency) : undefined;
    return this.db.transaction(async (trx) => {
      const before = await this.mustFind(trx, id);
      const catalog = await this.locales.catalog(trx);
      const datacenterId = input.datacenterId !== undefined ? input.datacenterId : before.datacenterId;
      const departmentId = input.departmentId !== undefined ? input.departmentId : before.departmentId;
      await this.checkReferences(trx, datacenterId, departmentId);
      if (currency && (account || input.departmentId !== undefined)) await this.checkCurrency(trx, departmentId, currency);
      const now = this.clock.now().toISOString();
      await this.repo.update(trx, id, {
        ...(input.name ? { name: JSON.stringify(input.name) } : {}),
        datacenterId,
        departmentId,
        ...(input.operationLimit !== undefined ? { operationLimit: input.operationLimit } : {}),
        ...(input.enabled !== undefined ? { enabled: input.enabled ? 1 : 0 } : {}),
        ...(minimal !== undefined ? { minimalBalanceMinor: minimal } : {}),
        ...(connection && account
          ? {
              connection: JSON.stringify(storedConnection(connection, account)),
              passwordSealed: this.secrets.seal(connection.password),
              currency: account.currency,
              balanceMinor: account.balance.minor,
              balanceCheckedAt: now,
              lastError: null,
              lastErrorCode: null,
              lastErrorAt: null,
            }
          : {}),
        updatedAt: now,
      });
      if (input.sort !== undefined) await moveTo(trx, 'processingModules', id, input.sort);
      const view = await this.toView(trx, (await this.repo.find(trx, id))!, actor, catalog);
      await this.audit.record(trx, actor, 'processing_module.update', 'processing_module', id, await this.toView(trx, before, actor, catalog), view);
      return view;
    });
  }

  async setEnabled(id: number, enabled: boolean, actor: Actor): Promise<ModuleView> {
    return this.update(id, { enabled }, actor);
  }

  async move(id: number, direction: 'up' | 'down', actor: Actor): Promise<ModuleView> {
    return this.db.transaction(async (trx) => {
      const before = await this.mustFind(trx, id);
      await moveStep(trx, 'processingModules', id, direction);
      const after = (await this.repo.find(trx, id))!;
      await this.audit.record(trx, actor, 'processing_module.move', 'processing_module', id, { sort: before.sort }, { sort: after.sort });
      return this.toView(trx, after, actor, await this.locales.catalog(trx));
    });
  }

  async remove(id: number, actor: Actor): Promise<void> {
    await this.db.transaction(async (trx) => {
      const before = await this.mustFind(trx, id);
      const catalog = await this.locales.catalog(trx);
      const uses = await this.referrers.usesOf(trx, id);
      if (uses.length) {
        throw appError('conflict', 'inUse.module', { name: displayNameOf(before, actor, catalog), uses: commaList(uses) }, { field: 'id' });
      }
      await this.repo.remove(trx, id);
      await closeGap(trx, 'processingModules', before.sort);
      await this.audit.record(trx, actor, 'processing_module.delete', 'processing_module', id, await this.toView(trx, before, actor, catalog), null);
    });
  }

  /**
   * Reads the upstream balance now and stores it (or the error that prevented it); the listeners
   * (onBalanceRead) act on it before the answer, as after the scheduled balance check.
   */
  async checkBalance(id: number, actor: Actor): Promise<ModuleView> {
    const row = await this.mustFind(this.db.kysely, id);
    if (row.moduleType !== 'billmanager') throw appError('unprocessable', 'module.manualNoBalance', {}, { field: 'id' });
    try {
      const account = await this.driverOf(row).checkConnection();
      await this.recordBalance(id, account);
    } catch (error) {
      if (error instanceof UpstreamError) {
        await this.recordError(id, error);
        throw upstreamToAppError(error);
      }
      throw error;
    }
    for (const listener of this.balanceListeners) await listener(id);
    return this.get(id, actor);
  }

  async priceList(id: number) {
    const row = await this.mustFind(this.db.kysely, id);
    const tariffs = await callUpstream(() => this.driverOf(row).priceList());
    return tariffs.map((t) => ({
      id: t.id,
      name: t.name,
      itemtype: t.itemtype,
      currency: t.currency,
      periods: t.periods.map((p) => ({ months: p.months, cost: p.cost.toString() })),
    }));
  }

  /** Re-encrypts every stored upstream password with the box's current key, in one transaction. */
  async resealPasswords(box: SecretBox): Promise<number> {
    return this.db.transaction(async (trx) => {
      const sealed = await this.repo.allSealedPasswords(trx);
      for (const { id, passwordSealed } of sealed) {
        await this.repo.update(trx, id, { passwordSealed: box.seal(box.open(passwordSealed)) });
      }
      return sealed.length;
    });
  }

  /** When the module last changed: a driver built before then is stale. Null for a module that is gone. */
  async versionOf(id: number): Promise<string | null> {
    return (await this.stateOf(id))?.version ?? null;
  }

  /** What a caller about to use the module needs, in one read: its version (see versionOf) and whether it has an error stored. */
  async stateOf(id: number): Promise<{ version: string; hasError: boolean } | null> {
    const row = await this.repo.find(this.db.kysely, id);
    return row ? { version: row.updatedAt, hasError: row.lastError !== null } : null;
  }

  /** The department that works the module's tasks, and the module's name (for their wording). */
  async workedBy(db: Executor, id: number): Promise<{ departmentId: number | null; name: string } | null> {
    const row = await this.repo.find(db, id);
    return row ? { departmentId: row.departmentId, name: row.name } : null;
  }

  /** The configured driver instance of a module; its password is decrypted only here. */
  async driverFor(id: number): Promise<LicenseDriver> {
    return this.driverOf(await this.mustFind(this.db.kysely, id));
  }

  async recordBalance(id: number, account: UpstreamAccount): Promise<void> {
    const now = this.clock.now().toISOString();
    await this.repo.update(this.db.kysely, id, {
      balanceMinor: account.balance.minor,
      currency: account.currency,
      balanceCheckedAt: now,
      lastError: null,
      lastErrorCode: null,
      lastErrorAt: null,
    });
  }

  /** A question about the account itself (its balance, its license list) failed: the module is in error. */
  async recordError(id: number, error: UpstreamError): Promise<void> {
    await this.recordCall(id, { ok: false, error, call: 'account' });
  }

  /**
   * A call through the module ended: its stored error follows the rule of module-health.ts (a failure
   * of the account marks it, a refusal of one order does not, a success clears it). `hasError`: what
   * the caller read before the call (stateOf); a success writes only when it was true.
   */
  async recordCall(id: number, result: { ok: true } | { ok: false; error: UpstreamError; call: 'account' | 'order' }, hasError = true): Promise<void> {
    const call: ModuleCall = result.ok ? result : { ok: false, kind: result.error.kind, call: result.call };
    const change = moduleErrorAfter(call, hasError);
    if (change === 'clear') await this.repo.clearError(this.db.kysely, id);
    if (change !== 'mark' || result.ok) return;
    const mapped = upstreamToAppError(result.error);
    await this.repo.update(this.db.kysely, id, {
      lastError: mapped.message,
      lastErrorCode: mapped.code,
      lastErrorAt: this.clock.now().toISOString(),
    });
  }

  private driverOf(row: ModuleRow): LicenseDriver {
    const connection = this.connectionOf(row);
    return this.drivers(row.moduleType as ModuleType, connection);
  }

  private connectionOf(row: ModuleRow): (Connection & { password: string }) | null {
    const connection = JSON.parse(row.connection) as Connection | null;
    if (!connection || !row.passwordSealed) return null;
    return { ...connection, password: this.secrets.open(row.passwordSealed) };
  }

  /** Checks the settings live; the URL's path is found here when it was given without one. */
  private async connect(connection: ConnectionSettings): Promise<UpstreamAccount> {
    const driver = this.drivers('billmanager', { ...connection, url: connection.url || DEFAULT_UPSTREAM_URL });
    const account = await callUpstream(() => driver.checkConnection(), 'connection');
    // A chosen currency only answers what the upstream leaves open; it cannot overrule what it states.
    if (connection.currency && connection.currency !== account.currency) {
      throw appError(
        'currency_mismatch',
        'module.accountCurrency',
        { account: account.currency, chosen: String(connection.currency) },
        { field: 'connection.currency', details: { upstreamCurrency: account.currency, chosenCurrency: connection.currency } },
      );
    }
    return account;
  }

  private async mustFind(db: Executor, id: number): Promise<ModuleRow> {
    const row = await this.repo.find(db, id);
    if (!row) throw notFound('Processing module', id);
    return row;
  }

  private async checkReferences(db: Executor, datacenterId: number | null, departmentId: number | null): Promise<void> {
    if (datacenterId !== null && !(await this.repo.datacenterName(db, datacenterId))) {
      throw invalid('datacenterId', `datacenterId: data center ${datacenterId} does not exist`);
    }
    if (departmentId !== null && !(await this.repo.departmentName(db, departmentId))) {
      throw invalid('departmentId', `departmentId: department ${departmentId} does not exist`);
    }
  }

  /** The guide: the currencies of the selling and the reselling platform must match. */
  private async checkCurrency(db: Executor, departmentId: number | null, upstreamCurrency: string): Promise<void> {
    const providers = await this.repo.sellingCurrencies(db, departmentId);
    const mismatch = providers.find((p) => p.currency !== upstreamCurrency);
    if (mismatch) {
      throw new AppError(
        'currency_mismatch',
        `The upstream account is in ${upstreamCurrency} but provider "${mismatch.name}" sells in ${mismatch.currency}; the currencies must match`,
        { field: 'connection', details: { upstreamCurrency, providerCurrency: mismatch.currency } },
      );
    }
  }

  private async toView(db: Executor, row: ModuleRow, actor: Actor, catalog: LocaleCatalog): Promise<ModuleView> {
    const [datacenter, department] = await Promise.all([
      row.datacenterId === null ? undefined : this.repo.datacenterName(db, row.datacenterId),
      row.departmentId === null ? undefined : this.repo.departmentName(db, row.departmentId),
    ]);
    const ref = (r: { id: number; name: string } | undefined) =>
      r ? { id: r.id, displayName: pickLocalized(JSON.parse(r.name), actor.locale, catalog) } : null;
    const money = (minor: bigint | null) => (minor === null || !row.currency ? null : Money.of(minor, row.currency).toString());
    const enabled = !!row.enabled;
    return {
      id: row.id,
      productType: row.productType,
      moduleType: row.moduleType,
      name: JSON.parse(row.name),
      displayName: displayNameOf(row, actor, catalog),
      status: !enabled ? 'disabled' : row.lastError ? 'error' : 'enabled',
      enabled,
      datacenterId: row.datacenterId,
      datacenter: ref(datacenter),
      departmentId: row.departmentId,
      department: ref(department),
      sort: row.sort,
      operationLimit: row.operationLimit,
      connection: JSON.parse(row.connection),
      currency: row.currency,
      minimalBalance: money(row.minimalBalanceMinor),
      balance: money(row.balanceMinor),
      balanceCheckedAt: row.balanceCheckedAt,
      balanceBelowMinimal: row.balanceMinor !== null && row.balanceMinor < row.minimalBalanceMinor,
      lastError: row.lastError && row.lastErrorAt ? { code: row.lastErrorCode ?? 'upstream', message: row.lastError, at: row.lastErrorAt } : null,
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
    };
  }
}

function displayNameOf(row: ModuleRow, actor: Actor, catalog: LocaleCatalog): string {
  return pickLocalized(JSON.parse(row.name), actor.locale, catalog);
}

/** The URL that answered: the discovered endpoint where the driver found one. */
function endpointOf(account: UpstreamAccount, connection: { url: string }): string {
  return account.endpoint || connection.url || DEFAULT_UPSTREAM_URL;
}

function storedConnection(connection: Connection, account: UpstreamAccount): Connection {
  return {
    url: endpointOf(account, connection),
    username: connection.username,
    ...(connection.currency ? { currency: connection.currency } : {}),
  };
}

/** Whether a patch sends the connection to another place or account than the stored password was entered for. */
function movesAway(known: Connection, patch: { url?: string; username?: string }): boolean {
  if (patch.username !== undefined && patch.username.trim() !== known.username) return true;
  return patch.url !== undefined && !sameEndpoint(known.url, patch.url);
}

/** Same origin, and the same path unless the new URL gives none (then the stored path is found again there). */
function sameEndpoint(stored: string, given: string): boolean {
  try {
    const [a, b] = [new URL(stored), new URL(given.trim())];
    if (a.origin !== b.origin || b.username || b.password) return false;
    const path = (u: URL) => u.pathname.replace(/\/+$/, '');
    return path(b) === '' || path(a) === path(b);
  } catch {
    return false;
  }
}

function parseMinimal(text: string, currency: string | null): bigint {
  if (!currency) return 0n;
  try {
    const amount = Money.parse(text, currency);
    return amount.minor;
  } catch (error) {
    if (error instanceof MoneyError) throw invalid('minimalBalance', `minimalBalance: ${error.message}`);
    throw error;
  }
}

function stripUndefined<T extends object>(value: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as never;
}
