// Backing up and restoring the embedded SQLite database (PostgreSQL has pg_dump and pg_restore).
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { FatalError } from '../fatal.js';
import { KNOWN_MIGRATIONS, MIGRATION_TABLE, schemaNewerError, unknownMigrations } from './migrate.js';
import { describeRunning, registerRunning, runningProcesses } from './running.js';

export interface BackupProgress {
  copiedPages: number;
  totalPages: number;
}

export interface BackupResult {
  file: string;
  bytes: number;
  /** The newest migration in the copy. */
  schema: string;
}

/**
 * Copies the live database to `target` with SQLite's online backup API: a consistent copy while
 * servers and workers keep writing. Written aside and renamed, so `target` is either the old file or a
 * whole backup; mode 0600 (it holds password hashes, sessions and money).
 */
export async function backupSqlite(dbFile: string, target: string, onProgress?: (p: BackupProgress) => void): Promise<BackupResult> {
  if (!fs.existsSync(dbFile)) throw new FatalError(`There is no billrelay database at ${dbFile} (check BILLRELAY_DATA_DIR).`);
  const to = path.resolve(target);
  if (sameFile(to, dbFile)) throw new FatalError('The backup cannot be written over the database itself: name another file.');
  if (!fs.existsSync(path.dirname(to))) throw new FatalError(`The directory ${path.dirname(to)} does not exist.`);
  const partial = path.join(path.dirname(to), `.${path.basename(to)}.${randomBytes(4).toString('hex')}.partial`);
  fs.closeSync(fs.openSync(partial, 'wx', 0o600));
  const source = new SqliteDatabase(dbFile, { fileMustExist: true });
  try {
    source.pragma('busy_timeout = 5000');
    let last = Number.POSITIVE_INFINITY;
    await source.backup(partial, {
      progress({ totalPages, remainingPages }) {
        onProgress?.({ copiedPages: totalPages - remainingPages, totalPages });
        // A write by another connection restarts the copy. Copy in steps of about 1% so a long backup
        // shows progress, but after a restart take the rest in one step (one read transaction, which
        // in WAL mode never blocks the writers), so a busy server cannot keep restarting it.
        const restarted = remainingPages > last;
        last = remainingPages;
        return restarted ? totalPages : Math.max(256, Math.ceil(totalPages / 100));
      },
    });
    // A copy of a database a newer billrelay upgraded is still a backup (of that version).
    const schema = inspectDatabase(partial, to, { allowNewer: true }).at(-1)!;
    fs.chmodSync(partial, 0o600);
    fsyncFile(partial);
    fs.renameSync(partial, to);
    fsyncFile(path.dirname(to));
    return { file: to, bytes: fs.statSync(to).size, schema };
  } catch (error) {
    fs.rmSync(partial, { force: true });
    throw error;
  } finally {
    source.close();
  }
}

export interface RestoreResult {
  /** The newest migration in the restored database. */
  schema: string;
  /** Migrations the next start applies (the backup is older than the code). */
  pending: string[];
  /** The database that was replaced, kept beside it (absent when there was none). */
  previous?: string;
}

/**
 * Replaces the database under `dataDir` with the backup `source`: refused while a billrelay process
 * (or anything else) has the database open, and for a file that is not a billrelay database or is
 * newer than this code. The replaced database is kept as billrelay.sqlite.before-restore-<time>.
 */
export function restoreSqlite(dbFile: string, dataDir: string, source: string, now = new Date()): RestoreResult {
  const from = path.resolve(source);
  if (!fs.existsSync(from) || !fs.statSync(from).isFile()) throw new FatalError(`${from} is not a file.`);
  if (sameFile(from, dbFile)) throw new FatalError(`${from} is the database itself: name a backup file.`);
  const wal = `${from}-wal`;
  if (fs.existsSync(wal) && fs.statSync(wal).size > 0) {
    throw new FatalError(`${from} has a write-ahead log beside it (${path.basename(wal)}): it is a database in use or a copy of one, not a backup. Make a backup with billrelay backup.`);
  }
  fs.mkdirSync(path.dirname(dbFile), { recursive: true, mode: 0o700 });
  const registration = registerRunning(dataDir, 'restore');
  const staged = `${dbFile}.restore-${randomBytes(4).toString('hex')}`;
  try {
    const running = runningProcesses(dataDir, registration);
    if (running.length) {
      throw new FatalError(
        `billrelay is running on this database: ${describeRunning(running)}. Stop every billrelay process using ${dataDir} ` +
          '(e.g. systemctl stop billrelay billrelay-worker@\'*\') and run restore again.',
      );
    }
    // A private copy first: the checks below open it, and opening the user's file could leave -shm/-wal beside it.
    fs.closeSync(fs.openSync(staged, 'wx', 0o600));
    fs.copyFileSync(from, staged);
    fs.chmodSync(staged, 0o600);
    // Run as root (by mistake, or from a script): the database stays the service user's, who owns the directory.
    if (process.getuid?.() === 0) {
      const owner = fs.statSync(path.dirname(dbFile));
      fs.chownSync(staged, owner.uid, owner.gid);
    }
    const migrations = inspectDatabase(staged, from);
    fsyncFile(staged);
    const previous = fs.existsSync(dbFile) ? `${dbFile}.before-restore-${now.toISOString().replace(/[:.]/g, '-')}` : undefined;
    if (previous) takeOver(dbFile, previous);
    for (const sidecar of [`${dbFile}-wal`, `${dbFile}-shm`, `${dbFile}-journal`]) fs.rmSync(sidecar, { force: true });
    fs.renameSync(staged, dbFile);
    fsyncFile(path.dirname(dbFile));
    return {
      schema: migrations.at(-1)!,
      pending: KNOWN_MIGRATIONS.filter((m) => !migrations.includes(m)),
      previous,
    };
  } catch (error) {
    fs.rmSync(staged, { force: true });
    throw error;
  } finally {
    registration.release();
  }
}

/**
 * Makes sure nothing has the current database open (an unregistered process: an older billrelay, a
 * `sqlite3` shell), folds its write-ahead log in so the file alone is whole, and keeps it as `previous`
 * (a hard link: the database's name never points to nothing).
 */
function takeOver(dbFile: string, previous: string): void {
  const current = new SqliteDatabase(dbFile, { fileMustExist: true });
  try {
    current.pragma('busy_timeout = 0');
    // Exclusive locking mode before the first read: the lock is taken on the file itself, which every
    // other connection (in WAL mode, even an idle one) holds a shared lock on.
    current.pragma('locking_mode = EXCLUSIVE');
    try {
      current.exec('begin exclusive; commit');
    } catch (error) {
      if ((error as { code?: string }).code?.startsWith('SQLITE_BUSY')) {
        throw new FatalError(`${dbFile} is open in another process (a billrelay command, or a tool such as sqlite3): stop it and run restore again.`);
      }
      throw error;
    }
    // Leaving WAL mode writes the log into the file and removes it.
    current.pragma('journal_mode = DELETE');
  } finally {
    current.close();
  }
  fs.linkSync(dbFile, previous);
}

/**
 * Checks that `file` is a whole billrelay SQLite database not newer than this code; returns its
 * migrations. `shownAs` is the name used in messages.
 */
export function inspectDatabase(file: string, shownAs: string, options: { allowNewer?: boolean } = {}): string[] {
  const header = Buffer.alloc(16);
  const fd = fs.openSync(file, 'r');
  try {
    fs.readSync(fd, header, 0, 16, 0);
  } finally {
    fs.closeSync(fd);
  }
  if (header.toString('latin1') !== 'SQLite format 3\0') throw new FatalError(`${shownAs} is not an SQLite database, so not a billrelay backup.`);
  const db = new SqliteDatabase(file, { fileMustExist: true });
  try {
    const check = db.pragma('quick_check', { simple: true });
    if (check !== 'ok') throw new FatalError(`${shownAs} is damaged (SQLite's check says: ${String(check)}).`);
    const hasTable = db.prepare(`select 1 from sqlite_master where type = 'table' and name = ?`).get(MIGRATION_TABLE);
    const migrations = hasTable
      ? (db.prepare(`select name from ${MIGRATION_TABLE} order by name`).all() as { name: string }[]).map((r) => r.name)
      : [];
    if (!migrations.includes(KNOWN_MIGRATIONS[0]!)) throw new FatalError(`${shownAs} is an SQLite database but not a billrelay one.`);
    const unknown = unknownMigrations(migrations);
    if (unknown.length && !options.allowNewer) throw schemaNewerError(unknown, shownAs);
    return migrations;
  } catch (error) {
    if ((error as { code?: string }).code === 'SQLITE_NOTADB') throw new FatalError(`${shownAs} is not an SQLite database, so not a billrelay backup.`);
    throw error;
  } finally {
    db.close();
  }
}

function sameFile(a: string, b: string): boolean {
  try {
    const x = fs.statSync(a);
    const y = fs.statSync(b);
    return x.dev === y.dev && x.ino === y.ino;
  } catch {
    return path.resolve(a) === path.resolve(b);
  }
}

function fsyncFile(file: string): void {
  const fd = fs.openSync(file, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}
