import { Box, Group, ScrollArea, Text } from '@mantine/core';
import type { KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { RfmTemplate } from '../../../api/analytics';
import { currentLanguage } from '../../../i18n';
import classes from '../analytics.module.css';
import { useNumbers } from '../numbers';
import { cellShare, cellValue, heat, templateArea, templateOfCell, type RfmGrid, type RfmMetric } from './rfm-model';

interface RfmHeatmapProps {
  grid: RfmGrid;
  metric: RfmMetric;
  /** The named segments drawn over their cells; null when they do not apply (bins ≠ 5). */
  templates: readonly RfmTemplate[] | null;
  /** The named segment to highlight (hovered here or in the list). */
  active: string | null;
  onActive: (key: string | null) => void;
  onOpen: (template: RfmTemplate) => void;
}

/** The blue of the theme (blue-6) at the heat of a cell. */
const background = (h: number) => (h === 0 ? 'var(--mantine-color-gray-0)' : `rgb(34 139 230 / ${(0.1 + 0.85 * h).toFixed(3)})`);

/**
 * The R × F grid as a heat-map: recency score in rows (best on top), frequency score in
 * columns; each cell shows the customers (or revenue) and its share, coloured by it; the
 * named RFM segments are outlined over their cells, and a click opens a cell's segment.
 */
export function RfmHeatmap({ grid, metric, templates, active, onActive, onOpen }: RfmHeatmapProps) {
  const { t } = useTranslation();
  const numbers = useNumbers();
  const language = currentLanguage();
  const scores = Array.from({ length: grid.bins }, (_, i) => i + 1);
  const rows = [...scores].reverse();
  let max = 0;
  for (const r of scores) for (const f of scores) max = Math.max(max, cellValue(grid.cell(r, f), metric));
  const show = (value: number) => (metric === 'customers' ? numbers.whole(value) : numbers.compact(value));

  return (
    <Box>
      <ScrollArea type="auto" offsetScrollbars="x" data-testid="rfm-heatmap-scroll">
        <Group gap={6} wrap="nowrap" align="stretch" miw={500}>
          <Text size="xs" c="dimmed" fw={600} className="rfm-axis" style={{ writingMode: 'vertical-rl', transform: 'rotate(180deg)', textAlign: 'center' }}>
            {t('analytics.rfm.axisR')}
          </Text>
          <Box style={{ flex: 1 }}>
            <div
              className={classes.heatmap}
              style={{ gridTemplateColumns: `44px repeat(${grid.bins}, minmax(76px, 1fr))`, gridTemplateRows: `repeat(${grid.bins}, ${grid.bins > 6 ? 64 : 80}px) 24px` }}
              data-testid="rfm-heatmap"
              data-metric={metric}
              role="grid"
              aria-label={t('analytics.rfm.heatmapTitle')}
            >
              {rows.map((r, rowIndex) => (
                <div key={`r${r}`} className={classes.rowCaption} style={{ gridRow: rowIndex + 1, gridColumn: 1 }} role="rowheader">
                  R{r}
                </div>
              ))}
              {rows.flatMap((r, rowIndex) =>
                scores.map((f) => {
                  const cell = grid.cell(r, f);
                  const value = cellValue(cell, metric);
                  const h = heat(value, max);
                  const template = templates ? templateOfCell(templates, r, f) : undefined;
                  const name = template ? template.name[language] : null;
                  const title = [
                    `R${r} · F${f}${name ? ` — ${name}` : ''}`,
                    t('analytics.rfm.cellCustomers', { count: cell.customers, value: numbers.whole(cell.customers), share: numbers.percent(cell.customerShare) }),
                    t('analytics.rfm.cellRevenue', { value: numbers.whole(cell.revenue), share: numbers.percent(cell.revenueShare) }),
                  ].join('\n');
                  const open = template ? () => onOpen(template) : undefined;
                  const onKey = (event: KeyboardEvent) => {
                    if (open && (event.key === 'Enter' || event.key === ' ')) {
                      event.preventDefault();
                      open();
                    }
                  };
                  return (
                    <div
                      key={`${r}/${f}`}
                      className={classes.cell}
                      style={{ gridRow: rowIndex + 1, gridColumn: f + 1, background: background(h), color: h > 0.62 ? 'white' : 'var(--mantine-color-dark-7)' }}
                      title={title}
                      role="gridcell"
                      tabIndex={open ? 0 : undefined}
                      data-clickable={open ? true : undefined}
                      onClick={open}
                      onKeyDown={onKey}
                      onMouseEnter={() => onActive(template?.key ?? null)}
                      onMouseLeave={() => onActive(null)}
                      data-testid="rfm-cell"
                      data-r={r}
                      data-f={f}
                      data-customers={cell.customers}
                      data-revenue={cell.revenue}
                      data-template={template?.key}
                    >
                      <span className={classes.cellValue} data-testid="rfm-cell-value">
                        {show(value)}
                      </span>
                      <span className={classes.cellShare} data-testid="rfm-cell-share">
                        {numbers.percent(cellShare(cell, metric))}
                      </span>
                    </div>
                  );
                }),
              )}
              {templates?.map((template) => (
                <div
                  key={template.key}
                  className={classes.region}
                  style={templateArea(template, grid.bins)}
                  data-active={active === template.key ? true : undefined}
                  data-testid="rfm-region"
                  data-template={template.key}
                  aria-hidden
                >
                  <div className={classes.regionLabel}>
                    <span>{template.name[language]}</span>
                  </div>
                </div>
              ))}
              <div style={{ gridRow: grid.bins + 1, gridColumn: 1 }} />
              {scores.map((f) => (
                <div key={`f${f}`} className={classes.colCaption} style={{ gridRow: grid.bins + 1, gridColumn: f + 1 }} role="columnheader">
                  F{f}
                </div>
              ))}
            </div>
            <Group justify="space-between" mt={4} pl={48} gap="xs" wrap="nowrap">
              <Text size="xs" c="dimmed">
                {t('analytics.rfm.fewPurchases')}
              </Text>
              <Text size="xs" c="dimmed" fw={600}>
                {t('analytics.rfm.axisF')}
              </Text>
              <Text size="xs" c="dimmed">
                {t('analytics.rfm.manyPurchases')}
              </Text>
            </Group>
          </Box>
        </Group>
      </ScrollArea>
    </Box>
  );
}
