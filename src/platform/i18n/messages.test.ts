import { describe, expect, test } from 'vitest';
import { ERROR_CODES } from '../errors.js';
import { catalogTemplates, codeMessage, translate } from './messages.js';

const placeholders = (text: string) => new Set([...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]));

describe('the server message catalog', () => {
  test('every language has every key, and asks only for params the English message is given', () => {
    const { en, ...others } = catalogTemplates();
    for (const [locale, messages] of Object.entries(others)) {
      expect(Object.keys(messages!).sort(), locale).toEqual(Object.keys(en!).sort());
      for (const [key, text] of Object.entries(messages!)) {
        for (const name of placeholders(text)) expect(placeholders(en![key]!), `${locale} ${key}`).toContain(name);
      }
    }
  });

  test('every error code has a message in every language', () => {
    for (const locale of Object.keys(catalogTemplates())) {
      for (const code of ERROR_CODES) expect(codeMessage(locale, code), `${locale} ${code}`).toMatch(/\S/);
    }
  });

  test('params that are messages are rendered in the same language; a missing one leaves the whole message untranslated', () => {
    const params = { what: { key: 'entity.License' }, id: 7 };
    expect(translate('ru', 'notFound', params)).toBe('Лицензия 7 не существует');
    expect(translate('en', 'notFound', params)).toBe('License 7 does not exist');
    expect(translate('ru', 'notFound', { what: { key: 'entity.Spaceship' }, id: 7 })).toBeUndefined();
    expect(translate('ru', 'license.status', { status: 'deleted', allowed: ['active', 'suspended'] })).toBe(
      'Лицензия в состоянии deleted; нужно состояние active или suspended',
    );
  });
});
