import { ActionIcon, Button, Group, Menu, Text, Tooltip } from '@mantine/core';
import { IconFilter, IconPlus, IconX } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import type { BuilderContext } from './builder-context';
import { ChoicesField, ParamOr, TagsField, type Choice } from './inputs';
import type { JsonValue } from './rule-query';

const INTERACTION_TYPES = ['call', 'meeting', 'email', 'letter', 'request', 'survey'];

/** The editor of one `where` key's value: names from directories where there are any. */
function WhereValue({ measureSource, whereKey, value, onChange, ctx }: { measureSource: string; whereKey: string; value: JsonValue; onChange: (value: JsonValue) => void; ctx: BuilderContext }) {
  const { t } = useTranslation();
  const label = ctx.labels.whereKey(whereKey);
  const choices = (list: Choice[]) => <ChoicesField value={value} onChange={onChange} disabled={ctx.disabled} label={label} choices={list} />;
  let editor;
  if (whereKey === 'productGroup') {
    editor = choices(ctx.directories.productGroups.items.map((g) => ({ value: g.id, label: ctx.directories.productGroups.pathOf(g.id) })));
  } else if (whereKey === 'manager') {
    editor = choices(ctx.directories.managers.items.map((m) => ({ value: m.id, label: m.name })));
  } else if (whereKey === 'productSegment') {
    editor = choices(ctx.segments.filter((s) => s.kind === 'product').map((s) => ({ value: s.id, label: s.name })));
  } else if (whereKey === 'direction') {
    editor = choices(['in', 'out'].map((d) => ({ value: d, label: ctx.labels.direction(d) })));
  } else if (whereKey === 'outcome') {
    editor = choices(['open', 'won', 'lost'].map((o) => ({ value: o, label: ctx.labels.outcome(o) })));
  } else if (whereKey === 'type' && measureSource === 'interactions') {
    editor = choices(INTERACTION_TYPES.map((type) => ({ value: type, label: ctx.labels.interactionType(type) })));
  } else {
    editor = <TagsField value={value} onChange={onChange} disabled={ctx.disabled} label={t('rule.values.enterValues')} />;
  }
  return (
    <ParamOr value={value} onChange={onChange} parameterNames={ctx.parameterNames} disabled={ctx.disabled} fallback={[]}>
      {editor}
    </ParamOr>
  );
}

/** The filters narrowing a measure's facts (sales by product group, interactions by type…). */
export function WhereEditor({
  measureSource,
  allowed,
  value,
  onChange,
  ctx,
}: {
  measureSource: string;
  allowed: readonly string[];
  value: { [key: string]: JsonValue } | undefined;
  onChange: (value: { [key: string]: JsonValue } | undefined) => void;
  ctx: BuilderContext;
}) {
  const { t } = useTranslation();
  const where = value ?? {};
  const used = Object.keys(where);
  const free = allowed.filter((key) => !used.includes(key));
  if (allowed.length === 0 && used.length === 0) return null;

  const set = (key: string, next: JsonValue | undefined) => {
    const copy = { ...where };
    if (next === undefined) delete copy[key];
    else copy[key] = next;
    onChange(Object.keys(copy).length ? copy : undefined);
  };

  return (
    <Group gap={8} wrap="wrap" data-testid="where-editor">
      {used.map((key) => (
        <Group key={key} gap={4} wrap="nowrap" data-where-key={key}>
          <Text size="xs" c="dimmed" fw={500}>
            {ctx.labels.whereKey(key)}:
          </Text>
          <WhereValue measureSource={measureSource} whereKey={key} value={where[key]!} onChange={(next) => set(key, next)} ctx={ctx} />
          <Tooltip label={t('rule.where.remove')} openDelay={300}>
            <ActionIcon size="sm" variant="subtle" color="gray" onClick={() => set(key, undefined)} disabled={ctx.disabled} aria-label={t('rule.where.remove')}>
              <IconX size={12} />
            </ActionIcon>
          </Tooltip>
        </Group>
      ))}
      {free.length > 0 && (
        <Menu position="bottom-start" withinPortal>
          <Menu.Target>
            <Button size="compact-xs" variant="subtle" leftSection={<IconFilter size={12} />} rightSection={<IconPlus size={10} />} disabled={ctx.disabled} data-testid="where-add">
              {t('rule.where.add')}
            </Button>
          </Menu.Target>
          <Menu.Dropdown>
            {free.map((key) => (
              <Menu.Item key={key} onClick={() => set(key, [])}>
                {ctx.labels.whereKey(key)}
              </Menu.Item>
            ))}
          </Menu.Dropdown>
        </Menu>
      )}
    </Group>
  );
}
