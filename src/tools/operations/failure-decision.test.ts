// The decision after an attempt that did not finish an operation, from plain facts: no database.
import { describe, expect, test } from 'vitest';
import { ManualProcessingRequired } from '../../integration/processing-modules/drivers/manual/driver.js';
import { UpstreamHttpError, UpstreamTimeoutError, UpstreamValueError } from '../../integration/processing-modules/drivers/driver.js';
import { backoff, decideAfterFailure, failureOf, MANUAL_MODULE_MESSAGE, type Failure, type FailureDecision } from './failure-decision.js';
import { OperationProblem } from './handlers.js';

const policy = { maxAttempts: 8, retryBaseMs: 1_000, retryMaxMs: 60_000 };
const refused: Failure = { kind: 'upstream', transient: false, code: 'upstream_value', message: 'The upstream rejected the value of "ip"' };
const outage: Failure = { kind: 'upstream', transient: true, code: 'upstream_unreachable', message: 'The upstream answered HTTP 503' };
const bug: Failure = { kind: 'internal', message: 'database is locked' };
const keyMissing: Failure = { kind: 'waiting', delayMs: 30_000, message: 'The upstream has not issued the key of license 7 yet' };
const problem: Failure = { kind: 'problem', code: 'renewal_not_extended', message: 'its expiry did not move' };

/** random() = 0 gives the lowest delay a backoff may choose (half its cap). */
const decide = (failure: Failure, attempts: number, random = 0) => decideAfterFailure({ failure, attempts, policy, random: () => random });

describe('decideAfterFailure', () => {
  test.each<[string, Failure, number, FailureDecision]>([
    ['a permanent upstream refusal goes to a person at once', refused, 1, { action: 'person', code: 'upstream_value', message: refused.message }],
    ['… on any attempt, without "gave up"', refused, 3, { action: 'person', code: 'upstream_value', message: refused.message }],
    ['a transient upstream failure is retried after the backoff', outage, 1, { action: 'retry', delayMs: 500, code: 'upstream_unreachable', message: outage.message }],
    ['… the backoff doubles with each attempt', outage, 3, { action: 'retry', delayMs: 2_000, code: 'upstream_unreachable', message: outage.message }],
    ['… up to the attempt before the limit', outage, 7, { action: 'retry', delayMs: 30_000, code: 'upstream_unreachable', message: outage.message }],
    [
      '… and goes to a person at the limit, saying it gave up',
      outage,
      8,
      { action: 'person', code: 'upstream_unreachable', message: `${outage.message} (gave up after 8 attempts)` },
    ],
    ['… or past it (a lower limit configured meanwhile)', outage, 9, { action: 'person', code: 'upstream_unreachable', message: `${outage.message} (gave up after 9 attempts)` }],
    ['our own error is retried like a transient one', bug, 1, { action: 'retry', delayMs: 500, code: 'internal', message: bug.message }],
    ['… then goes to a person at the limit', bug, 8, { action: 'person', code: 'internal', message: `${bug.message} (gave up after 8 attempts)` }],
    ['a key still missing waits the time the handler asked for', keyMissing, 1, { action: 'wait', delayMs: 30_000, code: 'waiting', message: keyMissing.message }],
    ['… and goes to a person at the limit with the wait message', keyMissing, 8, { action: 'person', code: 'waiting', message: keyMissing.message }],
    ['a manual module goes to a person at once', { kind: 'manual_module' }, 1, { action: 'person', code: 'manual_module', message: MANUAL_MODULE_MESSAGE }],
    ['a problem billrelay found goes to a person at once, with its code', problem, 1, { action: 'person', code: 'renewal_not_extended', message: problem.message }],
  ])('%s', (_, failure, attempts, expected) => {
    expect(decide(failure, attempts)).toEqual(expected);
  });

  test('the attempts count from the last restart: a restarted operation starts the backoff and the budget anew', () => {
    // The engine passes attempts - attemptsAtRestart; 9 attempts with 8 before the restart is the first.
    expect(decide(outage, 9 - 8)).toMatchObject({ action: 'retry', delayMs: 500 });
  });
});

describe('backoff', () => {
  const wide = { ...policy, maxAttempts: 100 };
  // cap = min(retryMaxMs, retryBaseMs · 2^(attempts-1)); the delay lies in [cap/2, cap].
  test.each([
    [1, 1_000],
    [2, 2_000],
    [4, 8_000],
    [6, 32_000],
    [7, 60_000], // 64 s capped at retryMaxMs
    [40, 60_000], // a large count neither overflows nor exceeds the cap
  ])('attempt %i: jittered within [cap/2, cap] with cap %i', (attempts, cap) => {
    for (const random of [0, 0.25, 0.5, 0.999999]) {
      const delay = backoff({ attempts, policy: wide, random: () => random });
      expect(delay).toBe(Math.round(cap / 2 + (random * cap) / 2));
      expect(delay).toBeGreaterThanOrEqual(cap / 2);
      expect(delay).toBeLessThanOrEqual(cap);
    }
  });

  test('the retry decision uses it', () => {
    expect(decideAfterFailure({ failure: outage, attempts: 2, policy, random: () => 0.5 })).toMatchObject({ action: 'retry', delayMs: 1_500 });
  });
});

describe('failureOf', () => {
  test.each<[string, unknown, Failure]>([
    ['a manual module', new ManualProcessingRequired('open'), { kind: 'manual_module' }],
    ['a problem billrelay found', new OperationProblem('License 1 has no upstream license yet', 'no_upstream_license'), { kind: 'problem', code: 'no_upstream_license', message: 'License 1 has no upstream license yet' }],
    ['a refused value', new UpstreamValueError('ip'), { kind: 'upstream', transient: false, code: 'upstream_value', message: 'The upstream rejected the value of "ip"' }],
    ['a timeout', new UpstreamTimeoutError('no answer in 30 s'), { kind: 'upstream', transient: true, code: 'upstream_timeout', message: 'no answer in 30 s' }],
    ['an HTTP 503', new UpstreamHttpError(503, ''), { kind: 'upstream', transient: true, code: 'upstream_unreachable', message: 'The upstream answered HTTP 503' }],
    ['an HTTP 404 (a wrong URL)', new UpstreamHttpError(404, ''), { kind: 'upstream', transient: false, code: 'upstream_unreachable', message: 'The upstream answered HTTP 404' }],
    ['our own error', new Error('database is locked'), { kind: 'internal', message: 'database is locked' }],
    ['anything else thrown', 'boom', { kind: 'internal', message: 'boom' }],
  ])('%s', (_, error, expected) => {
    expect(failureOf(error)).toEqual(expected);
  });
});
