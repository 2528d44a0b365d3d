import { Command } from 'commander';
import { runSandboxCli } from '../sandbox/main.js';

export function sandboxCommand(): Command {
  return new Command('sandbox')
    .description('Run the upstream simulator (a BILLmanager that sells ispmanager licenses) to try billrelay without an account')
    .option('-p, --port <port>', 'port to listen on', '1500')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--seed <seed>', 'seed for fault probabilities and license keys', '1')
    .option('--profile <profile>', 'realistic (the upstream as public evidence shows it) or convenient (remoteid echoed, currency in whoami)', 'realistic')
    .action(async (opts: { port: string; host: string; seed: string; profile: string }) => {
      const port = Number(opts.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) {
        process.stderr.write(`billrelay: --port must be a port number, got "${opts.port}"\n`);
        process.exitCode = 1;
        return;
      }
      if (opts.profile !== 'realistic' && opts.profile !== 'convenient') {
        process.stderr.write(`billrelay: --profile must be realistic or convenient, got "${opts.profile}"\n`);
        process.exitCode = 1;
        return;
      }
      await runSandboxCli({ port, host: opts.host, seed: Number(opts.seed) || 1, profile: opts.profile });
    });
}
