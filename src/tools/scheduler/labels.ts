/** A stored localized name (JSON) in one locale, else English, else any; plain text is returned as is. */
export function pickLocalizedOr(stored: string, locale: string): string {
  try {
    const value = JSON.parse(stored) as Record<string, string> | string;
    if (typeof value === 'string') return value;
    return value[locale] ?? value.en ?? Object.values(value)[0] ?? '';
  } catch {
    return stored;
  }
}
