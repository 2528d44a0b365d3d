// The license history's sentences (written by the server in English) said in the UI's language: with the
// English words the known sentences come out exactly as the server wrote them (so the patterns and the
// words agree), and with the Russian ones none of their English is left.
import { describe, expect, test } from 'vitest';
import { messageWords } from '../../web/src/components/licenseHistoryWords.js';
import { licenseHistoryEn } from '../../web/src/i18n/areas/licenseHistory.en.js';
import { licenseHistoryRu } from '../../web/src/i18n/areas/licenseHistory.ru.js';

const words = (dictionary: Record<string, string>) => (key: string, values: Record<string, string> = {}) =>
  dictionary[key]!.replace(/\{\{(\w+)\}\}/g, (_, name: string) => values[name] ?? `{{${name}}}`);
const raw = { money: (amount: string, currency: string) => `${amount} ${currency}`, date: (day: string) => day, period: (n: number) => `${n} month(s)`, status: (s: string) => s, kind: (k: string) => k };

/** What the server writes (src/licenses/lifecycle, src/tools/operations, src/tools/scheduler). */
const SENTENCES = [
  'Ordered for 10.00 EUR',
  'Renewal for 12 month(s) from 2026-03-01: 120.00 EUR',
  'Auto-renewal for 1 month(s) from 2026-03-01: 10.00 EUR charged',
  'Tariff change requested (charged 4.50 EUR)',
  'Suspension requested',
  'Resumption requested',
  'New license key requested',
  'Deletion requested',
  'Change requested: IP 203.0.113.1 → 203.0.113.2, name web1 → web2',
  'Expired on 2026-03-01 without a renewal',
  'Expiry corrected from the upstream',
  'Status corrected from the upstream (suspended there)',
  'Deleted upstream',
  'License key corrected from the upstream',
  'Upstream license 4711 issued',
  'Upstream license 4711 adopted (found again after a lost answer)',
  'Upstream license 4711 recorded by hand',
  'The upstream was already renewed for this period',
  'Renewed by hand',
  'New license key issued',
  'New license key recorded by hand',
  'Operation "prolong" restarted',
  'Operation "open" done by hand',
  'Operation "open" done by hand: ticket 17',
  'Operation "open" abandoned: gone; 10.00 EUR refunded to the client',
  'Operation "suspend" needs a person: no answer',
  'Auto-renewal is not possible: The tariff no longer has a 12-month period; the license cannot be renewed automatically. It is tried again every day until the license expires.',
  'The order was given up: the license is deleted',
  'License 5 was deleted before it was delivered',
  'License 5 was deleted before it was delivered: upstream license 4711 is closed with it',
  '3.00 EUR refunded: goodwill',
  'Auto-renewal could not be paid: the balance is short. It is tried again every day until the license expires.',
];

describe('license history sentences', () => {
  test('in English each comes out as the server wrote it (with typographic quotes)', () => {
    for (const sentence of SENTENCES) expect(messageWords(sentence, words(licenseHistoryEn), raw).replace(/[“”]/g, '"')).toBe(sentence);
  });

  test('in Russian none of their English is left (what the client or staff typed aside)', () => {
    const typed = /ticket 17|gone|no answer|goodwill|the balance is short|web1|web2/g;
    for (const sentence of SENTENCES) {
      const said = messageWords(sentence, words(licenseHistoryRu), raw).replace(typed, '').replace(/month\(s\)/g, '');
      expect(said, sentence).not.toBe(sentence);
      expect(said.replace(/EUR|IP|prolong|open|suspend|suspended/g, ''), sentence).not.toMatch(/[A-Za-z]{3,}/);
    }
  });

  test('a sentence of a kind not known is shown as written', () => {
    expect(messageWords('Something new happened', words(licenseHistoryRu), raw)).toBe('Something new happened');
  });
});
