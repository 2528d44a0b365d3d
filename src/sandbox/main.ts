// `billrelay sandbox`: runs the upstream simulator in the foreground and says how to connect to it.

import { DEMO_ACCOUNT } from './state.js';
import { startSandbox, type Sandbox, type SandboxOptions } from './server.js';

export interface SandboxCliOptions extends Pick<SandboxOptions, 'port' | 'host' | 'seed' | 'profile'> {
  /** Where the connection details are printed (stdout by default). */
  print?: (line: string) => void;
  /** Close on SIGINT/SIGTERM (default true); tests turn it off. */
  handleSignals?: boolean;
}

export async function runSandboxCli(options: SandboxCliOptions = {}): Promise<Sandbox> {
  const print = options.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const sandbox = await startSandbox({ port: options.port ?? 1500, host: options.host, seed: options.seed, profile: options.profile });
  for (const line of banner(sandbox)) print(line);
  if (options.handleSignals ?? true) {
    const stop = () => void sandbox.close().then(() => process.exit(0));
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  }
  return sandbox;
}

function banner(sandbox: Sandbox): string[] {
  return [
    `billrelay upstream sandbox listening on ${sandbox.url} (${sandbox.state.profile} profile)`,
    '',
    'Connect a "billmanager" processing module with:',
    `  URL       ${sandbox.url}`,
    `  Username  ${DEMO_ACCOUNT.username}`,
    `  Password  ${DEMO_ACCOUNT.password}`,
    `  (balance ${DEMO_ACCOUNT.balance} EUR; tariffs 55227 lite, 55228 pro, 55229 host, 55239 trial)`,
    '',
    `Controls: POST/DELETE ${sandbox.url}/_control/faults, POST ${sandbox.url}/_control/accounts,`,
    `          GET ${sandbox.url}/_control/inspect, POST ${sandbox.url}/_control/clock, POST ${sandbox.url}/_control/settings,`,
    `          POST ${sandbox.url}/_control/list-filter`,
  ];
}
