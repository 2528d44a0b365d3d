import { Command } from 'commander';
import { createBillrelay } from '../app.js';
import { loadConfig } from '../platform/config.js';

export function startCommand(): Command {
  return new Command('start')
    .description('Start the web UI, the REST API and the background worker (PORT, HOST, BILLRELAY_DATA_DIR, DATABASE_URL)')
    .option('-p, --port <port>', 'port to listen on (default: $PORT or 8080)')
    .option('--host <host>', 'address to listen on (default: $HOST or 0.0.0.0)')
    .action(async (opts: { port?: string; host?: string }) => {
      const config = loadConfig({ ...process.env, ...(opts.port ? { PORT: opts.port } : {}), ...(opts.host ? { HOST: opts.host } : {}) });
      const billrelay = await createBillrelay({ config, role: 'server' });
      if (billrelay.firstAdmin) {
        const { email, generatedPassword } = billrelay.firstAdmin;
        // Printed once, on the console only: the log stream never carries it.
        process.stdout.write(
          generatedPassword
            ? `\nFirst administrator created: ${email}\nOne-time password: ${generatedPassword}\nChange it after logging in.\n\n`
            : `\nFirst administrator created: ${email} (password from BILLRELAY_ADMIN_PASSWORD)\n\n`,
        );
      }
      await billrelay.app.listen({ port: config.port, host: config.host });
      const shown = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
      process.stdout.write(`billrelay is running on http://${shown}:${config.port}/billmgr (API docs: /api/docs)\n`);
      const stop = async () => {
        await billrelay.close();
        process.exit(0);
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}
