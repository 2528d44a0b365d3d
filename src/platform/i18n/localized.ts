import { z } from 'zod';
import { appError } from '../errors.js';

export const LOCALE_CODE = /^[a-z]{2,3}(-[A-Za-z]{2,4})?$/;

/** Text per locale: {"en": "Main DC", "ru": "Основной ДЦ"}. */
export const LocalizedText = z
  .record(z.string().regex(LOCALE_CODE, 'locale codes look like "en" or "pt-BR"'), z.string().trim().min(1).max(1000))
  .meta({ description: 'Text per locale code; the default locale is required', example: { en: 'Main DC', ru: 'Основной ДЦ' } });
export type LocalizedText = Record<string, string>;

/** What the enabled localizations are, read once per request. */
export interface LocaleCatalog {
  defaultCode: string;
  /** All known codes, enabled or not: stored text in a disabled locale stays valid. */
  known: ReadonlySet<string>;
  enabled: readonly string[];
}

/** Where the locales come from (Settings → Localizations); the platform asks through this, not the area. */
export interface LocaleCatalogSource {
  catalog(): Promise<LocaleCatalog>;
}

/** Rejects unknown locale codes and a missing default-locale value, naming the field. */
export function checkLocalized(value: LocalizedText, catalog: LocaleCatalog, field: string): LocalizedText {
  for (const code of Object.keys(value)) {
    if (!catalog.known.has(code)) {
      throw appError('validation', 'localized.unknownLocale', { field, code, known: [...catalog.known].join(', ') }, { field: `${field}.${code}` });
    }
  }
  if (!value[catalog.defaultCode]?.trim()) {
    throw appError('validation', 'localized.defaultRequired', { field, code: catalog.defaultCode }, { field: `${field}.${catalog.defaultCode}` });
  }
  return value;
}

export function pickLocalized(value: LocalizedText, locale: string, catalog: LocaleCatalog): string {
  return value[locale] ?? value[catalog.defaultCode] ?? Object.values(value)[0] ?? '';
}

/** The first enabled locale the Accept-Language header asks for, by quality. */
export function negotiateLocale(header: string | undefined, enabled: readonly string[]): string | undefined {
  if (!header) return undefined;
  const wanted = header
    .split(',')
    .map((part) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      return { tag: tag.trim(), q: q ? Number(q.slice(2)) || 0 : 1 };
    })
    .filter((w) => w.tag && w.q > 0)
    .sort((a, b) => b.q - a.q);
  for (const { tag } of wanted) {
    const exact = enabled.find((code) => code.toLowerCase() === tag.toLowerCase());
    if (exact) return exact;
    const base = enabled.find((code) => code.toLowerCase() === tag.split('-')[0]!.toLowerCase());
    if (base) return base;
  }
  return undefined;
}
