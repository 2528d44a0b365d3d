// Staff's versions of the e-mails (Settings → Notification templates), looked up when a message is
// written: the recipient's language's version, else — for a language without shipped words — the
// English one; without a version, the shipped words (index.ts).
import type { Executor } from '../../../platform/db/db.js';
import { FALLBACK_LOCALE, languageCode, render, TEMPLATE_LOCALES, type MessageEvent, type Rendered } from './index.js';

export interface StoredTemplate {
  locale: string;
  subject: string;
  body: string;
}

/** The version staff wrote for `event` that a recipient speaking `language` gets, if any. */
export async function storedTemplateFor(db: Executor, event: MessageEvent, language: string | null | undefined): Promise<StoredTemplate | undefined> {
  const code = languageCode(language) || FALLBACK_LOCALE;
  const rows = await db
    .selectFrom('messageTemplates')
    .select(['locale', 'subject', 'body'])
    .where('event', '=', event)
    .where('locale', 'in', [...new Set([code, FALLBACK_LOCALE])])
    .execute();
  const own = rows.find((r) => r.locale === code);
  if (own) return own;
  // A shipped locale without a version keeps its shipped words; any other language gets English.
  if (TEMPLATE_LOCALES.includes(code)) return undefined;
  return rows.find((r) => r.locale === FALLBACK_LOCALE);
}

/** render() with staff's version when there is one. */
export async function renderStored(db: Executor, event: MessageEvent, language: string | null | undefined, values: Record<string, string>): Promise<Rendered> {
  return render(event, language, values, await storedTemplateFor(db, event, language));
}
