// A license's history entry in the UI's language, for the staff page and the client's alike. The server
// writes each entry as an event (status, ip, key…), a from → to and an English sentence; the values are
// shown as the UI shows them elsewhere (a status's name, a date, an amount) and the known sentences are said
// again in the UI's language from their parts. A sentence of a kind not known here is shown as written.
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { useFormat, type Format } from '../format';
import { messageWords, type Tools, type Words } from './licenseHistoryWords';
import { dash } from './ui';
import { usePeriodLabel } from '../pages/Licenses';

export interface HistoryEntry {
  event: string;
  from: string | null;
  to: string | null;
  message: string | null;
}

export interface HistoryWords {
  /** The entry's kind: status, IP, key… */
  event: string;
  /** from → to, each value in words; null when the entry has none. */
  change: { from: string | null; to: string | null } | null;
  message: string | null;
}

function valueWords(event: string, value: string | null, t: TFunction, f: Format, currency: string | null, tariffName?: (id: number) => string | undefined): string | null {
  if (value === null) return null;
  switch (event) {
    case 'status':
      return t(`status.${value}` as never, { defaultValue: value });
    case 'auto_renew':
      return value === 'true' ? t('licenseHistory.on') : value === 'false' ? t('licenseHistory.off') : value;
    case 'expiry':
      return f.date(value);
    case 'charge':
      return currency ? f.money(value, currency) : value;
    case 'tariff':
      return /^\d+$/.test(value) ? (tariffName?.(Number(value)) ?? t('licenseHistory.tariff', { id: value })) : value;
    default:
      return value;
  }
}

/**
 * The words of a license's history entries. `currency` is the license's (its charges' amounts);
 * `tariffName` names a tariff plan by its id where the page knows the catalog.
 */
export function useHistoryWords(currency: string | null, tariffName?: (id: number) => string | undefined): (h: HistoryEntry) => HistoryWords {
  const { t } = useTranslation();
  const f = useFormat();
  const period = usePeriodLabel();
  const w: Words = (key, values) => String(t(`licenseHistory.${key}` as never, values as never));
  const tools: Tools = {
    money: (amount, cur) => f.money(amount, cur),
    date: (day) => f.date(day),
    period,
    status: (s) => t(`status.${s}` as never, { defaultValue: s }),
    kind: (k) => t(`kinds.${k}` as never, { defaultValue: k }),
  };
  return (h) => ({
    event: t(`licenses.events.${h.event}` as never, { defaultValue: h.event }),
    // A note's "to" is a marker for the server (renewal_unpaid), not something to show.
    change: h.event !== 'note' && (h.from !== null || h.to !== null) ? { from: valueWords(h.event, h.from, t, f, currency, tariffName), to: valueWords(h.event, h.to, t, f, currency, tariffName) } : null,
    message: h.message === null ? null : messageWords(h.message, w, tools),
  });
}

/** The "change" cell of a history table: from → to, then the sentence. */
export function HistoryChange({ words }: { words: HistoryWords }) {
  if (!words.change && !words.message) return dash;
  return (
    <>
      {words.change && (
        <span>
          {words.change.from ?? dash} → {words.change.to ?? dash}
        </span>
      )}
      {words.message && (words.change ? <div className="muted">{words.message}</div> : <span>{words.message}</span>)}
    </>
  );
}
