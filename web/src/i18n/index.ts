// The UI speaks English and Russian: every label and message is a key in en.ts / ru.ts. The language is the
// logged-in user's setting unless they switched it in the top bar on this browser; before login, the last one
// used here, else the browser's.
import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';
import { setApiLanguage } from '../api/client';
import type { en } from './en';
import type { Messages } from './ru';

export const LANGUAGES = [
  { code: 'en', name: 'English' },
  { code: 'ru', name: 'Русский' },
] as const;
export type Language = (typeof LANGUAGES)[number]['code'];

declare module 'i18next' {
  interface CustomTypeOptions {
    defaultNS: 'translation';
    resources: { translation: typeof en };
  }
}

const LAST_KEY = 'billrelay.language';
/** Set when the language was chosen on the login page: it becomes the choice of whoever logs in next. */
const CHOSEN_KEY = 'billrelay.language.chosen';
const userKey = (user: { kind: string; id: number }) => `billrelay.language.${user.kind}.${user.id}`;

/** The supported language closest to a locale code ("ru-RU" → "ru"), if any. */
export function supported(code: string | null | undefined): Language | undefined {
  const base = code?.split('-')[0]?.toLowerCase();
  return LANGUAGES.find((l) => l.code === base)?.code;
}

function initialLanguage(): Language {
  return supported(localStorage.getItem(LAST_KEY)) ?? navigator.languages.map(supported).find(Boolean) ?? 'en';
}

/** A locale for Intl with the browser's region when it speaks the same language ("en" → "en-GB" for a British browser). */
export function intlLocale(language: string): string {
  return navigator.languages.find((l) => l.split('-')[0]?.toLowerCase() === language) ?? language;
}

/** Each language's words are a chunk of their own, loaded when the language is first used. */
const CATALOGS: Record<Language, () => Promise<Messages>> = {
  en: async () => (await import('./en')).en,
  ru: async () => (await import('./ru')).ru,
};

async function load(language: Language): Promise<void> {
  if (!i18n.hasResourceBundle(language, 'translation')) i18n.addResourceBundle(language, 'translation', await CATALOGS[language]());
}

function apply(language: Language): void {
  localStorage.setItem(LAST_KEY, language);
  document.documentElement.lang = language;
  setApiLanguage(language);
  void load(language).then(() => i18n.changeLanguage(language));
}

/** After login: this browser's choice for that user (or the one just made on the login page), else the user's own setting. */
export function followUser(user: { kind: string; id: number; locale: string }): void {
  const chosen = supported(sessionStorage.getItem(CHOSEN_KEY));
  sessionStorage.removeItem(CHOSEN_KEY);
  if (chosen) localStorage.setItem(userKey(user), chosen);
  apply(chosen ?? supported(localStorage.getItem(userKey(user))) ?? supported(user.locale) ?? (i18n.language as Language));
}

/** The switch in the top bar (remembered on this browser for this user) or on the login page (for whoever logs in). */
export function chooseLanguage(language: Language, user?: { kind: string; id: number }): void {
  if (user) localStorage.setItem(userKey(user), language);
  else sessionStorage.setItem(CHOSEN_KEY, language);
  apply(language);
}

const start = initialLanguage();
document.documentElement.lang = start;
setApiLanguage(start);
/** Resolves once the first language's words are there: the app renders after it. */
export const i18nReady: Promise<unknown> = CATALOGS[start]().then((words) =>
  i18n.use(initReactI18next).init({
    resources: { [start]: { translation: words } },
    lng: start,
    // en.ts and ru.ts have the same keys (test/web/i18n.test.ts): no fallback language to load.
    fallbackLng: false,
    interpolation: { escapeValue: false },
  }),
);

export default i18n;
