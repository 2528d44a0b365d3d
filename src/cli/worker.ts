import { Command } from 'commander';
import { createBillrelay } from '../app.js';
import { loadConfig } from '../platform/config.js';

export function workerCommand(): Command {
  return new Command('worker')
    .description(
      'Run the background worker alone, without the web server: claims and runs operations beside other ' +
        'processes on the same database (DATABASE_URL or BILLRELAY_DATA_DIR; BILLRELAY_WORKER_POLL_MS, BILLRELAY_WORKER_CONCURRENCY, BILLRELAY_OPERATION_LEASE_MS); sends the e-mail outbox when BILLRELAY_SMTP_URL is set',
    )
    .option('--once', 'run what is due now, then exit')
    .action(async (opts: { once?: boolean }) => {
      const config = loadConfig();
      const billrelay = await createBillrelay({ config: { ...config, worker: { ...config.worker, enabled: !opts.once } }, role: 'worker' });
      if (billrelay.firstAdmin?.generatedPassword) {
        process.stdout.write(`\nFirst administrator created: ${billrelay.firstAdmin.email}\nOne-time password: ${billrelay.firstAdmin.generatedPassword}\n\n`);
      }
      if (opts.once) {
        const counts = await billrelay.worker.runOnce();
        const mail = await billrelay.mailer.runOnce();
        process.stdout.write(`${JSON.stringify({ ...counts, mail })}\n`);
        await billrelay.close();
        return;
      }
      process.stdout.write(`billrelay worker ${billrelay.worker.owner} is running\n`);
      // The worker's poll timer is unref'd (a server's socket keeps that process alive); alone on
      // SQLite nothing else would, and the process would end by itself once idle.
      const keepAlive = setInterval(() => {}, 1 << 30);
      const stop = async () => {
        // Graceful: the operations in flight finish and commit before the process ends.
        clearInterval(keepAlive);
        await billrelay.close();
        process.exit(0);
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}
