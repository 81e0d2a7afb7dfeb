import { Anchor, Group, Paper, SimpleGrid, Skeleton, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { apiGet } from '../../../api/client';
import { numberCell, reportTable, type ReportResult } from '../../../api/segment-reports';
import { ErrorAlert } from '../../../components/ErrorAlert';
import { useFormat } from '../../../i18n/format';
import { ReportFiles } from '../../segments/card/reports/ReportFiles';

interface RenewStatus {
  settings: { properties: string[]; schedule: string | null };
  lastRun: { finishedAt: string | null; startedAt: string } | null;
  scored: number;
  nextRunAt: string | null;
}

/**
 * The renew index (docs/analytics.md): which properties it sums, when it was last computed, and
 * the partners ranked by it, highest first (report renew-ranking; a manager: own partners).
 */
export function RenewScreen() {
  const { t } = useTranslation();
  const format = useFormat();
  const status = useQuery({ queryKey: ['analytics', 'renew', 'status'], queryFn: ({ signal }) => apiGet<RenewStatus>('/analytics/renew', undefined, signal) });
  const ranking = useQuery({
    queryKey: ['analytics', 'renew', 'ranking'],
    queryFn: ({ signal }) => apiGet<ReportResult>('/reports/renew-ranking', { limit: 50 }, signal),
  });
  if (status.isPending) return <Skeleton height={160} radius="md" />;
  if (status.isError) return <ErrorAlert error={status.error} onRetry={() => void status.refetch()} />;
  const { settings, lastRun, scored, nextRunAt } = status.data;
  const rows = reportTable(ranking.data, 'ranking')?.rows ?? [];
  return (
    <Stack gap="md" data-testid="renew">
      <Group justify="space-between" gap="xs">
        <Title order={4} fw={600}>
          {t('manager.renew.title')}
        </Title>
        <ReportFiles report="renew-ranking" params={{}} testId="renew" />
      </Group>
      <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="md">
        <Paper withBorder radius="md" p="md">
          <Text size="xs" c="dimmed">
            {t('manager.renew.properties')}
          </Text>
          <Text size="sm" fw={600} data-testid="renew-properties">
            {settings.properties.length ? settings.properties.join(' + ') : t('manager.renew.noProperties')}
          </Text>
        </Paper>
        <Paper withBorder radius="md" p="md">
          <Text size="xs" c="dimmed">
            {t('manager.renew.lastRun')}
          </Text>
          <Text size="sm" fw={600}>
            {lastRun ? format.dateTime(lastRun.finishedAt ?? lastRun.startedAt) : t('manager.renew.never')}
          </Text>
          {nextRunAt && (
            <Text size="xs" c="dimmed">
              {t('manager.renew.nextRun')}: {format.dateTime(nextRunAt)}
            </Text>
          )}
        </Paper>
        <Paper withBorder radius="md" p="md">
          <Text size="xs" c="dimmed">
            {t('manager.renew.scored')}
          </Text>
          <Text size="xl" fw={700} data-testid="renew-scored">
            {format.number(scored)}
          </Text>
        </Paper>
      </SimpleGrid>
      <Paper withBorder radius="md" p="lg">
        <Title order={5} fw={600} mb="sm">
          {t('manager.renew.ranking')}
        </Title>
        {ranking.isPending ? (
          <Skeleton height={120} />
        ) : ranking.isError ? (
          <ErrorAlert error={ranking.error} onRetry={() => void ranking.refetch()} />
        ) : rows.length === 0 ? (
          <Text size="sm" c="dimmed" data-testid="renew-empty">
            {t('manager.renew.empty')}
          </Text>
        ) : (
          <Table.ScrollContainer minWidth={360} type="native">
            <Table verticalSpacing={6} fz="sm" striped data-testid="renew-ranking">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th w={64}>{t('manager.renew.rank')}</Table.Th>
                  <Table.Th>{t('manager.renew.partner')}</Table.Th>
                  <Table.Th ta="right">{t('manager.renew.index')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {rows.map((r) => (
                  <Table.Tr key={String(r.partnerId)} data-testid="renew-row">
                    <Table.Td>{format.number(numberCell(r.rank))}</Table.Td>
                    <Table.Td>
                      <Anchor component={Link} to={`/partners/${encodeURIComponent(String(r.partnerId))}`} size="sm">
                        {String(r.name)}
                      </Anchor>
                    </Table.Td>
                    <Table.Td ta="right" style={{ fontVariantNumeric: 'tabular-nums' }}>
                      {format.number(numberCell(r.index))}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </Paper>
    </Stack>
  );
}
