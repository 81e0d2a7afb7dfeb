import { Anchor, Group, Paper, SimpleGrid, Skeleton, Stack, Text, Title } from '@mantine/core';
import { IconDownload } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { apiGet } from '../../api/client';
import { numberCell, reportFileUrl, reportTable, type ReportResult } from '../../api/segment-reports';
import { ErrorAlert } from '../../components/ErrorAlert';
import { useFormat } from '../../i18n/format';
import { useReportFormat } from '../segments/card/reports/report-format';

const axisTick = { fontSize: 11, fill: 'var(--mantine-color-gray-6)' };

function Figure({ label, value, hint, color, testId }: { label: string; value: string; hint?: string; color?: string; testId: string }) {
  return (
    <Stack gap={0} data-testid={testId}>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text fw={700} fz="lg" c={color} style={{ fontVariantNumeric: 'tabular-nums', whiteSpace: 'nowrap' }} data-testid={`${testId}-value`}>
        {value}
      </Text>
      {hint && (
        <Text size="xs" c="dimmed">
          {hint}
        </Text>
      )}
    </Stack>
  );
}

/**
 * A partner's sales and settlements on its card, as 1C's partner card sums them up: revenue of
 * the last 12 months by month, gross profit, purchases, what the partner owes and what of it is
 * overdue (report `partner-sales`, the rule language's measures, docs/reports.md).
 */
export function PartnerSalesPanel({ partnerId }: { partnerId: string }) {
  const { t, i18n } = useTranslation();
  const format = useFormat();
  const months = useReportFormat();
  const report = useQuery({
    queryKey: ['partner', partnerId, 'sales'],
    queryFn: ({ signal }) => apiGet<ReportResult>('/reports/partner-sales', { partner: partnerId }, signal),
    staleTime: 60_000,
  });
  const s = report.data?.summary ?? {};
  const rows = (reportTable(report.data, 'months')?.rows ?? []).map((r) => ({ month: String(r.month), revenue: numberCell(r.revenue) }));
  const overdue = numberCell(s.overdueReceivable);
  const days = numberCell(s.maxDaysOverdue);
  return (
    <Paper withBorder radius="md" p="lg" data-testid="partner-sales">
      <Group justify="space-between" mb="md" gap="xs">
        <Title order={4} fw={600}>
          {t('manager.sales.title')}
        </Title>
        <Anchor size="sm" href={reportFileUrl('partner-sales', 'xlsx', { partner: partnerId }, i18n.resolvedLanguage)} download data-testid="partner-sales-xlsx">
          <Group gap={4} component="span">
            <IconDownload size={14} />
            {t('manager.sales.download')}
          </Group>
        </Anchor>
      </Group>
      {report.isPending ? (
        <Skeleton height={180} radius="md" />
      ) : report.isError ? (
        <ErrorAlert error={report.error} onRetry={() => void report.refetch()} />
      ) : (
        <Stack gap="md">
          <SimpleGrid cols={{ base: 2, sm: 4 }} spacing="md">
            <Figure label={t('manager.sales.revenue')} value={format.money(numberCell(s.revenue))} testId="partner-sales-revenue" />
            <Figure
              label={t('manager.sales.grossProfit')}
              value={format.money(numberCell(s.grossProfit))}
              hint={`${t('manager.sales.documents')}: ${format.number(numberCell(s.documents))}`}
              testId="partner-sales-profit"
            />
            <Figure
              label={t('manager.sales.receivable')}
              value={format.money(numberCell(s.receivable))}
              hint={numberCell(s.payable) > 0 ? `${t('manager.sales.payable')}: ${format.money(numberCell(s.payable))}` : undefined}
              testId="partner-sales-debt"
            />
            <Figure
              label={t('manager.sales.overdue')}
              value={format.money(overdue)}
              color={overdue > 0 ? 'red.7' : undefined}
              hint={overdue > 0 ? t('manager.sales.daysOverdue', { count: days }) : t('manager.sales.noOverdue')}
              testId="partner-sales-overdue"
            />
          </SimpleGrid>
          {rows.every((r) => r.revenue === 0) ? (
            <Text size="sm" c="dimmed" data-testid="partner-sales-none">
              {t('manager.sales.none')}
            </Text>
          ) : (
            <div style={{ height: 160 }} role="img" aria-label={t('manager.sales.months')} data-testid="partner-sales-chart">
              <ResponsiveContainer width="100%" height="100%">
                <BarChart data={rows} margin={{ top: 4, right: 0, bottom: 0, left: 0 }}>
                  <CartesianGrid strokeDasharray="3 3" stroke="var(--mantine-color-gray-2)" vertical={false} />
                  <XAxis dataKey="month" tickFormatter={months.monthShort} tick={axisTick} tickLine={false} axisLine={false} minTickGap={8} />
                  <YAxis tickFormatter={months.compact} tick={axisTick} tickLine={false} axisLine={false} width={64} />
                  <Tooltip labelFormatter={(month) => months.month(String(month))} formatter={(value) => [format.money(Number(value)), t('manager.sales.revenue')]} />
                  <Bar dataKey="revenue" fill="var(--mantine-color-blue-5)" radius={[3, 3, 0, 0]} maxBarSize={24} isAnimationActive={false} />
                </BarChart>
              </ResponsiveContainer>
            </div>
          )}
        </Stack>
      )}
    </Paper>
  );
}
