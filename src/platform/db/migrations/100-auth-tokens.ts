import type { Kysely } from 'kysely';
import { columnTypes, type DialectKind } from '../dialect.js';

/**
 * One-time tokens mailed for a password reset or an e-mail confirmation: only their sha256 is kept
 * (the token itself exists only in the e-mail), each expires and is used at most once. And the
 * moment a client confirmed their e-mail address.
 */
export async function up(db: Kysely<unknown>, dialect: DialectKind): Promise<void> {
  const t = columnTypes(dialect);
  await db.schema
    .createTable('auth_tokens')
    .addColumn('id', t.id, t.idConstraints)
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('principal_kind', 'text', (c) => c.notNull())
    .addColumn('principal_id', t.ref, (c) => c.notNull())
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('expires_at', t.timestamp, (c) => c.notNull())
    .addColumn('used_at', t.timestamp)
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('auth_tokens_principal').on('auth_tokens').columns(['principal_kind', 'principal_id', 'kind']).execute();
  await db.schema.alterTable('clients').addColumn('email_confirmed_at', t.timestamp).execute();
}
