import { Anchor, Box, Stack, Table, Text, Tooltip } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import type { SegmentWithStatus } from '../../../api/segments';
import type { DiscountTable } from '../../../api/terms';
import { useTermsFormat } from '../shared/format';
import { segmentHref } from '../shared/links';
import { cellKey, isFirstPurchase, specOf, type CellMade, type ColumnSpec } from './table-model';
import classes from './tables.module.css';

/** Under a column's heading: what it means exactly ("revenue ≥ 10 000 · 24 months"). */
export function useColumnCaption() {
  const { t } = useTranslation();
  const format = useTermsFormat();
  return (spec: ColumnSpec) => {
    if (isFirstPurchase(spec)) return t('terms.tables.caption.firstPurchase');
    const measure = t(`terms.conditions.measures.${spec.measure.replace('sales.', '') as 'revenue'}`);
    const period = spec.months ? t('terms.conditions.summary.months', { n: spec.months }) : t('terms.conditions.summary.allTime');
    return `${measure} ${spec.op === 'gt' ? '>' : '≥'} ${format.number(spec.threshold)} · ${period}`;
  };
}

interface TableGridProps {
  table: DiscountTable;
  segments: ReadonlyMap<string, SegmentWithStatus>;
  /** What each cell made (discount, segment): shown on hover and as the partners who reach it. */
  cells?: ReadonlyMap<string, CellMade>;
}

/**
 * A cumulative discount table as the article draws it: product segments down, thresholds over
 * periods across, percents in the cells (darker: more). Scrolls sideways inside its frame on a
 * narrow screen.
 */
export function TableGrid({ table, segments, cells }: TableGridProps) {
  const { t } = useTranslation();
  const format = useTermsFormat();
  const caption = useColumnCaption();
  const percents = table.rows.flatMap((r) => r.percents).filter((p): p is number => p !== null);
  const max = Math.max(0, ...percents);
  const shade = (p: number) => (p <= 0 || max <= 0 ? 'transparent' : `rgba(18, 184, 134, ${(0.08 + 0.32 * (p / max)).toFixed(3)})`);
  return (
    <Box className={classes.gridFrame}>
      <Table withColumnBorders withTableBorder={false} verticalSpacing="sm" horizontalSpacing="md" className={classes.grid} data-testid="table-grid">
        <Table.Thead>
          <Table.Tr>
            <Table.Th className={classes.corner}>{t('terms.tables.productSegment')}</Table.Th>
            {table.columns.map((column) => (
              <Table.Th key={column.key} className={classes.columnHead} data-column={column.key}>
                <Stack gap={2}>
                  <Text size="sm" fw={600} lh={1.25}>
                    {column.label}
                  </Text>
                  <Text size="xs" c="dimmed" fw={400} lh={1.25}>
                    {caption(specOf(column))}
                  </Text>
                </Stack>
              </Table.Th>
            ))}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {table.rows.map((row) => (
            <Table.Tr key={row.productSegment} data-row={row.productSegment}>
              <Table.Th className={classes.rowHead}>
                <Anchor component={Link} to={segmentHref(row.productSegment)} size="sm" fw={600}>
                  {segments.get(row.productSegment)?.name ?? row.productSegment}
                </Anchor>
              </Table.Th>
              {row.percents.map((p, c) => {
                const made = cells?.get(cellKey(row.productSegment, c));
                const segment = made?.segmentId ? segments.get(made.segmentId) : undefined;
                const content = (
                  <Text size="md" fw={600} ff="monospace" ta="center" c={p === null ? 'dimmed' : undefined}>
                    {p === null ? '—' : format.percent(p)}
                  </Text>
                );
                return (
                  <Table.Td key={c} style={{ background: p === null ? undefined : shade(p) }} className={classes.cell} data-testid="table-cell" data-percent={p ?? ''}>
                    {segment ? (
                      <Tooltip label={t('terms.tables.cellTooltip', { segment: segment.name, n: segment.size === null ? '—' : format.number(segment.size) })} withinPortal multiline maw={320}>
                        <div>{content}</div>
                      </Tooltip>
                    ) : (
                      content
                    )}
                  </Table.Td>
                );
              })}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Box>
  );
}
