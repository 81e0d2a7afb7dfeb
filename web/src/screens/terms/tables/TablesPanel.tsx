import { Group, Stack, Text } from '@mantine/core';
import { IconTable } from '@tabler/icons-react';
import { createColumnHelper } from '@tanstack/react-table';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { useDiscountTables, type DiscountTable } from '../../../api/terms';
import type { DataTableFeatures } from '../../../components/DataTable';
import { ValidityText } from '../shared/badges';
import { useCampaignIndex, useSegmentIndex } from '../shared/indexes';
import { tableHref } from '../shared/links';
import { TermsList } from '../shared/TermsList';
import { CombineBadge } from '../discounts/DiscountsPanel';
import { TermNameCell } from '../shared/TermNameCell';

const column = createColumnHelper<DataTableFeatures, DiscountTable>();

/** Cumulative discount tables (seed 002): product segments × thresholds over periods → percents. */
export function TablesPanel() {
  const { t, i18n } = useTranslation();
  const navigate = useNavigate();
  const query = useDiscountTables();
  const segments = useSegmentIndex();
  const campaigns = useCampaignIndex();
  const items = useMemo(() => [...(query.data?.items ?? [])].sort((a, b) => a.name.localeCompare(b.name, i18n.resolvedLanguage)), [query.data, i18n.resolvedLanguage]);
  const filled = (table: DiscountTable) => table.rows.reduce((n, r) => n + r.percents.filter((p) => p !== null).length, 0);
  const products = (table: DiscountTable) => table.rows.map((r) => segments.get(r.productSegment)?.name ?? r.productSegment).join(', ');

  const columns = useMemo(
    () =>
      column.columns([
        column.accessor('name', {
          header: () => t('terms.tables.columns.name'),
          enableSorting: false,
          cell: (info) => <TermNameCell name={info.getValue()} id={info.row.original.id} />,
        }),
        column.display({
          id: 'size',
          header: () => t('terms.tables.columns.size'),
          cell: (info) => (
            <Stack gap={0}>
              <Text size="sm">{t('terms.tables.sizeValue', { rows: info.row.original.rows.length, columns: info.row.original.columns.length })}</Text>
              <Text size="xs" c="dimmed">
                {t('terms.tables.discountsValue', { n: filled(info.row.original) })}
              </Text>
            </Stack>
          ),
        }),
        column.display({
          id: 'products',
          header: () => t('terms.tables.columns.products'),
          cell: (info) => (
            <Text size="sm" lineClamp={2} maw={300} style={{ whiteSpace: 'normal' }}>
              {products(info.row.original)}
            </Text>
          ),
        }),
        column.accessor('combine', {
          header: () => t('terms.tables.columns.combine'),
          enableSorting: false,
          cell: (info) => <CombineBadge combine={info.getValue()} priority={info.row.original.priority} />,
        }),
        column.display({
          id: 'state',
          header: () => t('terms.tables.columns.validity'),
          cell: (info) => <ValidityText term={info.row.original} campaigns={campaigns} withState />,
        }),
      ]),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [t, segments, campaigns],
  );

  return (
    <TermsList
      testId="tables"
      label={t('terms.tabs.tables.title')}
      intro={t('terms.tables.intro')}
      createLabel={t('terms.tables.create')}
      onCreate={() => void navigate(tableHref('new'))}
      query={query}
      items={items}
      columns={columns}
      getRowId={(table) => table.id}
      onRowClick={(table) => void navigate(tableHref(table.id))}
      empty={{ icon: <IconTable size={26} />, title: t('terms.tables.emptyTitle'), text: t('terms.tables.emptyText') }}
      renderCompact={(table) => (
        <Stack gap={6}>
          <Group justify="space-between" wrap="nowrap" align="flex-start">
            <Text fw={600} style={{ overflowWrap: 'anywhere' }}>
              {table.name}
            </Text>
            <CombineBadge combine={table.combine} />
          </Group>
          <Text size="sm">{t('terms.tables.sizeValue', { rows: table.rows.length, columns: table.columns.length })}</Text>
          <Text size="xs" c="dimmed" lineClamp={2}>
            {products(table)}
          </Text>
        </Stack>
      )}
    />
  );
}
