import { ActionIcon, Anchor, Badge, Button, Group, Menu, NumberInput, Paper, Select, SimpleGrid, Stack, Text, ThemeIcon, Tooltip } from '@mantine/core';
import { IconBox, IconCake, IconPlus, IconReceipt, IconTrash, IconTrendingUp, IconUsers, type Icon } from '@tabler/icons-react';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import type { SegmentWithStatus } from '../../../api/segments';
import { CONDITION_KINDS, CUMULATIVE_MEASURES, THRESHOLD_OPS, type ConditionKind, type DiscountCondition } from '../../../api/terms';
import { newCondition, type ConditionDraft } from './condition-draft';
import { SegmentLink } from '../shared/badges';
import { useNumberSeparators, useTermsFormat } from '../shared/format';
import { segmentHref } from '../shared/links';
import { SegmentPicker } from '../shared/SegmentPicker';

export const CONDITION_ICONS: Record<ConditionKind, Icon> = {
  partnerInSegment: IconUsers,
  productInSegment: IconBox,
  cumulative: IconTrendingUp,
  birthday: IconCake,
  orderAmount: IconReceipt,
};

const toNumber = (value: string | number): number | '' => (typeof value === 'number' ? value : value === '' ? '' : Number(value));

interface ConditionsEditorProps {
  value: ConditionDraft[];
  onChange: (next: ConditionDraft[]) => void;
  /** The translated refusal for a segment id, if the last save refused it. */
  refusalFor: (segmentId: string | null) => string | null;
  segments: ReadonlyMap<string, SegmentWithStatus>;
}

/** The conditions of a discount, all of which must hold: a card per condition, "Add a condition". */
export function ConditionsEditor({ value, onChange, refusalFor, segments }: ConditionsEditorProps) {
  const { t } = useTranslation();
  const separators = useNumberSeparators();
  const set = (i: number, next: ConditionDraft) => onChange(value.map((c, j) => (j === i ? next : c)));
  const remove = (i: number) => onChange(value.filter((_, j) => j !== i));

  const body = (c: ConditionDraft, i: number): ReactNode => {
    switch (c.kind) {
      case 'partnerInSegment':
        return (
          <SegmentPicker
            kind="partner"
            label={t('terms.conditions.fields.partnerSegment')}
            value={c.segment}
            onChange={(segment) => set(i, { ...c, segment })}
            error={refusalFor(c.segment)}
            testId={`condition-${i}-segment`}
            hint={false}
          />
        );
      case 'productInSegment':
        return (
          <SegmentPicker
            kind="product"
            label={t('terms.conditions.fields.productSegment')}
            value={c.segment}
            onChange={(segment) => set(i, { ...c, segment })}
            error={refusalFor(c.segment)}
            testId={`condition-${i}-segment`}
            hint={false}
          />
        );
      case 'cumulative':
        return (
          <Stack gap="sm">
            <SimpleGrid cols={{ base: 1, xs: 2 }} spacing="sm">
              <Select
                label={t('terms.conditions.fields.measure')}
                data={CUMULATIVE_MEASURES.map((m) => ({ value: m, label: t(`terms.conditions.measures.${m.replace('sales.', '') as 'revenue'}`) }))}
                value={c.measure}
                onChange={(measure) => measure && set(i, { ...c, measure: measure })}
                allowDeselect={false}
                comboboxProps={{ withinPortal: true }}
              />
              <SegmentPicker
                kind="product"
                label={t('terms.conditions.fields.ofProducts')}
                emptyLabel={t('terms.conditions.allProducts')}
                value={c.productSegment}
                onChange={(productSegment) => set(i, { ...c, productSegment })}
                error={refusalFor(c.productSegment)}
                testId={`condition-${i}-product-segment`}
                hint={false}
              />
            </SimpleGrid>
            <SimpleGrid cols={{ base: 1, xs: 3 }} spacing="sm">
              <Select
                label={t('terms.conditions.fields.op')}
                data={THRESHOLD_OPS.map((op) => ({ value: op, label: t(`terms.conditions.ops.${op}`) }))}
                value={c.op}
                onChange={(op) => op && set(i, { ...c, op: op })}
                allowDeselect={false}
                comboboxProps={{ withinPortal: true }}
              />
              <NumberInput
                label={t('terms.conditions.fields.threshold')}
                value={c.threshold}
                onChange={(v) => set(i, { ...c, threshold: toNumber(v) })}
                min={0}
                {...separators.amount}
                withAsterisk
                data-testid={`condition-${i}-threshold`}
              />
              <NumberInput
                label={t('terms.conditions.fields.months')}
                placeholder={t('terms.conditions.allTime')}
                value={c.months}
                onChange={(v) => set(i, { ...c, months: toNumber(v) })}
                min={1}
                max={600}
                allowDecimal={false}
              />
            </SimpleGrid>
            <Text size="xs" c="dimmed">
              {c.segment ? (
                <>
                  {t('terms.conditions.cumulativeKept')}{' '}
                  <Anchor component={Link} to={segmentHref(c.segment)} size="xs">
                    {segments.get(c.segment)?.name ?? c.segment}
                  </Anchor>
                </>
              ) : (
                t('terms.conditions.cumulativeHint')
              )}
            </Text>
          </Stack>
        );
      case 'birthday':
        return (
          <NumberInput
            label={t('terms.conditions.fields.withinDays')}
            description={t('terms.conditions.fields.withinDaysHint')}
            inputWrapperOrder={['label', 'input', 'description', 'error']}
            value={c.withinDays}
            onChange={(v) => set(i, { ...c, withinDays: toNumber(v) })}
            min={0}
            max={366}
            allowDecimal={false}
            maw={260}
          />
        );
      case 'orderAmount':
        return <NumberInput label={t('terms.conditions.fields.min')} value={c.min} onChange={(v) => set(i, { ...c, min: toNumber(v) })} min={0} {...separators.amount} withAsterisk maw={260} />;
    }
  };

  return (
    <Stack gap="xs" data-testid="discount-conditions">
      <Group justify="space-between" gap="xs">
        <Text fw={600} size="sm">
          {t('terms.conditions.title')}
        </Text>
        <Menu position="bottom-end" withinPortal>
          <Menu.Target>
            <Button size="compact-sm" variant="light" leftSection={<IconPlus size={14} />} data-testid="condition-add">
              {t('terms.conditions.add')}
            </Button>
          </Menu.Target>
          <Menu.Dropdown>
            {CONDITION_KINDS.map((kind) => {
              const KindIcon = CONDITION_ICONS[kind];
              return (
                <Menu.Item key={kind} leftSection={<KindIcon size={16} />} onClick={() => onChange([...value, newCondition(kind)])} data-testid={`condition-add-${kind}`}>
                  {t(`terms.conditions.kinds.${kind}`)}
                </Menu.Item>
              );
            })}
          </Menu.Dropdown>
        </Menu>
      </Group>
      {value.length === 0 && (
        <Text size="sm" c="dimmed">
          {t('terms.conditions.none')}
        </Text>
      )}
      {value.map((c, i) => {
        const KindIcon = CONDITION_ICONS[c.kind];
        return (
          <Paper key={i} withBorder radius="md" p="sm" bg="gray.0" data-testid={`condition-${i}`} data-kind={c.kind}>
            <Group justify="space-between" mb="xs" wrap="nowrap">
              <Group gap={8} wrap="nowrap">
                <ThemeIcon size={24} radius="sm" variant="light">
                  <KindIcon size={15} />
                </ThemeIcon>
                {i > 0 && (
                  <Badge size="sm" variant="outline" color="gray" tt="none" radius="sm">
                    {t('terms.conditions.and')}
                  </Badge>
                )}
                <Text size="sm" fw={600}>
                  {t(`terms.conditions.kinds.${c.kind}`)}
                </Text>
              </Group>
              <Tooltip label={t('terms.conditions.remove')} openDelay={400}>
                <ActionIcon variant="subtle" color="gray" onClick={() => remove(i)} aria-label={t('terms.conditions.remove')}>
                  <IconTrash size={16} />
                </ActionIcon>
              </Tooltip>
            </Group>
            {body(c, i)}
          </Paper>
        );
      })}
    </Stack>
  );
}

/** One condition in a line of the list: what must hold, with links to the segments. */
export function ConditionSummary({ condition: c, segments }: { condition: DiscountCondition; segments: ReadonlyMap<string, SegmentWithStatus> }) {
  const { t } = useTranslation();
  const format = useTermsFormat();
  const KindIcon = CONDITION_ICONS[c.kind];
  const line = (content: ReactNode) => (
    <Group gap={6} wrap="nowrap" align="flex-start" data-testid="condition-summary" data-kind={c.kind}>
      <KindIcon size={15} stroke={1.6} color="var(--mantine-color-gray-6)" style={{ flexShrink: 0, marginTop: 3 }} />
      <div style={{ minWidth: 0 }}>{content}</div>
    </Group>
  );
  switch (c.kind) {
    case 'partnerInSegment':
    case 'productInSegment':
      return line(
        <Group gap={4} wrap="nowrap">
          <Text size="sm" style={{ whiteSpace: 'nowrap' }}>
            {t(`terms.conditions.summary.${c.kind}`)}
          </Text>
          <SegmentLink id={c.segment} segments={segments} icon={false} />
        </Group>,
      );
    case 'cumulative': {
      const measure = t(`terms.conditions.measures.${(c.measure ?? 'sales.revenue').replace('sales.', '') as 'revenue'}`);
      const products = c.productSegment ? (segments.get(c.productSegment)?.name ?? c.productSegment) : null;
      const text = t('terms.conditions.summary.cumulative', {
        measure,
        op: t(`terms.conditions.ops.${c.op ?? 'gte'}`),
        threshold: format.number(c.threshold),
        period: c.months ? t('terms.conditions.summary.months', { n: c.months }) : t('terms.conditions.summary.allTime'),
      });
      return line(
        <Stack gap={0}>
          <Text size="sm">
            {text}
            {products ? ` · ${t('terms.conditions.summary.ofProducts', { name: products })}` : ''}
          </Text>
          {c.segment && <SegmentLink id={c.segment} segments={segments} withSize icon={false} />}
        </Stack>,
      );
    }
    case 'birthday':
      return line(<Text size="sm">{c.withinDays ? t('terms.conditions.summary.birthdayWithin', { n: c.withinDays }) : t('terms.conditions.summary.birthday')}</Text>);
    case 'orderAmount':
      return line(<Text size="sm">{t('terms.conditions.summary.orderAmount', { min: format.number(c.min) })}</Text>);
  }
}
