import { ActionIcon, Autocomplete, Badge, Button, Collapse, Grid, Group, Indicator, Pagination, Paper, Stack, Text, TextInput } from '@mantine/core';
import { DatePickerInput } from '@mantine/dates';
import { useDebouncedValue, useDisclosure, useMediaQuery } from '@mantine/hooks';
import { IconAdjustmentsHorizontal, IconHistory, IconSearch, IconX } from '@tabler/icons-react';
import { createColumnHelper } from '@tanstack/react-table';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { useAuditLog, type AuditEntry, type AuditQuery } from '../../../api/access';
import { DataTable, type DataTableFeatures } from '../../../components/DataTable';
import { EmptyState } from '../../../components/EmptyState';
import { ErrorAlert } from '../../../components/ErrorAlert';
import { PageHeader } from '../../../components/PageHeader';
import { useFormat } from '../../../i18n/format';
import { actionColor } from './audit-diff';
import { AuditEntryModal } from './AuditEntryModal';

const PAGE_SIZE = 50;
const TEXT_FILTERS = ['entity', 'entityId', 'actor', 'action'] as const;
type TextFilter = (typeof TEXT_FILTERS)[number];
type TextFilters = Record<TextFilter, string>;

const column = createColumnHelper<DataTableFeatures, AuditEntry>();

/** A chosen day as the moment it starts (from) or ends (to) in the reader's time zone, for the server (UTC). */
function dayBound(day: string, end: boolean): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const moment = end ? new Date(y, m - 1, d, 23, 59, 59, 999) : new Date(y, m - 1, d);
  return moment.toISOString();
}

function textFiltersOf(search: URLSearchParams): TextFilters {
  return Object.fromEntries(TEXT_FILTERS.map((name) => [name, search.get(name) ?? ''])) as TextFilters;
}

/** The audit log (admin): every write, filtered by entity, who, action and period; a row opens its before and after. */
export function AuditLogPage() {
  const { t } = useTranslation();
  const format = useFormat();
  const compact = useMediaQuery('(max-width: 48em)') ?? false;
  const [search, setSearch] = useSearchParams();
  const [texts, setTexts] = useState<TextFilters>(() => textFiltersOf(search));
  const [debounced] = useDebouncedValue(texts, 300);
  const from = search.get('from');
  const to = search.get('to');
  const page = Math.max(1, Number.parseInt(search.get('page') ?? '', 10) || 1);
  const [open, setOpen] = useState<AuditEntry | null>(null);
  const [filtersOpen, filtersToggle] = useDisclosure(false);

  const update = (change: Record<string, string | null>, resetPage = true) =>
    setSearch(
      (previous) => {
        const next = new URLSearchParams(previous);
        for (const [name, value] of Object.entries(change)) {
          if (value) next.set(name, value);
          else next.delete(name);
        }
        if (resetPage) next.delete('page');
        return next;
      },
      { replace: true },
    );

  // Typed filters reach the address (and the query) a moment after typing stops.
  useEffect(() => {
    const current = textFiltersOf(search);
    if (TEXT_FILTERS.every((name) => current[name] === debounced[name].trim())) return;
    update(Object.fromEntries(TEXT_FILTERS.map((name) => [name, debounced[name].trim() || null])));
    // eslint-disable-next-line react-hooks/exhaustive-deps -- only when the typed filters settle
  }, [debounced]);

  const query: AuditQuery = {
    ...Object.fromEntries(TEXT_FILTERS.flatMap((name) => (search.get(name) ? [[name, search.get(name)!]] : []))),
    ...(from ? { from: dayBound(from, false) } : {}),
    ...(to ? { to: dayBound(to, true) } : {}),
    limit: PAGE_SIZE,
    offset: (page - 1) * PAGE_SIZE,
  };
  const log = useAuditLog(query);
  const items = log.data?.items ?? [];
  const total = log.data?.total ?? 0;
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  const filtered = TEXT_FILTERS.some((name) => search.get(name)) || Boolean(from || to);
  // Suggestions from what the page shows: the server's names for entities and actions.
  const seen = (pick: (entry: AuditEntry) => string) => [...new Set(items.map(pick))].sort();

  const actor = (entry: AuditEntry) => (
    <Stack gap={0}>
      <Text size="sm" fw={500} style={{ overflowWrap: 'anywhere' }}>
        {entry.actorName ?? entry.actorId ?? t('admin.audit.unknownActor')}
      </Text>
      <Text size="xs" c="dimmed">
        {t(`admin.audit.actorKinds.${entry.actorKind === 'key' ? 'key' : 'user'}`)}
      </Text>
    </Stack>
  );
  const action = (entry: AuditEntry) => (
    <Badge variant="light" color={actionColor(entry.action)} tt="none" radius="sm" styles={{ root: { maxWidth: 'none' } }}>
      {entry.action}
    </Badge>
  );
  const entity = (entry: AuditEntry) => (
    <Stack gap={0}>
      <Text size="sm">{entry.entity}</Text>
      {entry.entityId && (
        <Text size="xs" c="dimmed" ff="monospace" style={{ overflowWrap: 'anywhere' }}>
          {entry.entityId}
        </Text>
      )}
    </Stack>
  );

  const columns = useMemo(
    () =>
      column.columns([
        column.accessor('occurredAt', {
          header: () => t('admin.audit.columns.occurredAt'),
          enableSorting: false,
          cell: (info) => (
            <Text size="sm" style={{ whiteSpace: 'nowrap' }}>
              {format.dateTime(info.getValue())}
            </Text>
          ),
        }),
        column.display({ id: 'actor', header: () => t('admin.audit.columns.actor'), cell: (info) => actor(info.row.original) }),
        column.accessor('action', { header: () => t('admin.audit.columns.action'), enableSorting: false, cell: (info) => action(info.row.original) }),
        column.accessor('entity', { header: () => t('admin.audit.columns.entity'), enableSorting: false, cell: (info) => entity(info.row.original) }),
        column.display({
          id: 'request',
          header: () => t('admin.audit.columns.request'),
          cell: (info) => (
            <Text size="xs" ff="monospace" c="dimmed" style={{ overflowWrap: 'anywhere' }}>
              {info.row.original.method} {info.row.original.route}
              <Text span size="xs" c={info.row.original.status >= 400 ? 'red' : 'teal'} ml={6}>
                {info.row.original.status}
              </Text>
            </Text>
          ),
        }),
      ]),
    // eslint-disable-next-line react-hooks/exhaustive-deps -- the cells read t and format
    [t, format],
  );

  const setText = (name: TextFilter) => (value: string) => setTexts((current) => ({ ...current, [name]: value }));
  const fields = {
    entity: <Autocomplete label={t('admin.audit.filters.entity')} value={texts.entity} onChange={setText('entity')} data={seen((e) => e.entity)} data-testid="audit-filter-entity" />,
    entityId: <TextInput label={t('admin.audit.filters.entityId')} value={texts.entityId} onChange={(e) => setText('entityId')(e.currentTarget.value)} data-testid="audit-filter-entity-id" />,
    actor: (
      <TextInput
        label={t('admin.audit.filters.actor')}
        placeholder={t('admin.audit.filters.actorPlaceholder')}
        leftSection={<IconSearch size={14} />}
        value={texts.actor}
        onChange={(e) => setText('actor')(e.currentTarget.value)}
        data-testid="audit-filter-actor"
      />
    ),
    action: <Autocomplete label={t('admin.audit.filters.action')} value={texts.action} onChange={setText('action')} data={seen((e) => e.action)} data-testid="audit-filter-action" />,
    period: (
      <DatePickerInput
        type="range"
        allowSingleDateInRange
        label={t('admin.audit.filters.period')}
        valueFormat="DD.MM.YYYY"
        value={[from, to]}
        onChange={([start, end]) => update({ from: start ?? null, to: end ?? null })}
        clearable
        popoverProps={{ withinPortal: true }}
        data-testid="audit-filter-period"
      />
    ),
  };
  const activeFilters = (['entity', 'entityId', 'action'] as const).filter((name) => search.get(name)).length + (from || to ? 1 : 0);
  const resetButton = filtered && (
    <Button
      variant="subtle"
      color="gray"
      px="xs"
      aria-label={t('admin.audit.filters.reset')}
      title={t('admin.audit.filters.reset')}
      onClick={() => {
        setTexts({ entity: '', entityId: '', actor: '', action: '' });
        update({ entity: null, entityId: null, actor: null, action: null, from: null, to: null });
      }}
      data-testid="audit-filter-reset"
    >
      <IconX size={16} />
    </Button>
  );
  const first = total === 0 ? 0 : (page - 1) * PAGE_SIZE + 1;
  const last = Math.min(total, page * PAGE_SIZE);

  return (
    <>
      <PageHeader
        title={t('admin.audit.title')}
        description={t('admin.audit.subtitle')}
        actions={
          log.data && (
            <Badge size="lg" variant="light" color="gray" radius="sm" tt="none" data-testid="audit-total">
              {t('admin.audit.found', { count: total })}
            </Badge>
          )
        }
      />
      <Paper withBorder radius="md" p="sm" mb="md" data-testid="audit-filters">
        {compact ? (
          <Stack gap="sm">
            <Group gap="xs" wrap="nowrap" align="flex-end">
              <div style={{ flex: 1, minWidth: 0 }}>{fields.actor}</div>
              <Indicator label={activeFilters} size={16} disabled={activeFilters === 0} offset={4}>
                <ActionIcon
                  variant={filtersOpen ? 'filled' : 'default'}
                  size={36}
                  onClick={filtersToggle.toggle}
                  aria-label={t('admin.audit.filters.show')}
                  aria-expanded={filtersOpen}
                  data-testid="audit-filters-toggle"
                >
                  <IconAdjustmentsHorizontal size={18} />
                </ActionIcon>
              </Indicator>
              {resetButton}
            </Group>
            <Collapse expanded={filtersOpen}>
              <Stack gap="sm">
                {fields.entity}
                {fields.entityId}
                {fields.action}
                {fields.period}
              </Stack>
            </Collapse>
          </Stack>
        ) : (
          <Grid gap="sm" align="flex-end">
            <Grid.Col span={{ base: 6, md: 2 }}>{fields.entity}</Grid.Col>
            <Grid.Col span={{ base: 6, md: 2 }}>{fields.entityId}</Grid.Col>
            <Grid.Col span={{ base: 6, md: 3 }}>{fields.actor}</Grid.Col>
            <Grid.Col span={{ base: 6, md: 2 }}>{fields.action}</Grid.Col>
            <Grid.Col span={{ base: 12, md: 3 }}>
              <Group gap="xs" wrap="nowrap" align="flex-end">
                <div style={{ flex: 1, minWidth: 0 }}>{fields.period}</div>
                {resetButton}
              </Group>
            </Grid.Col>
          </Grid>
        )}
      </Paper>
      {log.isError && !log.data ? (
        <ErrorAlert error={log.error} onRetry={() => void log.refetch()} />
      ) : (
        <>
          <DataTable
            label={t('admin.audit.title')}
            columns={columns}
            data={items}
            getRowId={(entry) => String(entry.id)}
            sorting={[]}
            onSortingChange={() => undefined}
            loading={log.isPending}
            refreshing={log.isPlaceholderData}
            onRowClick={setOpen}
            empty={<EmptyState icon={<IconHistory size={26} />} title={t('admin.audit.empty.title')} text={filtered ? t('admin.audit.empty.filtered') : t('admin.audit.empty.none')} />}
            compact={compact}
            renderCompactRow={(entry) => (
              <Paper withBorder radius="md" p="sm" onClick={() => setOpen(entry)} style={{ cursor: 'pointer' }} data-testid="audit-card">
                <Group justify="space-between" wrap="nowrap" align="flex-start" gap="xs">
                  {entity(entry)}
                  {action(entry)}
                </Group>
                <Group justify="space-between" mt={6} gap="xs" wrap="nowrap" align="flex-end">
                  {actor(entry)}
                  <Text size="xs" c="dimmed" style={{ whiteSpace: 'nowrap' }}>
                    {format.dateTime(entry.occurredAt)}
                  </Text>
                </Group>
              </Paper>
            )}
          />
          {log.isError && <ErrorAlert error={log.error} onRetry={() => void log.refetch()} />}
          {total > 0 && (
            <Group justify="space-between" mt="md" gap="sm">
              <Text size="sm" c="dimmed" data-testid="audit-range">
                {t('admin.audit.range', { from: first, to: last, total })}
              </Text>
              {pages > 1 && (
                <Pagination
                  total={pages}
                  value={Math.min(page, pages)}
                  onChange={(next) => update({ page: next === 1 ? null : String(next) }, false)}
                  size="sm"
                  siblings={compact ? 0 : 1}
                  boundaries={1}
                  data-testid="audit-pages"
                />
              )}
            </Group>
          )}
        </>
      )}
      <AuditEntryModal entry={open} onClose={() => setOpen(null)} />
    </>
  );
}
