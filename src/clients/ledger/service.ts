// The balance ledger: append-only entries, each with a unique reference, and a running total kept
// in the same transaction. Every money movement of a client goes through here.
import type { Actor } from '../../platform/actor.js';
import type { AuditService } from '../../platform/audit/service.js';
import type { Clock } from '../../platform/clock.js';
import type { Db, Executor } from '../../platform/db/db.js';
import { isUniqueViolation } from '../../platform/db/dialect.js';
import type { Page, PageQuery } from '../../platform/db/paging.js';
import { AppError, notFound, appError } from '../../platform/errors.js';
import { Money } from '../../platform/money.js';
import { BALANCE_LIMIT_MINOR, LedgerRepository, type LedgerEntryRow } from './repository.js';
import type { LedgerEntryView } from './schemas.js';
import { receiptNumber, renderReceipt } from './receipt.js';
import { enqueueClientMessage, moneyWords } from '../../tools/messages/outbox.js';

/**
 * payment: money in; charge: an order, renewal or change; refund: money back to the balance;
 * correction: staff's signed fix; reversal: a gateway took a payment back (refunded to the card, or
 * disputed by the payer), stored negative and booked even below the credit limit (the money is gone).
 */
export type EntryKind = 'payment' | 'charge' | 'refund' | 'correction' | 'reversal';

export interface Posting {
  clientId: number;
  kind: EntryKind;
  /** Positive: money in (payment, refund); charges and reversals are posted as positive amounts and stored negative. */
  amount: Money;
  reference: string;
  method?: string | null;
  comment?: string | null;
}

export interface Posted {
  entry: LedgerEntryView;
  /** false when the reference existed already and nothing changed. */
  created: boolean;
}

export class LedgerService {
  private readonly repo = new LedgerRepository();

  constructor(
    private readonly db: Db,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  /** Posts an entry in its own transaction; an existing reference returns the existing entry. */
  async post(posting: Posting, actor: Actor): Promise<Posted> {
    try {
      // No look-up first: the unique reference decides, and a repeat costs one rolled-back transaction.
      return await this.db.transaction((trx) => this.postIn(trx, posting, actor, { lookFirst: false }));
    } catch (error) {
      // The reference exists (a retry, or another transaction committed it first): its entry is the answer.
      if (isUniqueViolation(error)) {
        const existing = await this.repo.findByReference(this.db.kysely, posting.reference);
        if (existing) return this.existing(existing, posting);
      }
      throw error;
    }
  }

  /**
   * Posts within the caller's transaction (an order charges and creates its license together).
   * A charge that would take the balance below the credit limit is refused with 402.
   */
  async postIn(trx: Executor, posting: Posting, actor: Actor, options = { lookFirst: true }): Promise<Posted> {
    if (options.lookFirst) {
      const existing = await this.repo.findByReference(trx, posting.reference);
      if (existing) return this.existing(existing, posting);
    }
    const signed = signedAmount(posting);
    const balanceAfter = await this.repo.applyToBalance(trx, posting.clientId, signed, posting.amount.currency, posting.kind === 'correction' || posting.kind === 'reversal');
    if (balanceAfter === undefined) throw await this.whyRefused(trx, posting, signed);
    const row = await this.repo.insert(trx, {
      clientId: posting.clientId,
      kind: posting.kind,
      amountMinor: signed,
      currency: posting.amount.currency,
      balanceAfterMinor: balanceAfter,
      reference: posting.reference,
      method: posting.method ?? null,
      comment: posting.comment ?? null,
      actorKind: actor.kind,
      actorId: actor.id,
      createdAt: this.clock.now().toISOString(),
    });
    const entry = toView(row);
    // A charge is part of an order, renewal or tariff change, which is audited itself; the entry
    // already names its actor. Money that people move by hand gets its own audit entry.
    if (posting.kind !== 'charge') await this.audit.record(trx, actor, `ledger.${posting.kind}`, 'client', posting.clientId, null, entry);
    // The client hears of a payment booked, once per entry, in this transaction.
    if (posting.kind === 'payment') {
      await enqueueClientMessage(trx, this.clock.now(), {
        clientId: posting.clientId,
        event: 'payment_booked',
        eventKey: `payment_booked:${entry.id}`,
        values: { amount: moneyWords(signed, posting.amount.currency), balance: moneyWords(balanceAfter, posting.amount.currency) },
        entityType: 'ledger_entry',
        entityId: entry.id,
      });
    }
    return { entry, created: true };
  }

  private existing(existing: LedgerEntryRow, posting: Posting): Posted {
    if (existing.clientId !== posting.clientId) {
      throw appError('conflict', 'ledger.referenceOtherClient', { reference: posting.reference }, { field: 'reference' });
    }
    return { entry: toView(existing), created: false };
  }

  /** Why the balance did not move: no such client, another currency, or not enough money. */
  private async whyRefused(trx: Executor, posting: Posting, signed: bigint): Promise<AppError> {
    const client = await this.repo.client(trx, posting.clientId);
    if (!client) return notFound('Client', posting.clientId);
    if (posting.amount.currency !== client.currency) {
      return appError('validation', 'money.currency', { currency: posting.amount.currency, clientCurrency: client.currency }, { field: 'amount' });
    }
    const after = client.balanceMinor + signed;
    if (after > BALANCE_LIMIT_MINOR || after < -BALANCE_LIMIT_MINOR) return balanceOverflow(client.currency);
    return insufficientFunds(client, signed);
  }

  /** The entry with this reference, if any. */
  entry(db: Executor, reference: string): Promise<LedgerEntryRow | undefined> {
    return this.repo.findByReference(db, reference);
  }

  async balance(clientId: number, db: Executor = this.db.kysely): Promise<Money> {
    const client = await this.repo.client(db, clientId);
    if (!client) throw notFound('Client', clientId);
    return Money.of(client.balanceMinor, client.currency);
  }

  /** The balance recomputed from the entries; equals the running total (tests and audits check it). */
  async balanceFromEntries(clientId: number): Promise<Money> {
    const client = await this.repo.client(this.db.kysely, clientId);
    if (!client) throw notFound('Client', clientId);
    return Money.of(await this.repo.sumOf(this.db.kysely, clientId), client.currency);
  }

  /** A payment's printable receipt (HTML); 404 for an entry that is not a payment of this client. */
  async receipt(clientId: number, entryId: number): Promise<{ html: string; filename: string }> {
    const entry = await this.repo.payment(this.db.kysely, clientId, entryId);
    const parties = entry && (await this.repo.receiptParties(this.db.kysely, clientId));
    if (!entry || !parties) throw notFound('Payment', entryId);
    const html = renderReceipt({
      entryId: entry.id,
      reference: entry.reference,
      method: entry.method,
      amountMinor: entry.amountMinor,
      currency: entry.currency,
      balanceAfterMinor: entry.balanceAfterMinor,
      createdAt: entry.createdAt,
      client: { id: parties.id, name: parties.name, email: parties.email, language: parties.language },
      provider: { name: parties.providerName, websiteUrl: parties.websiteUrl, supportEmail: parties.supportEmail },
    });
    return { html, filename: `receipt-${receiptNumber(entry.id)}.html` };
  }

  /** The entries, newest first; only those of one kind (the payments) when asked. */
  async list(clientId: number, page: PageQuery, kind?: EntryKind): Promise<Page<LedgerEntryView> & { balance: string; currency: string }> {
    const balance = await this.balance(clientId);
    const [rows, total] = await Promise.all([this.repo.list(this.db.kysely, clientId, page, kind), this.repo.count(this.db.kysely, clientId, kind)]);
    return { items: rows.map(toView), total, page: page.page, perPage: page.perPage, balance: balance.toString(), currency: balance.currency };
  }
}

function signedAmount(posting: Posting): bigint {
  const minor = posting.amount.minor;
  if (posting.kind === 'correction') return minor;
  if (minor <= 0n) throw appError('validation', 'value.amountAboveZero', {}, { field: 'amount' });
  return posting.kind === 'charge' || posting.kind === 'reversal' ? -minor : minor;
}

function balanceOverflow(currency: string): AppError {
  const limit = Money.of(BALANCE_LIMIT_MINOR, currency).toString();
  return appError('unprocessable', 'ledger.balanceOverflow', { limit, currency }, { field: 'amount' });
}

function insufficientFunds(client: { balanceMinor: bigint; creditLimitMinor: bigint; currency: string }, signed: bigint): AppError {
  const available = Money.of(client.balanceMinor + client.creditLimitMinor, client.currency);
  const missing = Money.of(-signed - (client.balanceMinor + client.creditLimitMinor), client.currency);
  return appError(
    'payment_required',
    'money.insufficient',
    { missing: missing.toString(), currency: client.currency, available: available.toString() },
    { field: 'amount', details: { missing: missing.toString(), currency: client.currency } },
  );
}

export function toView(row: LedgerEntryRow): LedgerEntryView {
  return {
    id: row.id,
    kind: row.kind as EntryKind,
    amount: Money.of(row.amountMinor, row.currency).toString(),
    currency: row.currency,
    balanceAfter: Money.of(row.balanceAfterMinor, row.currency).toString(),
    reference: row.reference,
    method: row.method,
    comment: row.comment,
    actor: { kind: row.actorKind, id: row.actorId },
    createdAt: row.createdAt,
  };
}
