import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { useDirectory, type DirectoryName } from '../../api/directories';
import { useSegments, type SegmentKind } from '../../api/segments';
import { useVocabulary } from '../../api/vocabulary';
import { useFormat } from '../../i18n/format';
import { isParam } from './rule-builder/builder-context';
import type { ConditionJson, JsonValue } from './rule-builder/rule-query';
import { useRuleLabels } from './labels';

/**
 * A condition said in words, for explanations: "Business region · in group · Ural", and a
 * value (the partner's actual one, or the compared one) with names instead of codes.
 */
export function useDescribe(kind: SegmentKind) {
  const { t } = useTranslation();
  const labels = useRuleLabels();
  const format = useFormat();
  const vocabulary = useVocabulary(kind);
  const segments = useSegments({});
  const directories: Record<DirectoryName, ReturnType<typeof useDirectory>> = {
    regions: useDirectory('regions'),
    partnerGroups: useDirectory('partnerGroups'),
    productGroups: useDirectory('productGroups'),
    managers: useDirectory('managers'),
    partnerTypes: useDirectory('partnerTypes'),
  };
  const attributes = vocabulary.data?.attributes;
  const segmentItems = segments.data?.items;

  return useMemo(() => {
    const attributeOf = (name: string) => attributes?.find((a) => a.name === name);
    const segmentName = (id: string) => segmentItems?.find((s) => s.id === id)?.name ?? id;

    const valueText = (value: JsonValue | undefined, attribute?: string): string => {
      if (value === undefined || value === null || value === '') return t('explain.noValue');
      if (isParam(value)) return `{${value.param}}`;
      if (Array.isArray(value)) return value.length ? value.map((v) => valueText(v, attribute)).join(', ') : '∅';
      if (typeof value === 'boolean') return value ? t('rule.values.yes') : t('rule.values.no');
      if (typeof value === 'number') return format.number(value);
      if (typeof value === 'object') return JSON.stringify(value);
      const def = attribute ? attributeOf(attribute) : undefined;
      if (def?.type === 'roles') return labels.role(value);
      if (attribute === 'legalForm') return labels.legalForm(value);
      if (def?.directory) {
        const directory = directories[def.directory];
        return def.hierarchy ? directory.pathOf(value) : (directory.nameOf(value) ?? value);
      }
      if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return format.shortDate(value) ?? value;
      return value;
    };

    const periodText = (period: JsonValue | undefined): string => {
      if (period === undefined || period === null) return t('rule.period.noPeriod');
      if (isParam(period)) return `{${period.param}}`;
      if (typeof period !== 'object' || Array.isArray(period)) return String(period);
      const p = period as Record<string, JsonValue>;
      if (p.last && typeof p.last === 'object' && !Array.isArray(p.last)) {
        const [unit, count] = Object.entries(p.last)[0] ?? ['days', 0];
        // «последние 12 месяцев», «последний 1 год»: plural forms, not «последние 1 лет» (issue 21).
        if (typeof count === 'number' && ['days', 'months', 'years'].includes(unit)) return t(`rule.period.lastUnits.${unit as 'days'}`, { count });
        return t('rule.period.lastN', { n: valueText(count), unit: t(`rule.period.units.${unit as 'days'}`) });
      }
      if (typeof p.current === 'string') return t(`rule.period.currentOf.${p.current as 'month'}`);
      if (typeof p.previous === 'string') return t(`rule.period.previousOf.${p.previous as 'month'}`);
      return t('rule.period.fromTo', { from: valueText(p.from ?? null), to: valueText(p.to ?? null) });
    };

    /** Subject, comparison and compared value of a condition. */
    const condition = (json: ConditionJson): { subject: string; operator: string; value: string | null; detail: string | null } => {
      if ('inSegment' in json) return { subject: t('rule.inSegment'), operator: '', value: segmentName(json.inSegment), detail: null };
      const withValue = 'value' in json && json.op !== 'filled' && json.op !== 'notFilled';
      if ('attr' in json) {
        return { subject: labels.attribute(kind, json.attr), operator: labels.operator(json.op).toLowerCase(), value: withValue ? valueText(json.value, json.attr) : null, detail: null };
      }
      if ('score' in json) return { subject: labels.score(json.score), operator: labels.operator(json.op).toLowerCase(), value: withValue ? valueText(json.value) : null, detail: null };
      const where = json.where
        ? Object.entries(json.where)
            .map(([key, v]) => {
              const directory = key === 'productGroup' ? 'productGroup' : key === 'manager' ? 'manager' : null;
              const text = directory
                ? (Array.isArray(v) ? v : [v])
                    .map((id) => (typeof id === 'string' ? (directory === 'manager' ? (directories.managers.nameOf(id) ?? id) : directories.productGroups.pathOf(id)) : valueText(id)))
                    .join(', ')
                : key === 'productSegment'
                  ? (Array.isArray(v) ? v : [v]).map((id) => (typeof id === 'string' ? segmentName(id) : valueText(id))).join(', ')
                  : valueText(v);
              return `${labels.whereKey(key)}: ${text}`;
            })
            .join('; ')
        : null;
      return {
        subject: labels.measure(json.measure),
        operator: labels.operator(json.op).toLowerCase(),
        value: withValue ? valueText(json.value) : null,
        detail: [periodText(json.period), where].filter(Boolean).join(' · '),
      };
    };

    return { condition, valueText, periodText, segmentName };
    // eslint-disable-next-line react-hooks/exhaustive-deps -- the directories object is new on every render; its members are listed
  }, [t, labels, format, attributes, segmentItems, directories.regions, directories.partnerGroups, directories.productGroups, directories.managers, directories.partnerTypes, kind]);
}
