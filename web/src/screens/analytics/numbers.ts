import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';

/** The analytics' number formats in the reader's language: compact money, shares, indices. */
export function useNumbers() {
  const { i18n } = useTranslation();
  const locale = i18n.resolvedLanguage === 'en' ? 'en-GB' : 'ru-RU';
  return useMemo(() => {
    const whole = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });
    const compact = new Intl.NumberFormat(locale, { notation: 'compact', maximumFractionDigits: 1 });
    const percent = new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 1 });
    const fixed = (digits: number) => new Intl.NumberFormat(locale, { minimumFractionDigits: digits, maximumFractionDigits: digits });
    const one = fixed(1);
    const two = fixed(2);
    return {
      /** 12 345 */
      whole: (n: number) => whole.format(n),
      /** 1,2 млн / 1.2M */
      compact: (n: number) => compact.format(n),
      /** A share 0–1 as "12,3 %". */
      percent: (n: number) => percent.format(n),
      /** NPS: one decimal, "—" when there is no value. */
      nps: (n: number | null) => (n === null ? '—' : one.format(n)),
      /** CSI and average scores: two decimals. */
      ratio: (n: number | null) => (n === null ? '—' : two.format(n)),
    };
  }, [locale]);
}
