import { Anchor, Badge, Group, Pagination, Paper, Select, Stack, Text } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { IconMail, IconPhone, IconUsers } from '@tabler/icons-react';
import { createColumnHelper, type SortingState } from '@tanstack/react-table';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { useDirectory } from '../../api/directories';
import { PARTNER_SORTS, usePartners, type Partner, type PartnerSort } from '../../api/partners';
import { DataTable, type DataTableFeatures } from '../../components/DataTable';
import { EmptyState } from '../../components/EmptyState';
import { ErrorAlert } from '../../components/ErrorAlert';
import { PageHeader } from '../../components/PageHeader';
import { useFormat } from '../../i18n/format';
import { hasFilters, PAGE_SIZES, readListParams, toApiQuery, writeListParams, type ListParams } from './listParams';
import { DeletedBadge, RoleBadges } from './PartnerBadges';
import { PartnerFilters } from './PartnerFilters';
import classes from './partners.module.css';

const column = createColumnHelper<DataTableFeatures, Partner>();

function Dash() {
  return <Text c="dimmed">—</Text>;
}

/** The list of partners: search, filters, sorting and paging, all kept in the URL. */
export function PartnersListPage() {
  const { t } = useTranslation();
  const format = useFormat();
  const navigate = useNavigate();
  const compact = useMediaQuery('(max-width: 48em)') ?? false;
  const [search, setSearch] = useSearchParams();
  const params = readListParams(search);
  const query = usePartners(toApiQuery(params));
  const regions = useDirectory('regions');
  const groups = useDirectory('partnerGroups');
  const managers = useDirectory('managers');

  const update = (change: Partial<ListParams>, resetPage = true) =>
    setSearch((previous) => writeListParams({ ...readListParams(previous), ...change, ...(resetPage ? { page: 1 } : {}) }), { replace: true });

  const partnerHref = (partner: Partner) => `/partners/${encodeURIComponent(partner.id)}`;
  const dash = <Dash />;

  const columns = useMemo(
    () =>
      column.columns([
        column.accessor('name', {
          header: () => t('partners.columns.name'),
          cell: (info) => {
            const partner = info.row.original;
            return (
              <Stack gap={2} className={classes.nameCell}>
                <Anchor
                  component={Link}
                  to={partnerHref(partner)}
                  fw={600}
                  c={partner.deleted ? 'dimmed' : undefined}
                  td={partner.deleted ? 'line-through' : undefined}
                  onClick={(e) => e.stopPropagation()}
                >
                  {partner.name}
                </Anchor>
                <Group gap={6}>
                  <Text size="xs" c="dimmed">
                    {[partner.id, partner.legalForm && t(`partner.legalForms.${partner.legalForm}`), groups.nameOf(partner.group)].filter(Boolean).join(' · ')}
                  </Text>
                  {partner.deleted && <DeletedBadge size="xs" />}
                </Group>
              </Stack>
            );
          },
        }),
        column.accessor('roles', { header: () => t('partners.columns.roles'), enableSorting: false, cell: (info) => <RoleBadges roles={info.getValue()} size="xs" /> }),
        column.accessor('region', { header: () => t('partners.columns.region'), enableSorting: false, cell: (info) => <Text size="sm">{regions.nameOf(info.getValue()) ?? '—'}</Text> }),
        column.accessor('manager', { header: () => t('partners.columns.manager'), enableSorting: false, cell: (info) => <Text size="sm">{managers.nameOf(info.getValue()) ?? '—'}</Text> }),
        column.accessor('registeredAt', {
          header: () => t('partners.columns.registeredAt'),
          sortDescFirst: true,
          cell: (info) => <Text size="sm">{format.shortDate(info.getValue()) ?? '—'}</Text>,
        }),
        column.display({
          id: 'contacts',
          header: () => t('partners.columns.contacts'),
          cell: (info) => {
            const { email, phone } = info.row.original;
            if (!email && !phone) return dash;
            return (
              <Stack gap={2} className={classes.contacts}>
                {email && (
                  <Group gap={4} wrap="nowrap">
                    <IconMail size={13} className={classes.contactIcon} />
                    <Text size="xs" truncate="end">
                      {email}
                    </Text>
                  </Group>
                )}
                {phone && (
                  <Group gap={4} wrap="nowrap">
                    <IconPhone size={13} className={classes.contactIcon} />
                    <Text size="xs">{phone}</Text>
                  </Group>
                )}
              </Stack>
            );
          },
        }),
      ]),
    // Cells read translations and directory names: rebuild when they change.
    // eslint-disable-next-line react-hooks/exhaustive-deps -- dash is the same empty element on every render
    [t, format, regions, groups, managers],
  );

  const sorting: SortingState = [{ id: params.sort, desc: params.order === 'desc' }];
  const onSortingChange = (next: SortingState) => {
    const first = next[0];
    if (!first || !(PARTNER_SORTS as readonly string[]).includes(first.id)) return;
    update({ sort: first.id as PartnerSort, order: first.desc ? 'desc' : 'asc' });
  };

  const total = query.data?.total ?? 0;
  const pages = Math.max(1, Math.ceil(total / params.pageSize));
  const from = total === 0 ? 0 : (params.page - 1) * params.pageSize + 1;
  const to = Math.min(total, params.page * params.pageSize);

  const empty = (
    <EmptyState
      icon={<IconUsers size={26} />}
      title={hasFilters(params) ? t('partners.empty.title') : t('partners.empty.noneTitle')}
      text={hasFilters(params) ? t('partners.empty.filtered') : t('partners.empty.none')}
    />
  );

  return (
    <>
      <PageHeader
        title={t('partners.title')}
        description={t('partners.subtitle')}
        actions={
          query.data && (
            <Badge size="lg" variant="light" color="gray" radius="sm" tt="none" data-testid="partners-total">
              {t('partners.found', { count: total })}
            </Badge>
          )
        }
      />
      <PartnerFilters params={params} onChange={(change) => update(change)} />

      {query.isError && !query.data ? (
        <ErrorAlert error={query.error} onRetry={() => void query.refetch()} />
      ) : (
        <>
          {compact && (
            <Select
              mb="sm"
              aria-label={t('partners.sort.label')}
              data={PARTNER_SORTS.flatMap((sort) =>
                (['asc', 'desc'] as const).map((order) => ({ value: `${sort}:${order}`, label: `${t(`partners.sort.${sort}`)} — ${t(`partners.sort.${order}`).toLowerCase()}` })),
              )}
              value={`${params.sort}:${params.order}`}
              onChange={(value) => {
                const [sort, order] = (value ?? 'name:asc').split(':');
                update({ sort: sort as PartnerSort, order: order === 'desc' ? 'desc' : 'asc' });
              }}
              allowDeselect={false}
            />
          )}
          <DataTable
            label={t('partners.title')}
            columns={columns}
            data={query.data?.items ?? []}
            getRowId={(partner) => partner.id}
            sorting={sorting}
            onSortingChange={onSortingChange}
            loading={query.isPending}
            refreshing={query.isPlaceholderData}
            onRowClick={(partner) => void navigate(partnerHref(partner))}
            empty={empty}
            compact={compact}
            renderCompactRow={(partner) => (
              <Paper component={Link} to={partnerHref(partner)} withBorder radius="md" p="md" className={classes.card} data-testid="partner-card-row">
                <Group justify="space-between" align="flex-start" wrap="nowrap" gap="xs">
                  <Stack gap={2} style={{ minWidth: 0 }}>
                    <Text fw={600} td={partner.deleted ? 'line-through' : undefined} c={partner.deleted ? 'dimmed' : undefined} style={{ overflowWrap: 'anywhere' }}>
                      {partner.name}
                    </Text>
                    <Text size="xs" c="dimmed">
                      {[partner.legalForm && t(`partner.legalForms.${partner.legalForm}`), regions.nameOf(partner.region)].filter(Boolean).join(' · ') || partner.id}
                    </Text>
                  </Stack>
                  {partner.deleted && <DeletedBadge size="xs" />}
                </Group>
                <Group mt="xs" gap="xs" justify="space-between">
                  <RoleBadges roles={partner.roles} size="xs" />
                  {partner.phone && (
                    <Text size="xs" c="dimmed">
                      {partner.phone}
                    </Text>
                  )}
                </Group>
              </Paper>
            )}
          />
          {query.isError && <ErrorAlert error={query.error} onRetry={() => void query.refetch()} />}
          {total > 0 && (
            <Group justify="space-between" mt="md" gap="sm" className={classes.pager}>
              <Group gap="sm">
                <Text size="sm" c="dimmed" data-testid="partners-range">
                  {t('partners.pagination.range', { from, to, total })}
                </Text>
                <Select
                  size="xs"
                  w={80}
                  aria-label={t('partners.pagination.pageSize')}
                  data={PAGE_SIZES.map(String)}
                  value={String(params.pageSize)}
                  onChange={(value) => update({ pageSize: Number(value ?? PAGE_SIZES[0]) })}
                  allowDeselect={false}
                />
              </Group>
              {pages > 1 && <Pagination total={pages} value={Math.min(params.page, pages)} onChange={(page) => update({ page }, false)} size="sm" siblings={compact ? 0 : 1} boundaries={1} />}
            </Group>
          )}
        </>
      )}
    </>
  );
}
