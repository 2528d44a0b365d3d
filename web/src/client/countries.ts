// The countries a client can name (ISO 3166-1 alpha-2, as the API takes them), by their names in the UI's
// language: every two-letter region Intl knows, without the codes that are no country.
const NOT_COUNTRIES = new Set(['AC', 'CP', 'CQ', 'DG', 'EA', 'EU', 'EZ', 'IC', 'QO', 'TA', 'UN', 'XA', 'XB', 'ZZ']);
const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

const cache = new Map<string, Array<{ value: string; label: string }>>();

export function countries(locale: string): Array<{ value: string; label: string }> {
  let list = cache.get(locale);
  if (!list) {
    const names = new Intl.DisplayNames([locale], { type: 'region', fallback: 'none' });
    list = [];
    for (const a of LETTERS) {
      for (const b of LETTERS) {
        const code = a + b;
        // A retired code (DY, BU, ZR…) is named after what replaced it: only the current code is listed.
        if (NOT_COUNTRIES.has(code) || Intl.getCanonicalLocales(`und-${code}`)[0] !== `und-${code}`) continue;
        const name = names.of(code);
        if (name && name !== code) list.push({ value: code, label: name });
      }
    }
    list.sort((x, y) => x.label.localeCompare(y.label, locale));
    cache.set(locale, list);
  }
  return list;
}

/** The browser's own region ("en-GB" → "GB"), a fair first guess. */
export function browserCountry(): string {
  for (const tag of navigator.languages) {
    const region = /^[a-z]{2,3}-([A-Z]{2})\b/.exec(tag)?.[1];
    if (region) return region;
  }
  return '';
}
