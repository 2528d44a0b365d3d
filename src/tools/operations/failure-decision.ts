// What happens to an operation after an attempt that did not finish it: tried again after a backoff,
// put back to wait (a key the upstream has not issued yet), or handed to a person. Decided here from
// plain facts, so the rules read in one place and are tested without a database; the engine only
// carries the decision out.
import { isUpstreamError } from '../../integration/processing-modules/drivers/driver.js';
import { ManualProcessingRequired } from '../../integration/processing-modules/drivers/manual/driver.js';
import { upstreamToAppError } from '../../integration/processing-modules/upstream-errors.js';
import { OperationProblem } from './handlers.js';

/** What went wrong, in the terms the decision needs. */
export type Failure =
  /** The module is manual: everything it does is done by hand. */
  | { kind: 'manual_module' }
  /** billrelay itself found something only a person can settle (OperationProblem). */
  | { kind: 'problem'; code: string; message: string }
  /** The upstream failed or refused; `transient` failures may pass on their own. */
  | { kind: 'upstream'; transient: boolean; code: string; message: string }
  /** Our own trouble (a database hiccup, a bug). */
  | { kind: 'internal'; message: string }
  /** Nothing failed, but the upstream is not done yet (a key not issued): look again after `delayMs`. */
  | { kind: 'waiting'; delayMs: number; message: string };

export interface RetryPolicy {
  /** Attempts (counted from the last restart) before a failing or waiting operation goes to a person. */
  maxAttempts: number;
  retryBaseMs: number;
  retryMaxMs: number;
}

export interface FailureFacts {
  failure: Failure;
  /** Attempts since the last restart, the one that just failed included. */
  attempts: number;
  policy: RetryPolicy;
  /** A number in [0, 1) for the jitter (Math.random; fixed in tests). */
  random: () => number;
}

/** `code` and `message` are what the operation row (and the task, for a person) say. */
export type FailureDecision =
  | { action: 'retry'; delayMs: number; code: string; message: string }
  | { action: 'wait'; delayMs: number; code: 'waiting'; message: string }
  | { action: 'person'; code: string; message: string };

export const MANUAL_MODULE_MESSAGE = 'The processing module is manual: the operation is done by hand';

export function decideAfterFailure(facts: FailureFacts): FailureDecision {
  const { failure } = facts;
  switch (failure.kind) {
    case 'manual_module':
      return { action: 'person', code: 'manual_module', message: MANUAL_MODULE_MESSAGE };
    case 'problem':
      return { action: 'person', code: failure.code, message: failure.message };
    case 'upstream':
      // A refusal (wrong credentials, a rejected value, no money upstream) stays a refusal: asking again changes nothing.
      if (!failure.transient) return { action: 'person', code: failure.code, message: failure.message };
      return retryOrGiveUp(facts, failure.code, failure.message);
    case 'internal':
      // Retried like a passing upstream fault, then a person.
      return retryOrGiveUp(facts, 'internal', failure.message);
    case 'waiting':
      // At the limit the person reads what is still awaited; nothing failed, so no "gave up".
      if (limitReached(facts)) return { action: 'person', code: 'waiting', message: failure.message };
      return { action: 'wait', delayMs: failure.delayMs, code: 'waiting', message: failure.message };
  }
}

function retryOrGiveUp(facts: FailureFacts, code: string, message: string): FailureDecision {
  if (limitReached(facts)) return { action: 'person', code, message: `${message} (gave up after ${facts.attempts} attempts)` };
  return { action: 'retry', delayMs: backoff(facts), code, message };
}

function limitReached(facts: FailureFacts): boolean {
  return facts.attempts >= facts.policy.maxAttempts;
}

/**
 * Exponential backoff over the attempts since the last restart, capped, with jitter in [cap/2, cap]:
 * operations that failed together (an upstream outage) do not all come back at the same moment.
 */
export function backoff(facts: Pick<FailureFacts, 'attempts' | 'policy' | 'random'>): number {
  const n = Math.max(0, facts.attempts - 1);
  // The exponent is bounded so that a large attempt count cannot overflow to Infinity.
  const cap = Math.min(facts.policy.retryMaxMs, facts.policy.retryBaseMs * 2 ** Math.min(n, 30));
  return Math.round(cap / 2 + (facts.random() * cap) / 2);
}

/** What a handler threw, as the decision's facts (checked in this order: a manual module's refusal is no bug). */
export function failureOf(error: unknown): Failure {
  if (error instanceof ManualProcessingRequired) return { kind: 'manual_module' };
  if (error instanceof OperationProblem) return { kind: 'problem', code: error.code, message: error.message };
  if (isUpstreamError(error)) {
    const mapped = upstreamToAppError(error);
    return { kind: 'upstream', transient: error.transient, code: mapped.code, message: mapped.message };
  }
  return { kind: 'internal', message: error instanceof Error ? error.message : String(error) };
}
