import type { Kysely } from 'kysely';
import { columnTypes, type DialectKind } from '../dialect.js';

/**
 * Staff's versions of the e-mails (Settings → Notification templates): per event and locale at most
 * one subject and body; without one the shipped words are sent. Deleting it restores them.
 */
export async function up(db: Kysely<unknown>, dialect: DialectKind): Promise<void> {
  const t = columnTypes(dialect);
  await db.schema
    .createTable('message_templates')
    .addColumn('id', t.id, t.idConstraints)
    .addColumn('event', 'text', (c) => c.notNull())
    .addColumn('locale', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('created_at', t.timestamp, (c) => c.notNull())
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .addUniqueConstraint('message_templates_event_locale', ['event', 'locale'])
    .execute();
}
