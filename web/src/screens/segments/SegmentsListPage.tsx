import { Anchor, Badge, Button, Group, Paper, SegmentedControl, Select, Stack, Switch, Text, TextInput } from '@mantine/core';
import { useDebouncedValue, useMediaQuery } from '@mantine/hooks';
import { IconChartPie, IconPlus, IconSearch } from '@tabler/icons-react';
import { createColumnHelper } from '@tanstack/react-table';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { SEGMENT_METHODS, useSegments, type SegmentMethod, type SegmentWithStatus } from '../../api/segments';
import { DataTable, type DataTableFeatures } from '../../components/DataTable';
import { EmptyState } from '../../components/EmptyState';
import { ErrorAlert } from '../../components/ErrorAlert';
import { PageHeader } from '../../components/PageHeader';
import { useFormat } from '../../i18n/format';
import { STATUS_COLORS, useRuleLabels } from './labels';
import classes from './segments.module.css';

const column = createColumnHelper<DataTableFeatures, SegmentWithStatus>();
const METHOD_COLORS: Record<SegmentMethod, string> = { dynamic: 'violet', periodic: 'blue', manual: 'orange' };

export function MethodBadge({ method, size = 'sm' }: { method: SegmentMethod; size?: 'xs' | 'sm' | 'md' }) {
  const { t } = useTranslation();
  return (
    <Badge size={size} variant="light" color={METHOD_COLORS[method]} tt="none" radius="sm" styles={{ root: { maxWidth: 'none', flexShrink: 0 }, label: { overflow: 'visible' } }}>
      {t(`segments.methods.${method}`)}
    </Badge>
  );
}

export function StatusBadge({ segment }: { segment: SegmentWithStatus }) {
  const labels = useRuleLabels();
  const { t } = useTranslation();
  // A manual segment is never generated: its list is kept by hand (issue 21), not "Сформирован".
  const manual = segment.method === 'manual' && segment.status === 'ready';
  return (
    <Badge
      size="sm"
      variant="dot"
      color={STATUS_COLORS[segment.status]}
      tt="none"
      data-testid="segment-status"
      title={segment.lastRun?.error ?? undefined}
      styles={{ root: { maxWidth: 'none', flexShrink: 0 }, label: { overflow: 'visible' } }}
    >
      {manual ? t('segments.statuses.manual') : labels.status(segment.status)}
    </Badge>
  );
}

/** The segment list: what each segment is, how big, when generated, its state; search and create. */
export function SegmentsListPage() {
  const { t, i18n } = useTranslation();
  const format = useFormat();
  const navigate = useNavigate();
  const compact = useMediaQuery('(max-width: 48em)') ?? false;
  const [search, setSearch] = useSearchParams();
  const [text, setText] = useState(search.get('q') ?? '');
  const [q] = useDebouncedValue(text.trim(), 250);
  const method = (SEGMENT_METHODS as readonly string[]).includes(search.get('method') ?? '') ? (search.get('method') as SegmentMethod) : undefined;
  const showArchived = search.get('archived') === 'all';
  // A folder ('' : segments in none), as 1C's groups of segments.
  const folder = search.get('folder');

  useEffect(() => {
    setSearch(
      (previous) => {
        const next = new URLSearchParams(previous);
        if (q) next.set('q', q);
        else next.delete('q');
        return next;
      },
      { replace: true },
    );
  }, [q, setSearch]);

  const setParam = (name: string, value: string | null) =>
    setSearch(
      (previous) => {
        const next = new URLSearchParams(previous);
        if (value) next.set(name, value);
        else next.delete(name);
        return next;
      },
      { replace: true },
    );

  const query = useSegments({ ...(q ? { q } : {}), ...(method ? { method } : {}), ...(showArchived ? {} : { archived: false }) });
  const folders = useMemo(
    () => [...new Set((query.data?.items ?? []).map((s) => s.folder).filter((f): f is string => Boolean(f)))].sort((a, b) => a.localeCompare(b, i18n.resolvedLanguage)),
    [query.data, i18n.resolvedLanguage],
  );
  // Folder by folder (those in none last), alphabetically within one, as 1C lists a catalogue.
  const items = useMemo(
    () =>
      [...(query.data?.items ?? [])]
        .filter((s) => folder === null || (s.folder ?? '') === folder)
        .sort((a, b) => (a.folder ? 0 : 1) - (b.folder ? 0 : 1) || (a.folder ?? '').localeCompare(b.folder ?? '', i18n.resolvedLanguage) || a.name.localeCompare(b.name, i18n.resolvedLanguage)),
    [query.data, i18n.resolvedLanguage, folder],
  );
  const href = (segment: SegmentWithStatus) => `/segments/${encodeURIComponent(segment.id)}`;

  const size = (segment: SegmentWithStatus) =>
    segment.size === null ? (
      <Text size="sm" c="dimmed" fs="italic">
        {t('segments.computedOnRead')}
      </Text>
    ) : (
      <Text size="sm" fw={600} ff="monospace" data-testid="segment-size">
        {format.number(segment.size)}
      </Text>
    );
  const lastRun = (segment: SegmentWithStatus) =>
    segment.method === 'dynamic' ? (
      <Text size="sm" c="dimmed">
        —
      </Text>
    ) : segment.lastRun ? (
      <Text size="sm">{format.dateTime(segment.lastRun.startedAt)}</Text>
    ) : (
      <Text size="sm" c="dimmed">
        {segment.method === 'periodic' ? t('segments.never') : '—'}
      </Text>
    );
  const columns = useMemo(
    () =>
      column.columns([
        column.accessor('name', {
          header: () => t('segments.columns.name'),
          enableSorting: false,
          cell: (info) => {
            const segment = info.row.original;
            return (
              <Stack gap={2} className={classes.nameCell}>
                <Anchor component={Link} to={href(segment)} fw={600} onClick={(e) => e.stopPropagation()} c={segment.archived ? 'dimmed' : undefined}>
                  {segment.name}
                </Anchor>
                <Text size="xs" c="dimmed" lineClamp={1}>
                  {[segment.id, segment.description].filter(Boolean).join(' · ')}
                </Text>
              </Stack>
            );
          },
        }),
        // The folder, and what the segment selects (partners or products) under it: one narrow column.
        column.accessor('folder', {
          header: () => t('manager.folder.label'),
          enableSorting: false,
          cell: (info) => (
            <Stack gap={0}>
              <Text size="sm" c={info.getValue() ? undefined : 'dimmed'} data-testid="segment-folder-cell">
                {info.getValue() || '—'}
              </Text>
              <Text size="xs" c="dimmed" data-testid="segment-kind-cell">
                {t(`manager.folder.kinds.${info.row.original.kind}`)}
              </Text>
            </Stack>
          ),
        }),
        column.accessor('method', { header: () => t('segments.columns.method'), enableSorting: false, cell: (info) => <MethodBadge method={info.getValue()} /> }),
        column.accessor('size', { header: () => t('segments.columns.size'), enableSorting: false, cell: (info) => size(info.row.original) }),
        // The last generation and the next one under it: one column, so the list fits 1280 with the folder's.
        column.display({
          id: 'lastRun',
          header: () => t('segments.columns.lastRun'),
          cell: (info) => (
            <Stack gap={0}>
              {lastRun(info.row.original)}
              {info.row.original.nextRunAt ? (
                <Text size="xs" c="dimmed" data-testid="segment-next-run">
                  {t('segments.columns.nextRun')}: {format.dateTime(info.row.original.nextRunAt)}
                </Text>
              ) : (
                info.row.original.method === 'periodic' && (
                  <Text size="xs" c="dimmed">
                    {t('segments.noSchedule')}
                  </Text>
                )
              )}
            </Stack>
          ),
        }),
        column.accessor('status', { header: () => t('segments.columns.status'), enableSorting: false, cell: (info) => <StatusBadge segment={info.row.original} /> }),
      ]),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [t, format],
  );

  const filtered = Boolean(q || method || folder !== null);
  const empty = (
    <EmptyState
      icon={<IconChartPie size={26} />}
      title={filtered ? t('segments.empty.title') : t('segments.empty.noneTitle')}
      text={filtered ? t('segments.empty.filtered') : t('segments.empty.none')}
    >
      {!filtered && (
        <Button component={Link} to="/segments/new" mt="sm" leftSection={<IconPlus size={16} />}>
          {t('segments.create')}
        </Button>
      )}
    </EmptyState>
  );

  return (
    <>
      <PageHeader
        title={t('segments.title')}
        description={t('segments.subtitle')}
        actions={
          <Group gap="sm">
            {query.data && (
              <Badge size="lg" variant="light" color="gray" radius="sm" tt="none" data-testid="segments-total">
                {t('segments.found', { count: items.length })}
              </Badge>
            )}
            <Button component={Link} to="/segments/new" leftSection={<IconPlus size={16} />} data-testid="segment-create">
              {t('segments.create')}
            </Button>
          </Group>
        }
      />
      <Paper withBorder radius="md" p="sm" mb="md">
        <Group gap="sm" wrap="wrap">
          <TextInput
            style={{ flex: '1 1 240px' }}
            leftSection={<IconSearch size={16} />}
            placeholder={t('segments.searchPlaceholder')}
            aria-label={t('segments.searchLabel')}
            value={text}
            onChange={(e) => setText(e.currentTarget.value)}
            data-testid="segment-search"
          />
          {compact ? (
            <Select
              style={{ flex: '1 1 160px' }}
              aria-label={t('segments.methodFilter')}
              value={method ?? 'all'}
              onChange={(value) => setParam('method', !value || value === 'all' ? null : value)}
              data={[{ value: 'all', label: t('segments.allMethods') }, ...SEGMENT_METHODS.map((m) => ({ value: m, label: t(`segments.methods.${m}`) }))]}
              allowDeselect={false}
            />
          ) : (
            <SegmentedControl
              aria-label={t('segments.methodFilter')}
              value={method ?? 'all'}
              onChange={(value) => setParam('method', value === 'all' ? null : value)}
              data={[{ value: 'all', label: t('segments.allMethods') }, ...SEGMENT_METHODS.map((m) => ({ value: m, label: t(`segments.methods.${m}`) }))]}
              data-testid="segment-method-filter"
            />
          )}
          {folders.length > 0 && (
            <Select
              style={{ flex: '0 1 200px' }}
              aria-label={t('manager.folder.filter')}
              value={folder === null ? 'all' : folder === '' ? 'none' : folder}
              onChange={(value) =>
                setSearch(
                  (previous) => {
                    const next = new URLSearchParams(previous);
                    // 'none' is kept as folder= (empty): the segments in no folder.
                    if (!value || value === 'all') next.delete('folder');
                    else next.set('folder', value === 'none' ? '' : value);
                    return next;
                  },
                  { replace: true },
                )
              }
              data={[
                { value: 'all', label: t('manager.folder.all') },
                ...folders.filter((f) => f !== 'all' && f !== 'none').map((f) => ({ value: f, label: f })),
                { value: 'none', label: t('manager.folder.none') },
              ]}
              allowDeselect={false}
              data-testid="segment-folder-filter"
            />
          )}
          <Switch label={t('segments.showArchived')} checked={showArchived} onChange={(e) => setParam('archived', e.currentTarget.checked ? 'all' : null)} />
        </Group>
      </Paper>
      {query.isError && !query.data ? (
        <ErrorAlert error={query.error} onRetry={() => void query.refetch()} />
      ) : (
        <DataTable
          label={t('segments.title')}
          columns={columns}
          data={items}
          getRowId={(segment) => segment.id}
          sorting={[]}
          onSortingChange={() => undefined}
          loading={query.isPending}
          refreshing={query.isPlaceholderData}
          onRowClick={(segment) => void navigate(href(segment))}
          empty={empty}
          compact={compact}
          renderCompactRow={(segment) => (
            <Paper withBorder radius="md" p="sm" onClick={() => void navigate(href(segment))} style={{ cursor: 'pointer' }} data-testid="segment-card-row">
              <Group justify="space-between" wrap="nowrap" align="flex-start" gap="xs">
                <Stack gap={2} style={{ minWidth: 0 }}>
                  <Text fw={600} style={{ overflowWrap: 'anywhere' }}>
                    {segment.name}
                  </Text>
                  <Text size="xs" c="dimmed">
                    {segment.id}
                  </Text>
                </Stack>
                {size(segment)}
              </Group>
              <Group gap={6} mt={8}>
                <MethodBadge method={segment.method} size="xs" />
                <StatusBadge segment={segment} />
                {segment.lastRun && (
                  <Text size="xs" c="dimmed">
                    {format.dateTime(segment.lastRun.startedAt)}
                  </Text>
                )}
              </Group>
            </Paper>
          )}
        />
      )}
    </>
  );
}
