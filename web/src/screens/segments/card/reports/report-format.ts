import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';

const locales = { ru: 'ru-RU', en: 'en-GB' } as const;

/**
 * Numbers of the reports in the reader's language: amounts in whole units (the reports carry
 * kopecks, a table of millions does not need them), compact amounts for chart axes ("1,2 млн"),
 * shares as percentages, and report months ('2025-12') as names.
 */
export function useReportFormat() {
  const { i18n } = useTranslation();
  const locale = i18n.resolvedLanguage === 'en' ? locales.en : locales.ru;
  return useMemo(() => {
    const amount = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });
    const compact = new Intl.NumberFormat(locale, { notation: 'compact', maximumFractionDigits: 1 });
    const percent = new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 1 });
    const count = new Intl.NumberFormat(locale, { maximumFractionDigits: 2 });
    const monthLong = new Intl.DateTimeFormat(locale, { month: 'long', year: 'numeric', timeZone: 'UTC' });
    const monthShort = new Intl.DateTimeFormat(locale, { month: 'short', year: '2-digit', timeZone: 'UTC' });
    const monthDate = (month: string) => new Date(`${month}-01T00:00:00Z`);
    const capitalised = (text: string) => text.charAt(0).toLocaleUpperCase(locale) + text.slice(1);
    return {
      amount: (value: number) => amount.format(value),
      compact: (value: number) => compact.format(value),
      percent: (share: number) => percent.format(share),
      count: (value: number) => count.format(value),
      /** '2025-12' → "Декабрь 2025 г." / "December 2025". */
      month: (month: string) => capitalised(monthLong.format(monthDate(month))),
      /** '2025-12' → "дек. 25" / "Dec 25", for an axis (without Russian's "г."). */
      monthShort: (month: string) =>
        monthShort
          .formatToParts(monthDate(month))
          .filter((part) => part.type === 'month' || part.type === 'year')
          .map((part) => part.value)
          .join(' '),
    };
  }, [locale]);
}
