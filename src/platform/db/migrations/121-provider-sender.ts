import type { Kysely } from 'kysely';
import type { DialectKind } from '../dialect.js';

/** A provider's own sender of its clients' e-mails (display name and address); absent, BILLRELAY_MAIL_FROM's address with the provider's name. */
export async function up(db: Kysely<unknown>, _dialect: DialectKind): Promise<void> {
  await db.schema.alterTable('providers').addColumn('mail_from_name', 'text').execute();
  await db.schema.alterTable('providers').addColumn('mail_from_address', 'text').execute();
}
