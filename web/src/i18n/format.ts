import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';

const locales = { ru: 'ru-RU', en: 'en-GB' } as const;

/** Dates and numbers in the reader's language; the API gives dates as 'YYYY-MM-DD'. */
export function useFormat() {
  const { i18n } = useTranslation();
  const locale = i18n.resolvedLanguage === 'en' ? locales.en : locales.ru;
  return useMemo(() => formatters(locale), [locale]);
}

function formatters(locale: string) {
  const dateFormat = new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
  const shortDateFormat = new Intl.DateTimeFormat(locale, { day: '2-digit', month: '2-digit', year: 'numeric', timeZone: 'UTC' });
  const numberFormat = new Intl.NumberFormat(locale, { maximumFractionDigits: 2 });
  const parse = (value: string) => (/^\d{4}-\d{2}-\d{2}/.test(value) ? new Date(`${value.slice(0, 10)}T00:00:00Z`) : null);
  return {
    date: (value: string | null | undefined) => {
      const date = value ? parse(value) : null;
      return date ? dateFormat.format(date) : null;
    },
    shortDate: (value: string | null | undefined) => {
      const date = value ? parse(value) : null;
      return date ? shortDateFormat.format(date) : null;
    },
    number: (value: number) => numberFormat.format(value),
  };
}
