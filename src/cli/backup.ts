import { Command } from 'commander';
import { sqliteFileOf } from '../app.js';
import { loadConfig } from '../platform/config.js';
import { backupSqlite, restoreSqlite, type BackupProgress } from '../platform/db/backup.js';
import { FatalError } from '../platform/fatal.js';

const POSTGRES_BACKUP =
  'This installation uses PostgreSQL (DATABASE_URL): back it up with PostgreSQL\'s own tools, e.g. ' +
  'pg_dump --format=custom --file=billrelay.dump "$DATABASE_URL", and restore with pg_restore (see the README, Production).';

export function backupCommand(): Command {
  return new Command('backup')
    .description('Copy the SQLite database to a file while billrelay keeps running (SQLite\'s online backup); PostgreSQL: use pg_dump')
    .requiredOption('--to <file>', 'the backup file to write (replaced if it exists)')
    .action(async (opts: { to: string }) => {
      const config = loadConfig();
      if (config.databaseUrl) throw new FatalError(`billrelay backup copies the embedded SQLite database. ${POSTGRES_BACKUP}`);
      const started = Date.now();
      let shownAt = 0;
      const progress = ({ copiedPages, totalPages }: BackupProgress) => {
        // Only a long backup reports as it goes, at most once a second.
        const now = Date.now();
        if (now - started < 1_000 || now - shownAt < 1_000) return;
        shownAt = now;
        process.stderr.write(`Backing up: ${Math.floor((copiedPages / totalPages) * 100)}% (${copiedPages} of ${totalPages} pages)\n`);
      };
      const result = await backupSqlite(sqliteFileOf(config), opts.to, progress);
      process.stdout.write(
        `Backed up to ${result.file} (${formatBytes(result.bytes)}, schema ${result.schema}).\n` +
          `Keep ${config.dataDir}/secret.key (unless BILLRELAY_SECRET_KEY is set) and ${config.dataDir}/attachments with it: ` +
          'upstream passwords cannot be read without the key.\n',
      );
    });
}

export function restoreCommand(): Command {
  return new Command('restore')
    .description('Replace the SQLite database with a backup made by billrelay backup; refused while billrelay runs on it. PostgreSQL: use pg_restore')
    .requiredOption('--from <file>', 'the backup file')
    .action((opts: { from: string }) => {
      const config = loadConfig();
      if (config.databaseUrl) throw new FatalError(`billrelay restore replaces the embedded SQLite database. ${POSTGRES_BACKUP}`);
      const result = restoreSqlite(sqliteFileOf(config), config.dataDir, opts.from);
      process.stdout.write(`Restored ${sqliteFileOf(config)} from ${opts.from} (schema ${result.schema}).\n`);
      if (result.pending.length) process.stdout.write(`The next start upgrades it: ${result.pending.join(', ')}.\n`);
      if (result.previous) process.stdout.write(`The database it replaced is kept as ${result.previous}; delete it once you are satisfied.\n`);
    });
}

function formatBytes(bytes: number): string {
  if (bytes < 1024 * 1024) return `${Math.ceil(bytes / 1024)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
