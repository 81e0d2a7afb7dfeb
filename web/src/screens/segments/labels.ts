import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import type { SegmentKind, SegmentStatusName } from '../../api/segments';

const STATUS_KEYS: Record<SegmentStatusName, string> = {
  ready: 'ready',
  'never generated': 'neverGenerated',
  generating: 'generating',
  failed: 'failed',
  'computed on read': 'computedOnRead',
  archived: 'archived',
};

export const STATUS_COLORS: Record<SegmentStatusName, string> = {
  ready: 'teal',
  'never generated': 'gray',
  generating: 'blue',
  failed: 'red',
  'computed on read': 'violet',
  archived: 'gray',
};

/**
 * Names of the rule language's words in the reader's language: attributes, measures, scores,
 * operators, period units. A name the locale files do not have (a newer server, a property)
 * is shown as it is.
 */
export function useRuleLabels() {
  const { t, i18n } = useTranslation();
  return useMemo(() => {
    const lookup = (key: string, fallback: string, values?: Record<string, unknown>) => (i18n.exists(key) ? String(t(key as never, values as never)) : fallback);
    const attribute = (kind: SegmentKind, name: string) => {
      if (name.startsWith('properties.')) return String(t('rule.property', { name: name.slice('properties.'.length) }));
      return lookup(kind === 'product' ? `rule.productAttributes.${name}` : `rule.attributes.${name}`, name);
    };
    return {
      attribute,
      measure: (name: string) => lookup(`rule.measures.${name}`, name),
      score: (name: string) => lookup(`rule.scores.${name}`, name),
      operator: (op: string) => lookup(`rule.operators.${op}`, op),
      whereKey: (key: string) => lookup(`rule.where.keys.${key}`, key),
      status: (status: SegmentStatusName) => lookup(`segments.statuses.${STATUS_KEYS[status] ?? status}`, status),
      trigger: (trigger: string) => lookup(`segment.history.triggers.${trigger}`, trigger),
      useKind: (kind: string) => lookup(`segment.usage.kinds.${kind}`, kind),
      role: (role: string) => lookup(`partner.roles.${role}`, role),
      legalForm: (form: string) => lookup(`partner.legalForms.${form}`, form),
      interactionType: (type: string) => lookup(`rule.values.interactionTypes.${type}`, type),
      direction: (direction: string) => lookup(`rule.values.directions.${direction}`, direction),
      outcome: (outcome: string) => lookup(`rule.values.outcomes.${outcome}`, outcome),
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps -- i18n is the same object after a language change: the language is the key
  }, [t, i18n, i18n.resolvedLanguage]);
}

export type RuleLabels = ReturnType<typeof useRuleLabels>;

/** Milliseconds as "0.4 s" / "12 s" / "2 min 5 s" in the reader's language. */
export function formatDuration(ms: number, language: string): string {
  const seconds = ms / 1000;
  const unit = (u: 'millisecond' | 'second' | 'minute', n: number) =>
    new Intl.NumberFormat(language === 'en' ? 'en-GB' : 'ru-RU', { style: 'unit', unit: u, unitDisplay: 'short', maximumFractionDigits: 1 }).format(n);
  if (ms < 1000) return unit('millisecond', Math.round(ms));
  if (seconds < 60) return unit('second', seconds < 10 ? Math.round(seconds * 10) / 10 : Math.round(seconds));
  return `${unit('minute', Math.floor(seconds / 60))} ${unit('second', Math.round(seconds % 60))}`;
}
