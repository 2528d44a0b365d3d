// Which processes use the SQLite database of a data directory, so that `billrelay restore` never
// replaces it under a running server or worker, and a server never starts in the middle of a restore.
//
// Each process writes <dataDir>/run/<role>-<pid>-<random>.json while it uses the database and removes it
// when it closes. A process killed without closing leaves its file behind: such a file is stale when its
// pid is no longer alive or belongs to another process now (Linux: the process start time differs),
// and is ignored and removed. Both sides write their own file before looking at the others', so of a
// server and a restore starting at the same moment at least one sees the other.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { FatalError } from '../fatal.js';

export type RunningRole = 'server' | 'worker' | 'command' | 'restore';

export interface RunningEntry {
  role: RunningRole;
  pid: number;
  startedAt: string;
  /** /proc/<pid>/stat's start time (clock ticks since boot), where there is a /proc. */
  processStart?: string;
}

export interface Registration {
  readonly file: string;
  release(): void;
}

export function runDirOf(dataDir: string): string {
  return path.join(dataDir, 'run');
}

/** Files still registered when the process exits (normally or by process.exit) are removed then. */
const registered = new Set<string>();
let exitHookInstalled = false;

export function registerRunning(dataDir: string, role: RunningRole): Registration {
  const dir = runDirOf(dataDir);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const name = `${role}-${process.pid}-${randomBytes(4).toString('hex')}`;
  const file = path.join(dir, `${name}.json`);
  const entry: RunningEntry = { role, pid: process.pid, startedAt: new Date().toISOString(), processStart: processStart(process.pid) };
  // Written aside and renamed, so a reader never sees a half-written file.
  const partial = path.join(dir, `.${name}.tmp`);
  fs.writeFileSync(partial, JSON.stringify(entry), { mode: 0o600 });
  fs.renameSync(partial, file);
  registered.add(file);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => {
      for (const f of registered) fs.rmSync(f, { force: true });
    });
  }
  return {
    file,
    release() {
      if (!registered.delete(file)) return;
      fs.rmSync(file, { force: true });
    },
  };
}

/** The live processes registered in the data directory (except `own`); stale files are removed. */
export function runningProcesses(dataDir: string, own?: Registration): RunningEntry[] {
  const dir = runDirOf(dataDir);
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  const live: RunningEntry[] = [];
  for (const name of names) {
    if (!name.endsWith('.json')) continue;
    const file = path.join(dir, name);
    if (own && file === own.file) continue;
    let entry: RunningEntry;
    try {
      entry = JSON.parse(fs.readFileSync(file, 'utf8')) as RunningEntry;
    } catch {
      continue; // removed meanwhile, or not ours
    }
    if (isAlive(entry)) live.push(entry);
    else fs.rmSync(file, { force: true });
  }
  return live;
}

export function describeRunning(entries: readonly RunningEntry[]): string {
  return entries.map((e) => `${e.role} (pid ${e.pid}, since ${e.startedAt})`).join(', ');
}

function isAlive(entry: RunningEntry): boolean {
  if (!Number.isInteger(entry.pid) || entry.pid <= 0) return false;
  try {
    process.kill(entry.pid, 0);
  } catch (error) {
    // EPERM: alive, but another user's.
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  // The pid may have been reused by an unrelated process since a crash (e.g. pid 1 in a container).
  const now = processStart(entry.pid);
  return !(entry.processStart && now && now !== entry.processStart);
}

function processStart(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 22 (starttime); the command name (field 2) may hold spaces, so count after its ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/**
 * Registers a process that is about to open the SQLite database of `dataDir`; refused while a
 * restore is replacing it. Release it when the database is closed.
 */
export function claimDataDir(dataDir: string, role: Exclude<RunningRole, 'restore'>): Registration {
  const registration = registerRunning(dataDir, role);
  const restoring = runningProcesses(dataDir, registration).filter((e) => e.role === 'restore');
  if (restoring.length) {
    registration.release();
    throw new FatalError(`A restore is replacing the database in ${dataDir} (pid ${restoring.map((e) => e.pid).join(', ')}): start billrelay once it has finished.`);
  }
  return registration;
}
