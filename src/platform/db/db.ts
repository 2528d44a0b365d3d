import type { Kysely, Transaction } from 'kysely';
import type { DbHandle, DialectKind } from './dialect.js';
import type { Database } from './schema.js';

/** Either the database or an open transaction: repositories accept both. */
export type Executor = Kysely<Database> | Transaction<Database>;

export class Db {
  constructor(private readonly handle: DbHandle) {}

  get kysely(): Kysely<Database> {
    return this.handle.kysely;
  }

  get dialect(): DialectKind {
    return this.handle.dialect;
  }

  transaction<T>(work: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
    return this.handle.kysely.transaction().execute(work);
  }

  close(): Promise<void> {
    return this.handle.close();
  }
}
