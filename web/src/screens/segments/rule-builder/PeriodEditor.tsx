import { Group, Select, Text } from '@mantine/core';
import { IconCalendar } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { isParam, todayIso } from './builder-context';
import { DateField, INPUT_SIZE, NumberField, ParamOr } from './inputs';
import type { JsonValue } from './rule-query';

type Mode = 'all' | 'last' | 'current' | 'previous' | 'range' | 'param';
const UNITS = ['days', 'months', 'years'] as const;
const CALENDAR = ['month', 'quarter', 'year'] as const;

const asObject = (value: JsonValue | undefined): Record<string, JsonValue> => (typeof value === 'object' && value !== null && !Array.isArray(value) ? value : {});

/** Which form a period is written in (docs/rules.md, Periods). */
export function periodMode(period: JsonValue | undefined): Mode {
  if (period === undefined || period === null) return 'all';
  if (isParam(period)) return 'param';
  const object = asObject(period);
  if ('last' in object) return 'last';
  if ('current' in object) return 'current';
  if ('previous' in object) return 'previous';
  return 'range';
}

function defaultPeriod(mode: Mode): JsonValue | undefined {
  switch (mode) {
    case 'all':
      return undefined;
    case 'last':
      return { last: { months: 12 } };
    case 'current':
      return { current: 'quarter' };
    case 'previous':
      return { previous: 'quarter' };
    case 'range':
      return { from: `${todayIso().slice(0, 4)}-01-01`, to: todayIso() };
    case 'param':
      return { param: 'period' };
  }
}

/** The period of a measure: all time, the last N days / months / years, a calendar period, dates, or a parameter. */
export function PeriodEditor({
  value,
  onChange,
  parameterNames,
  disabled,
}: {
  value: JsonValue | undefined;
  onChange: (value: JsonValue | undefined) => void;
  parameterNames: readonly string[];
  disabled: boolean;
}) {
  const { t } = useTranslation();
  const mode = periodMode(value);
  const object = asObject(value);
  const modes: Mode[] = ['all', 'last', 'current', 'previous', 'range', 'param'];

  let detail = null;
  if (mode === 'last') {
    const last = asObject(object.last);
    const unit = UNITS.find((u) => u in last) ?? 'days';
    detail = (
      <>
        <ParamOr value={last[unit]} onChange={(n) => onChange({ last: { [unit]: n } })} parameterNames={parameterNames} disabled={disabled} fallback={12}>
          <NumberField value={last[unit]} onChange={(n) => onChange({ last: { [unit]: n } })} disabled={disabled} label={t('rule.period.last')} integer width={80} />
        </ParamOr>
        <Select
          size={INPUT_SIZE}
          w={110}
          data={UNITS.map((u) => ({ value: u, label: t(`rule.period.units.${u}`) }))}
          value={unit}
          onChange={(next) => onChange({ last: { [next ?? 'days']: last[unit] ?? 12 } })}
          allowDeselect={false}
          disabled={disabled}
          aria-label={t('rule.period.label')}
          comboboxProps={{ withinPortal: true }}
        />
      </>
    );
  } else if (mode === 'current' || mode === 'previous') {
    detail = (
      <Select
        size={INPUT_SIZE}
        w={110}
        data={CALENDAR.map((c) => ({ value: c, label: t(`rule.period.calendar.${c}`) }))}
        value={typeof object[mode] === 'string' ? object[mode] : 'month'}
        onChange={(next) => onChange({ [mode]: next ?? 'month' })}
        allowDeselect={false}
        disabled={disabled}
        aria-label={t('rule.period.label')}
        comboboxProps={{ withinPortal: true }}
      />
    );
  } else if (mode === 'range') {
    const set = (end: 'from' | 'to', date: string) => {
      const next: Record<string, JsonValue> = { ...object };
      if (date) next[end] = date;
      else delete next[end];
      onChange(next);
    };
    detail = (
      <>
        <Text size="xs" c="dimmed">
          {t('rule.period.from')}
        </Text>
        <DateField value={object.from} onChange={(d) => set('from', d)} disabled={disabled} label={t('rule.period.from')} />
        <Text size="xs" c="dimmed">
          {t('rule.period.to')}
        </Text>
        <DateField value={object.to} onChange={(d) => set('to', d)} disabled={disabled} label={t('rule.period.to')} />
      </>
    );
  } else if (mode === 'param') {
    detail = (
      <ParamOr value={value} onChange={(next) => onChange(next)} parameterNames={parameterNames} disabled={disabled} fallback={{ last: { months: 12 } }}>
        {null}
      </ParamOr>
    );
  }

  return (
    <Group gap={6} wrap="wrap" data-testid="period-editor">
      <Select
        size={INPUT_SIZE}
        w={150}
        leftSection={<IconCalendar size={14} />}
        data={modes.map((m) => ({ value: m, label: t(`rule.period.${m}`) }))}
        value={mode}
        onChange={(next) => onChange(defaultPeriod(next ?? 'all'))}
        allowDeselect={false}
        disabled={disabled}
        aria-label={t('rule.period.label')}
        comboboxProps={{ withinPortal: true }}
        data-testid="period-mode"
      />
      {detail}
    </Group>
  );
}
