import type { Kysely } from 'kysely';
import type { DialectKind } from '../dialect.js';

/** A client's phone number, part of their contact details beside the e-mail address; optional. */
export async function up(db: Kysely<unknown>, _dialect: DialectKind): Promise<void> {
  await db.schema.alterTable('clients').addColumn('phone', 'text').execute();
}
