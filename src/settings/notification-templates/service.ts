// Settings → Notification templates: staff's versions of the e-mails, per event and language. A version
// replaces the shipped words (tools/messages/templates) for every message written after it is saved;
// deleting it restores them. Only the event's own {placeholders} may be used.
import type { Actor } from '../../platform/actor.js';
import type { AuditService } from '../../platform/audit/service.js';
import type { Clock } from '../../platform/clock.js';
import type { Db } from '../../platform/db/db.js';
import { appError, notFound } from '../../platform/errors.js';
import {
  blockPlaceholdersOf,
  defaultTemplate,
  FALLBACK_LOCALE,
  languageCode,
  MESSAGE_EVENTS,
  placeholdersIn,
  placeholdersOf,
  renderTemplate,
  TEMPLATE_LOCALES,
  type EditableTemplate,
  type MessageEvent,
} from '../../tools/messages/templates/index.js';
import type { LocalizationService } from '../localizations/service.js';
import { TemplateRepository, type TemplateRow } from './repository.js';
import type { TemplateInput, TemplatePreview, TemplateSummary, TemplateView } from './schemas.js';

/** What a preview fills in: plausible values for the placeholders every sender gives; any other shows its name. */
const SAMPLES: Record<string, string> = {
  name: 'Anna Berg',
  provider: 'Example Hosting',
  email: 'anna.berg@example.com',
  licenseName: 'web-shop',
  ip: '203.0.113.10',
  expiresOn: '2027-01-31',
  licenseKey: 'ISP6-1A2B-3C4D-5E6F',
  amount: '25.00 EUR',
  balance: '40.00 EUR',
  link: 'https://billing.example.com/billmgr/…',
};

export function sampleValues(event: MessageEvent): Record<string, string> {
  return Object.fromEntries(placeholdersOf(event).map((name) => [name, SAMPLES[name] ?? `[${name}]`]));
}

export class NotificationTemplateService {
  private readonly repo = new TemplateRepository();

  constructor(
    private readonly db: Db,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly localizations: LocalizationService,
  ) {}

  /** The shipped languages and every enabled localization's language. */
  async locales(): Promise<string[]> {
    const catalog = await this.localizations.catalog();
    const codes = new Set(TEMPLATE_LOCALES);
    for (const code of catalog.enabled) {
      const lang = languageCode(code);
      if (/^[a-z]{2,3}$/.test(lang)) codes.add(lang);
    }
    return [...codes];
  }

  async list(): Promise<{ items: TemplateSummary[]; locales: string[] }> {
    const locales = await this.locales();
    const rows = await this.repo.all(this.db.kysely);
    const items: TemplateSummary[] = [];
    for (const event of MESSAGE_EVENTS) {
      for (const locale of locales) {
        const view = this.view(event, locale, rows);
        items.push({ event, locale, customized: view.customized, subject: view.current.subject, updatedAt: view.updatedAt });
      }
    }
    return { items, locales };
  }

  async get(event: MessageEvent, locale: string): Promise<TemplateView> {
    await this.checkLocale(event, locale);
    return this.view(event, locale, await this.repo.all(this.db.kysely));
  }

  async save(event: MessageEvent, locale: string, input: TemplateInput, actor: Actor): Promise<TemplateView> {
    await this.checkLocale(event, locale);
    checkTemplate(event, input);
    return this.db.transaction(async (trx) => {
      const before = await this.repo.find(trx, event, locale);
      await this.repo.save(trx, { event, locale, subject: input.subject, body: input.body }, this.clock.now().toISOString());
      await this.audit.record(trx, actor, 'notification_template.update', 'notification_template', `${event}:${locale}`, before ? words(before) : null, { subject: input.subject, body: input.body });
      return this.view(event, locale, await this.repo.all(trx));
    });
  }

  /** Back to the default words; nothing to do when there is no version. */
  async reset(event: MessageEvent, locale: string, actor: Actor): Promise<TemplateView> {
    await this.checkLocale(event, locale);
    return this.db.transaction(async (trx) => {
      const before = await this.repo.find(trx, event, locale);
      if (before && (await this.repo.remove(trx, event, locale))) {
        await this.audit.record(trx, actor, 'notification_template.reset', 'notification_template', `${event}:${locale}`, words(before), null);
      }
      return this.view(event, locale, await this.repo.all(trx));
    });
  }

  /** The given subject and body rendered with sample values, checked like a save. */
  async preview(event: MessageEvent, locale: string, input: TemplateInput): Promise<TemplatePreview> {
    await this.checkLocale(event, locale);
    checkTemplate(event, input);
    const values = sampleValues(event);
    const rendered = renderTemplate(locale, input, values, blockPlaceholdersOf(event));
    return { subject: rendered.subject, text: rendered.text, html: rendered.html, values };
  }

  private async checkLocale(event: MessageEvent, locale: string): Promise<void> {
    if (!(await this.locales()).includes(locale)) throw notFound('Notification template', `${event}/${locale}`);
  }

  /** The version of (event, locale) among all versions: its own, else what is sent without it. */
  private view(event: MessageEvent, locale: string, rows: TemplateRow[]): TemplateView {
    const own = rows.find((r) => r.event === event && r.locale === locale);
    const fallback = TEMPLATE_LOCALES.includes(locale) ? undefined : rows.find((r) => r.event === event && r.locale === FALLBACK_LOCALE);
    const byDefault: EditableTemplate = fallback ? words(fallback) : defaultTemplate(event, TEMPLATE_LOCALES.includes(locale) ? locale : FALLBACK_LOCALE);
    const current = own ? words(own) : byDefault;
    return { event, locale, customized: !!own, subject: current.subject, updatedAt: own?.updatedAt ?? null, placeholders: placeholdersOf(event), default: byDefault, current };
  }
}

function words(row: Pick<TemplateRow, 'subject' | 'body'>): EditableTemplate {
  return { subject: row.subject, body: row.body };
}

/** A one-line subject, and in subject and body only the event's placeholders: 422 naming the field and the placeholder. */
export function checkTemplate(event: MessageEvent, input: EditableTemplate): void {
  if (/[\r\n]/.test(input.subject)) throw appError('unprocessable', 'template.subjectOneLine', {}, { field: 'subject' });
  const known = placeholdersOf(event);
  for (const field of ['subject', 'body'] as const) {
    const unknown = placeholdersIn(input[field]).find((name) => !known.includes(name));
    if (unknown !== undefined) {
      throw appError('unprocessable', 'template.unknownPlaceholder', { field, placeholder: `{${unknown}}`, known: known.map((k) => `{${k}}`).join(', ') }, {
        field,
        details: { placeholder: unknown, known },
      });
    }
  }
}

