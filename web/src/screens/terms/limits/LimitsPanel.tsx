import { Group, Stack, Text } from '@mantine/core';
import { IconHandStop } from '@tabler/icons-react';
import { createColumnHelper } from '@tanstack/react-table';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useDeleteTerm, useSaveTerm, useTerms, type ManualDiscountLimit } from '../../../api/terms';
import type { DataTableFeatures } from '../../../components/DataTable';
import { PercentBadge, SegmentLink } from '../shared/badges';
import { NameFields, PercentInput, SLUG } from '../shared/fields';
import { useSegmentIndex } from '../shared/indexes';
import { SegmentPicker } from '../shared/SegmentPicker';
import { useSegmentRefusal } from '../shared/segment-refusal';
import { TermDialog, useTermDialog } from '../shared/TermDialog';
import { TermsList } from '../shared/TermsList';
import { TermNameCell } from '../shared/TermNameCell';

const column = createColumnHelper<DataTableFeatures, ManualDiscountLimit>();

function LimitDialog({ saved, onClose }: { saved: ManualDiscountLimit | undefined; onClose: () => void }) {
  const { t } = useTranslation();
  const [draft, setDraft] = useState<{ id: string; name: string; segmentId: string | null; maxPercent: number | '' }>({
    id: saved?.id ?? '',
    name: saved?.name ?? '',
    segmentId: saved?.segmentId ?? null,
    maxPercent: saved?.maxPercent ?? '',
  });
  const change = (patch: Partial<typeof draft>) => setDraft((d) => ({ ...d, ...patch }));
  const save = useSaveTerm('manual-discount-limits', saved?.id);
  const remove = useDeleteTerm('manual-discount-limits');
  const refusal = useSegmentRefusal();
  const segmentError = refusal(save.error, draft.segmentId);
  const onSave = () =>
    void save
      .mutateAsync({ ...(saved || !draft.id ? {} : { id: draft.id }), name: draft.name.trim(), segmentId: draft.segmentId, maxPercent: draft.maxPercent === '' ? 0 : draft.maxPercent })
      .then(onClose, () => undefined);
  return (
    <TermDialog
      opened
      onClose={onClose}
      title={saved ? saved.name : t('terms.limits.newTitle')}
      onSave={onSave}
      saving={save.isPending}
      canSave={draft.name.trim() !== '' && draft.maxPercent !== '' && (draft.id === '' || SLUG.test(draft.id))}
      error={segmentError ? null : save.error}
      {...(saved
        ? {
            onDelete: () => void remove.mutateAsync(saved.id).then(onClose, () => undefined),
            deleting: remove.isPending,
            deleteError: remove.error,
            deleteText: t('terms.common.deleteNamed', { name: saved.name }),
          }
        : {})}
      testId="limit-form"
    >
      <NameFields name={draft.name} id={draft.id} onName={(name) => change({ name })} onId={(id) => change({ id })} saved={saved !== undefined} testPrefix="limit" />
      <SegmentPicker
        kind="partner"
        label={t('terms.limits.fields.segment')}
        emptyLabel={t('terms.limits.default')}
        value={draft.segmentId}
        onChange={(segmentId) => {
          change({ segmentId });
          save.reset();
        }}
        error={segmentError}
        testId="limit-segment"
      />
      <PercentInput
        label={t('terms.limits.fields.maxPercent')}
        description={t('terms.limits.fields.maxPercentHint')}
        value={draft.maxPercent}
        onChange={(maxPercent) => change({ maxPercent })}
        min={0}
        max={100}
        testId="limit-percent"
      />
    </TermDialog>
  );
}

/** Limits of manual discount (1C's ограничения ручных скидок) by segment, and the default one. */
export function LimitsPanel() {
  const { t } = useTranslation();
  const query = useTerms('manual-discount-limits');
  const segments = useSegmentIndex();
  const dialog = useTermDialog();
  // The default limit last, the others from the largest.
  const items = useMemo(
    () => [...(query.data?.items ?? [])].sort((a, b) => Number(a.segmentId === null) - Number(b.segmentId === null) || b.maxPercent - a.maxPercent || a.name.localeCompare(b.name)),
    [query.data],
  );
  const segmentCell = (l: ManualDiscountLimit) =>
    l.segmentId ? (
      <SegmentLink id={l.segmentId} segments={segments} withSize />
    ) : (
      <Text size="sm" c="dimmed">
        {t('terms.limits.default')}
      </Text>
    );
  const columns = useMemo(
    () =>
      column.columns([
        column.accessor('name', {
          header: () => t('terms.limits.columns.name'),
          enableSorting: false,
          cell: (info) => <TermNameCell name={info.getValue()} id={info.row.original.id} />,
        }),
        column.display({ id: 'segment', header: () => t('terms.limits.columns.segment'), cell: (info) => segmentCell(info.row.original) }),
        column.accessor('maxPercent', { header: () => t('terms.limits.columns.maxPercent'), enableSorting: false, cell: (info) => <PercentBadge value={info.getValue()} /> }),
      ]),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [t, segments],
  );
  const editing = dialog.openId ? items.find((l) => l.id === dialog.openId) : undefined;
  return (
    <>
      <TermsList
        testId="limits"
        label={t('terms.tabs.limits.title')}
        intro={t('terms.limits.intro')}
        createLabel={t('terms.limits.create')}
        onCreate={dialog.create}
        query={query}
        items={items}
        columns={columns}
        getRowId={(l) => l.id}
        onRowClick={(l) => dialog.open(l.id)}
        empty={{ icon: <IconHandStop size={26} />, title: t('terms.limits.emptyTitle'), text: t('terms.limits.emptyText') }}
        renderCompact={(l) => (
          <Stack gap={6}>
            <Group justify="space-between" wrap="nowrap" align="flex-start">
              <Text fw={600} style={{ overflowWrap: 'anywhere' }}>
                {l.name}
              </Text>
              <PercentBadge value={l.maxPercent} />
            </Group>
            {segmentCell(l)}
          </Stack>
        )}
      />
      {dialog.creating && <LimitDialog key="new" saved={undefined} onClose={dialog.close} />}
      {editing && <LimitDialog key={editing.id} saved={editing} onClose={dialog.close} />}
    </>
  );
}
