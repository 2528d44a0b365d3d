import type { Selectable } from 'kysely';
import type { Executor } from '../../platform/db/db.js';
import type { MessageTemplateTable } from '../../platform/db/schema.js';

export type TemplateRow = Selectable<MessageTemplateTable>;

export class TemplateRepository {
  all(db: Executor): Promise<TemplateRow[]> {
    return db.selectFrom('messageTemplates').selectAll().orderBy('event').orderBy('locale').execute();
  }

  find(db: Executor, event: string, locale: string): Promise<TemplateRow | undefined> {
    return db.selectFrom('messageTemplates').selectAll().where('event', '=', event).where('locale', '=', locale).executeTakeFirst();
  }

  /** Inserts or replaces the version of (event, locale). */
  async save(db: Executor, row: { event: string; locale: string; subject: string; body: string }, now: string): Promise<void> {
    await db
      .insertInto('messageTemplates')
      .values({ ...row, createdAt: now, updatedAt: now })
      .onConflict((oc) => oc.columns(['event', 'locale']).doUpdateSet({ subject: row.subject, body: row.body, updatedAt: now }))
      .execute();
  }

  async remove(db: Executor, event: string, locale: string): Promise<number> {
    const result = await db.deleteFrom('messageTemplates').where('event', '=', event).where('locale', '=', locale).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
