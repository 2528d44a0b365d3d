// The upstream simulator as a test starts it: on the test's own clock, so a test that moves time
// moves it for the upstream too (a renewal counted "from today" means the test's today).
import { startSandbox, type Sandbox, type SandboxOptions } from '../../src/sandbox/index.js';
import type { TestBillrelay } from './billrelay.js';

export function startUpstream(t: Pick<TestBillrelay, 'clock'>, options: Omit<SandboxOptions, 'now'> = {}): Promise<Sandbox> {
  return startSandbox({ ...options, now: () => t.clock.now() });
}
