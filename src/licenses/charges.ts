// What a license's charges and refunds are called in the ledger, and giving a charge back when what it
// paid for will not come (product rule: a purchase that cannot be completed is refunded, never lost).
import type { Actor } from '../platform/actor.js';
import type { Executor } from '../platform/db/db.js';
import { Money } from '../platform/money.js';
import type { LedgerService } from '../clients/ledger/service.js';
import type { OperationKind, OperationPayloads } from './model.js';
import { LicenseRepository, type LicenseRow } from './repository.js';

import { chargeReference, refundReference } from './keys.js';

export { chargeReference, refundReference };

/** An operation as the ledger needs to see it. */
export interface PaidOperation {
  kind: string;
  payload: string;
  idempotencyKey: string;
}

/**
 * The charge an operation was paid with, if what it paid for has not happened (judged by the license as
 * stored now): an open whose license never got its key, a renewal whose expiry never moved, a tariff
 * change that never took. Null for kinds nobody pays for.
 */
export function undeliveredCharge(op: PaidOperation, license: LicenseRow): string | null {
  const kind = op.kind as OperationKind;
  if (kind === 'open') return license.licenseKey === null ? chargeReference.order(license.id) : null;
  if (kind === 'prolong') {
    const p = JSON.parse(op.payload) as OperationPayloads['prolong'];
    const renewed = license.expiresOn !== null && license.expiresOn >= p.expectedExpiry;
    return renewed ? null : (p.chargeReference ?? chargeReference.renewal(license.id, p.periodStart));
  }
  if (kind === 'change_tariff') {
    const p = JSON.parse(op.payload) as OperationPayloads['change_tariff'];
    // Queued before the payload named its charge: the idempotency key is the charge's reference.
    const charged = p.chargeReference ?? (op.idempotencyKey.startsWith('change_tariff:') ? op.idempotencyKey : null);
    return license.tariffId !== p.tariffId ? charged : null;
  }
  return null;
}

export class ChargeRefunds {
  private readonly licenses = new LicenseRepository();

  constructor(private readonly ledger: LedgerService) {}

  /**
   * Gives back the charge of an operation that ends without having done what was paid for: once (the
   * refund's reference names the charge), and never more than the license still has charged after any
   * refunds made by hand. Returns the amount given back, or null when there was nothing to give back.
   */
  async refundUndelivered(trx: Executor, op: PaidOperation, license: LicenseRow, reason: string, actor: Actor): Promise<Money | null> {
    const reference = undeliveredCharge(op, license);
    if (!reference) return null;
    const charge = await this.ledger.entry(trx, reference);
    if (!charge || charge.kind !== 'charge') return null; // a free trial, a change that cost nothing
    const left = await this.licenses.chargedFor(trx, license.id);
    const amount = -charge.amountMinor < left ? -charge.amountMinor : left;
    if (amount <= 0n) return null;
    const money = Money.of(amount, charge.currency);
    const posted = await this.ledger.postIn(
      trx,
      { clientId: charge.clientId, kind: 'refund', amount: money, reference: refundReference.undelivered(license.id, reference), comment: reason },
      actor,
    );
    return posted.created ? money : null;
  }

  /**
   * The reference to charge `base` with: `base` itself, or once that charge was given back, the first
   * `base:again<n>` not given back, so a refunded renewal or tariff change can be paid for again (and
   * is not delivered for free on the strength of the old, refunded charge).
   */
  async chargeable(db: Executor, licenseId: number, base: string): Promise<string> {
    for (let n = 1; ; n += 1) {
      const reference = n === 1 ? base : `${base}:again${n}`;
      if (!(await this.ledger.entry(db, refundReference.undelivered(licenseId, reference)))) return reference;
    }
  }

  /** Whether the charge of this operation was given back (then running it again would deliver for free). */
  async refunded(db: Executor, op: PaidOperation, license: LicenseRow): Promise<boolean> {
    const reference = undeliveredCharge(op, license);
    return reference !== null && (await this.ledger.entry(db, refundReference.undelivered(license.id, reference))) !== undefined;
  }
}
