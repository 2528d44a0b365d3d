import { systemActor, type Actor } from '../../platform/actor.js';
import type { AuditService } from '../../platform/audit/service.js';
import type { Clock } from '../../platform/clock.js';
import type { Db, Executor } from '../../platform/db/db.js';
import { isForeignKeyViolation } from '../../platform/db/dialect.js';
import type { Page, PageQuery } from '../../platform/db/paging.js';
import { AppError, appError, notFound } from '../../platform/errors.js';
import { commaList, type MessageParam } from '../../platform/i18n/messages.js';
import { isCurrency } from '../../platform/money.js';
import { ProviderRepository, type ProviderRow } from './repository.js';
import type { ProviderInput, ProviderPatch, ProviderView } from './schemas.js';

/**
 * Something else that refers to providers (departments, clients, tariffs): asked before a delete and
 * before a currency change; answers what refers, e.g. "3 clients", or undefined when nothing does.
 */
export type ProviderReferrer = (db: Executor, providerId: number) => Promise<MessageParam | undefined>;

export interface ProviderReferrerOptions {
  /**
   * Whether the references carry amounts in the provider's currency (clients' balances, tariffs' prices),
   * so that the currency may no longer change. Default true; departments only show themselves to clients.
   */
  bindsCurrency?: boolean;
}

export interface ProviderServiceOptions {
  /** Currency of the provider created on the first start (BILLRELAY_DEFAULT_CURRENCY); EUR when absent. */
  defaultCurrency?: string;
}

export const DEFAULT_PROVIDER_NAME = 'Default provider';

export class ProviderService {
  private readonly repo = new ProviderRepository();
  private readonly referrers: Array<{ referrer: ProviderReferrer; bindsCurrency: boolean }> = [];
  readonly defaultCurrency: string;

  constructor(
    private readonly db: Db,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    options: ProviderServiceOptions = {},
  ) {
    const currency = options.defaultCurrency?.trim() || 'EUR';
    if (!isCurrency(currency)) {
      throw new AppError('validation', `BILLRELAY_DEFAULT_CURRENCY must be an ISO 4217 currency code such as "EUR", got "${currency}"`, {
        field: 'BILLRELAY_DEFAULT_CURRENCY',
      });
    }
    this.defaultCurrency = currency;
    this.addReferrer(async (trx, id) => {
      const n = await this.repo.departmentsUsing(trx, id);
      return n ? { key: n === 1 ? 'uses.department' : 'uses.departments', params: { count: n } } : undefined;
    }, { bindsCurrency: false });
  }

  addReferrer(referrer: ProviderReferrer, options: ProviderReferrerOptions = {}): void {
    this.referrers.push({ referrer, bindsCurrency: options.bindsCurrency ?? true });
  }

  /** Creates the default provider unless there already is one. */
  async seed(): Promise<void> {
    await this.db.transaction(async (trx) => {
      if (await this.repo.findDefault(trx)) return;
      const now = this.clock.now().toISOString();
      const id = await this.repo.insert(trx, {
        name: DEFAULT_PROVIDER_NAME,
        currency: this.defaultCurrency,
        notificationEmail: null,
        supportEmail: null,
        websiteUrl: null,
        mailFromName: null,
        mailFromAddress: null,
        isDefault: 1,
        createdAt: now,
        updatedAt: now,
      });
      await this.audit.record(trx, systemActor('seed'), 'provider.create', 'provider', id, null, toView((await this.repo.find(trx, id))!));
    });
  }

  async list(page: PageQuery): Promise<Page<ProviderView>> {
    const [rows, total] = await Promise.all([this.repo.list(this.db.kysely, page), this.repo.count(this.db.kysely)]);
    return { items: rows.map(toView), total, page: page.page, perPage: page.perPage };
  }

  async get(id: number, db: Executor = this.db.kysely): Promise<ProviderView> {
    const row = await this.repo.find(db, id);
    if (!row) throw notFound('Provider', id);
    return toView(row);
  }

  async getDefault(db: Executor = this.db.kysely): Promise<ProviderView> {
    const row = await this.repo.findDefault(db);
    if (!row) throw appError('not_found', 'provider.noDefault', {}, { field: 'id' });
    return toView(row);
  }

  async create(input: ProviderInput, actor: Actor): Promise<ProviderView> {
    checkCurrency(input.currency);
    return this.db.transaction(async (trx) => {
      const now = this.clock.now().toISOString();
      const id = await this.repo.insert(trx, {
        name: input.name,
        currency: input.currency,
        notificationEmail: input.notificationEmail ?? null,
        supportEmail: input.supportEmail ?? null,
        websiteUrl: input.websiteUrl ?? null,
        mailFromName: input.mailFromName ?? null,
        mailFromAddress: input.mailFromAddress ?? null,
        isDefault: 0,
        createdAt: now,
        updatedAt: now,
      });
      const view = toView((await this.repo.find(trx, id))!);
      await this.audit.record(trx, actor, 'provider.create', 'provider', id, null, view);
      return view;
    });
  }

  async update(id: number, input: ProviderPatch, actor: Actor): Promise<ProviderView> {
    if (input.currency !== undefined) checkCurrency(input.currency);
    return this.db.transaction(async (trx) => {
      const before = await this.repo.findForUpdate(trx, id);
      if (!before) throw notFound('Provider', id);
      if (input.currency !== undefined && input.currency !== before.currency) {
        const uses = await this.uses(trx, id, true);
        if (uses.length) {
          throw appError('conflict', 'provider.currencyUsed', { name: before.name, currency: before.currency, uses: commaList(uses) }, { field: 'currency' });
        }
      }
      await this.repo.update(trx, id, {
        ...(input.name !== undefined ? { name: input.name } : {}),
        ...(input.currency !== undefined ? { currency: input.currency } : {}),
        ...(input.notificationEmail !== undefined ? { notificationEmail: input.notificationEmail } : {}),
        ...(input.supportEmail !== undefined ? { supportEmail: input.supportEmail } : {}),
        ...(input.websiteUrl !== undefined ? { websiteUrl: input.websiteUrl } : {}),
        ...(input.mailFromName !== undefined ? { mailFromName: input.mailFromName } : {}),
        ...(input.mailFromAddress !== undefined ? { mailFromAddress: input.mailFromAddress } : {}),
        updatedAt: this.clock.now().toISOString(),
      });
      const view = toView((await this.repo.find(trx, id))!);
      await this.audit.record(trx, actor, 'provider.update', 'provider', id, toView(before), view);
      return view;
    });
  }

  async remove(id: number, actor: Actor): Promise<void> {
    await this.db.transaction(async (trx) => {
      const before = await this.repo.findForUpdate(trx, id);
      if (!before) throw notFound('Provider', id);
      if (before.isDefault) {
        throw appError('conflict', 'provider.defaultDeleted', { name: before.name }, { field: 'id' });
      }
      const uses = await this.uses(trx, id, false);
      if (uses.length) throw appError('conflict', 'inUse.provider', { name: before.name, uses: commaList(uses) }, { field: 'id' });
      try {
        await this.repo.remove(trx, id);
      } catch (error) {
        // Something that no referrer knows about yet still points at the provider.
        if (isForeignKeyViolation(error)) throw appError('conflict', 'inUse.providerAny', { name: before.name }, { field: 'id' });
        throw error;
      }
      await this.audit.record(trx, actor, 'provider.delete', 'provider', id, toView(before), null);
    });
  }

  private async uses(trx: Executor, id: number, currencyOnly: boolean): Promise<MessageParam[]> {
    const asked = this.referrers.filter((r) => !currencyOnly || r.bindsCurrency);
    // One after another: a transaction is one connection.
    const uses: MessageParam[] = [];
    for (const { referrer } of asked) {
      const use = await referrer(trx, id);
      if (use) uses.push(use);
    }
    return uses;
  }
}

function checkCurrency(currency: string): void {
  if (!isCurrency(currency)) throw appError('validation', 'provider.currency', { currency }, { field: 'currency' });
}

function toView(row: ProviderRow): ProviderView {
  return {
    id: row.id,
    name: row.name,
    currency: row.currency,
    notificationEmail: row.notificationEmail,
    supportEmail: row.supportEmail,
    websiteUrl: row.websiteUrl,
    mailFromName: row.mailFromName,
    mailFromAddress: row.mailFromAddress,
    isDefault: !!row.isDefault,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}
