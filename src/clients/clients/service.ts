import type { MessageRef } from '../../platform/i18n/messages.js';
import type { Actor } from '../../platform/actor.js';
import { SECRET_CHANGED, type AuditService } from '../../platform/audit/service.js';
import { requireRight } from '../../platform/auth/rights.js';
import type { AuthService, Principal, PrincipalSource } from '../../platform/auth/service.js';
import type { Clock } from '../../platform/clock.js';
import { checkCurrentPassword, checkNewPassword } from '../../platform/crypto/password-policy.js';
import { hashPassword } from '../../platform/crypto/passwords.js';
import type { Db, Executor } from '../../platform/db/db.js';
import { isUniqueViolation } from '../../platform/db/dialect.js';
import { readPage, type Page, type PageQuery } from '../../platform/db/paging.js';
import { siteHost } from '../../platform/http/site-host.js';
import { AppError, invalid, notFound, appError } from '../../platform/errors.js';
import { Money, parseAmount } from '../../platform/money.js';
import type { LocalizationService } from '../../settings/localizations/service.js';
import { ClientRepository, type ClientRow } from './repository.js';
import type { ClientCreate, ClientPatch, ClientView, RegisterInput } from './schemas.js';

const SELF_EDITABLE = new Set(['name', 'email', 'password', 'currentPassword', 'language', 'country', 'phone']);

export class ClientService {
  private readonly repo = new ClientRepository();

  constructor(
    private readonly db: Db,
    private readonly audit: AuditService,
    private readonly auth: AuthService,
    private readonly locales: LocalizationService,
    private readonly clock: Clock,
  ) {}

  /** Lets clients log in through the same auth as employees, with the role `client`. */
  principalSource(): PrincipalSource {
    return {
      kind: 'client',
      findByEmail: async (email) => {
        const row = await this.repo.findByEmail(this.db.kysely, email);
        return row && { ...principalOf(row), passwordHash: row.passwordHash, enabled: !!row.enabled };
      },
      findById: async (id) => {
        const row = await this.repo.find(this.db.kysely, id);
        return row && { ...principalOf(row), enabled: !!row.enabled };
      },
    };
  }

  /** Providers ask this before a delete or a currency change. */
  async usedByProvider(db: Executor, providerId: number): Promise<MessageRef | undefined> {
    const n = await this.repo.countForProvider(db, providerId);
    return n ? { key: 'uses.clients', params: { count: n } } : undefined;
  }

  async list(filter: { providerId?: number; search?: string }, page: PageQuery): Promise<Page<ClientView>> {
    const { rows, total } = await readPage(
      page,
      (limit, offset) => this.repo.list(this.db.kysely, filter, limit, offset),
      () => this.repo.count(this.db.kysely, filter),
    );
    return { items: rows.map(toView), total, page: page.page, perPage: page.perPage };
  }

  async get(id: number, actor: Actor): Promise<ClientView> {
    return toView(await this.visible(this.db.kysely, id, actor));
  }

  /** A client sees only itself: any other id is answered as if it did not exist. */
  async visible(db: Executor, id: number, actor: Actor): Promise<ClientRow> {
    if (actor.kind === 'client' && actor.id !== id) throw notFound('Client', id);
    if (actor.kind === 'anonymous') throw appError('unauthorized', 'auth.required');
    const row = await this.repo.find(db, id);
    if (!row) throw notFound('Client', id);
    return row;
  }

  async create(input: ClientCreate, actor: Actor): Promise<ClientView> {
    if (input.creditLimit !== undefined) requireRight(actor, 'client.credit_limit', 'creditLimit');
    checkNewPassword(input.password, input.email);
    const passwordHash = await hashPassword(input.password);
    return this.insert({ ...input, passwordHash }, actor, 'client.create');
  }

  /**
   * Creates the client unless the e-mail is taken (by a client or an employee). Either way the caller
   * answers alike, so registration does not tell anyone which addresses exist: nothing is created
   * for a taken address and nothing says so. The password is hashed first on both paths, which
   * keeps their times close. A new client is mailed a link confirming the address (in the same
   * transaction); the owner of a taken address is mailed that someone tried (and where to reset the
   * password if it was them).
   */
  async register(input: RegisterInput, requestOrigin: string): Promise<void> {
    checkNewPassword(input.password, input.email);
    const passwordHash = await hashPassword(input.password);
    const anonymous: Actor = { kind: 'anonymous', id: null, label: 'anonymous', locale: input.language };
    const providerId = input.providerId ?? (await this.providerOfSite(this.db.kysely, requestOrigin))?.id;
    try {
      await this.insert(
        { name: input.name, email: input.email, language: input.language, country: input.country, providerId, passwordHash },
        anonymous,
        'client.register',
        (trx, client) => this.auth.mailEmailConfirmation(trx, client, requestOrigin),
      );
    } catch (error) {
      if (!isEmailTaken(error)) throw error;
      await this.auth.mailRegistrationAttempt(input.email, requestOrigin);
    }
  }

  /**
   * Whose site a request came to: the provider whose website has the request's host (any case, with
   * or without "www.", any port), else the default provider. New clients registering there are its
   * clients, and the login page shows its name.
   */
  async site(requestOrigin: string): Promise<{ providerName: string }> {
    const provider = (await this.providerOfSite(this.db.kysely, requestOrigin)) ?? (await this.repo.defaultProvider(this.db.kysely));
    return { providerName: provider?.name ?? 'billrelay' };
  }

  private async providerOfSite(db: Executor, requestOrigin: string): Promise<{ id: number; name: string } | undefined> {
    const host = siteHost(requestOrigin);
    if (!host) return undefined;
    return (await this.repo.providersWithWebsite(db)).find((p) => p.websiteUrl && siteHost(p.websiteUrl) === host);
  }

  /**
   * A new e-mail address is unconfirmed until the link mailed to it (through the outbox, in this
   * transaction) is followed, as for employees; links mailed to the earlier address no longer confirm
   * anything. A client changing its own address or password gives the current password.
   */
  async update(id: number, input: ClientPatch, actor: Actor, requestOrigin = ''): Promise<ClientView> {
    if (actor.kind === 'client') checkSelfEditable(input);
    else checkStaffRights(input, actor);
    const passwordHash = input.password !== undefined ? await this.newPasswordHash(id, input.password, input, actor) : undefined;
    if (actor.kind === 'client' && input.email !== undefined && input.password === undefined) {
      const row = await this.visible(this.db.kysely, id, actor);
      if (input.email !== row.email) await checkCurrentPassword(row.passwordHash, input.currentPassword);
    }
    return this.db.transaction(async (trx) => {
      const before = await this.visible(trx, id, actor);
      if (input.language) await this.checkLanguage(trx, input.language);
      const emailChanges = input.email !== undefined && input.email !== before.email;
      if (emailChanges) await this.checkEmailFree(trx, input.email!);
      await this.repo.update(trx, id, {
        ...(input.name !== undefined ? { name: input.name } : {}),
        ...(emailChanges ? { email: input.email, emailConfirmedAt: null } : {}),
        ...(input.language !== undefined ? { language: input.language } : {}),
        ...(input.country !== undefined ? { country: input.country } : {}),
        ...(input.phone !== undefined ? { phone: input.phone } : {}),
        ...(input.enabled !== undefined ? { enabled: input.enabled ? 1 : 0 } : {}),
        ...(input.creditLimit !== undefined ? { creditLimitMinor: parseAmount(input.creditLimit, before.currency, 'creditLimit').minor } : {}),
        ...(passwordHash ? { passwordHash } : {}),
        updatedAt: this.clock.now().toISOString(),
      }).catch(rethrowDuplicateEmail(input.email));
      // A disabled client or a changed password ends the sessions that were open.
      if (input.enabled === false || passwordHash) await this.auth.endSessionsOf('client', id, trx);
      const after = toView((await this.repo.find(trx, id))!);
      if (emailChanges) await this.auth.mailEmailConfirmation(trx, after, requestOrigin);
      await this.audit.record(trx, actor, 'client.update', 'client', id, toView(before), passwordHash ? { ...after, password: SECRET_CHANGED } : after);
      return after;
    });
  }

  /** Checks a new password (a client's own also needs the current one) and hashes it, outside the transaction: hashing is slow. */
  private async newPasswordHash(id: number, password: string, input: ClientPatch, actor: Actor): Promise<string> {
    const row = await this.visible(this.db.kysely, id, actor);
    checkNewPassword(password, input.email ?? row.email);
    if (actor.kind === 'client') await checkCurrentPassword(row.passwordHash, input.currentPassword);
    return hashPassword(password);
  }

  /** An administrator opens the client area as the client ("log in as"); audited. */
  async impersonate(id: number, actor: Actor): Promise<Principal> {
    requireRight(actor, 'client.impersonate');
    return this.db.transaction(async (trx) => {
      const row = await this.visible(trx, id, actor);
      if (!row.enabled) throw appError('conflict', 'client.disabled', {}, { field: 'id' });
      await this.audit.record(trx, actor, 'client.impersonate', 'client', id, null, { by: actor.label });
      return principalOf(row);
    });
  }

  private async insert(
    input: Omit<ClientCreate, 'password' | 'providerId' | 'language'> & { providerId?: number; language: string; passwordHash: string },
    actor: Actor,
    action: string,
    /** More to do in the same transaction (registration mails the confirmation link). */
    afterInsert?: (trx: Executor, client: ClientView) => Promise<void>,
  ): Promise<ClientView> {
    return this.db.transaction(async (trx) => {
      const provider = input.providerId ? await this.repo.provider(trx, input.providerId) : await this.repo.defaultProvider(trx);
      if (!provider) throw invalid('providerId', `providerId: provider ${input.providerId ?? '(default)'} does not exist`);
      await this.checkLanguage(trx, input.language);
      await this.checkEmailFree(trx, input.email);
      const now = this.clock.now().toISOString();
      const id = await this.repo
        .insert(trx, {
          providerId: provider.id,
          email: input.email,
          name: input.name,
          passwordHash: input.passwordHash,
          language: input.language,
          country: input.country ?? null,
          phone: input.phone ?? null,
          enabled: 1,
          currency: provider.currency,
          creditLimitMinor: input.creditLimit ? parseAmount(input.creditLimit, provider.currency, 'creditLimit').minor : 0n,
          emailConfirmedAt: null,
          createdAt: now,
          updatedAt: now,
        })
        .catch(rethrowDuplicateEmail(input.email));
      const view = toView((await this.repo.find(trx, id))!);
      await this.audit.record(trx, actor, action, 'client', id, null, view);
      if (afterInsert) await afterInsert(trx, view);
      return view;
    });
  }

  private async checkLanguage(db: Executor, language: string): Promise<void> {
    const catalog = await this.locales.catalog(db);
    if (!catalog.known.has(language)) throw invalid('language', `language: unknown localization "${language}"`);
  }

  private async checkEmailFree(db: Executor, email: string): Promise<void> {
    if ((await this.repo.findByEmail(db, email)) || (await this.repo.employeeEmailExists(db, email))) throw emailTaken(email);
  }
}

const emailTaken = (email: string | undefined) => appError('conflict', 'email.clientTaken', { email: String(email) }, { field: 'email' });

function isEmailTaken(error: unknown): boolean {
  return error instanceof AppError && error.code === 'conflict' && error.field === 'email';
}

function checkSelfEditable(input: ClientPatch): void {
  const forbidden = Object.keys(input).find((k) => !SELF_EDITABLE.has(k));
  if (forbidden) throw appError('forbidden', 'client.cannotChange', { field: forbidden }, { field: forbidden });
}

/** Whoever sets a client's password can log in as the client: that, like credit, needs a right. */
function checkStaffRights(input: ClientPatch, actor: Actor): void {
  if (input.password !== undefined) requireRight(actor, 'client.password', 'password');
  if (input.creditLimit !== undefined) requireRight(actor, 'client.credit_limit', 'creditLimit');
}

function rethrowDuplicateEmail(email: string | undefined) {
  return (error: unknown): never => {
    if (isUniqueViolation(error)) throw emailTaken(email);
    throw error;
  };
}

function principalOf(row: ClientRow): Principal {
  return { kind: 'client', id: row.id, email: row.email, name: row.name, isAdmin: false, language: row.language, providerId: row.providerId };
}

function toView(row: ClientRow): ClientView {
  return {
    id: row.id,
    providerId: row.providerId,
    email: row.email,
    name: row.name,
    language: row.language,
    country: row.country,
    phone: row.phone,
    enabled: !!row.enabled,
    currency: row.currency,
    balance: Money.of(row.balanceMinor, row.currency).toString(),
    creditLimit: Money.of(row.creditLimitMinor, row.currency).toString(),
    emailConfirmed: row.emailConfirmedAt !== null,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}
