import { Anchor, Badge, Button, Checkbox, Drawer, Group, Menu, Modal, MultiSelect, Pagination, Paper, Stack, Text } from '@mantine/core';
import { useDebouncedValue, useMediaQuery } from '@mantine/hooks';
import { IconDownload, IconFileSpreadsheet, IconFileTypeCsv, IconHelpCircle, IconUserMinus, IconUserPlus, IconUsers } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { createColumnHelper, type SortingState } from '@tanstack/react-table';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { apiGet } from '../../../api/client';
import { useDirectory } from '../../../api/directories';
import type { Partner, PartnerPage } from '../../../api/partners';
import { MEMBER_SORTS, membersFileUrl, useAddMembers, useMembers, useRemoveMembers, type MemberSort, type SegmentWithStatus } from '../../../api/segments';
import { DataTable, type DataTableFeatures } from '../../../components/DataTable';
import { EmptyState } from '../../../components/EmptyState';
import { ConfirmDialog } from '../../../components/UnsavedChangesGuard';
import { ErrorAlert } from '../../../components/ErrorAlert';
import { RoleBadges } from '../../partners/PartnerBadges';
import { ExplainView } from '../ExplainView';
import { usePermissions } from '../../../app/auth-context';

const PAGE_SIZE = 25;
const column = createColumnHelper<DataTableFeatures, Partner>();

function AddMembersModal({ segment, opened, onClose }: { segment: SegmentWithStatus; opened: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const [search, setSearch] = useState('');
  const [q] = useDebouncedValue(search.trim(), 250);
  const [chosen, setChosen] = useState<{ value: string; label: string }[]>([]);
  const found = useQuery({
    queryKey: ['partners', { q, limit: 20 }],
    queryFn: ({ signal }) => apiGet<PartnerPage>('/partners', { q, limit: 20, sort: 'name' }, signal),
    enabled: opened,
  });
  const add = useAddMembers(segment.id);
  const regions = useDirectory('regions');
  // Four «АО «Ромашка»» are told apart by code, region and INN (issue 21): shown under each name.
  const [details, setDetails] = useState<Record<string, string>>({});
  const detailOf = (p: Partner) => {
    const inn = p.properties?.['ИНН'];
    return [p.id, regions.nameOf(p.region), inn ? `${t('segment.members.inn')} ${String(inn)}` : null].filter(Boolean).join(' · ');
  };
  const items = found.data?.items ?? [];
  const data = [...chosen, ...items.filter((p) => !chosen.some((c) => c.value === p.id)).map((p) => ({ value: p.id, label: p.name }))];
  const detail = (id: string) => {
    const partner = items.find((p) => p.id === id);
    return partner ? detailOf(partner) : (details[id] ?? id);
  };
  return (
    <Modal opened={opened} onClose={onClose} title={t('segment.members.addTitle')} centered size="lg" closeOnEscape={false} closeOnClickOutside={false} data-testid="members-add-dialog">
      <Stack gap="md">
        <MultiSelect
          data={data}
          value={chosen.map((c) => c.value)}
          onChange={(ids) => {
            setChosen(ids.map((id) => data.find((d) => d.value === id)!));
            setDetails((known) => Object.fromEntries(ids.map((id) => [id, known[id] ?? detail(id)])));
          }}
          renderOption={({ option }) => (
            <Stack gap={0} data-testid="members-add-option">
              <Text size="sm">{option.label}</Text>
              <Text size="xs" c="dimmed">
                {detail(option.value)}
              </Text>
            </Stack>
          )}
          searchable
          searchValue={search}
          onSearchChange={setSearch}
          filter={({ options }) => options}
          placeholder={t('segment.members.addPlaceholder')}
          aria-label={t('segment.members.addPlaceholder')}
          data-testid="members-add-search"
          comboboxProps={{ withinPortal: true }}
        />
        {add.error && <ErrorAlert error={add.error} />}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            {t('segment.actions.cancel')}
          </Button>
          <Button
            disabled={chosen.length === 0}
            loading={add.isPending}
            onClick={() =>
              add.mutate(
                chosen.map((c) => c.value),
                {
                  onSuccess: () => {
                    setChosen([]);
                    onClose();
                  },
                },
              )
            }
            data-testid="members-add-confirm"
          >
            {t('segment.members.addConfirm')}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

/** The composition: a page of members sorted on the server, exports, add/remove for manual segments, "why?" for each. */
export function MembersPanel({ segment }: { segment: SegmentWithStatus }) {
  const { t, i18n } = useTranslation();
  const compact = useMediaQuery('(max-width: 48em)') ?? false;
  const [page, setPage] = useState(1);
  const [sort, setSort] = useState<{ sort: MemberSort; order: 'asc' | 'desc' }>({ sort: 'name', order: 'asc' });
  const [selected, setSelected] = useState<string[]>([]);
  const [why, setWhy] = useState<Partner | null>(null);
  const [adding, setAdding] = useState(false);
  // Removing members is asked first (issue 21): a stray click on a selection of 50 loses them.
  const [confirmRemove, setConfirmRemove] = useState(false);
  const members = useMembers(segment.id, { limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE, ...sort });
  const remove = useRemoveMembers(segment.id);
  const regions = useDirectory('regions');
  const managers = useDirectory('managers');
  const manual = segment.method === 'manual';
  // Members are added and removed by hand in manual segments, by a role that may change this one.
  const permissions = usePermissions();
  const editable = manual && permissions.editSegment(segment);
  // Product segments list products: their group and brand instead of a partner's roles and region.
  const product = segment.kind === 'product';
  const productGroups = useDirectory('productGroups');
  const productGroupOf = (record: Partner) => {
    const group = (record as unknown as { group?: string | null }).group;
    return group ? productGroups.pathOf(group) : '—';
  };
  const items = members.data?.items ?? [];
  const total = members.data?.total ?? 0;

  const columns = useMemo(
    () =>
      column.columns([
        ...(editable
          ? [
              column.display({
                id: 'select',
                header: () => (
                  <Checkbox
                    size="xs"
                    aria-label={t('segment.members.selectAll')}
                    checked={items.length > 0 && items.every((p) => selected.includes(p.id))}
                    indeterminate={selected.length > 0 && !items.every((p) => selected.includes(p.id))}
                    onChange={(e) => setSelected(e.currentTarget.checked ? items.map((p) => p.id) : [])}
                  />
                ),
                cell: (info) => (
                  <Checkbox
                    size="xs"
                    aria-label={t('segment.members.select')}
                    checked={selected.includes(info.row.original.id)}
                    onClick={(e) => e.stopPropagation()}
                    onChange={(e) => {
                      const id = info.row.original.id;
                      const on = e.currentTarget.checked;
                      setSelected((current) => (on ? [...current, id] : current.filter((x) => x !== id)));
                    }}
                  />
                ),
              }),
            ]
          : []),
        column.accessor('name', {
          header: () => t('segment.members.columns.name'),
          cell: (info) =>
            product ? (
              <Text fw={600} size="sm">
                {info.getValue()}
              </Text>
            ) : (
              <Anchor component={Link} to={`/partners/${encodeURIComponent(info.row.original.id)}`} fw={600} size="sm">
                {info.getValue()}
              </Anchor>
            ),
        }),
        column.accessor('id', {
          header: () => t('segment.members.columns.id'),
          cell: (info) => (
            <Text size="sm" ff="monospace">
              {info.getValue()}
            </Text>
          ),
        }),
        ...(product
          ? [
              column.display({ id: 'group', header: () => t('rule.productAttributes.group'), cell: (info) => <Text size="sm">{productGroupOf(info.row.original)}</Text> }),
              column.display({
                id: 'brand',
                header: () => t('rule.productAttributes.brand'),
                cell: (info) => <Text size="sm">{String((info.row.original as unknown as { brand?: string }).brand ?? '—')}</Text>,
              }),
            ]
          : [
              column.accessor('roles', { header: () => t('partners.columns.roles'), enableSorting: false, cell: (info) => <RoleBadges roles={info.getValue()} size="xs" /> }),
              column.accessor('region', { header: () => t('partners.columns.region'), enableSorting: false, cell: (info) => <Text size="sm">{regions.nameOf(info.getValue()) ?? '—'}</Text> }),
              column.accessor('manager', { header: () => t('partners.columns.manager'), enableSorting: false, cell: (info) => <Text size="sm">{managers.nameOf(info.getValue()) ?? '—'}</Text> }),
            ]),
        column.display({
          id: 'why',
          header: () => '',
          cell: (info) => (
            <Button size="compact-xs" variant="subtle" leftSection={<IconHelpCircle size={14} />} onClick={() => setWhy(info.row.original)} data-testid="member-why">
              {t('segment.members.why')}
            </Button>
          ),
        }),
      ]),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [t, editable, product, items, selected, regions, managers, productGroups],
  );

  const sorting: SortingState = [{ id: sort.sort, desc: sort.order === 'desc' }];
  const emptyText = segment.method === 'periodic' ? t('segment.members.emptyPeriodic') : manual ? t('segment.members.emptyManual') : t('segment.members.emptyDynamic');

  return (
    <Stack gap="sm" data-testid="segment-members">
      <Group justify="space-between" gap="xs" wrap="wrap">
        <Group gap="xs">
          {/* Not while the members load: "0 members" would be a wrong answer, not a pending one. */}
          {members.data && (
            <Badge size="lg" variant="light" color="blue" radius="sm" tt="none" leftSection={<IconUsers size={14} />} data-testid="members-total">
              {t('segment.members.total', { count: total })}
            </Badge>
          )}
          {segment.method === 'dynamic' && (
            <Text size="xs" c="dimmed">
              {t('segment.members.computed')}
            </Text>
          )}
        </Group>
        <Group gap="xs">
          {editable && selected.length > 0 && (
            <Button size="xs" color="red" variant="light" leftSection={<IconUserMinus size={14} />} loading={remove.isPending} onClick={() => setConfirmRemove(true)} data-testid="members-remove">
              {t('segment.members.removeSelected', { count: selected.length })}
            </Button>
          )}
          {editable && !product && (
            <Button size="xs" variant="light" leftSection={<IconUserPlus size={14} />} onClick={() => setAdding(true)} data-testid="members-add">
              {t('segment.members.add')}
            </Button>
          )}
          <Menu position="bottom-end" withinPortal>
            <Menu.Target>
              <Button size="xs" variant="default" leftSection={<IconDownload size={14} />} data-testid="members-export">
                {t('segment.members.export')}
              </Button>
            </Menu.Target>
            <Menu.Dropdown>
              <Menu.Item component="a" href={membersFileUrl(segment.id, 'csv', i18n.language)} download leftSection={<IconFileTypeCsv size={14} />} data-testid="members-csv">
                {t('segment.members.csv')}
              </Menu.Item>
              <Menu.Item component="a" href={membersFileUrl(segment.id, 'xlsx', i18n.language)} download leftSection={<IconFileSpreadsheet size={14} />} data-testid="members-xlsx">
                {t('segment.members.xlsx')}
              </Menu.Item>
            </Menu.Dropdown>
          </Menu>
        </Group>
      </Group>
      <ConfirmDialog
        opened={confirmRemove}
        title={t('segment.members.removeTitle')}
        text={t('segment.members.removeText', { count: selected.length })}
        confirm={t('segment.members.removeSelected', { count: selected.length })}
        onCancel={() => setConfirmRemove(false)}
        onConfirm={() => {
          setConfirmRemove(false);
          remove.mutate(selected, { onSuccess: () => setSelected([]) });
        }}
        testId="members-remove"
      />
      {remove.error && <ErrorAlert error={remove.error} />}
      {members.isError && !members.data ? (
        <ErrorAlert error={members.error} onRetry={() => void members.refetch()} />
      ) : (
        <DataTable
          label={t('segment.tabs.members')}
          columns={columns}
          data={items}
          getRowId={(p) => p.id}
          sorting={sorting}
          onSortingChange={(next) => {
            const first = next[0];
            if (!first || !(MEMBER_SORTS as readonly string[]).includes(first.id)) return;
            setSort({ sort: first.id as MemberSort, order: first.desc ? 'desc' : 'asc' });
            setPage(1);
          }}
          loading={members.isPending}
          refreshing={members.isPlaceholderData}
          empty={<EmptyState icon={<IconUsers size={24} />} title={t('segment.members.emptyTitle')} text={emptyText} />}
          compact={compact}
          renderCompactRow={(partner) => (
            <Paper withBorder radius="md" p="sm">
              <Group justify="space-between" wrap="nowrap" gap="xs">
                <Stack gap={2} style={{ minWidth: 0 }}>
                  <Anchor component={Link} to={`/partners/${encodeURIComponent(partner.id)}`} fw={600} size="sm" style={{ overflowWrap: 'anywhere' }}>
                    {partner.name}
                  </Anchor>
                  <Text size="xs" c="dimmed">
                    {[partner.id, regions.nameOf(partner.region)].filter(Boolean).join(' · ')}
                  </Text>
                </Stack>
                <Button size="compact-xs" variant="subtle" onClick={() => setWhy(partner)} data-testid="member-why">
                  {t('segment.members.why')}
                </Button>
              </Group>
            </Paper>
          )}
        />
      )}
      {total > PAGE_SIZE && (
        <Group justify="flex-end">
          <Pagination value={page} onChange={setPage} total={Math.ceil(total / PAGE_SIZE)} size="sm" siblings={compact ? 0 : 1} />
        </Group>
      )}
      <Drawer opened={why !== null} onClose={() => setWhy(null)} position="right" size="lg" title={why ? t('segment.members.whyTitle', { name: why.name }) : ''}>
        {why && <ExplainView segmentId={segment.id} partnerId={why.id} kind={segment.kind} />}
      </Drawer>
      {editable && !product && <AddMembersModal segment={segment} opened={adding} onClose={() => setAdding(false)} />}
    </Stack>
  );
}
