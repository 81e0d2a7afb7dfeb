import { Group, SimpleGrid, Stack, Text } from '@mantine/core';
import { DatePickerInput } from '@mantine/dates';
import { IconCalendarEvent } from '@tabler/icons-react';
import { createColumnHelper } from '@tanstack/react-table';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useDeleteTerm, useSaveTerm, useTerms, type Campaign } from '../../../api/terms';
import type { DataTableFeatures } from '../../../components/DataTable';
import { useFormat } from '../../../i18n/format';
import { TermStateBadge } from '../shared/badges';
import { DescriptionField, NameFields, SLUG } from '../shared/fields';
import { TermDialog, useTermDialog } from '../shared/TermDialog';
import { TermsList } from '../shared/TermsList';
import { TermNameCell } from '../shared/TermNameCell';

const column = createColumnHelper<DataTableFeatures, Campaign>();
const NO_CAMPAIGNS: ReadonlyMap<string, Campaign> = new Map();
/** A campaign's own period, in the shape of a term's validity (for the state badge). */
const asValidity = (c: Campaign) => ({ campaignId: null, validFrom: c.startsOn, validTo: c.endsOn });

function CampaignDialog({ saved, onClose }: { saved: Campaign | undefined; onClose: () => void }) {
  const { t } = useTranslation();
  const [draft, setDraft] = useState({ id: saved?.id ?? '', name: saved?.name ?? '', description: saved?.description ?? '', startsOn: saved?.startsOn ?? null, endsOn: saved?.endsOn ?? null });
  const change = (patch: Partial<typeof draft>) => setDraft((d) => ({ ...d, ...patch }));
  const save = useSaveTerm('campaigns', saved?.id);
  const remove = useDeleteTerm('campaigns');
  const ordered = draft.startsOn !== null && draft.endsOn !== null && draft.startsOn <= draft.endsOn;
  const onSave = () =>
    void save
      .mutateAsync({ ...(saved || !draft.id ? {} : { id: draft.id }), name: draft.name.trim(), description: draft.description, startsOn: draft.startsOn, endsOn: draft.endsOn })
      .then(onClose, () => undefined);
  return (
    <TermDialog
      opened
      onClose={onClose}
      title={saved ? saved.name : t('terms.campaigns.newTitle')}
      onSave={onSave}
      saving={save.isPending}
      canSave={draft.name.trim() !== '' && ordered && (draft.id === '' || SLUG.test(draft.id))}
      error={save.error}
      {...(saved
        ? {
            onDelete: () => void remove.mutateAsync(saved.id).then(onClose, () => undefined),
            deleting: remove.isPending,
            deleteError: remove.error,
            deleteText: t('terms.common.deleteNamed', { name: saved.name }),
          }
        : {})}
      testId="campaign-form"
    >
      <NameFields name={draft.name} id={draft.id} onName={(name) => change({ name })} onId={(id) => change({ id })} saved={saved !== undefined} testPrefix="campaign" />
      <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
        <DatePickerInput
          label={t('terms.campaigns.fields.startsOn')}
          valueFormat="DD.MM.YYYY"
          value={draft.startsOn}
          onChange={(startsOn) => change({ startsOn })}
          withAsterisk
          popoverProps={{ withinPortal: true }}
        />
        <DatePickerInput
          label={t('terms.campaigns.fields.endsOn')}
          valueFormat="DD.MM.YYYY"
          value={draft.endsOn}
          onChange={(endsOn) => change({ endsOn })}
          withAsterisk
          popoverProps={{ withinPortal: true }}
          error={draft.startsOn !== null && draft.endsOn !== null && !ordered ? t('terms.campaigns.fields.endsBeforeStart') : undefined}
        />
      </SimpleGrid>
      <DescriptionField value={draft.description} onChange={(description) => change({ description })} />
    </TermDialog>
  );
}

/** Marketing campaigns (1C's маркетинговые мероприятия): a period that discounts and agreements can be bound to. */
export function CampaignsPanel() {
  const { t } = useTranslation();
  const format = useFormat();
  const query = useTerms('campaigns');
  const dialog = useTermDialog();
  const items = useMemo(() => [...(query.data?.items ?? [])].sort((a, b) => b.startsOn.localeCompare(a.startsOn) || a.name.localeCompare(b.name)), [query.data]);
  const period = (c: Campaign) => t('terms.validity.range', { from: format.shortDate(c.startsOn), to: format.shortDate(c.endsOn) });
  const columns = useMemo(
    () =>
      column.columns([
        column.accessor('name', {
          header: () => t('terms.campaigns.columns.name'),
          enableSorting: false,
          cell: (info) => <TermNameCell name={info.getValue()} id={info.row.original.id} />,
        }),
        column.display({ id: 'period', header: () => t('terms.campaigns.columns.period'), cell: (info) => <Text size="sm">{period(info.row.original)}</Text> }),
        column.accessor('description', {
          header: () => t('terms.campaigns.columns.description'),
          enableSorting: false,
          cell: (info) => (
            <Text size="sm" c="dimmed" lineClamp={2} maw={380}>
              {info.getValue() || '—'}
            </Text>
          ),
        }),
        column.display({ id: 'state', header: () => t('terms.campaigns.columns.status'), cell: (info) => <TermStateBadge term={asValidity(info.row.original)} campaigns={NO_CAMPAIGNS} /> }),
      ]),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [t, format],
  );
  const editing = dialog.openId ? items.find((c) => c.id === dialog.openId) : undefined;
  return (
    <>
      <TermsList
        testId="campaigns"
        label={t('terms.tabs.campaigns.title')}
        intro={t('terms.campaigns.intro')}
        createLabel={t('terms.campaigns.create')}
        onCreate={dialog.create}
        query={query}
        items={items}
        columns={columns}
        getRowId={(c) => c.id}
        onRowClick={(c) => dialog.open(c.id)}
        empty={{ icon: <IconCalendarEvent size={26} />, title: t('terms.campaigns.emptyTitle'), text: t('terms.campaigns.emptyText') }}
        renderCompact={(c) => (
          <Stack gap={6}>
            <Group justify="space-between" wrap="nowrap" align="flex-start">
              <Text fw={600} style={{ overflowWrap: 'anywhere' }}>
                {c.name}
              </Text>
              <TermStateBadge term={asValidity(c)} campaigns={NO_CAMPAIGNS} />
            </Group>
            <Text size="sm">{period(c)}</Text>
          </Stack>
        )}
      />
      {dialog.creating && <CampaignDialog key="new" saved={undefined} onClose={dialog.close} />}
      {editing && <CampaignDialog key={editing.id} saved={editing} onClose={dialog.close} />}
    </>
  );
}
