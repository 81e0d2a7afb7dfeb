import { Badge, Group, Stack, Text, Textarea } from '@mantine/core';
import { IconBan } from '@tabler/icons-react';
import { createColumnHelper } from '@tanstack/react-table';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useDeleteTerm, useSaveTerm, useTerms, type ShipmentBan } from '../../../api/terms';
import type { DataTableFeatures } from '../../../components/DataTable';
import { SegmentLink } from '../shared/badges';
import { ActiveSwitch, NameFields, SLUG } from '../shared/fields';
import { useSegmentIndex } from '../shared/indexes';
import { SegmentPicker } from '../shared/SegmentPicker';
import { useSegmentRefusal } from '../shared/segment-refusal';
import { TermDialog, useTermDialog } from '../shared/TermDialog';
import { TermsList } from '../shared/TermsList';
import { TermNameCell } from '../shared/TermNameCell';

const column = createColumnHelper<DataTableFeatures, ShipmentBan>();

function ActiveBadge({ active }: { active: boolean }) {
  const { t } = useTranslation();
  return (
    <Badge size="sm" variant="dot" color={active ? 'red' : 'gray'} tt="none" styles={{ root: { maxWidth: 'none', flexShrink: 0 } }}>
      {active ? t('terms.bans.on') : t('terms.bans.off')}
    </Badge>
  );
}

function BanDialog({ saved, onClose }: { saved: ShipmentBan | undefined; onClose: () => void }) {
  const { t } = useTranslation();
  const [draft, setDraft] = useState({ id: saved?.id ?? '', name: saved?.name ?? '', segmentId: saved?.segmentId ?? null, reason: saved?.reason ?? '', active: saved?.active ?? true });
  const change = (patch: Partial<typeof draft>) => setDraft((d) => ({ ...d, ...patch }));
  const save = useSaveTerm('shipment-bans', saved?.id);
  const remove = useDeleteTerm('shipment-bans');
  const refusal = useSegmentRefusal();
  const segmentError = refusal(save.error, draft.segmentId);
  const onSave = () =>
    void save
      .mutateAsync({ ...(saved || !draft.id ? {} : { id: draft.id }), name: draft.name.trim(), segmentId: draft.segmentId, reason: draft.reason.trim() || null, active: draft.active })
      .then(onClose, () => undefined);
  return (
    <TermDialog
      opened
      onClose={onClose}
      title={saved ? saved.name : t('terms.bans.newTitle')}
      onSave={onSave}
      saving={save.isPending}
      canSave={draft.name.trim() !== '' && draft.segmentId !== null && (draft.id === '' || SLUG.test(draft.id))}
      error={segmentError ? null : save.error}
      {...(saved
        ? {
            onDelete: () => void remove.mutateAsync(saved.id).then(onClose, () => undefined),
            deleting: remove.isPending,
            deleteError: remove.error,
            deleteText: t('terms.common.deleteNamed', { name: saved.name }),
          }
        : {})}
      testId="ban-form"
    >
      <NameFields name={draft.name} id={draft.id} onName={(name) => change({ name })} onId={(id) => change({ id })} saved={saved !== undefined} testPrefix="ban" />
      <SegmentPicker
        kind="partner"
        label={t('terms.bans.fields.segment')}
        value={draft.segmentId}
        onChange={(segmentId) => {
          change({ segmentId });
          save.reset();
        }}
        error={segmentError}
        testId="ban-segment"
      />
      <Textarea
        label={t('terms.bans.fields.reason')}
        description={t('terms.bans.fields.reasonHint')}
        placeholder={t('terms.bans.fields.reasonPlaceholder')}
        value={draft.reason}
        onChange={(e) => change({ reason: e.currentTarget.value })}
        autosize
        minRows={2}
        data-testid="ban-reason"
      />
      <ActiveSwitch value={draft.active} onChange={(active) => change({ active })} label={t('terms.bans.fields.active')} />
    </TermDialog>
  );
}

/** Shipment bans (1C's запреты отгрузки): the partners of a segment may not be shipped to, and why. */
export function BansPanel() {
  const { t, i18n } = useTranslation();
  const query = useTerms('shipment-bans');
  const segments = useSegmentIndex();
  const dialog = useTermDialog();
  const items = useMemo(() => [...(query.data?.items ?? [])].sort((a, b) => a.name.localeCompare(b.name, i18n.resolvedLanguage)), [query.data, i18n.resolvedLanguage]);
  const columns = useMemo(
    () =>
      column.columns([
        column.accessor('name', {
          header: () => t('terms.bans.columns.name'),
          enableSorting: false,
          cell: (info) => <TermNameCell name={info.getValue()} id={info.row.original.id} />,
        }),
        column.accessor('segmentId', { header: () => t('terms.bans.columns.segment'), enableSorting: false, cell: (info) => <SegmentLink id={info.getValue()} segments={segments} withSize /> }),
        column.accessor('reason', {
          header: () => t('terms.bans.columns.reason'),
          enableSorting: false,
          cell: (info) => (
            <Text size="sm" maw={360}>
              {info.getValue() ?? '—'}
            </Text>
          ),
        }),
        column.accessor('active', { header: () => t('terms.bans.columns.status'), enableSorting: false, cell: (info) => <ActiveBadge active={info.getValue()} /> }),
      ]),
    [t, segments],
  );
  const editing = dialog.openId ? items.find((b) => b.id === dialog.openId) : undefined;
  return (
    <>
      <TermsList
        testId="bans"
        label={t('terms.tabs.bans.title')}
        intro={t('terms.bans.intro')}
        createLabel={t('terms.bans.create')}
        onCreate={dialog.create}
        query={query}
        items={items}
        columns={columns}
        getRowId={(b) => b.id}
        onRowClick={(b) => dialog.open(b.id)}
        empty={{ icon: <IconBan size={26} />, title: t('terms.bans.emptyTitle'), text: t('terms.bans.emptyText') }}
        renderCompact={(b) => (
          <Stack gap={6}>
            <Group justify="space-between" wrap="nowrap" align="flex-start">
              <Text fw={600} style={{ overflowWrap: 'anywhere' }}>
                {b.name}
              </Text>
              <ActiveBadge active={b.active} />
            </Group>
            <SegmentLink id={b.segmentId} segments={segments} withSize />
            {b.reason && (
              <Text size="xs" c="dimmed">
                {b.reason}
              </Text>
            )}
          </Stack>
        )}
      />
      {dialog.creating && <BanDialog key="new" saved={undefined} onClose={dialog.close} />}
      {editing && <BanDialog key={editing.id} saved={editing} onClose={dialog.close} />}
    </>
  );
}
