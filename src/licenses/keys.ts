// What a license's operations and ledger entries are called. An operation's idempotency key and a
// charge's ledger reference each name what they are for, so the same request made twice (a retry, a
// second process, a double click) finds the first instead of doing it again. Built here only.
import { randomUUID } from 'node:crypto';

/** Idempotency keys of a license's running operations. */
export const operationKey = {
  /** One purchase per license, ever. */
  open: (licenseId: number) => `open:${licenseId}`,
  /** One deletion per license, whoever asks (staff, the expiry job, an abandoned order). */
  close: (licenseId: number) => `close:${licenseId}`,
  /** One renewal per period, named by the expiry it extends from. */
  prolong: (licenseId: number, periodStart: string) => `prolong:${licenseId}:${periodStart}`,
  /** The expiry job suspends once per expiry; staff may suspend and resume any number of times. */
  suspendAtExpiry: (licenseId: number, expiresOn: string | null) => `suspend:${licenseId}:${expiresOn}`,
  suspend: (licenseId: number) => `suspend:${licenseId}:${randomUUID()}`,
  resume: (licenseId: number) => `resume:${licenseId}:${randomUUID()}`,
  setParams: (licenseId: number) => `set_params:${licenseId}:${randomUUID()}`,
  newKey: (licenseId: number) => `new_key:${licenseId}:${randomUUID()}`,
  /** Also the reference of its charge, for operations queued before payloads named their charge. */
  changeTariff: (licenseId: number, tariffId: number, expiresOn: string | null) => `change_tariff:${licenseId}:${tariffId}:${expiresOn}`,
  sync: (licenseId: number) => `sync:${licenseId}:${randomUUID()}`,
};

/** Ledger references of a license's charges: each names what it paid for, so it is charged once. */
export const chargeReference = {
  order: (licenseId: number) => `order:${licenseId}`,
  renewal: (licenseId: number, periodStart: string) => `renewal:${licenseId}:${periodStart}`,
  tariffChange: (licenseId: number, tariffId: number, expiresOn: string | null) => `change_tariff:${licenseId}:${tariffId}:${expiresOn}`,
};

/** Refunds of a license share one prefix, so what is left to refund counts them all (see chargedFor). */
export const refundReference = {
  /** Money an administrator gives back by hand: any number of times, up to what was charged. */
  manual: (licenseId: number) => `refund:license:${licenseId}:${randomUUID()}`,
  /** One charge given back because what it paid for never came: once per charge. */
  undelivered: (licenseId: number, charge: string) => `refund:license:${licenseId}:${charge}`,
};
