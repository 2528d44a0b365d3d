// The upstream simulator as a test starts it: on the test's own clock, so a test that moves time
// moves it for the upstream too (a renewal counted "from today" means the test's today).
import { startSandbox, type Sandbox, type SandboxOptions } from '../../src/sandbox/index.js';
import type { TestBillrelay } from './billrelay.js';
import { noteSecret } from './secrets.js';

/** Account passwords set on it are secrets for the secret watch (secrets.ts). */
export async function startUpstream(t: Pick<TestBillrelay, 'clock'>, options: Omit<SandboxOptions, 'now'> = {}): Promise<Sandbox> {
  const sandbox = await startSandbox({ ...options, now: () => t.clock.now() });
  const upsert = sandbox.control.upsertAccount.bind(sandbox.control);
  sandbox.control.upsertAccount = (input) => {
    noteSecret(input.password, `the upstream password of ${input.username}`);
    return upsert(input);
  };
  return sandbox;
}
