import { Command } from 'commander';
import { openConfiguredDatabase } from '../app.js';
import { loadConfig } from '../platform/config.js';
import { migrateToLatest } from '../platform/db/migrate.js';
import { claimDataDir } from '../platform/db/running.js';

export function migrateCommand(): Command {
  return new Command('migrate')
    .description('Create or upgrade the database schema (SQLite under BILLRELAY_DATA_DIR, or DATABASE_URL)')
    .action(async () => {
      const config = loadConfig();
      const running = config.databaseUrl ? undefined : claimDataDir(config.dataDir, 'command');
      const handle = openConfiguredDatabase(config);
      try {
        const applied = await migrateToLatest(handle);
        process.stdout.write(applied.length ? `Applied: ${applied.join(', ')}\n` : 'The database is up to date.\n');
      } finally {
        await handle.close();
        running?.release();
      }
    });
}
