import { Command } from 'commander';
import { openConfiguredDatabase } from '../app.js';
import { createAdministrator } from '../platform/auth/bootstrap.js';
import { systemClock } from '../platform/clock.js';
import { loadConfig } from '../platform/config.js';
import { Db } from '../platform/db/db.js';
import { migrateToLatest } from '../platform/db/migrate.js';
import { AppError } from '../platform/errors.js';

export function adminCommand(): Command {
  const admin = new Command('admin').description('Manage administrator accounts');
  admin
    .command('create')
    .description('Create an administrator; without --password (or $BILLRELAY_ADMIN_PASSWORD) one is generated and printed once')
    .requiredOption('--email <email>', 'e-mail address used to log in')
    .option('--name <name>', 'display name', 'Administrator')
    .option('--password <password>', 'password (at least 8 characters); prefer $BILLRELAY_ADMIN_PASSWORD to keep it out of shell history')
    .action(async (opts: { email: string; name: string; password?: string }) => {
      const handle = openConfiguredDatabase(loadConfig());
      try {
        await migrateToLatest(handle);
        const created = await createAdministrator(new Db(handle), systemClock, {
          email: opts.email,
          name: opts.name,
          password: opts.password ?? process.env.BILLRELAY_ADMIN_PASSWORD,
        });
        process.stdout.write(`Administrator ${created.email} created (id ${created.id}).\n`);
        if (created.generatedPassword) process.stdout.write(`One-time password: ${created.generatedPassword}\n`);
      } catch (error) {
        if (error instanceof AppError) {
          process.stderr.write(`billrelay: ${error.message}\n`);
          process.exitCode = 1;
          return;
        }
        throw error;
      } finally {
        await handle.close();
      }
    });
  return admin;
}
