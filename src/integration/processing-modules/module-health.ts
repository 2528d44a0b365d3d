// A module's status ("error" or not) is the verdict of its last call on the module itself, not the
// worst thing that ever happened to it. Decided here from plain facts, so the rule reads in one place
// and is tested without a database; the service only writes what it says.
import type { UpstreamErrorKind } from './drivers/driver.js';

/**
 * What a failure says about the module. `account`: the account or the way to it is broken (wrong
 * credentials, no API access, the upstream unreachable or answering garbage, no money, no currency):
 * every call through the module would fail the same way. `order`: the upstream answered, refusing
 * one request about one license (a value it rejects, a license it does not know, an order it refuses).
 * A new kind must be placed here (the Record makes the compiler ask).
 */
const FAILURE_IS_ABOUT: Record<UpstreamErrorKind, 'account' | 'order'> = {
  auth: 'account',
  access: 'account',
  network: 'account',
  reset: 'account',
  http: 'account',
  tls: 'account',
  timeout: 'account',
  protocol: 'account',
  'insufficient-funds': 'account',
  currency: 'account',
  value: 'order',
  'not-found': 'order',
  rejected: 'order',
};

export type ModuleCall =
  | { ok: true }
  /**
   * `call`: what was asked. `account`: a question about the account itself (balance, license list),
   * which fails only when the account does; `order`: an operation on one license.
   */
  | { ok: false; kind: UpstreamErrorKind; call: 'account' | 'order' };

/** `mark`: store the error; `clear`: forget the stored one; `keep`: write nothing. */
export type ModuleErrorChange = 'mark' | 'clear' | 'keep';

/** What the module's stored error becomes after a call; `hasError`: whether it has one now. */
export function moduleErrorAfter(result: ModuleCall, hasError: boolean): ModuleErrorChange {
  if (result.ok) return hasError ? 'clear' : 'keep';
  if (result.call === 'account') return 'mark';
  return FAILURE_IS_ABOUT[result.kind] === 'account' ? 'mark' : 'keep';
}
