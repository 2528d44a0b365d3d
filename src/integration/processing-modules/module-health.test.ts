import { describe, expect, test } from 'vitest';
import type { UpstreamErrorKind } from './drivers/driver.js';
import { moduleErrorAfter, type ModuleErrorChange } from './module-health.js';

const ACCOUNT_KINDS: UpstreamErrorKind[] = ['auth', 'access', 'network', 'reset', 'http', 'tls', 'timeout', 'protocol', 'insufficient-funds', 'currency'];
const ORDER_KINDS: UpstreamErrorKind[] = ['value', 'not-found', 'rejected'];

describe("a module's error is its last call's verdict on the module", () => {
  test.each<[string, boolean, ModuleErrorChange]>([
    ['a success clears a stored error', true, 'clear'],
    ['a success writes nothing when there is none', false, 'keep'],
  ])('%s', (_, hasError, change) => {
    expect(moduleErrorAfter({ ok: true }, hasError)).toBe(change);
  });

  describe('an operation on one license', () => {
    test.each(ACCOUNT_KINDS.flatMap((kind) => [[kind, false], [kind, true]] as const))('failing with %s (stored error: %s) marks the module: the account or the way to it is broken', (kind, hasError) => {
      expect(moduleErrorAfter({ ok: false, kind, call: 'order' }, hasError)).toBe('mark');
    });

    test.each(ORDER_KINDS.flatMap((kind) => [[kind, false], [kind, true]] as const))('refused with %s (stored error: %s) changes nothing: the refusal is about that order', (kind, hasError) => {
      expect(moduleErrorAfter({ ok: false, kind, call: 'order' }, hasError)).toBe('keep');
    });
  });

  test.each([...ACCOUNT_KINDS, ...ORDER_KINDS])('a question about the account itself (balance, list) failing with %s marks it', (kind) => {
    expect(moduleErrorAfter({ ok: false, kind, call: 'account' }, false)).toBe('mark');
  });

  test('every kind of upstream failure is placed (the two lists cover them all, once)', () => {
    const all: Record<UpstreamErrorKind, true> = {
      auth: true, access: true, value: true, 'insufficient-funds': true, 'not-found': true, rejected: true,
      network: true, tls: true, timeout: true, http: true, reset: true, protocol: true, currency: true,
    };
    expect([...ACCOUNT_KINDS, ...ORDER_KINDS].sort()).toEqual(Object.keys(all).sort());
  });
});
