// The e-mails' words per locale (English and Russian shipped). A template is a subject and paragraphs
// with {placeholders}, and optionally a block shown as preformatted text (a license key). Rendering
// substitutes values as they are into the plain text and HTML-escaped into the HTML, so nothing a
// client typed (a license name, their own name) can add markup. Staff-editable templates under
// Settings → Notification templates are a later step; these stay the defaults then.
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
export const TEMPLATE_LOCALES = Object.keys(LOCALES);

export interface Rendered {
  locale: string;
  subject: string;
  text: string;
  html: string;
}

/** The locale templates exist for: the recipient's language, else English. */
export function templateLocale(language: string | null | undefined): string {
  const code = (language ?? '').toLowerCase().split(/[-_]/)[0] ?? '';
  return code in LOCALES ? code : 'en';
}

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function fill(template: string, values: Record<string, string>, escape: (v: string) => string): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => escape(values[name] ?? ''));
}

/** Subject, plain text and HTML of `event` in the recipient's language. */
export function render(event: MessageEvent, language: string | null | undefined, values: Record<string, string>): Rendered {
  const locale = templateLocale(language);
  const words = LOCALES[locale]!;
  const t = words.events[event];
  const plain = (v: string) => v;
  const greeting = values.name ? words.greeting : words.greetingNoName;
  const subject = fill(t.subject, values, plain).replace(/[\r\n]+/g, ' ');
  const textParts = [fill(greeting, values, plain), ...t.paragraphs.map((p) => fill(p, values, plain))];
  const htmlParts = [greeting, ...t.paragraphs].map((p) => `<p>${fill(p, values, escapeHtml)}</p>`);
  if (t.block) {
    textParts.push(fill(t.block, values, plain));
    htmlParts.push(`<pre>${fill(t.block, values, escapeHtml)}</pre>`);
  }
  for (const p of t.after ?? []) {
    textParts.push(fill(p, values, plain));
    htmlParts.push(`<p>${fill(p, values, escapeHtml)}</p>`);
  }
  textParts.push(fill(words.signature, values, plain));
  htmlParts.push(`<p>${fill(words.signature, values, escapeHtml)}</p>`);
  const html = `<!doctype html><html lang="${locale}"><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head><body>${htmlParts.join('')}</body></html>`;
  return { locale, subject, text: `${textParts.join('\n\n')}\n`, html };
}
