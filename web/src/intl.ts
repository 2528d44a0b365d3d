// Dates, money and numbers for one locale with Intl, nothing else: format.ts gives pages the one for the
// UI's language. Amounts stay strings from the API to the screen (Intl formats a decimal string exactly),
// never floats.

export interface Format {
  /** An instant: date and time in the browser's time zone. */
  dateTime(iso: string): string;
  /** A calendar date as the API gives it (YYYY-MM-DD), shown as that date wherever the browser is. */
  date(day: string): string;
  money(amount: string, currency: string | null): string;
  number(n: number): string;
}

export function makeFormat(locale: string, timeZone?: string): Format {
  const dateTime = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone });
  const date = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone: 'UTC' });
  const number = new Intl.NumberFormat(locale);
  const plain = new Intl.NumberFormat(locale, { minimumFractionDigits: 2, maximumFractionDigits: 20 });
  const currencies = new Map<string, Intl.NumberFormat>();
  const currencyFormat = (currency: string) => {
    let f = currencies.get(currency);
    if (!f) {
      try {
        f = new Intl.NumberFormat(locale, { style: 'currency', currency, maximumFractionDigits: 20 });
      } catch {
        f = plain; // not an ISO 4217 code: the number alone, the code beside it below
      }
      currencies.set(currency, f);
    }
    return f;
  };
  return {
    dateTime: (iso) => dateTime.format(new Date(iso)),
    date: (day) => (/^\d{4}-\d{2}-\d{2}$/.test(day) ? date.format(new Date(`${day}T00:00:00Z`)) : day),
    money(amount, currency) {
      const value = amount as Intl.StringNumericLiteral;
      if (!currency) return plain.format(value);
      const f = currencyFormat(currency);
      return f === plain ? `${plain.format(value)} ${currency}` : f.format(value);
    },
    number: (n) => number.format(n),
  };
}
