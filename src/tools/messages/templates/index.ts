// The e-mails' words per locale (English and Russian shipped). Staff see and edit a message as a subject
// and a body: plain text with {placeholders}, paragraphs separated by blank lines (Settings →
// Notification templates keeps their versions, stored.ts finds them; these stay the defaults). The HTML
// version is made from the body: a paragraph that is just the event's license key or link placeholder is
// shown preformatted, the others as paragraphs (a line break inside one stays a line break). Rendering substitutes values as they are into the plain
// text and HTML-escaped into the HTML — whatever the template says — so nothing a client typed (a
// license name, their own name) can add markup, and the template's own words are escaped too.
import { en } from './en.js';
import { ru } from './ru.js';

export const MESSAGE_EVENTS = ['license_active', 'license_renewed', 'license_suspended', 'license_deleted', 'renewal_unpaid', 'payment_booked', 'password_reset', 'email_confirmation', 'registration_attempt', 'task_created', 'task_overdue', 'balance_low', 'renewal_coming', 'renewal_coming_topup', 'license_new_key', 'ticket_new', 'ticket_reply', 'ticket_answered', 'ticket_overdue'] as const;
export type MessageEvent = (typeof MESSAGE_EVENTS)[number];

export interface Template {
  subject: string;
  paragraphs: string[];
  /** A value shown on its own, preformatted (e.g. the license key), after the paragraphs. */
  block?: string;
  /** Paragraphs after the block. */
  after?: string[];
  /** The last line ("Your {provider} team"). */
  signature: string;
}

export type Templates = { greeting: string; greetingNoName: string; events: Record<MessageEvent, Omit<Template, 'signature'>>; signature: string };

const LOCALES: Record<string, Templates> = { en, ru };
/** The locales whose words are shipped; any other falls back to English. */
export const TEMPLATE_LOCALES = Object.keys(LOCALES);
export const FALLBACK_LOCALE = 'en';

/** A message as staff edit it. */
export interface EditableTemplate {
  subject: string;
  body: string;
}

export interface Rendered {
  locale: string;
  subject: string;
  text: string;
  html: string;
}

/** "ru-RU" → "ru"; empty for nothing. */
export function languageCode(language: string | null | undefined): string {
  return (language ?? '').toLowerCase().split(/[-_]/)[0] ?? '';
}

/** The locale templates exist for: the recipient's language, else English. */
export function templateLocale(language: string | null | undefined): string {
  const code = languageCode(language);
  return code in LOCALES ? code : FALLBACK_LOCALE;
}

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const PLACEHOLDER = /\{(\w+)\}/g;

/** The {placeholders} in a text, each once, in order of appearance. */
export function placeholdersIn(text: string): string[] {
  return [...new Set([...text.matchAll(PLACEHOLDER)].map((m) => m[1]!))];
}

/** The shipped subject and body of `event` in `locale` (English when none is shipped in it). */
export function defaultTemplate(event: MessageEvent, locale: string, options: { named?: boolean } = {}): EditableTemplate {
  const words = LOCALES[locale] ?? LOCALES[FALLBACK_LOCALE]!;
  const t = words.events[event];
  const greeting = options.named === false ? words.greetingNoName : words.greeting;
  const parts = [greeting, ...t.paragraphs, ...(t.block ? [t.block] : []), ...(t.after ?? []), words.signature];
  return { subject: t.subject, body: parts.join('\n\n') };
}

/**
 * The placeholders `event` may use: those its shipped words use in any locale (the values its sender
 * gives), with the recipient's name and the provider's, which every message has.
 */
export function placeholdersOf(event: MessageEvent): string[] {
  const names = new Set(['name', 'provider']);
  for (const locale of TEMPLATE_LOCALES) {
    const t = defaultTemplate(event, locale);
    for (const name of placeholdersIn(`${t.subject}\n${t.body}`)) names.add(name);
  }
  return [...names];
}

/**
 * The placeholders `event` shows on their own, preformatted (a license key, a link): those its shipped
 * words have as their block. A paragraph of the body that is just one of them is shown so.
 */
export function blockPlaceholdersOf(event: MessageEvent): string[] {
  const names = new Set<string>();
  for (const locale of TEMPLATE_LOCALES) {
    const block = /^\{(\w+)\}$/.exec(LOCALES[locale]!.events[event].block?.trim() ?? '');
    if (block) names.add(block[1]!);
  }
  return [...names];
}

/** The body's paragraphs: split at blank lines, each with its lines (line ends as \n, trailing spaces gone). */
export function paragraphsOf(body: string): string[] {
  return body
    .replace(/\r\n?/g, '\n')
    .split(/\n[ \t]*\n/)
    .map((p) => p.split('\n').map((line) => line.trimEnd()).join('\n').replace(/^\n+|\n+$/g, ''))
    .filter((p) => p.trim() !== '');
}

function fill(template: string, values: Record<string, string>, escape: (v: string) => string): string {
  // The template's own words are escaped as well as the values: a template is text, never markup.
  let out = '';
  let last = 0;
  for (const m of template.matchAll(PLACEHOLDER)) {
    out += escape(template.slice(last, m.index)) + escape(values[m[1]!] ?? '');
    last = m.index + m[0].length;
  }
  return out + escape(template.slice(last));
}

const plain = (v: string) => v;

/** Subject, plain text and HTML of a subject and body with these values; a paragraph that is just one of `blocks` is preformatted. */
export function renderTemplate(locale: string, template: EditableTemplate, values: Record<string, string>, blocks: readonly string[] = []): Rendered {
  const subject = fill(template.subject, values, plain).replace(/[\r\n]+/g, ' ').trim();
  const paragraphs = paragraphsOf(template.body);
  const text = paragraphs.map((p) => fill(p, values, plain));
  const html = paragraphs.map((p) =>
    blocks.includes(/^\{(\w+)\}$/.exec(p.trim())?.[1] ?? '') ? `<pre>${fill(p.trim(), values, escapeHtml)}</pre>` : `<p>${p.split('\n').map((line) => fill(line, values, escapeHtml)).join('<br>')}</p>`,
  );
  const page = `<!doctype html><html lang="${escapeHtml(locale)}"><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head><body>${html.join('')}</body></html>`;
  return { locale, subject, text: `${text.join('\n\n')}\n`, html: page };
}

/**
 * Subject, plain text and HTML of `event` in the recipient's language: staff's version when one is
 * given (`override`, found by stored.ts, with the locale it was written for), else the shipped words.
 */
export function render(
  event: MessageEvent,
  language: string | null | undefined,
  values: Record<string, string>,
  override?: { locale: string; subject: string; body: string } | null,
): Rendered {
  const blocks = blockPlaceholdersOf(event);
  if (override) return renderTemplate(override.locale, override, values, blocks);
  const locale = templateLocale(language);
  return renderTemplate(locale, defaultTemplate(event, locale, { named: !!values.name }), values, blocks);
}
