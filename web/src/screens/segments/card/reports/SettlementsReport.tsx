import { Alert, Anchor, Group, Pagination, Paper, Progress, SimpleGrid, Skeleton, Stack, Switch, Table, Text, Title } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { IconCoins, IconInfoCircle } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { useDirectory } from '../../../../api/directories';
import { numberCell, reportTable, useSegmentReport } from '../../../../api/segment-reports';
import type { SegmentWithStatus } from '../../../../api/segments';
import { EmptyState } from '../../../../components/EmptyState';
import { ErrorAlert } from '../../../../components/ErrorAlert';
import { ReportFiles } from './ReportFiles';
import { ReportStat } from './ReportStat';
import { useReportFormat } from './report-format';
import classes from './reports.module.css';

/** Partners read for the screen (most overdue first); the files have them all. */
const LIMIT = 500;
const PAGE = 10;
const CHART_PARTNERS = 10;

interface PartnerRow {
  id: string;
  name: string;
  manager: string | null;
  receivable: number;
  payable: number;
  balance: number;
  overdue: number;
  days: number;
}

const truncate = (text: string, length: number) => (text.length > length ? `${text.slice(0, length - 1)}…` : text);

/**
 * Settlements with the segment's partners today (report `settlements`): what they owe, how much
 * of it is overdue and for how long, what we owe them; the most overdue debts as bars (overdue
 * and not yet due), and every partner in a table, most overdue first.
 */
export function SettlementsReport({ segment }: { segment: SegmentWithStatus }) {
  const { t } = useTranslation();
  const format = useReportFormat();
  const managers = useDirectory('managers');
  const phone = useMediaQuery('(max-width: 36em)');
  const [nonZero, setNonZero] = useState(true);
  const [page, setPage] = useState(1);
  const isPartners = segment.kind === 'partner';
  const files = { segment: segment.id, nonZero: String(nonZero) };
  const report = useSegmentReport(segment.id, 'settlements', isPartners ? { ...files, limit: LIMIT } : null);
  const st = 'segmentCard.reports.settlements';

  if (!isPartners) {
    return (
      <Alert variant="light" color="gray" icon={<IconInfoCircle size={18} />} data-testid="settlements-product">
        {t(`${st}.product`)}
      </Alert>
    );
  }

  const table = reportTable(report.data, 'partners');
  const rows: PartnerRow[] = (table?.rows ?? []).map((r) => ({
    id: String(r.partnerId),
    name: String(r.name),
    manager: r.manager === null ? null : String(r.manager),
    receivable: numberCell(r.receivable),
    payable: numberCell(r.payable),
    balance: numberCell(r.balance),
    overdue: numberCell(r.overdueReceivable),
    days: numberCell(r.maxDaysOverdue),
  }));
  const summary = report.data?.summary ?? {};
  const receivable = numberCell(summary.receivable);
  const overdue = numberCell(summary.overdueReceivable);
  const chartRows = rows
    .filter((r) => r.receivable > 0)
    .slice(0, CHART_PARTNERS)
    .map((r) => ({ label: truncate(r.name, phone ? 16 : 30), name: r.name, overdue: r.overdue, notDue: Math.max(r.receivable - r.overdue, 0) }));
  const pages = Math.ceil(rows.length / PAGE);
  const shown = rows.slice((page - 1) * PAGE, page * PAGE);

  return (
    <Stack gap="md" data-testid="report-settlements" style={{ opacity: report.isPlaceholderData ? 0.6 : 1 }}>
      <Group justify="space-between" gap="xs">
        <Switch
          size="sm"
          checked={nonZero}
          onChange={(event) => {
            setNonZero(event.currentTarget.checked);
            setPage(1);
          }}
          label={t(`${st}.onlyWithBalance`)}
          data-testid="settlements-nonzero"
        />
        <ReportFiles report="settlements" params={files} testId="settlements" />
      </Group>
      {report.isPending ? (
        <Skeleton height={360} radius="md" />
      ) : report.isError ? (
        <ErrorAlert error={report.error} onRetry={() => void report.refetch()} />
      ) : rows.length === 0 ? (
        <Paper withBorder radius="md">
          <EmptyState icon={<IconCoins size={24} />} title={t(`${st}.empty`)} />
        </Paper>
      ) : (
        <>
          <SimpleGrid cols={{ base: 2, sm: 4 }} spacing="sm">
            <ReportStat
              label={t(`${st}.receivable`)}
              value={format.amount(receivable)}
              hint={
                receivable > 0 ? (
                  <Stack gap={4} mt={4}>
                    <Progress.Root size="sm" aria-label={t(`${st}.overdue`)}>
                      <Progress.Section value={(overdue / receivable) * 100} color="red.6" />
                      <Progress.Section value={100 - (overdue / receivable) * 100} color="teal.5" />
                    </Progress.Root>
                    {t(`${st}.overdueShare`, { share: format.percent(overdue / receivable) })}
                  </Stack>
                ) : undefined
              }
              testId="settlements-receivable"
            />
            <ReportStat
              label={t(`${st}.overdue`)}
              value={format.amount(overdue)}
              color={overdue > 0 ? 'red.7' : undefined}
              hint={t(`${st}.partnersOverdue`, { count: numberCell(summary.partnersOverdue) })}
              testId="settlements-overdue"
            />
            <ReportStat label={t(`${st}.payable`)} value={format.amount(numberCell(summary.payable))} testId="settlements-payable" />
            <ReportStat label={t(`${st}.balance`)} value={format.amount(numberCell(summary.balance))} hint={`${t(`${st}.partners`)}: ${format.amount(numberCell(summary.partners))}`} />
          </SimpleGrid>
          <Paper withBorder radius="md" p="lg">
            <Title order={5} fw={600} mb="sm">
              {t(`${st}.chart`)}
            </Title>
            {chartRows.length === 0 ? (
              <Text size="sm" c="dimmed">
                {t(`${st}.noDebts`)}
              </Text>
            ) : (
              <div style={{ width: '100%', height: 64 + chartRows.length * 34 }} data-testid="settlements-chart" role="img" aria-label={t(`${st}.chart`)}>
                <ResponsiveContainer width="100%" height="100%">
                  <BarChart data={chartRows} layout="vertical" margin={{ top: 0, right: 16, bottom: 0, left: 0 }}>
                    <CartesianGrid strokeDasharray="3 3" stroke="var(--mantine-color-gray-2)" horizontal={false} />
                    <XAxis type="number" tickFormatter={format.compact} tick={{ fontSize: 11, fill: 'var(--mantine-color-gray-6)' }} tickLine={false} axisLine={false} />
                    <YAxis type="category" dataKey="label" width={phone ? 110 : 210} tick={{ fontSize: 12, fill: 'var(--mantine-color-gray-7)' }} tickLine={false} axisLine={false} />
                    <Tooltip
                      formatter={(value, name) => [format.amount(Number(value)), name]}
                      labelFormatter={(_, payload) => String(payload?.[0]?.payload?.name ?? '')}
                      contentStyle={{ borderRadius: 8, border: '1px solid var(--mantine-color-gray-3)', fontSize: 12 }}
                      cursor={{ fill: 'var(--mantine-color-gray-0)' }}
                    />
                    <Legend wrapperStyle={{ fontSize: 12 }} itemSorter={null} />
                    <Bar dataKey="overdue" name={t(`${st}.overdue`)} stackId="debt" fill="var(--mantine-color-red-5)" barSize={16} isAnimationActive={false} />
                    <Bar dataKey="notDue" name={t(`${st}.notDue`)} stackId="debt" fill="var(--mantine-color-teal-4)" radius={[0, 4, 4, 0]} barSize={16} isAnimationActive={false} />
                  </BarChart>
                </ResponsiveContainer>
              </div>
            )}
          </Paper>
          <Paper withBorder radius="md" p="lg">
            <Stack gap="xs">
              <Table.ScrollContainer minWidth={820} type="native">
                <Table verticalSpacing={6} fz="sm" striped highlightOnHover data-testid="settlements-table">
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>{t(`${st}.partner`)}</Table.Th>
                      <Table.Th>{t(`${st}.manager`)}</Table.Th>
                      <Table.Th className={classes.number}>{t(`${st}.receivable`)}</Table.Th>
                      <Table.Th className={classes.number}>{t(`${st}.overdue`)}</Table.Th>
                      <Table.Th className={classes.number}>{t(`${st}.daysOverdue`)}</Table.Th>
                      <Table.Th className={classes.number}>{t(`${st}.payable`)}</Table.Th>
                      <Table.Th className={classes.number}>{t(`${st}.balance`)}</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {shown.map((r) => (
                      <Table.Tr key={r.id} data-testid="settlement-row" data-partner={r.id}>
                        <Table.Td>
                          <Anchor component={Link} to={`/partners/${encodeURIComponent(r.id)}`} size="sm">
                            {r.name}
                          </Anchor>
                        </Table.Td>
                        <Table.Td c="dimmed">{managers.nameOf(r.manager) ?? '—'}</Table.Td>
                        <Table.Td className={classes.number} data-key="receivable">
                          {format.amount(r.receivable)}
                        </Table.Td>
                        <Table.Td className={classes.number} c={r.overdue > 0 ? 'red.7' : 'dimmed'} data-key="overdue">
                          {format.amount(r.overdue)}
                        </Table.Td>
                        <Table.Td className={classes.number} data-key="days">
                          {r.days > 0 ? format.amount(r.days) : '—'}
                        </Table.Td>
                        <Table.Td className={classes.number}>{format.amount(r.payable)}</Table.Td>
                        <Table.Td className={classes.number} fw={500}>
                          {format.amount(r.balance)}
                        </Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
              <Group justify="space-between" gap="xs">
                <Text size="xs" c="dimmed">
                  {table && table.total > rows.length ? t('segmentCard.reports.shownOf', { shown: rows.length, total: table.total }) : ''}
                </Text>
                {pages > 1 && <Pagination size="sm" value={page} onChange={setPage} total={pages} siblings={0} />}
              </Group>
            </Stack>
          </Paper>
        </>
      )}
    </Stack>
  );
}
