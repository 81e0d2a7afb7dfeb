import { ActionIcon, Autocomplete, Group, MultiSelect, NumberInput, Select, TagsInput, TextInput, Tooltip } from '@mantine/core';
import { DatePickerInput } from '@mantine/dates';
import { useAdvancedMode } from '../../../app/advanced-mode';
import { IconVariable, IconVariableOff } from '@tabler/icons-react';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { isParam, toList } from './builder-context';
import type { JsonValue } from './rule-query';

/** Small inputs of the rule builder: one look, sized to sit in a condition's row. */
export const INPUT_SIZE = 'xs';

export interface Choice {
  value: string;
  label: string;
}

export function DateField({ value, onChange, disabled, label }: { value: JsonValue | undefined; onChange: (value: string) => void; disabled: boolean; label: string }) {
  return (
    <DatePickerInput
      size={INPUT_SIZE}
      w={128}
      valueFormat="DD.MM.YYYY"
      value={typeof value === 'string' && value ? value : null}
      onChange={(next) => onChange(next ?? '')}
      disabled={disabled}
      aria-label={label}
      placeholder={label}
      popoverProps={{ withinPortal: true }}
    />
  );
}

export function NumberField({
  value,
  onChange,
  disabled,
  label,
  integer,
  width = 120,
}: {
  value: JsonValue | undefined;
  /** null when the field is cleared: an empty number is never 0 (issue 21). */
  onChange: (value: number | null) => void;
  disabled: boolean;
  label: string;
  integer?: boolean;
  width?: number;
}) {
  return (
    <NumberInput
      size={INPUT_SIZE}
      w={width}
      value={typeof value === 'number' ? value : ''}
      onChange={(next) => onChange(typeof next === 'number' ? next : next === '' || Number.isNaN(Number(next)) ? null : Number(next))}
      disabled={disabled}
      aria-label={label}
      placeholder={label}
      thousandSeparator=" "
      decimalScale={integer ? 0 : 4}
      allowDecimal={!integer}
    />
  );
}

export function TextField({ value, onChange, disabled, label }: { value: JsonValue | undefined; onChange: (value: string) => void; disabled: boolean; label: string }) {
  return (
    <TextInput
      size={INPUT_SIZE}
      w={200}
      value={typeof value === 'string' ? value : value === undefined || value === null ? '' : String(value)}
      onChange={(e) => onChange(e.currentTarget.value)}
      disabled={disabled}
      aria-label={label}
      placeholder={label}
    />
  );
}

export function ChoiceField({
  value,
  onChange,
  disabled,
  label,
  choices,
  width = 220,
}: {
  value: JsonValue | undefined;
  onChange: (value: string) => void;
  disabled: boolean;
  label: string;
  choices: Choice[];
  width?: number;
}) {
  const current = typeof value === 'string' ? value : null;
  // A value the list does not have (a code deleted since) still shows, as its code.
  const data = current && !choices.some((c) => c.value === current) ? [...choices, { value: current, label: current }] : choices;
  return (
    <Select
      size={INPUT_SIZE}
      w={width}
      data={data}
      value={current}
      onChange={(next) => onChange(next ?? '')}
      disabled={disabled}
      aria-label={label}
      placeholder={label}
      searchable={choices.length > 8}
      allowDeselect={false}
      comboboxProps={{ withinPortal: true }}
    />
  );
}

export function ChoicesField({
  value,
  onChange,
  disabled,
  label,
  choices,
  width = 280,
}: {
  value: JsonValue | undefined;
  onChange: (value: string[]) => void;
  disabled: boolean;
  label: string;
  choices: Choice[];
  width?: number;
}) {
  const current = toList(value).map(String);
  const missing = current.filter((v) => !choices.some((c) => c.value === v)).map((v) => ({ value: v, label: v }));
  return (
    <MultiSelect
      size={INPUT_SIZE}
      miw={200}
      maw={width + 120}
      data={[...choices, ...missing]}
      value={current}
      onChange={onChange}
      disabled={disabled}
      aria-label={label}
      placeholder={current.length ? undefined : label}
      searchable
      comboboxProps={{ withinPortal: true }}
    />
  );
}

export function TagsField({
  value,
  onChange,
  disabled,
  label,
  suggestions,
  numeric,
}: {
  value: JsonValue | undefined;
  onChange: (value: JsonValue[]) => void;
  disabled: boolean;
  label: string;
  suggestions?: string[];
  numeric?: boolean;
}) {
  const current = toList(value).map(String);
  return (
    <TagsInput
      size={INPUT_SIZE}
      miw={200}
      maw={360}
      data={suggestions ?? []}
      value={current}
      onChange={(next) => onChange(numeric ? next.map(Number).filter((n) => Number.isFinite(n)) : next)}
      disabled={disabled}
      aria-label={label}
      placeholder={current.length ? undefined : label}
      comboboxProps={{ withinPortal: true }}
    />
  );
}

/**
 * A value that may instead be taken from a segment parameter ({"param": "name"}): the input,
 * or the parameter's name, and a button to switch between them.
 */
export function ParamOr({
  value,
  onChange,
  parameterNames,
  disabled,
  fallback,
  children,
}: {
  value: JsonValue | undefined;
  onChange: (value: JsonValue) => void;
  parameterNames: readonly string[];
  disabled: boolean;
  /** The plain value to go back to from a parameter. */
  fallback: JsonValue;
  children: ReactNode;
}) {
  const { t } = useTranslation();
  const param = isParam(value);
  // Rule parameters are the advanced mode's (issue 21): a manager sees no (x) beside each value.
  const [advanced] = useAdvancedMode();
  if (!advanced && !param) return <>{children}</>;
  return (
    <Group gap={4} wrap="nowrap">
      {param ? (
        <Autocomplete
          size={INPUT_SIZE}
          w={150}
          data={[...parameterNames]}
          value={value.param}
          onChange={(name) => onChange({ param: name })}
          disabled={disabled}
          aria-label={t('rule.param.name')}
          placeholder={t('rule.param.name')}
          leftSection={<IconVariable size={14} />}
          comboboxProps={{ withinPortal: true }}
        />
      ) : (
        children
      )}
      <Tooltip label={param ? t('rule.param.toggleOff') : t('rule.param.toggle')} openDelay={300}>
        <ActionIcon
          size="sm"
          variant={param ? 'light' : 'subtle'}
          color={param ? 'grape' : 'gray'}
          onClick={() => onChange(param ? fallback : { param: parameterNames[0] ?? '' })}
          disabled={disabled}
          aria-label={param ? t('rule.param.toggleOff') : t('rule.param.toggle')}
        >
          {param ? <IconVariableOff size={14} /> : <IconVariable size={14} />}
        </ActionIcon>
      </Tooltip>
    </Group>
  );
}
