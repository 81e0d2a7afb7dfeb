import { Box, Button, Group, Paper, Skeleton, Stack, Table, Text } from '@mantine/core';
import { DateInput } from '@mantine/dates';
import { IconDownload } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { taskControlXlsxUrl, useTaskControl, type ControlPeriod } from '../../api/tasks';
import { ErrorAlert } from '../../components/ErrorAlert';
import { PageHeader } from '../../components/PageHeader';
import { useFormat } from '../../i18n/format';

const asDate = (value: string | Date | null): string | undefined => {
  if (!value) return undefined;
  return typeof value === 'string' ? value.slice(0, 10) : new Date(value.getTime() - value.getTimezoneOffset() * 60_000).toISOString().slice(0, 10);
};

/** Control for the head of sales: tasks by manager, with a chart and an XLSX export. */
export function TaskControlPage() {
  const { t, i18n } = useTranslation();
  const format = useFormat();
  const [period, setPeriod] = useState<ControlPeriod>({});
  const control = useTaskControl(period);
  const rows = (control.data?.items ?? []).map((r) => ({ ...r, name: r.managerName ?? r.managerId ?? t('tasks.control.noManager'), openInTime: r.open - r.overdue }));
  return (
    <Stack gap="lg">
      <PageHeader
        title={t('tasks.control.title')}
        actions={
          <Button component="a" href={taskControlXlsxUrl(period, i18n.language.startsWith('en') ? 'en' : 'ru')} variant="light" leftSection={<IconDownload size={16} />} data-testid="control-xlsx">
            {t('tasks.control.xlsx')}
          </Button>
        }
      />
      <Group gap="sm">
        <DateInput clearable label={t('tasks.control.from')} valueFormat="DD.MM.YYYY" value={period.from ?? null} onChange={(v) => setPeriod((p) => ({ ...p, from: asDate(v) }))} w={160} />
        <DateInput clearable label={t('tasks.control.to')} valueFormat="DD.MM.YYYY" value={period.to ?? null} onChange={(v) => setPeriod((p) => ({ ...p, to: asDate(v) }))} w={160} />
      </Group>
      {control.error && <ErrorAlert error={control.error} />}
      {control.isPending ? (
        <Skeleton h={300} />
      ) : (
        <>
          <Paper withBorder radius="md" p="md">
            <Box h={300} data-testid="control-chart">
              <ResponsiveContainer width="100%" height="100%">
                <BarChart data={rows} margin={{ top: 8, right: 16, bottom: 8, left: 0 }}>
                  <CartesianGrid strokeDasharray="3 3" vertical={false} />
                  <XAxis dataKey="name" />
                  <YAxis allowDecimals={false} />
                  <Tooltip />
                  <Legend />
                  <Bar dataKey="overdue" stackId="open" name={t('tasks.control.overdue')} fill="var(--mantine-color-red-5)" isAnimationActive={false} />
                  <Bar dataKey="openInTime" stackId="open" name={t('tasks.control.openInTime')} fill="var(--mantine-color-blue-4)" isAnimationActive={false} />
                  <Bar dataKey="doneOnTime" stackId="done" name={t('tasks.control.doneOnTime')} fill="var(--mantine-color-teal-5)" isAnimationActive={false} />
                  <Bar dataKey="doneLate" stackId="done" name={t('tasks.control.doneLate')} fill="var(--mantine-color-orange-4)" isAnimationActive={false} />
                </BarChart>
              </ResponsiveContainer>
            </Box>
          </Paper>
          <Paper withBorder radius="md">
            <Table data-testid="control-table" striped>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('tasks.control.manager')}</Table.Th>
                  <Table.Th ta="right">{t('tasks.control.open')}</Table.Th>
                  <Table.Th ta="right">{t('tasks.control.overdue')}</Table.Th>
                  <Table.Th ta="right">{t('tasks.control.doneOnTime')}</Table.Th>
                  <Table.Th ta="right">{t('tasks.control.doneLate')}</Table.Th>
                  <Table.Th ta="right">{t('tasks.control.median')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {rows.length === 0 ? (
                  <Table.Tr>
                    <Table.Td colSpan={6}>
                      <Text c="dimmed" size="sm">
                        {t('tasks.control.empty')}
                      </Text>
                    </Table.Td>
                  </Table.Tr>
                ) : (
                  rows.map((r) => (
                    <Table.Tr key={r.managerId ?? ''} data-testid="control-row" data-manager={r.managerId ?? ''}>
                      <Table.Td>{r.name}</Table.Td>
                      <Table.Td ta="right" data-col="open">
                        {r.open}
                      </Table.Td>
                      <Table.Td ta="right" data-col="overdue" c={r.overdue > 0 ? 'red' : undefined}>
                        {r.overdue}
                      </Table.Td>
                      <Table.Td ta="right" data-col="doneOnTime">
                        {r.doneOnTime}
                      </Table.Td>
                      <Table.Td ta="right" data-col="doneLate">
                        {r.doneLate}
                      </Table.Td>
                      <Table.Td ta="right">{r.medianHoursToClose === null ? '—' : format.number(r.medianHoursToClose)}</Table.Td>
                    </Table.Tr>
                  ))
                )}
              </Table.Tbody>
            </Table>
          </Paper>
        </>
      )}
    </Stack>
  );
}
