// Every label and message of the web UI exists in English and Russian: the same keys (plural forms aside),
// and the same {{placeholders}} in each pair.
import { expect, test } from 'vitest';
import { en } from '../../web/src/i18n/en.js';
import { ru, type Messages } from '../../web/src/i18n/ru.js';

const PLURAL = /_(zero|one|two|few|many|other)$/;

function flatten(messages: Messages, prefix = ''): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [key, value] of Object.entries(messages)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (typeof value === 'string') {
      const base = path.replace(PLURAL, '');
      out.set(base, [...(out.get(base) ?? []), value]);
    } else for (const [k, v] of flatten(value, path)) out.set(k, [...(out.get(k) ?? []), ...v]);
  }
  return out;
}

const placeholders = (texts: string[]) => [...new Set(texts.flatMap((t) => [...t.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1])))].sort();

test('the Russian translation has every English key, and no other', () => {
  const english = flatten(en as unknown as Messages);
  const russian = flatten(ru);
  expect([...russian.keys()].sort()).toEqual([...english.keys()].sort());
});

test('each translation keeps the placeholders of the English text', () => {
  const russian = flatten(ru);
  for (const [key, texts] of flatten(en as unknown as Messages)) {
    expect(placeholders(russian.get(key) ?? []), key).toEqual(placeholders(texts));
  }
});

test('Russian plurals have the one, few and many forms', () => {
  const keys = (m: Messages, prefix = ''): string[] =>
    Object.entries(m).flatMap(([k, v]) => (typeof v === 'string' ? [`${prefix}${k}`] : keys(v, `${prefix}${k}.`)));
  const all = keys(ru);
  for (const key of all.filter((k) => k.endsWith('_one'))) {
    const base = key.slice(0, -'_one'.length);
    for (const form of ['few', 'many', 'other']) expect(all, `${base}_${form}`).toContain(`${base}_${form}`);
  }
});
