import type { Actor } from '../actor.js';
import type { AuditService } from '../audit/service.js';
import type { Clock } from '../clock.js';
import { dummyPasswordHash, verifyPassword } from '../crypto/passwords.js';
import { randomToken, sha256 } from '../crypto/tokens.js';
import type { Db } from '../db/db.js';
import { lockKey } from '../db/dialect.js';
import { AppError, appError, notFound } from '../errors.js';
import { SECRET_CHANGED } from '../audit/service.js';
import { checkNewPassword } from '../crypto/password-policy.js';
import { hashPassword } from '../crypto/passwords.js';
import type { Executor } from '../db/db.js';
import { enqueueClientMessage, enqueueMessage } from '../../tools/messages/outbox.js';
import { renderStored } from '../../tools/messages/templates/stored.js';
import { AuthRepository, AuthTokenRepository } from './repository.js';
import { ALL_RIGHTS, loadEffectiveRights } from './rights.js';
import type { MeView } from './schemas.js';

const SESSION_TTL_MS = 12 * 3600_000;
const FAILURE_WINDOW_MS = 15 * 60_000;
/**
 * Failed logins allowed within the window before answering 429: per account from one address, and
 * from one address whatever the account. Never per account alone: then anyone could lock its owner
 * out (the administrator included) by guessing from anywhere; this way a guesser is slowed down
 * and the owner, coming from another address, still gets in.
 */
export const MAX_FAILURES_PER_ACCOUNT_AND_ADDRESS = 5;
export const MAX_FAILURES_PER_ADDRESS = 20;
const TOKEN_TOUCH_INTERVAL_MS = 60_000;
/** How long a mailed link works: a password reset briefly, an e-mail confirmation for a week. */
export const PASSWORD_RESET_TTL_MS = 3600_000;
export const EMAIL_CONFIRMATION_TTL_MS = 7 * 24 * 3600_000;
/** A client is mailed a new confirmation link at most this often (asking themselves or by staff). */
export const CONFIRMATION_RESEND_INTERVAL_MS = 5 * 60_000;
/** The attempts key for using mailed tokens (per address, like failed logins). */
const TOKEN_ATTEMPTS = 'token:';

export type MailedTokenKind = 'password_reset' | 'email_confirmation';

/** Someone who can log in. Clients join in the clients area through the same shape. */
export interface Principal {
  kind: 'employee' | 'client';
  id: number;
  email: string;
  name: string;
  isAdmin: boolean;
  language: string;
  providerId?: number;
  /** Employees: effective rights, sorted (every right for administrators). */
  rights?: readonly string[];
}

export interface ResolvedSession {
  principal: Principal;
  csrfToken: string;
  impersonatorId: number | null;
}

/** Finds principals of another kind (clients) by e-mail or id; registered by the area that owns them. */
export interface PrincipalSource {
  kind: 'client';
  findByEmail(email: string): Promise<(Principal & { passwordHash: string; enabled: boolean }) | undefined>;
  findById(id: number): Promise<(Principal & { enabled: boolean }) | undefined>;
}

export class AuthService {
  private readonly repo = new AuthRepository();
  private readonly tokens = new AuthTokenRepository();
  private readonly sources: PrincipalSource[] = [];

  constructor(
    private readonly db: Db,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    /** BILLRELAY_PUBLIC_URL: the start of mailed links; absent, the asking request's origin. */
    private readonly publicUrl?: string,
  ) {}

  addPrincipalSource(source: PrincipalSource): void {
    this.sources.push(source);
  }

  async login(emailInput: string, password: string, ip: string): Promise<{ sessionId: string; csrfToken: string; me: MeView }> {
    const email = emailInput.trim().toLowerCase();
    await this.reserveAttempt(email, ip);
    const candidate = await this.findCredentials(email);
    const ok = await verifyPassword(candidate?.passwordHash ?? (await dummyPasswordHash()), password);
    // A failed attempt stays recorded; a successful one clears this account's attempts from this address.
    if (!candidate || !ok || !candidate.enabled) throw appError('unauthorized', 'auth.wrongLogin', {}, { field: 'password' });
    candidate.principal = await this.withRights(candidate.principal);
    await this.repo.clearAttempts(this.db.kysely, email, ip, this.windowStart());
    const { sessionId, csrfToken } = await this.openSession(candidate.principal, null);
    return { sessionId, csrfToken, me: toMe(candidate.principal, null) };
  }

  /**
   * Counts an attempt before its password is checked, or refuses it (429) when the address has used
   * up its attempts. Counting and checking happen in one transaction that attempts from the same
   * address take one at a time (SQLite: BEGIN IMMEDIATE; PostgreSQL: a lock on the address), so
   * parallel guesses can never have more passwords checked than the limits allow.
   */
  private async reserveAttempt(email: string, ip: string, tooMany: 'auth.tooManyLogins' | 'auth.tooManyAttempts' = 'auth.tooManyLogins'): Promise<void> {
    const since = this.windowStart();
    await this.db.transaction(async (trx) => {
      await lockKey(trx, this.db.dialect, `login:${ip}`);
      const attempts = await this.repo.attemptsSince(trx, email, ip, since);
      if (attempts.account >= MAX_FAILURES_PER_ACCOUNT_AND_ADDRESS || attempts.address >= MAX_FAILURES_PER_ADDRESS) {
        throw appError('rate_limited', tooMany, {}, {
          details: { retryAfterSeconds: FAILURE_WINDOW_MS / 1000 },
        });
      }
      await this.repo.recordAttempt(trx, email, ip, this.clock.now().toISOString());
    });
  }

  private windowStart(): string {
    return new Date(this.clock.now().getTime() - FAILURE_WINDOW_MS).toISOString();
  }

  /** A session acting as another principal (an administrator opening a client's area). */
  async openSession(principal: Principal, impersonatorId: number | null): Promise<{ sessionId: string; csrfToken: string }> {
    const now = this.clock.now();
    const sessionId = randomToken();
    const csrfToken = randomToken();
    await this.db.transaction(async (trx) => {
      await this.repo.deleteExpiredSessions(trx, now.toISOString());
      await this.repo.insertSession(trx, {
        idHash: sha256(sessionId),
        principalKind: principal.kind,
        principalId: principal.id,
        csrfToken,
        createdAt: now.toISOString(),
        expiresAt: new Date(now.getTime() + SESSION_TTL_MS).toISOString(),
        impersonatorId,
      });
    });
    return { sessionId, csrfToken };
  }

  async resolveSession(sessionId: string): Promise<ResolvedSession | undefined> {
    const session = await this.repo.findSession(this.db.kysely, sha256(sessionId), this.clock.now().toISOString());
    if (!session) return undefined;
    const principal = await this.findPrincipal(session.principalKind, session.principalId);
    if (!principal) return undefined;
    return { principal, csrfToken: session.csrfToken, impersonatorId: session.impersonatorId };
  }

  async logout(sessionId: string): Promise<void> {
    await this.repo.deleteSession(this.db.kysely, sha256(sessionId));
  }

  /**
   * Read anew on every request, as sessions are: a demoted, disabled or deleted employee's tokens
   * lose what they allowed with the next request, in every process (no cache to go stale).
   */
  async resolveToken(token: string): Promise<Principal | undefined> {
    const row = await this.repo.findToken(this.db.kysely, sha256(token));
    if (!row || !row.enabled) return undefined;
    const now = this.clock.now();
    if (!row.lastUsedAt || now.getTime() - Date.parse(row.lastUsedAt) > TOKEN_TOUCH_INTERVAL_MS) {
      await this.repo.touchToken(this.db.kysely, row.tokenId, now.toISOString());
    }
    return this.withRights(employeePrincipal(row));
  }

  /** An employee's rights, read now: a right revoked a moment ago is gone from the next request on. */
  private async withRights(principal: Principal): Promise<Principal> {
    if (principal.kind !== 'employee') return principal;
    const rights = principal.isAdmin ? ALL_RIGHTS : await loadEffectiveRights(this.db.kysely, principal.id);
    return { ...principal, rights };
  }

  async createToken(actor: Actor, name: string) {
    if (actor.kind !== 'employee') throw appError('forbidden', 'auth.tokensEmployeesOnly');
    const token = randomToken('brt_');
    const createdAt = this.clock.now().toISOString();
    return this.db.transaction(async (trx) => {
      const { id } = await this.repo.insertToken(trx, { employeeId: actor.id, name, tokenHash: sha256(token), createdAt });
      await this.audit.record(trx, actor, 'api_token.create', 'api_token', Number(id), null, { name });
      return { id: Number(id), name, token, createdAt };
    });
  }

  async listTokens(actor: Actor) {
    if (actor.kind !== 'employee') return [];
    return this.repo.listTokens(this.db.kysely, actor.id);
  }

  async deleteToken(actor: Actor, id: number): Promise<void> {
    if (actor.kind !== 'employee') throw appError('forbidden', 'auth.tokensEmployeesOnly');
    await this.db.transaction(async (trx) => {
      if (!(await this.repo.deleteToken(trx, actor.id, id))) {
        throw notFound('API token', id);
      }
      await this.audit.record(trx, actor, 'api_token.delete', 'api_token', id, { id }, null);
    });
  }

  /** Ends every session of a principal: used when an account is disabled or its password changes. */
  async endSessionsOf(principalKind: string, principalId: number, db = this.db.kysely): Promise<void> {
    await this.repo.deleteSessionsOf(db, principalKind, principalId);
  }

  /**
   * Back from "log in as client": the session acting as the client ends, and the employee who opened it
   * gets a session of their own again, while still enabled. Audited like the start. Refused (409) on a
   * session that is nobody else's.
   */
  async endImpersonation(sessionId: string): Promise<{ sessionId: string; csrfToken: string; me: MeView }> {
    const session = await this.repo.findSession(this.db.kysely, sha256(sessionId), this.clock.now().toISOString());
    if (!session?.impersonatorId) throw appError('conflict', 'auth.notImpersonating');
    const employee = await this.findPrincipal('employee', session.impersonatorId);
    await this.db.transaction(async (trx) => {
      await this.repo.deleteSession(trx, sha256(sessionId));
      if (employee) {
        const actor: Actor = { kind: 'employee', id: employee.id, label: employee.email, isAdmin: employee.isAdmin, locale: employee.language };
        await this.audit.record(trx, actor, `${session.principalKind}.impersonate_end`, session.principalKind, session.principalId, null, { by: employee.email });
      }
    });
    // The employee was disabled or removed meanwhile: the client's session is gone and nothing replaces it.
    if (!employee) throw appError('unauthorized', 'auth.logInAgain');
    const opened = await this.openSession(employee, null);
    return { ...opened, me: toMe(employee, null) };
  }

  // ---- Mailed links: password reset and e-mail confirmation -------------------------------------
  // A token is 32 random bytes; only its sha256 is stored, the token itself is only in the e-mail
  // (never in a log, an answer, or the outbox as staff read it). Single use, expiring.

  /** Where mailed links start: BILLRELAY_PUBLIC_URL, else the origin of the request that asked. */
  linkBase(requestOrigin: string): string {
    return `${(this.publicUrl ?? requestOrigin).replace(/\/+$/, '')}/billmgr`;
  }

  /**
   * Mails a reset link to whoever has this address (employee or client, in their language), or
   * nothing: the caller answers the same either way. Limited per address like logins.
   */
  async requestPasswordReset(emailInput: string, ip: string, requestOrigin: string): Promise<void> {
    const email = emailInput.trim().toLowerCase();
    await this.reserveAttempt(`reset:${email}`, ip, 'auth.tooManyAttempts');
    const found = await this.findCredentials(email);
    if (!found || !found.enabled) return;
    const { principal } = found;
    await this.db.transaction(async (trx) => {
      const token = await this.issueToken(trx, 'password_reset', principal);
      await this.mail(trx, principal, 'password_reset', `password_reset:${token.id}`, `${this.linkBase(requestOrigin)}/reset-password?token=${token.token}`);
    });
  }

  /** A new client's confirmation link, written in the caller's (registration's) transaction. */
  async mailEmailConfirmation(trx: Executor, client: { id: number; email: string; name: string; language: string; providerId: number }, requestOrigin: string): Promise<void> {
    const principal: Principal = { kind: 'client', id: client.id, email: client.email, name: client.name, isAdmin: false, language: client.language, providerId: client.providerId };
    await this.mailConfirmationLink(trx, principal, requestOrigin);
  }

  /**
   * An employee's confirmation link (a new employee, or a new address), written in the caller's
   * transaction. Links mailed to an earlier address no longer work (usableToken compares addresses).
   */
  async mailEmployeeEmailConfirmation(trx: Executor, employee: { id: number; email: string; name: string; language: string }, requestOrigin: string): Promise<void> {
    const principal: Principal = { kind: 'employee', id: employee.id, email: employee.email, name: employee.name, isAdmin: false, language: employee.language };
    await this.mailConfirmationLink(trx, principal, requestOrigin);
  }

  private async mailConfirmationLink(trx: Executor, principal: Principal, requestOrigin: string): Promise<void> {
    const token = await this.issueToken(trx, 'email_confirmation', principal);
    await this.mail(trx, principal, 'email_confirmation', `email_confirmation:${token.id}`, `${this.linkBase(requestOrigin)}/confirm-email?token=${token.token}`);
  }

  /**
   * Mails a client whose address is not confirmed a new confirmation link (earlier links keep working
   * until they expire): the client asks, or staff for them (audited). At most once per 5 minutes per
   * client, counting the link mailed at registration: 429 with Retry-After otherwise.
   */
  async resendEmailConfirmation(clientId: number, actor: Actor, requestOrigin: string): Promise<{ email: string }> {
    const now = this.clock.now();
    return this.db.transaction(async (trx) => {
      await lockKey(trx, this.db.dialect, `confirm-email:${clientId}`);
      const client = await this.tokens.clientForConfirmation(trx, clientId);
      if (!client) throw notFound('Client', clientId);
      if (client.emailConfirmedAt) throw appError('conflict', 'auth.emailAlreadyConfirmed', { email: client.email }, { field: 'email' });
      if (!client.enabled) throw appError('conflict', 'client.disabled', {}, { field: 'enabled' });
      const last = await this.tokens.lastIssuedAt(trx, 'email_confirmation', 'client', clientId);
      const wait = last ? Date.parse(last) + CONFIRMATION_RESEND_INTERVAL_MS - now.getTime() : 0;
      if (wait > 0) {
        throw appError('rate_limited', 'auth.confirmationTooSoon', { minutes: CONFIRMATION_RESEND_INTERVAL_MS / 60_000 }, { details: { retryAfterSeconds: Math.ceil(wait / 1000) } });
      }
      await this.mailEmailConfirmation(trx, { id: clientId, email: client.email, name: client.name, language: client.language, providerId: client.providerId }, requestOrigin);
      if (actor.kind === 'employee') await this.audit.record(trx, actor, 'client.email_confirmation_resend', 'client', clientId, null, { email: client.email });
      return { email: client.email };
    });
  }

  /**
   * Staff mail an employee whose address is not confirmed a new confirmation link (earlier links keep
   * working until they expire). Audited; at most once per 5 minutes per employee, counting the link
   * mailed when the address was set: 429 with Retry-After otherwise; 409 when already confirmed.
   */
  async resendEmployeeEmailConfirmation(employeeId: number, actor: Actor, requestOrigin: string): Promise<{ email: string }> {
    const now = this.clock.now();
    return this.db.transaction(async (trx) => {
      await lockKey(trx, this.db.dialect, `confirm-email:employee:${employeeId}`);
      const employee = await this.tokens.employeeForConfirmation(trx, employeeId);
      if (!employee) throw notFound('Employee', employeeId);
      if (employee.emailConfirmedAt) throw appError('conflict', 'auth.emailAlreadyConfirmed', { email: employee.email }, { field: 'email' });
      if (!employee.enabled) throw appError('conflict', 'employee.disabled', {}, { field: 'enabled' });
      const last = await this.tokens.lastIssuedAt(trx, 'email_confirmation', 'employee', employeeId);
      const wait = last ? Date.parse(last) + CONFIRMATION_RESEND_INTERVAL_MS - now.getTime() : 0;
      if (wait > 0) {
        throw appError('rate_limited', 'auth.confirmationTooSoon', { minutes: CONFIRMATION_RESEND_INTERVAL_MS / 60_000 }, { details: { retryAfterSeconds: Math.ceil(wait / 1000) } });
      }
      const principal: Principal = { kind: 'employee', id: employeeId, email: employee.email, name: employee.name, isAdmin: !!employee.isAdmin, language: employee.language };
      await this.mailConfirmationLink(trx, principal, requestOrigin);
      await this.audit.record(trx, actor, 'employee.email_confirmation_resend', 'employee', employeeId, null, { email: employee.email });
      return { email: employee.email };
    });
  }

  /** Someone registered with a taken address: its owner hears of it (with where to reset the password), nobody else. */
  async mailRegistrationAttempt(emailInput: string, requestOrigin: string): Promise<void> {
    const found = await this.findCredentials(emailInput.trim().toLowerCase());
    if (!found) return;
    const now = this.clock.now();
    await this.db.transaction(async (trx) => {
      // At most one notice per address and hour, however often someone tries.
      const hour = now.toISOString().slice(0, 13);
      await this.mail(trx, found.principal, 'registration_attempt', `registration_attempt:${hour}`, `${this.linkBase(requestOrigin)}/forgot-password`);
    });
  }

  /** Sets a new password with a reset token; the account's sessions and other reset links end. Audited. */
  async confirmPasswordReset(token: string, password: string, ip: string): Promise<void> {
    await this.reserveAttempt(TOKEN_ATTEMPTS, ip, 'auth.tooManyAttempts');
    const { row, principal } = await this.usableToken(token, 'password_reset');
    checkNewPassword(password, principal.email);
    const passwordHash = await hashPassword(password);
    const now = this.clock.now().toISOString();
    await this.db.transaction(async (trx) => {
      if (!(await this.tokens.use(trx, row.id, now))) throw tokenError(row, now);
      await this.tokens.useAllOf(trx, principal.kind, principal.id, 'password_reset', now);
      await this.tokens.setPasswordHash(trx, principal.kind, principal.id, passwordHash, now);
      await this.repo.deleteSessionsOf(trx, principal.kind, principal.id);
      await this.audit.record(trx, actorOf(principal), `${principal.kind}.password_reset`, principal.kind, principal.id, null, { password: SECRET_CHANGED });
    });
    await this.repo.clearAttempts(this.db.kysely, TOKEN_ATTEMPTS, ip, this.windowStart());
  }

  /** Marks a client's or an employee's e-mail address confirmed with the mailed token. Audited. */
  async confirmEmail(token: string, ip: string): Promise<void> {
    await this.reserveAttempt(TOKEN_ATTEMPTS, ip, 'auth.tooManyAttempts');
    const { row, principal } = await this.usableToken(token, 'email_confirmation');
    const now = this.clock.now().toISOString();
    await this.db.transaction(async (trx) => {
      if (!(await this.tokens.use(trx, row.id, now))) throw tokenError(row, now);
      if (principal.kind === 'employee') await this.tokens.confirmEmployeeEmail(trx, principal.id, row.email, now);
      else await this.tokens.confirmClientEmail(trx, principal.id, row.email, now);
      await this.audit.record(trx, actorOf(principal), `${principal.kind}.email_confirm`, principal.kind, principal.id, null, { email: row.email, emailConfirmed: true });
    });
    await this.repo.clearAttempts(this.db.kysely, TOKEN_ATTEMPTS, ip, this.windowStart());
  }

  private async issueToken(trx: Executor, kind: MailedTokenKind, principal: Principal): Promise<{ id: number; token: string }> {
    const now = this.clock.now();
    const token = randomToken();
    const ttl = kind === 'password_reset' ? PASSWORD_RESET_TTL_MS : EMAIL_CONFIRMATION_TTL_MS;
    await this.tokens.deleteExpired(trx, new Date(now.getTime() - 24 * 3600_000).toISOString());
    const { id } = await this.tokens.insert(trx, {
      tokenHash: sha256(token),
      kind,
      principalKind: principal.kind,
      principalId: principal.id,
      email: principal.email,
      expiresAt: new Date(now.getTime() + ttl).toISOString(),
      createdAt: now.toISOString(),
    });
    return { id: Number(id), token };
  }

  private async mail(trx: Executor, principal: Principal, event: 'password_reset' | 'email_confirmation' | 'registration_attempt', eventKey: string, link: string): Promise<void> {
    const now = this.clock.now();
    const values = { email: principal.email, link };
    if (principal.kind === 'client') {
      await enqueueClientMessage(trx, now, { clientId: principal.id, event, eventKey, values, entityType: 'client', entityId: principal.id });
      return;
    }
    const provider = await this.tokens.defaultProviderName(trx);
    const rendered = await renderStored(trx, event, principal.language, { name: principal.name, provider, ...values });
    await enqueueMessage(trx, now, {
      eventKey, event, recipientAddress: principal.email, recipientName: principal.name, locale: rendered.locale,
      subject: rendered.subject, text: rendered.text, html: rendered.html, employeeId: principal.id, entityType: 'employee', entityId: principal.id,
    });
  }

  /** The token's row and its principal, or a 400 on `token` saying why it cannot be used. */
  private async usableToken(token: string, kind: MailedTokenKind) {
    const row = await this.tokens.find(this.db.kysely, sha256(token));
    const now = this.clock.now().toISOString();
    if (!row || row.kind !== kind) throw appError('validation', 'auth.tokenUnknown', {}, { field: 'token' });
    if (row.usedAt || row.expiresAt <= now) throw tokenError(row, now);
    const principal = await this.findPrincipal(row.principalKind, row.principalId);
    // The account is gone or disabled, or its address changed since the link was mailed.
    if (!principal || principal.email !== row.email) throw appError('validation', 'auth.tokenUnknown', {}, { field: 'token' });
    return { row, principal };
  }

  private async findCredentials(email: string) {
    const employee = await this.repo.findEmployeeByEmail(this.db.kysely, email);
    if (employee) {
      return { principal: employeePrincipal(employee), passwordHash: employee.passwordHash, enabled: !!employee.enabled };
    }
    for (const source of this.sources) {
      const found = await source.findByEmail(email);
      if (found) return { principal: found as Principal, passwordHash: found.passwordHash, enabled: found.enabled };
    }
    return undefined;
  }

  private async findPrincipal(kind: string, id: number): Promise<Principal | undefined> {
    if (kind === 'employee') {
      const employee = await this.repo.findEmployee(this.db.kysely, id);
      return employee?.enabled ? this.withRights(employeePrincipal(employee)) : undefined;
    }
    const found = await this.sources.find((s) => s.kind === kind)?.findById(id);
    return found?.enabled ? found : undefined;
  }
}

function tokenError(row: { usedAt: string | null; expiresAt: string }, now: string): AppError {
  if (row.usedAt) return appError('validation', 'auth.tokenUsed', {}, { field: 'token' });
  return appError('validation', row.expiresAt <= now ? 'auth.tokenExpired' : 'auth.tokenUsed', {}, { field: 'token' });
}

/** Who acted when a mailed link was used: its owner. */
function actorOf(principal: Principal): Actor {
  return principal.kind === 'employee'
    ? { kind: 'employee', id: principal.id, label: principal.email, isAdmin: principal.isAdmin, locale: principal.language }
    : { kind: 'client', id: principal.id, label: principal.email, providerId: principal.providerId ?? 0, locale: principal.language };
}

function employeePrincipal(row: { id: number; email: string; name: string; isAdmin: number; language: string }): Principal {
  return { kind: 'employee', id: row.id, email: row.email, name: row.name, isAdmin: !!row.isAdmin, language: row.language };
}

export function toMe(principal: Principal, impersonatorId: number | null): MeView {
  return {
    kind: principal.kind,
    id: principal.id,
    email: principal.email,
    name: principal.name,
    isAdmin: principal.isAdmin,
    locale: principal.language,
    impersonatedBy: impersonatorId,
    ...(principal.kind === 'employee' ? { rights: [...(principal.rights ?? [])] } : {}),
  };
}
