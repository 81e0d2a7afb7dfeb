import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import type { Campaign, Validity } from '../../../api/terms';

/** Money and percents of the sales terms in the reader's language: "12 345,60", "1,5 %". */
export function useTermsFormat() {
  const { i18n } = useTranslation();
  const locale = i18n.resolvedLanguage === 'en' ? 'en-GB' : 'ru-RU';
  return useMemo(() => {
    const money = new Intl.NumberFormat(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    const plain = new Intl.NumberFormat(locale, { maximumFractionDigits: 2 });
    const percentSign = locale === 'ru-RU' ? '\u00a0%' : '%';
    return {
      money: (value: number) => money.format(value),
      number: (value: number) => plain.format(value),
      /** "1,5 %"; a negative percent (a markup) keeps its minus. */
      percent: (value: number) => `${plain.format(value)}${percentSign}`,
    };
  }, [locale]);
}

/** Separators of number inputs in the reader's language: "12 400,5" in Russian, "12,400.5" in English. */
export function useNumberSeparators() {
  const { i18n } = useTranslation();
  const ru = i18n.resolvedLanguage !== 'en';
  return useMemo(
    () => ({
      /** For amounts and thresholds. */
      amount: ru ? { thousandSeparator: ' ', decimalSeparator: ',', allowedDecimalSeparators: ['.', ','] } : { thousandSeparator: ',', decimalSeparator: '.' },
      /** For percents and quantities (no thousands). */
      fraction: ru ? { decimalSeparator: ',', allowedDecimalSeparators: ['.', ','] } : { decimalSeparator: '.' },
    }),
    [ru],
  );
}

export const todayIso = () => new Date().toISOString().slice(0, 10);

export type TermState = 'active' | 'inactive' | 'expired' | 'future';

/** The dates a term applies: its own dates narrowed by its campaign's period (as the server decides). */
export function effectivePeriod(validity: Validity, campaigns: ReadonlyMap<string, Campaign>): { from: string | null; to: string | null } {
  const campaign = validity.campaignId ? campaigns.get(validity.campaignId) : undefined;
  const later = (a: string | null, b: string | null) => (a === null ? b : b === null ? a : a > b ? a : b);
  const earlier = (a: string | null, b: string | null) => (a === null ? b : b === null ? a : a < b ? a : b);
  return { from: later(validity.validFrom, campaign?.startsOn ?? null), to: earlier(validity.validTo, campaign?.endsOn ?? null) };
}

/** Whether a term applies today: switched off, not yet, no longer, or now. */
export function termState(term: Partial<Validity> & { active?: boolean }, campaigns: ReadonlyMap<string, Campaign>, today = todayIso()): TermState {
  if (term.active === false) return 'inactive';
  const period = effectivePeriod({ campaignId: term.campaignId ?? null, validFrom: term.validFrom ?? null, validTo: term.validTo ?? null }, campaigns);
  if (period.from !== null && today < period.from) return 'future';
  if (period.to !== null && today > period.to) return 'expired';
  return 'active';
}
