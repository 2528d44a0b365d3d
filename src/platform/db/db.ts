import { sql, type Kysely, type Transaction } from 'kysely';
import pg from 'pg';
import type { Logger } from 'pino';
import type { DbHandle, DialectKind } from './dialect.js';
import type { Database } from './schema.js';

/** Either the database or an open transaction: repositories accept both. */
export type Executor = Kysely<Database> | Transaction<Database>;

/** Topics a transaction raised, announced once it has committed. */
const raised = new WeakMap<object, Set<string>>();

/**
 * Says "when this commits, tell whoever waits for `topic`" (e.g. a new operation for the worker).
 * Outside a transaction there is nothing to wait for: the listeners' polling finds it.
 */
export function raiseOnCommit(db: Executor, topic: string): void {
  if (!db.isTransaction) return;
  const topics = raised.get(db) ?? new Set<string>();
  topics.add(topic);
  raised.set(db, topics);
}

type Listener = () => void;

export class Db {
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly listenClients = new Set<pg.Client>();
  private closing = false;

  constructor(private readonly handle: DbHandle) {}

  get kysely(): Kysely<Database> {
    return this.handle.kysely;
  }

  get dialect(): DialectKind {
    return this.handle.dialect;
  }

  async transaction<T>(work: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
    let used: Transaction<Database> | undefined;
    const result = await this.handle.kysely.transaction().execute((trx) => {
      used = trx;
      return work(trx);
    });
    const topics = used && raised.get(used);
    if (topics) for (const topic of topics) this.announce(topic);
    return result;
  }

  /**
   * Calls `listener` after any transaction that raised `topic` commits: in this process at once; on
   * PostgreSQL in every other process too (NOTIFY). A hint only: listeners still poll.
   */
  onCommitted(topic: string, listener: Listener): () => void {
    const set = this.listeners.get(topic) ?? new Set<Listener>();
    set.add(listener);
    this.listeners.set(topic, set);
    return () => set.delete(listener);
  }

  /** Hears other processes' announcements of `topic` (PostgreSQL LISTEN); nothing to do on SQLite. */
  async listen(topic: string, logger?: Logger): Promise<void> {
    if (this.dialect !== 'postgres' || !this.handle.databaseUrl) return;
    const client = new pg.Client({ connectionString: this.handle.databaseUrl });
    this.listenClients.add(client);
    client.on('notification', (message) => {
      if (message.channel === channelOf(topic)) this.callListeners(topic);
    });
    client.on('error', (error) => {
      // Polling still finds the work; try to listen again a little later.
      logger?.warn({ err: error }, `listening for ${topic} failed; retrying`);
      this.listenClients.delete(client);
      client.end().catch(() => {});
      if (!this.closing) setTimeout(() => void this.listen(topic, logger).catch(() => {}), 1_000).unref();
    });
    await client.connect();
    await client.query(`LISTEN ${channelOf(topic)}`);
  }

  /** Once: a second call (a test that closed the database under a running app) does nothing. */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    await Promise.all([...this.listenClients].map((c) => c.end().catch(() => {})));
    this.listenClients.clear();
    await this.handle.close();
  }

  private announce(topic: string): void {
    this.callListeners(topic);
    if (this.dialect === 'postgres') {
      // After the commit, so a woken worker sees the rows; lost if this process dies now (polling covers it).
      sql`select pg_notify(${channelOf(topic)}, '')`.execute(this.kysely).catch(() => {});
    }
  }

  private callListeners(topic: string): void {
    for (const listener of this.listeners.get(topic) ?? []) listener();
  }
}

function channelOf(topic: string): string {
  return `billrelay_${topic.replace(/[^a-z0-9_]/gi, '_')}`;
}
