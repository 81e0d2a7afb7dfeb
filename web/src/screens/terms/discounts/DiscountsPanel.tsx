import { Alert, Anchor, Badge, Group, NumberInput, Select, SimpleGrid, Stack, Switch, Text } from '@mantine/core';
import { IconDiscount, IconTable } from '@tabler/icons-react';
import { createColumnHelper } from '@tanstack/react-table';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { COMBINE_MODES, useDeleteTerm, useDiscountTables, useSaveTerm, useTerms, type CombineMode, type Discount, type Validity } from '../../../api/terms';
import type { DataTableFeatures } from '../../../components/DataTable';
import { PercentBadge, TermStateBadge, ValidityText } from '../shared/badges';
import { ActiveSwitch, DescriptionField, NameFields, PercentInput, SLUG, ValidityFields } from '../shared/fields';
import { useCampaignIndex, useSegmentIndex } from '../shared/indexes';
import { tableHref } from '../shared/links';
import { useSegmentRefusal } from '../shared/segment-refusal';
import { TermDialog, useTermDialog } from '../shared/TermDialog';
import { TermsList } from '../shared/TermsList';
import { conditionDraftOf, conditionInput, type ConditionDraft } from './condition-draft';
import { ConditionsEditor, ConditionSummary } from './conditions';

const column = createColumnHelper<DataTableFeatures, Discount>();

interface Draft extends Validity {
  id: string;
  name: string;
  description: string;
  percent: number | '';
  combine: CombineMode;
  priority: number | '';
  conditions: ConditionDraft[];
  active: boolean;
}

const draftOf = (d: Discount | undefined): Draft => ({
  id: d?.id ?? '',
  name: d?.name ?? '',
  description: d?.description ?? '',
  percent: d?.percent ?? '',
  combine: d?.combine ?? 'max',
  priority: d?.priority ?? 0,
  conditions: (d?.conditions ?? []).map(conditionDraftOf),
  active: d?.active ?? true,
  campaignId: d?.campaignId ?? null,
  validFrom: d?.validFrom ?? null,
  validTo: d?.validTo ?? null,
});

/** How a discount combines with others, as 1C names the ways (Максимум, Сложение, Вытеснение…). */
export function CombineBadge({ combine, priority }: { combine: CombineMode; priority?: number }) {
  const { t } = useTranslation();
  const badge = (
    <Badge size="sm" variant="outline" color="gray" tt="none" radius="sm" styles={{ root: { maxWidth: 'none', flexShrink: 0 }, label: { overflow: 'visible' } }}>
      {t(`terms.combine.${combine}`)}
    </Badge>
  );
  if (!priority) return badge;
  return (
    <Stack gap={2} align="flex-start">
      {badge}
      <Text size="xs" c="dimmed">
        {t('terms.discounts.priorityShort', { n: priority })}
      </Text>
    </Stack>
  );
}

function DiscountDialog({ saved, onClose }: { saved: Discount | undefined; onClose: () => void }) {
  const { t } = useTranslation();
  const segments = useSegmentIndex();
  const [draft, setDraft] = useState<Draft>(() => draftOf(saved));
  const change = (patch: Partial<Draft>) => setDraft((d) => ({ ...d, ...patch }));
  const save = useSaveTerm('discounts', saved?.id);
  const remove = useDeleteTerm('discounts');
  const refusal = useSegmentRefusal();
  const inputs = draft.conditions.map(conditionInput);
  const complete = inputs.every((c) => c !== null);
  // A refusal about a segment a condition names is said at that condition.
  const placed = draft.conditions.some((c) => ('segment' in c && refusal(save.error, c.segment)) || (c.kind === 'cumulative' && refusal(save.error, c.productSegment)));

  const onSave = () =>
    void save
      .mutateAsync({
        ...(saved || !draft.id ? {} : { id: draft.id }),
        name: draft.name.trim(),
        description: draft.description,
        percent: draft.percent === '' ? 0 : draft.percent,
        combine: draft.combine,
        priority: draft.priority === '' ? 0 : draft.priority,
        conditions: inputs,
        active: draft.active,
        campaignId: draft.campaignId,
        validFrom: draft.validFrom,
        validTo: draft.validTo,
      })
      .then(onClose, () => undefined);

  return (
    <TermDialog
      opened
      onClose={onClose}
      title={saved ? saved.name : t('terms.discounts.newTitle')}
      onSave={onSave}
      saving={save.isPending}
      canSave={draft.name.trim() !== '' && draft.percent !== '' && complete && (draft.id === '' || SLUG.test(draft.id))}
      error={placed ? null : save.error}
      {...(saved
        ? {
            onDelete: () => void remove.mutateAsync(saved.id).then(onClose, () => undefined),
            deleting: remove.isPending,
            deleteError: remove.error,
            deleteText: t('terms.common.deleteNamed', { name: saved.name }),
          }
        : {})}
      testId="discount-form"
    >
      {saved?.tableId && (
        <Alert color="blue" variant="light" icon={<IconTable size={18} />}>
          {t('terms.discounts.fromTableNote')}{' '}
          <Anchor component={Link} to={tableHref(saved.tableId)} size="sm">
            {saved.tableId}
          </Anchor>
        </Alert>
      )}
      <NameFields name={draft.name} id={draft.id} onName={(name) => change({ name })} onId={(id) => change({ id })} saved={saved !== undefined} testPrefix="discount" />
      <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="sm">
        <PercentInput
          label={t('terms.discounts.fields.percent')}
          description={t('terms.common.percentHint')}
          value={draft.percent}
          onChange={(percent) => change({ percent })}
          testId="discount-percent"
        />
        <Select
          label={t('terms.discounts.fields.combine')}
          description={t(`terms.combineHints.${draft.combine}`)}
          inputWrapperOrder={['label', 'input', 'description', 'error']}
          data={COMBINE_MODES.map((m) => ({ value: m, label: t(`terms.combine.${m}`) }))}
          value={draft.combine}
          onChange={(combine) => combine && change({ combine: combine })}
          allowDeselect={false}
          comboboxProps={{ withinPortal: true }}
          data-testid="discount-combine"
        />
        <NumberInput
          label={t('terms.discounts.fields.priority')}
          description={t('terms.discounts.fields.priorityHint')}
          inputWrapperOrder={['label', 'input', 'description', 'error']}
          value={draft.priority}
          onChange={(v) => change({ priority: typeof v === 'number' ? v : v === '' ? '' : Number(v) })}
          allowDecimal={false}
        />
      </SimpleGrid>
      <ConditionsEditor
        value={draft.conditions}
        onChange={(conditions) => {
          change({ conditions });
          save.reset();
        }}
        refusalFor={(id) => refusal(save.error, id)}
        segments={segments}
      />
      <ValidityFields value={draft} onChange={change} />
      <DescriptionField value={draft.description} onChange={(description) => change({ description })} />
      <ActiveSwitch value={draft.active} onChange={(active) => change({ active })} />
    </TermDialog>
  );
}

/** Discounts and markups (1C's Скидки (наценки)): percent, conditions, how they combine, validity. */
export function DiscountsPanel() {
  const { t, i18n } = useTranslation();
  const query = useTerms('discounts');
  const segments = useSegmentIndex();
  const campaigns = useCampaignIndex();
  const dialog = useTermDialog();
  const [withTables, setWithTables] = useState(false);
  const all = useMemo(() => [...(query.data?.items ?? [])].sort((a, b) => a.name.localeCompare(b.name, i18n.resolvedLanguage)), [query.data, i18n.resolvedLanguage]);
  const fromTables = all.filter((d) => d.tableId !== null).length;
  const items = withTables ? all : all.filter((d) => d.tableId === null);

  const conditions = (d: Discount) =>
    d.conditions.length === 0 ? (
      <Text size="sm" c="dimmed">
        {t('terms.conditions.noneShort')}
      </Text>
    ) : (
      <Stack gap={4} miw={220} maw={320} style={{ whiteSpace: 'normal' }}>
        {d.conditions.map((c, i) => (
          <ConditionSummary key={i} condition={c} segments={segments} />
        ))}
      </Stack>
    );
  const tables = useDiscountTables();
  const tableName = (id: string) => tables.data?.items.find((table) => table.id === id)?.name || id;
  const name = (d: Discount) => (
    <Stack gap={0} miw={170}>
      <Text size="sm" fw={600}>
        {d.name}
      </Text>
      <Text size="xs" c="dimmed" ff="monospace" style={{ overflowWrap: 'anywhere' }}>
        {d.id}
      </Text>
      {d.tableId && (
        <Anchor component={Link} to={tableHref(d.tableId)} size="xs" onClick={(e) => e.stopPropagation()} title={d.tableId}>
          {t('terms.discounts.fromTable', { id: tableName(d.tableId) })}
        </Anchor>
      )}
    </Stack>
  );

  const columns = useMemo(
    () =>
      column.columns([
        column.display({ id: 'name', header: () => t('terms.discounts.columns.name'), cell: (info) => name(info.row.original) }),
        column.accessor('percent', { header: () => t('terms.discounts.columns.percent'), enableSorting: false, cell: (info) => <PercentBadge value={info.getValue()} /> }),
        column.display({ id: 'conditions', header: () => t('terms.discounts.columns.conditions'), cell: (info) => conditions(info.row.original) }),
        column.display({
          id: 'combine',
          header: () => t('terms.discounts.columns.combine'),
          cell: (info) => <CombineBadge combine={info.row.original.combine} priority={info.row.original.priority} />,
        }),
        column.display({ id: 'validity', header: () => t('terms.discounts.columns.validity'), cell: (info) => <ValidityText term={info.row.original} campaigns={campaigns} withState /> }),
      ]),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [t, segments, campaigns],
  );

  const editing = dialog.openId ? all.find((d) => d.id === dialog.openId) : undefined;
  return (
    <>
      <TermsList
        testId="discounts"
        label={t('terms.tabs.discounts.title')}
        intro={t('terms.discounts.intro')}
        createLabel={t('terms.discounts.create')}
        onCreate={dialog.create}
        query={query}
        items={items}
        columns={columns}
        getRowId={(d) => d.id}
        onRowClick={(d) => dialog.open(d.id)}
        tools={
          fromTables > 0 && (
            <Switch checked={withTables} onChange={(e) => setWithTables(e.currentTarget.checked)} label={t('terms.discounts.showTables', { n: fromTables })} data-testid="discounts-with-tables" />
          )
        }
        empty={{
          icon: <IconDiscount size={26} />,
          title: t('terms.discounts.emptyTitle'),
          text: fromTables > 0 ? t('terms.discounts.emptyOnlyTables', { n: fromTables }) : t('terms.discounts.emptyText'),
        }}
        renderCompact={(d) => (
          <Stack gap={6}>
            <Group justify="space-between" wrap="nowrap" align="flex-start">
              {name(d)}
              <PercentBadge value={d.percent} />
            </Group>
            {conditions(d)}
            <Group gap="xs">
              <CombineBadge combine={d.combine} priority={d.priority} />
              <TermStateBadge term={d} campaigns={campaigns} />
            </Group>
          </Stack>
        )}
      />
      {dialog.creating && <DiscountDialog key="new" saved={undefined} onClose={dialog.close} />}
      {editing && <DiscountDialog key={editing.id} saved={editing} onClose={dialog.close} />}
    </>
  );
}
