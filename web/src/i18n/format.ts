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
  const dateTimeFormat = new Intl.DateTimeFormat(locale, { day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit' });
  const dayMonthFormat = new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'short' });
  const monthFormat = new Intl.DateTimeFormat(locale, { day: '2-digit', month: 'short', hour: '2-digit', minute: '2-digit' });
  // Timestamps come as ISO or "YYYY-MM-DD HH:MM:SS" (UTC); shown in the reader's time zone.
  const parseTimestamp = (value: string) => {
    const iso = value.includes('T') ? value : value.replace(' ', 'T');
    const date = new Date(/[zZ]|[+-]\d{2}:?\d{2}$/.test(iso) ? iso : `${iso}Z`);
    return Number.isNaN(date.getTime()) ? null : date;
  };
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
    /** An amount with its currency and thousands separators: "2 594 849,04 ₽" (roubles unless told). */
    money: (value: number, currency = 'RUB') => new Intl.NumberFormat(locale, { style: 'currency', currency, maximumFractionDigits: 2 }).format(value),
    /** A moment: "15.06.2025, 14:05". */
    dateTime: (value: string | null | undefined) => {
      const date = value ? parseTimestamp(value) : null;
      return date ? dateTimeFormat.format(date) : null;
    },
    /** A day on a chart's axis: "15 июн.". */
    dayMonth: (value: string | null | undefined) => {
      const date = value ? parseTimestamp(value) : null;
      return date ? dayMonthFormat.format(date) : '';
    },
    /** A moment in a chart's axis: "15 июн., 14:05". */
    shortDateTime: (value: string | null | undefined) => {
      const date = value ? parseTimestamp(value) : null;
      return date ? monthFormat.format(date) : '';
    },
  };
}
