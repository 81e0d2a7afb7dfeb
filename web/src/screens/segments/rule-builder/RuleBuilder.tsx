import 'react-querybuilder/dist/query-builder-layout.css';
import { ActionIcon, Button, Select, SegmentedControl, Switch, Tooltip } from '@mantine/core';
import { IconCopy, IconFolderPlus, IconPlus, IconTrash } from '@tabler/icons-react';
import { useCallback, useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import {
  QueryBuilder,
  type ActionProps,
  type CombinatorSelectorProps,
  type Field,
  type FullOption,
  type NotToggleProps,
  type OptionGroup,
  type Path,
  type ValueSelectorProps,
} from 'react-querybuilder';
import { useDirectory } from '../../../api/directories';
import type { SegmentKind } from '../../../api/segments';
import type { Vocabulary, VocabularyAttribute, VocabularyMeasure } from '../../../api/vocabulary';
import { useRuleLabels } from '../labels';
import { todayIso, type BuilderContext, type SegmentOption } from './builder-context';
import classes from './RuleBuilder.module.css';
import {
  ATTR_PREFIX,
  IN_SEGMENT_OPERATOR,
  isGroup,
  MEASURE_PREFIX,
  parseField,
  SCORE_PREFIX,
  SEGMENT_FIELD,
  type BuilderGroup,
  type BuilderItem,
  type BuilderRule,
  type JsonValue,
} from './rule-query';
import { RuleValueEditor } from './ValueEditor';

interface RuleField extends Field {
  operators: FullOption[];
  defaultOperator: string;
}

// ---------------------------------------------------------------- controls in the app's look

function FieldSelector({ options, value, handleOnChange, disabled, title }: ValueSelectorProps) {
  const data = (options as unknown as { label: string; name?: string; options?: FullOption[] }[]).map((entry) =>
    entry.options ? { group: entry.label, items: entry.options.map((o) => ({ value: o.name, label: o.label })) } : { value: entry.name ?? '', label: entry.label },
  );
  return (
    <Select
      size="xs"
      w={220}
      data={data}
      value={value ?? null}
      onChange={(next) => next && handleOnChange(next)}
      searchable
      allowDeselect={false}
      disabled={disabled}
      aria-label={title}
      maxDropdownHeight={360}
      comboboxProps={{ withinPortal: true, width: 320, position: 'bottom-start' }}
      className={classes.field}
      data-testid="rule-field"
    />
  );
}

function OperatorSelector({ options, value, handleOnChange, disabled, title }: ValueSelectorProps) {
  const data = (options as unknown as FullOption[]).map((o) => ({ value: o.name, label: o.label }));
  if (data.length === 1) return null;
  return (
    <Select
      size="xs"
      w={230}
      data={data}
      value={value ?? null}
      onChange={(next) => next && handleOnChange(next)}
      allowDeselect={false}
      disabled={disabled}
      aria-label={title}
      comboboxProps={{ withinPortal: true, width: 280, position: 'bottom-start' }}
      data-testid="rule-operator"
    />
  );
}

function CombinatorSelector({ options, value, handleOnChange, disabled, title }: CombinatorSelectorProps) {
  return (
    <SegmentedControl
      size="xs"
      value={value ?? 'and'}
      onChange={handleOnChange}
      disabled={disabled}
      aria-label={title}
      data={(options as FullOption[]).map((o) => ({ value: o.name, label: o.label }))}
      data-testid="rule-combinator"
    />
  );
}

function NotToggle({ checked, handleOnChange, label, title, disabled }: NotToggleProps) {
  return (
    <Tooltip label={title} openDelay={400}>
      <Switch size="xs" color="red" label={label} checked={checked ?? false} onChange={(e) => handleOnChange(e.currentTarget.checked)} disabled={disabled} data-testid="rule-not" />
    </Tooltip>
  );
}

function AddAction({ label, title, handleOnClick, disabled, className }: ActionProps) {
  const group = className?.includes('addGroup');
  return (
    <Button
      size="compact-xs"
      variant="light"
      color={group ? 'grape' : 'blue'}
      leftSection={group ? <IconFolderPlus size={13} /> : <IconPlus size={13} />}
      onClick={(e) => handleOnClick(e)}
      disabled={disabled}
      title={title}
      data-testid={group ? 'rule-add-group' : 'rule-add-rule'}
    >
      {label}
    </Button>
  );
}

function IconAction({ title, handleOnClick, disabled, className }: ActionProps) {
  const clone = className?.includes('clone');
  return (
    <Tooltip label={title} openDelay={400}>
      <ActionIcon size="sm" variant="subtle" color={clone ? 'gray' : 'red'} onClick={(e) => handleOnClick(e)} disabled={disabled} aria-label={title} data-testid={clone ? 'rule-clone' : 'rule-remove'}>
        {clone ? <IconCopy size={14} /> : <IconTrash size={14} />}
      </ActionIcon>
    </Tooltip>
  );
}

// ---------------------------------------------------------------- the builder

const valueTypeDefaults = (attribute: VocabularyAttribute | undefined): string => {
  if (!attribute) return 'eq';
  if (attribute.hierarchy) return 'inHierarchy';
  if (attribute.type === 'roles') return 'contains';
  return attribute.operators[0] ?? 'eq';
};

/** Drops what a condition's new field does not take: period and where off non-measures, where keys a measure does not know. */
function sanitize(item: BuilderItem, measures: ReadonlyMap<string, VocabularyMeasure>): BuilderItem {
  if (isGroup(item)) return { ...item, rules: item.rules.map((child) => sanitize(child, measures)) };
  const { kind, name } = parseField(item.field);
  const measure = kind === 'measure' ? measures.get(name) : undefined;
  if (kind === 'measure' && !measure) return item;
  const { period, where, ...rest } = item;
  const rule: BuilderRule = { ...rest };
  if (measure?.period && period !== undefined) rule.period = period;
  if (measure && where !== undefined) {
    const kept = Object.fromEntries(Object.entries(where).filter(([key]) => measure.where.includes(key)));
    if (Object.keys(kept).length) rule.where = kept;
  }
  return rule;
}

function updateAt(group: BuilderGroup, path: Path, change: (item: BuilderItem) => BuilderItem): BuilderGroup {
  if (path.length === 0) return change(group) as BuilderGroup;
  const [head, ...rest] = path;
  return {
    ...group,
    rules: group.rules.map((child, i) => (i !== head ? child : rest.length === 0 ? change(child) : isGroup(child) ? updateAt(child, rest, change) : child)),
  };
}

export interface RuleBuilderProps {
  kind: SegmentKind;
  vocabulary: Vocabulary;
  query: BuilderGroup;
  onChange: (query: BuilderGroup) => void;
  segments: readonly SegmentOption[];
  selfId: string | undefined;
  parameterNames: readonly string[];
  /** Problems the server found, by builder path ("1/0/2"), in the reader's language. */
  issues: ReadonlyMap<string, readonly string[]>;
  disabled?: boolean;
}

/**
 * The rule builder: react-querybuilder with Mantine controls, its fields and operators made
 * from the server's rule vocabulary, nested all / any / not groups, and value editors for
 * every attribute type, measure period and filter, and parameter.
 */
export function RuleBuilder({ kind, vocabulary, query, onChange, segments, selfId, parameterNames, issues, disabled = false }: RuleBuilderProps) {
  const { t } = useTranslation();
  const labels = useRuleLabels();
  const regions = useDirectory('regions');
  const partnerGroups = useDirectory('partnerGroups');
  const productGroups = useDirectory('productGroups');
  const managers = useDirectory('managers');
  const partnerTypes = useDirectory('partnerTypes');

  const attributes = useMemo(() => new Map(vocabulary.attributes.map((a) => [a.name, a])), [vocabulary]);
  const measures = useMemo(() => new Map(vocabulary.measures.map((m) => [m.name, m])), [vocabulary]);

  const fields = useMemo(() => {
    const operator = (op: string): FullOption => ({ name: op, value: op, label: labels.operator(op) });
    const attributeField = (a: VocabularyAttribute): RuleField => ({
      name: `${ATTR_PREFIX}${a.name}`,
      value: `${ATTR_PREFIX}${a.name}`,
      label: labels.attribute(kind, a.name),
      operators: a.operators.map(operator),
      defaultOperator: valueTypeDefaults(a),
    });
    const groups: OptionGroup<RuleField>[] = [
      { label: kind === 'product' ? t('rule.groups.productAttributes') : t('rule.groups.attributes'), options: vocabulary.attributes.filter((a) => !a.property).map(attributeField) },
    ];
    const properties = vocabulary.attributes.filter((a) => a.property);
    if (properties.length) groups.push({ label: t('rule.groups.properties'), options: properties.map(attributeField) });
    for (const source of ['sales', 'interactions', 'settlements', 'deals', 'partner'] as const) {
      const list = vocabulary.measures.filter((m) => m.source === source);
      if (!list.length) continue;
      groups.push({
        label: t(`rule.groups.${source}`),
        options: list.map((m) => ({
          name: `${MEASURE_PREFIX}${m.name}`,
          value: `${MEASURE_PREFIX}${m.name}`,
          label: labels.measure(m.name),
          operators: vocabulary.measureOperators.map(operator),
          defaultOperator: m.name.includes('daysSince') ? 'gte' : 'gt',
        })),
      });
    }
    if (vocabulary.scores.length) {
      groups.push({
        label: t('rule.groups.scores'),
        options: vocabulary.scores.map((s) => ({
          name: `${SCORE_PREFIX}${s.name}`,
          value: `${SCORE_PREFIX}${s.name}`,
          label: labels.score(s.name),
          operators: vocabulary.measureOperators.map(operator),
          defaultOperator: 'gte',
        })),
      });
    }
    groups.push({
      label: t('rule.groups.segments'),
      options: [{ name: SEGMENT_FIELD, value: SEGMENT_FIELD, label: t('rule.inSegment'), operators: [operator(IN_SEGMENT_OPERATOR)], defaultOperator: IN_SEGMENT_OPERATOR }],
    });
    return groups;
  }, [vocabulary, kind, labels, t]);

  const fieldData = useMemo(() => new Map(fields.flatMap((g) => g.options.map((f) => [f.name, f] as const))), [fields]);

  const defaultValue = useCallback(
    (rule: BuilderRule): JsonValue => {
      const { kind: fieldKind, name } = parseField(rule.field);
      const shape = vocabulary.operandShapes[rule.operator] ?? 'one';
      if (fieldKind === 'segment') return segments.find((s) => s.kind === kind && s.id !== selfId)?.id ?? '';
      if (shape === 'none') return '';
      if (shape === 'list' || shape === 'ids') return [];
      if (shape === 'days') return 7;
      if (shape === 'text') return '';
      const type = fieldKind === 'attr' ? attributes.get(name)?.type : 'number';
      const one: JsonValue = type === 'number' ? 0 : type === 'boolean' ? false : type === 'date' ? todayIso() : type === 'roles' ? 'customer' : '';
      return shape === 'pair' ? [one, one] : one;
    },
    [vocabulary, attributes, segments, kind, selfId],
  );

  const setRuleProp = useCallback(
    (path: Path, prop: 'period' | 'where', value: JsonValue | undefined) => {
      onChange(
        updateAt(query, path, (item) => {
          const next = { ...item } as BuilderRule;
          if (value === undefined) delete next[prop];
          else (next as unknown as Record<string, JsonValue>)[prop] = value;
          return next;
        }),
      );
    },
    [query, onChange],
  );

  const context: BuilderContext = {
    kind,
    vocabulary,
    attributes,
    measures,
    directories: { regions, partnerGroups, productGroups, managers, partnerTypes },
    segments,
    selfId,
    parameterNames,
    labels,
    disabled,
    setRuleProp,
    issuesAt: (path) => issues.get(path.join('/')) ?? [],
  };

  return (
    <div className={classes.builder} data-testid="rule-builder">
      <QueryBuilder
        query={query}
        onQueryChange={(next) => onChange(sanitize(next, measures) as BuilderGroup)}
        fields={fields}
        combinators={[
          { name: 'and', value: 'and', label: t('rule.combinators.and') },
          { name: 'or', value: 'or', label: t('rule.combinators.or') },
        ]}
        getOperators={(field) => fieldData.get(field)?.operators ?? null}
        getDefaultOperator={(field) => fieldData.get(field)?.defaultOperator ?? 'eq'}
        getDefaultValue={(rule) => defaultValue(rule as BuilderRule)}
        getDefaultField={() => (kind === 'product' ? `${ATTR_PREFIX}group` : `${ATTR_PREFIX}region`)}
        resetOnOperatorChange
        showNotToggle
        showCloneButtons
        addRuleToNewGroups
        disabled={disabled}
        context={context}
        controlClassnames={{ queryBuilder: 'queryBuilder-branches' }}
        controlElements={{
          fieldSelector: FieldSelector,
          operatorSelector: OperatorSelector,
          combinatorSelector: CombinatorSelector,
          notToggle: NotToggle,
          valueEditor: RuleValueEditor,
          addRuleAction: AddAction,
          addGroupAction: AddAction,
          removeRuleAction: IconAction,
          removeGroupAction: IconAction,
          cloneRuleAction: IconAction,
          cloneGroupAction: null,
        }}
        translations={{
          fields: { title: t('rule.field') },
          operators: { title: t('rule.operator') },
          value: { title: t('rule.value') },
          combinators: { title: t('rule.combinators.and') },
          addRule: { label: t('rule.addRule'), title: t('rule.addRule') },
          addGroup: { label: t('rule.addGroup'), title: t('rule.addGroup') },
          removeRule: { label: '', title: t('rule.removeRule') },
          removeGroup: { label: '', title: t('rule.removeGroup') },
          cloneRule: { label: '', title: t('rule.cloneRule') },
          notToggle: { label: t('rule.not'), title: t('rule.notHint') },
        }}
      />
    </div>
  );
}
