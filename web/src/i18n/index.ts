import i18n from 'i18next';
import LanguageDetector from 'i18next-browser-languagedetector';
import { initReactI18next } from 'react-i18next';
import { en } from './locales/en';
import { ru, type Messages } from './locales/ru';

export const LANGUAGES = ['ru', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];

/** Where the chosen language is remembered between visits. */
export const LANGUAGE_STORAGE_KEY = 'segmenta.language';

declare module 'i18next' {
  interface CustomTypeOptions {
    defaultNS: 'translation';
    resources: { translation: Messages };
  }
}

export function currentLanguage(): Language {
  return i18n.resolvedLanguage === 'en' ? 'en' : 'ru';
}

/**
 * Russian unless the user chose English before: the language is read from and remembered in
 * localStorage only (not from the browser's settings), since the users work in Russian.
 */
void i18n
  .use(LanguageDetector)
  .use(initReactI18next)
  .init({
    resources: { ru: { translation: ru }, en: { translation: en } },
    supportedLngs: LANGUAGES,
    fallbackLng: 'ru',
    nonExplicitSupportedLngs: true,
    detection: {
      order: ['localStorage'],
      lookupLocalStorage: LANGUAGE_STORAGE_KEY,
      caches: ['localStorage'],
    },
    // React escapes what it renders.
    interpolation: { escapeValue: false },
    returnNull: false,
  });

function reflectLanguage(lng: string): void {
  document.documentElement.lang = lng === 'en' ? 'en' : 'ru';
}
reflectLanguage(i18n.resolvedLanguage ?? 'ru');
i18n.on('languageChanged', reflectLanguage);

export default i18n;
