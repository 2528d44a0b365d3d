// The Intl formats (intl.ts) for the UI's language, with the browser's region when it speaks it.
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { intlLocale } from './i18n';
import { makeFormat, type Format } from './intl';

export type { Format };

export function useFormat(): Format {
  const { i18n } = useTranslation();
  const locale = intlLocale(i18n.language);
  return useMemo(() => makeFormat(locale), [locale]);
}
