// The web UI's Intl formats: money from the API's decimal strings with no float rounding, calendar dates
// that do not move with the time zone, and both languages.
import { expect, test } from 'vitest';
import { makeFormat } from '../../web/src/intl.js';

const en = makeFormat('en-US', 'UTC');
const ru = makeFormat('ru-RU', 'UTC');
const nbsp = (s: string) => s.replace(/[\u00a0\u202f]/g, ' ');

test('money: the currency where the locale puts it, every digit of the decimal string kept', () => {
  expect(en.money('250.00', 'EUR')).toBe('€250.00');
  expect(nbsp(ru.money('250.00', 'EUR'))).toBe('250,00 €');
  expect(en.money('1234.5', 'USD')).toBe('$1,234.50');
  // Beyond what a double holds exactly: formatted from the string, not a float.
  expect(en.money('90071992547409.993', 'EUR')).toBe('€90,071,992,547,409.993');
  expect(nbsp(ru.money('0.10', 'RUB'))).toBe('0,10 ₽');
});

test('money without a currency, or with a code Intl does not know', () => {
  expect(en.money('100', null)).toBe('100.00');
  expect(en.money('100.5', 'XX1')).toBe('100.50 XX1');
});

test('a calendar date is that date in any time zone; an instant is shown in the given one', () => {
  expect(en.date('2027-12-01')).toBe('Dec 1, 2027');
  expect(nbsp(ru.date('2027-12-01'))).toBe('1 дек. 2027 г.');
  expect(makeFormat('en-US', 'America/Los_Angeles').date('2027-12-01')).toBe('Dec 1, 2027');
  expect(en.dateTime('2026-05-01T09:30:00Z')).toBe('May 1, 2026, 9:30 AM');
  expect(nbsp(ru.dateTime('2026-05-01T09:30:00Z'))).toBe('1 мая 2026 г., 09:30');
  expect(en.number(1234567)).toBe('1,234,567');
  expect(nbsp(ru.number(1234567))).toBe('1 234 567');
});
