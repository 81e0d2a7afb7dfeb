import { Group, NumberInput, Select, Stack, Text } from '@mantine/core';
import { IconFileCertificate } from '@tabler/icons-react';
import { createColumnHelper } from '@tanstack/react-table';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useDeleteTerm, useSaveTerm, useTerms, type Agreement, type PriceType, type Validity } from '../../../api/terms';
import type { DataTableFeatures } from '../../../components/DataTable';
import { PercentBadge, SegmentLink, TermStateBadge, ValidityText } from '../shared/badges';
import { ActiveSwitch, DescriptionField, NameFields, PercentInput, SLUG, ValidityFields } from '../shared/fields';
import { useCampaignIndex, useSegmentIndex } from '../shared/indexes';
import { SegmentPicker } from '../shared/SegmentPicker';
import { useSegmentRefusal } from '../shared/segment-refusal';
import { TermDialog, useTermDialog } from '../shared/TermDialog';
import { TermsList } from '../shared/TermsList';
import { TermNameCell } from '../shared/TermNameCell';

const column = createColumnHelper<DataTableFeatures, Agreement>();

interface Draft extends Validity {
  id: string;
  name: string;
  description: string;
  segmentId: string | null;
  priceType: string | null;
  discountPercent: number | '';
  priority: number | '';
  active: boolean;
}

const draftOf = (a: Agreement | undefined): Draft => ({
  id: a?.id ?? '',
  name: a?.name ?? '',
  description: a?.description ?? '',
  segmentId: a?.segmentId ?? null,
  priceType: a?.priceType ?? null,
  discountPercent: a?.discountPercent ?? 0,
  priority: a?.priority ?? 0,
  active: a?.active ?? true,
  campaignId: a?.campaignId ?? null,
  validFrom: a?.validFrom ?? null,
  validTo: a?.validTo ?? null,
});

function AgreementDialog({ saved, priceTypes, onClose }: { saved: Agreement | undefined; priceTypes: readonly PriceType[]; onClose: () => void }) {
  const { t } = useTranslation();
  const [draft, setDraft] = useState<Draft>(() => draftOf(saved));
  const change = (patch: Partial<Draft>) => setDraft((d) => ({ ...d, ...patch }));
  const save = useSaveTerm('agreements', saved?.id);
  const remove = useDeleteTerm('agreements');
  const refusal = useSegmentRefusal();
  const segmentError = refusal(save.error, draft.segmentId);

  const onSave = () => {
    const body = {
      ...(saved || !draft.id ? {} : { id: draft.id }),
      name: draft.name.trim(),
      description: draft.description,
      segmentId: draft.segmentId,
      priceType: draft.priceType,
      discountPercent: draft.discountPercent === '' ? 0 : draft.discountPercent,
      priority: draft.priority === '' ? 0 : draft.priority,
      active: draft.active,
      campaignId: draft.campaignId,
      validFrom: draft.validFrom,
      validTo: draft.validTo,
    };
    void save.mutateAsync(body).then(onClose, () => undefined);
  };

  return (
    <TermDialog
      opened
      onClose={onClose}
      title={saved ? saved.name : t('terms.agreements.newTitle')}
      onSave={onSave}
      saving={save.isPending}
      canSave={draft.name.trim() !== '' && (draft.id === '' || SLUG.test(draft.id))}
      error={segmentError ? null : save.error}
      {...(saved
        ? {
            onDelete: () => void remove.mutateAsync(saved.id).then(onClose, () => undefined),
            deleting: remove.isPending,
            deleteError: remove.error,
            deleteText: t('terms.common.deleteNamed', { name: saved.name }),
          }
        : {})}
      testId="agreement-form"
    >
      <NameFields name={draft.name} id={draft.id} onName={(name) => change({ name })} onId={(id) => change({ id })} saved={saved !== undefined} testPrefix="agreement" />
      <SegmentPicker
        kind="partner"
        label={t('terms.agreements.fields.segment')}
        emptyLabel={t('terms.agreements.everyone')}
        value={draft.segmentId}
        onChange={(segmentId) => {
          change({ segmentId });
          save.reset();
        }}
        error={segmentError}
        testId="agreement-segment"
      />
      <Group grow align="flex-start" gap="sm" wrap="wrap">
        <Select
          label={t('terms.agreements.fields.priceType')}
          placeholder={t('terms.agreements.fields.priceTypePlaceholder')}
          data={priceTypes.map((p) => ({ value: p.id, label: `${p.name} (${p.currency})` }))}
          value={draft.priceType}
          onChange={(priceType) => {
            change({ priceType });
            save.reset();
          }}
          clearable
          searchable
          comboboxProps={{ withinPortal: true }}
          miw={200}
          data-testid="agreement-price-type"
        />
        <PercentInput
          label={t('terms.agreements.fields.discount')}
          description={t('terms.common.percentHint')}
          value={draft.discountPercent}
          onChange={(discountPercent) => change({ discountPercent })}
          testId="agreement-discount"
        />
      </Group>
      <NumberInput
        label={t('terms.agreements.fields.priority')}
        description={t('terms.agreements.fields.priorityHint')}
        value={draft.priority}
        onChange={(v) => change({ priority: typeof v === 'number' ? v : v === '' ? '' : Number(v) })}
        allowDecimal={false}
        w={220}
        data-testid="agreement-priority"
      />
      <ValidityFields value={draft} onChange={change} />
      <DescriptionField value={draft.description} onChange={(description) => change({ description })} />
      <ActiveSwitch value={draft.active} onChange={(active) => change({ active })} />
    </TermDialog>
  );
}

/** Agreements with customers (1C's типовые соглашения): who they are open to, price type, discount, validity. */
export function AgreementsPanel() {
  const { t, i18n } = useTranslation();
  const query = useTerms('agreements');
  const segments = useSegmentIndex();
  const campaigns = useCampaignIndex();
  const dialog = useTermDialog();
  const items = useMemo(() => [...(query.data?.items ?? [])].sort((a, b) => a.name.localeCompare(b.name, i18n.resolvedLanguage)), [query.data, i18n.resolvedLanguage]);
  const priceTypesQuery = useTerms('price-types');
  const priceTypes = useMemo(() => [...(priceTypesQuery.data?.items ?? [])].sort((a, b) => a.name.localeCompare(b.name, i18n.resolvedLanguage)), [priceTypesQuery.data, i18n.resolvedLanguage]);
  const priceTypeName = (id: string | null) => (id === null ? null : (priceTypes.find((p) => p.id === id)?.name ?? id));

  const segmentCell = (a: Agreement) =>
    a.segmentId ? (
      <SegmentLink id={a.segmentId} segments={segments} withSize />
    ) : (
      <Text size="sm" c="dimmed">
        {t('terms.agreements.everyone')}
      </Text>
    );

  const columns = useMemo(
    () =>
      column.columns([
        column.accessor('name', {
          header: () => t('terms.agreements.columns.name'),
          enableSorting: false,
          cell: (info) => <TermNameCell name={info.getValue()} id={info.row.original.id} />,
        }),
        column.display({ id: 'segment', header: () => t('terms.agreements.columns.segment'), cell: (info) => segmentCell(info.row.original) }),
        column.accessor('priceType', {
          header: () => t('terms.agreements.columns.priceType'),
          enableSorting: false,
          cell: (info) => <Text size="sm">{priceTypeName(info.getValue()) ?? '—'}</Text>,
        }),
        column.accessor('discountPercent', { header: () => t('terms.agreements.columns.discount'), enableSorting: false, cell: (info) => <PercentBadge value={info.getValue()} /> }),
        column.display({ id: 'validity', header: () => t('terms.agreements.columns.validity'), cell: (info) => <ValidityText term={info.row.original} campaigns={campaigns} withState /> }),
      ]),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [t, segments, campaigns, priceTypes],
  );

  const editing = dialog.openId ? items.find((a) => a.id === dialog.openId) : undefined;
  return (
    <>
      <TermsList
        testId="agreements"
        label={t('terms.tabs.agreements.title')}
        intro={t('terms.agreements.intro')}
        createLabel={t('terms.agreements.create')}
        onCreate={dialog.create}
        query={query}
        items={items}
        columns={columns}
        getRowId={(a) => a.id}
        onRowClick={(a) => dialog.open(a.id)}
        empty={{ icon: <IconFileCertificate size={26} />, title: t('terms.agreements.emptyTitle'), text: t('terms.agreements.emptyText') }}
        renderCompact={(a) => (
          <Stack gap={6}>
            <Group justify="space-between" wrap="nowrap" align="flex-start">
              <Text fw={600} style={{ overflowWrap: 'anywhere' }}>
                {a.name}
              </Text>
              <PercentBadge value={a.discountPercent} />
            </Group>
            {segmentCell(a)}
            <Group gap="xs">
              <TermStateBadge term={a} campaigns={campaigns} />
              {a.priceType && (
                <Text size="xs" c="dimmed">
                  {t('terms.agreements.columns.priceType')}: {priceTypeName(a.priceType)}
                </Text>
              )}
            </Group>
          </Stack>
        )}
      />
      {dialog.creating && <AgreementDialog key="new" saved={undefined} priceTypes={priceTypes} onClose={dialog.close} />}
      {editing && <AgreementDialog key={editing.id} saved={editing} priceTypes={priceTypes} onClose={dialog.close} />}
    </>
  );
}
