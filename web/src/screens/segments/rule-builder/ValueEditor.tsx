import { Group, SegmentedControl, Stack, Text } from '@mantine/core';
import { IconAlertCircle } from '@tabler/icons-react';
import type { ValueEditorProps } from 'react-querybuilder';
import { useTranslation } from 'react-i18next';
import type { ReactNode } from 'react';
import type { VocabularyAttribute } from '../../../api/vocabulary';
import { todayIso, type BuilderContext } from './builder-context';
import { ChoiceField, ChoicesField, DateField, NumberField, ParamOr, TagsField, TextField, type Choice } from './inputs';
import { PeriodEditor } from './PeriodEditor';
import { parseField, type BuilderRule, type JsonValue } from './rule-query';
import { WhereEditor } from './WhereEditor';

type Shape = 'one' | 'pair' | 'list' | 'ids' | 'text' | 'days' | 'none';
type ScalarType = 'text' | 'number' | 'date' | 'boolean';

interface ScalarEditorProps {
  type: ScalarType;
  value: JsonValue | undefined;
  onChange: (value: JsonValue) => void;
  ctx: BuilderContext;
  choices: Choice[] | null;
  integer?: boolean;
  label: string;
}

/** One value of a type: a number, a date, yes/no, a choice from a directory, or text. */
function ScalarEditor({ type, value, onChange, ctx, choices, integer, label }: ScalarEditorProps) {
  const { t } = useTranslation();
  if (choices) return <ChoiceField value={value} onChange={onChange} disabled={ctx.disabled} label={label} choices={choices} />;
  switch (type) {
    case 'number':
      return <NumberField value={value} onChange={onChange} disabled={ctx.disabled} label={label} integer={integer ?? false} />;
    case 'date':
      return <DateField value={value} onChange={onChange} disabled={ctx.disabled} label={label} />;
    case 'boolean':
      return (
        <SegmentedControl
          size="xs"
          // Its own width: the value's column would stretch it across the row.
          w="fit-content"
          value={value === true ? 'true' : 'false'}
          onChange={(next) => onChange(next === 'true')}
          disabled={ctx.disabled}
          data={[
            { value: 'true', label: t('rule.values.yes') },
            { value: 'false', label: t('rule.values.no') },
          ]}
        />
      );
    default:
      return <TextField value={value} onChange={onChange} disabled={ctx.disabled} label={label} />;
  }
}

/** The value's shape for the operator, as the editor should show it. */
function valueInput(
  shape: Shape,
  type: ScalarType,
  value: JsonValue,
  onChange: (value: JsonValue) => void,
  ctx: BuilderContext,
  choices: Choice[] | null,
  t: (key: 'rule.values.from' | 'rule.values.to' | 'rule.values.enterValue' | 'rule.values.enterValues' | 'rule.values.chooseValues' | 'rule.values.days') => string,
  integer?: boolean,
) {
  const label = t('rule.values.enterValue');
  const scalar = (v: JsonValue | undefined, set: (v: JsonValue) => void, l = label) => (
    <ScalarEditor type={type} value={v} onChange={set} ctx={ctx} choices={choices} label={l} {...(integer !== undefined ? { integer } : {})} />
  );
  const fallbackScalar: JsonValue = type === 'number' ? 0 : type === 'boolean' ? false : type === 'date' ? todayIso() : '';
  switch (shape) {
    case 'none':
      return null;
    case 'pair': {
      const pair = Array.isArray(value) ? value : [value, value];
      const setAt = (i: number) => (v: JsonValue) => onChange(i === 0 ? [v, pair[1] ?? null] : [pair[0] ?? null, v]);
      return (
        <Group gap={6} wrap="nowrap">
          <Text size="xs" c="dimmed">
            {t('rule.values.from')}
          </Text>
          <ParamOr value={pair[0]} onChange={setAt(0)} parameterNames={ctx.parameterNames} disabled={ctx.disabled} fallback={fallbackScalar}>
            {scalar(pair[0], setAt(0), t('rule.values.from'))}
          </ParamOr>
          <Text size="xs" c="dimmed">
            {t('rule.values.to')}
          </Text>
          <ParamOr value={pair[1]} onChange={setAt(1)} parameterNames={ctx.parameterNames} disabled={ctx.disabled} fallback={fallbackScalar}>
            {scalar(pair[1], setAt(1), t('rule.values.to'))}
          </ParamOr>
        </Group>
      );
    }
    case 'list':
    case 'ids':
      return (
        <ParamOr value={value} onChange={onChange} parameterNames={ctx.parameterNames} disabled={ctx.disabled} fallback={[]}>
          {choices ? (
            <ChoicesField value={value} onChange={onChange} disabled={ctx.disabled} label={t('rule.values.chooseValues')} choices={choices} />
          ) : (
            <TagsField value={value} onChange={onChange} disabled={ctx.disabled} label={t('rule.values.enterValues')} numeric={type === 'number'} />
          )}
        </ParamOr>
      );
    case 'days':
      return (
        <ParamOr value={value} onChange={onChange} parameterNames={ctx.parameterNames} disabled={ctx.disabled} fallback={7}>
          <Group gap={6} wrap="nowrap">
            <NumberField value={value} onChange={onChange} disabled={ctx.disabled} label={t('rule.values.days')} integer width={80} />
            <Text size="xs" c="dimmed">
              {t('rule.values.days')}
            </Text>
          </Group>
        </ParamOr>
      );
    case 'text':
      return (
        <ParamOr value={value} onChange={onChange} parameterNames={ctx.parameterNames} disabled={ctx.disabled} fallback="">
          <TextField value={value} onChange={onChange} disabled={ctx.disabled} label={label} />
        </ParamOr>
      );
    default:
      return (
        <ParamOr value={value} onChange={onChange} parameterNames={ctx.parameterNames} disabled={ctx.disabled} fallback={fallbackScalar}>
          {scalar(value, onChange)}
        </ParamOr>
      );
  }
}

/** Fixed values (roles, legal form) or a directory's entries (regions with their path) to choose from. */
function attributeChoices(attribute: VocabularyAttribute, ctx: BuilderContext, shape: Shape): Choice[] | null {
  if (shape === 'text') return null;
  if (attribute.values) {
    return attribute.values.map((v) => ({ value: v, label: attribute.type === 'roles' ? ctx.labels.role(v) : ctx.labels.legalForm(v) }));
  }
  if (attribute.directory) {
    const directory = ctx.directories[attribute.directory];
    const choices = directory.items.map((item) => ({ value: item.id, label: attribute.hierarchy ? directory.pathOf(item.id) : item.name }));
    // A hierarchy reads as its tree: sorted by the whole path, so each node follows its parent (issue 21).
    return attribute.hierarchy ? choices.sort((a, b) => a.label.localeCompare(b.label, 'ru')) : choices;
  }
  return null;
}

/**
 * The value part of a condition: an input shaped by the attribute's type and the operator, a
 * segment to refer to, or for a measure its number, period and filters; and the problems the
 * server found in this condition.
 */
export function RuleValueEditor(props: ValueEditorProps) {
  const { t } = useTranslation();
  const ctx = props.context as BuilderContext;
  const rule = props.rule as BuilderRule;
  const { kind, name } = parseField(rule.field);
  const shape = ctx.vocabulary.operandShapes[rule.operator] ?? 'one';
  const value = rule.value;
  const onChange = (next: JsonValue) => props.handleOnChange(next);
  const issues = ctx.issuesAt(props.path);

  let editor: ReactNode;
  if (kind === 'segment') {
    const choices = ctx.segments.filter((s) => s.kind === ctx.kind && s.id !== ctx.selfId).map((s) => ({ value: s.id, label: s.name }));
    editor = <ChoiceField value={value} onChange={onChange} disabled={ctx.disabled} label={t('rule.values.segment')} choices={choices} width={220} />;
  } else if (kind === 'attr') {
    const attribute = ctx.attributes.get(name);
    const type: ScalarType = attribute && attribute.type !== 'roles' ? attribute.type : 'text';
    const choices = attribute ? attributeChoices(attribute, ctx, shape) : null;
    editor = valueInput(shape, type, value, onChange, ctx, choices, t);
  } else {
    const measure = kind === 'measure' ? ctx.measures.get(name) : undefined;
    const number = valueInput(shape, 'number', value, onChange, ctx, null, t, measure?.integer);
    editor =
      kind === 'measure' ? (
        <Stack gap={6}>
          <Group gap={8} wrap="wrap">
            {number}
            {measure?.period !== false && (
              <PeriodEditor value={rule.period} onChange={(period) => ctx.setRuleProp(props.path, 'period', period)} parameterNames={ctx.parameterNames} disabled={ctx.disabled} />
            )}
          </Group>
          {measure && <WhereEditor measureSource={measure.source} allowed={measure.where} value={rule.where} onChange={(where) => ctx.setRuleProp(props.path, 'where', where)} ctx={ctx} />}
        </Stack>
      ) : (
        number
      );
  }

  return (
    <div className={props.className} data-testid="rule-value" style={{ flex: '1 1 0', minWidth: kind === 'measure' ? 'min(100%, 420px)' : 200 }}>
      <Stack gap={4}>
        {editor}
        {issues.map((issue) => (
          <Group key={issue} gap={4} wrap="nowrap" c="red.7" data-testid="rule-issue">
            <IconAlertCircle size={14} style={{ flexShrink: 0 }} />
            <Text size="xs">{issue}</Text>
          </Group>
        ))}
      </Stack>
    </div>
  );
}
