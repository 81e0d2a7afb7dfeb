import { Group, Paper, SegmentedControl, SimpleGrid, Skeleton, Stack, Table, Title } from '@mantine/core';
import { IconChartBar } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Bar, CartesianGrid, ComposedChart, Legend, Line, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { numberCell, reportTable, useSegmentReport } from '../../../../api/segment-reports';
import type { SegmentWithStatus } from '../../../../api/segments';
import type { Messages } from '../../../../i18n/locales/ru';
import { EmptyState } from '../../../../components/EmptyState';
import { ErrorAlert } from '../../../../components/ErrorAlert';
import { ReportFiles } from './ReportFiles';
import { ReportStat } from './ReportStat';
import { useReportFormat } from './report-format';
import classes from './reports.module.css';

type SalesText = Exclude<keyof Messages['segmentCard']['reports']['sales'], 'periods'>;

const PERIODS = ['12', '24'] as const;
type Period = (typeof PERIODS)[number];

/** The first day of the month `months` months before this one (UTC), as the report's `from`. */
function monthStart(monthsBack: number): string {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - monthsBack, 1)).toISOString().slice(0, 10);
}

interface MonthRow {
  month: string;
  revenue: number;
  cost: number;
  grossProfit: number;
  quantity: number;
  documents: number;
  partners: number;
}

const tooltipStyle = { borderRadius: 8, border: '1px solid var(--mantine-color-gray-3)', fontSize: 12 };
const axisTick = { fontSize: 11, fill: 'var(--mantine-color-gray-6)' };

/**
 * Sales of the segment's partners (a product segment: of its products) by month: revenue and
 * gross profit as bars, buyers as a line, and the month-by-month table with totals
 * (report `segment-sales`, docs/reports.md).
 */
export function SalesReport({ segment }: { segment: SegmentWithStatus }) {
  const { t } = useTranslation();
  const format = useReportFormat();
  const [period, setPeriod] = useState<Period>('12');
  // 12 months is the report's own default (this month and the 11 before it).
  const params = { segment: segment.id, ...(period === '24' ? { from: monthStart(23) } : {}) };
  const report = useSegmentReport(segment.id, 'segment-sales', params);
  const rows: MonthRow[] = (reportTable(report.data, 'months')?.rows ?? []).map((r) => ({
    month: String(r.month),
    revenue: numberCell(r.revenue),
    cost: numberCell(r.cost),
    grossProfit: numberCell(r.grossProfit),
    quantity: numberCell(r.quantity),
    documents: numberCell(r.documents),
    partners: numberCell(r.partners),
  }));
  const total = rows.reduce(
    (sum, r) => ({
      revenue: sum.revenue + r.revenue,
      cost: sum.cost + r.cost,
      grossProfit: sum.grossProfit + r.grossProfit,
      quantity: sum.quantity + r.quantity,
      documents: sum.documents + r.documents,
      partners: sum.partners + r.partners,
    }),
    { revenue: 0, cost: 0, grossProfit: 0, quantity: 0, documents: 0, partners: 0 },
  );
  const margin = (profit: number, revenue: number) => (revenue > 0 ? format.percent(profit / revenue) : '—');
  const nothingSold = rows.every((r) => r.revenue === 0 && r.documents === 0);

  const s = (key: SalesText) => t(`segmentCard.reports.sales.${key}`);
  return (
    <Stack gap="md" data-testid="report-sales" style={{ opacity: report.isPlaceholderData ? 0.6 : 1 }}>
      <Group justify="space-between" gap="xs">
        <SegmentedControl
          size="xs"
          value={period}
          onChange={(v) => setPeriod(v)}
          data={PERIODS.map((p) => ({ value: p, label: t(`segmentCard.reports.sales.periods.${p}`) }))}
          data-testid="sales-period"
        />
        <ReportFiles report="segment-sales" params={params} testId="sales" />
      </Group>
      {report.isPending ? (
        <Skeleton height={360} radius="md" />
      ) : report.isError ? (
        <ErrorAlert error={report.error} onRetry={() => void report.refetch()} />
      ) : nothingSold ? (
        <Paper withBorder radius="md">
          <EmptyState icon={<IconChartBar size={24} />} title={segment.kind === 'product' ? s('emptyProduct') : s('empty')} />
        </Paper>
      ) : (
        <>
          <SimpleGrid cols={{ base: 2, sm: 4 }} spacing="sm">
            <ReportStat
              label={s('revenue')}
              value={format.amount(total.revenue)}
              hint={t('segmentCard.reports.sales.perMonth', { value: format.compact(total.revenue / Math.max(rows.length, 1)) })}
              testId="sales-revenue"
            />
            <ReportStat
              label={s('grossProfit')}
              value={format.amount(total.grossProfit)}
              hint={`${s('margin')}: ${margin(total.grossProfit, total.revenue)}`}
              color={total.grossProfit < 0 ? 'red.7' : undefined}
            />
            <ReportStat label={s('documents')} value={format.amount(total.documents)} hint={`${s('quantity')}: ${format.count(total.quantity)}`} />
            <ReportStat label={s('partners')} value={format.count(Math.round((total.partners / Math.max(rows.length, 1)) * 10) / 10)} hint={s('buyersHint')} />
          </SimpleGrid>
          <Paper withBorder radius="md" p="lg">
            <Title order={5} fw={600} mb="sm">
              {s('chart')}
            </Title>
            <div className={classes.chart} data-testid="sales-chart" role="img" aria-label={s('chart')}>
              <ResponsiveContainer width="100%" height="100%">
                <ComposedChart data={rows} margin={{ top: 8, right: 0, bottom: 0, left: 0 }}>
                  <CartesianGrid strokeDasharray="3 3" stroke="var(--mantine-color-gray-2)" vertical={false} />
                  <XAxis dataKey="month" tickFormatter={format.monthShort} tick={axisTick} tickLine={false} axisLine={false} minTickGap={12} />
                  <YAxis yAxisId="amount" tickFormatter={format.compact} tick={axisTick} tickLine={false} axisLine={false} width={56} />
                  <YAxis yAxisId="buyers" orientation="right" allowDecimals={false} tick={axisTick} tickLine={false} axisLine={false} width={36} />
                  <Tooltip labelFormatter={(month) => format.month(String(month))} formatter={(value, name) => [format.amount(Number(value)), name]} contentStyle={tooltipStyle} />
                  <Legend wrapperStyle={{ fontSize: 12 }} itemSorter={null} />
                  <Bar yAxisId="amount" dataKey="revenue" name={s('revenue')} fill="var(--mantine-color-blue-5)" radius={[3, 3, 0, 0]} maxBarSize={28} isAnimationActive={false} />
                  <Bar yAxisId="amount" dataKey="grossProfit" name={s('grossProfit')} fill="var(--mantine-color-teal-4)" radius={[3, 3, 0, 0]} maxBarSize={28} isAnimationActive={false} />
                  <Line yAxisId="buyers" type="monotone" dataKey="partners" name={s('partners')} stroke="var(--mantine-color-orange-6)" strokeWidth={2} dot={{ r: 2 }} isAnimationActive={false} />
                </ComposedChart>
              </ResponsiveContainer>
            </div>
          </Paper>
          <Paper withBorder radius="md" p="lg">
            <Table.ScrollContainer minWidth={760} type="native">
              <Table verticalSpacing={6} fz="sm" striped highlightOnHover data-testid="sales-table">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{s('month')}</Table.Th>
                    {(['revenue', 'cost', 'grossProfit', 'margin', 'quantity', 'documents', 'partners'] as const).map((key) => (
                      <Table.Th key={key} className={classes.number}>
                        {s(key)}
                      </Table.Th>
                    ))}
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {rows.map((r) => (
                    <Table.Tr key={r.month} data-testid="sales-row" data-month={r.month}>
                      <Table.Td style={{ whiteSpace: 'nowrap' }}>{format.month(r.month)}</Table.Td>
                      <Table.Td className={classes.number} data-key="revenue">
                        {format.amount(r.revenue)}
                      </Table.Td>
                      <Table.Td className={classes.number}>{format.amount(r.cost)}</Table.Td>
                      <Table.Td className={classes.number} c={r.grossProfit < 0 ? 'red.7' : undefined}>
                        {format.amount(r.grossProfit)}
                      </Table.Td>
                      <Table.Td className={classes.number}>{margin(r.grossProfit, r.revenue)}</Table.Td>
                      <Table.Td className={classes.number}>{format.count(r.quantity)}</Table.Td>
                      <Table.Td className={classes.number} data-key="documents">
                        {format.amount(r.documents)}
                      </Table.Td>
                      <Table.Td className={classes.number} data-key="partners">
                        {format.amount(r.partners)}
                      </Table.Td>
                    </Table.Tr>
                  ))}
                  <Table.Tr className={classes.totals} data-testid="sales-total">
                    <Table.Td>{s('total')}</Table.Td>
                    <Table.Td className={classes.number} data-key="revenue">
                      {format.amount(total.revenue)}
                    </Table.Td>
                    <Table.Td className={classes.number}>{format.amount(total.cost)}</Table.Td>
                    <Table.Td className={classes.number}>{format.amount(total.grossProfit)}</Table.Td>
                    <Table.Td className={classes.number}>{margin(total.grossProfit, total.revenue)}</Table.Td>
                    <Table.Td className={classes.number}>{format.count(total.quantity)}</Table.Td>
                    <Table.Td className={classes.number}>{format.amount(total.documents)}</Table.Td>
                    {/* A buyer of several months is one buyer: the months' counts do not add up. */}
                    <Table.Td className={classes.number}>—</Table.Td>
                  </Table.Tr>
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          </Paper>
        </>
      )}
    </Stack>
  );
}
