import { Alert, Anchor, Badge, Grid, Group, Pagination, Paper, ScrollArea, Skeleton, Stack, Table, Text, Title } from '@mantine/core';
import { IconChartLine, IconInfoCircle } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { Area, Bar, CartesianGrid, ComposedChart, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { useHistory, useRuns, type SegmentRun, type SegmentWithStatus } from '../../../api/segments';
import { EmptyState } from '../../../components/EmptyState';
import { ReportFiles } from './reports/ReportFiles';
import { ErrorAlert } from '../../../components/ErrorAlert';
import { useFormat } from '../../../i18n/format';
import { formatDuration, useRuleLabels } from '../labels';
import classes from '../segments.module.css';

const EVENTS_PAGE = 10;

/** Segment size over its generations, with who entered and who left each time. */
function SizeChart({ runs }: { runs: SegmentRun[] }) {
  const { t } = useTranslation();
  const format = useFormat();
  const data = [...runs]
    .filter((run) => run.status === 'ok' && run.size !== null)
    .reverse()
    .map((run) => ({ at: format.dayMonth(run.startedAt), size: run.size ?? 0, entered: run.entered ?? 0, left: -(run.left ?? 0) }));
  if (data.length === 0) return <EmptyState icon={<IconChartLine size={24} />} title={t('segment.history.sizeChart')} text={t('segment.history.noRuns')} />;
  return (
    <div className={classes.chart} data-testid="size-chart" role="img" aria-label={t('segment.history.sizeChart')}>
      <ResponsiveContainer width="100%" height="100%">
        <ComposedChart data={data} margin={{ top: 8, right: 4, bottom: 0, left: -12 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="var(--mantine-color-gray-2)" vertical={false} />
          <XAxis dataKey="at" tick={{ fontSize: 11, fill: 'var(--mantine-color-gray-6)' }} tickLine={false} axisLine={false} minTickGap={24} />
          <YAxis yAxisId="size" orientation="right" tick={{ fontSize: 11, fill: 'var(--mantine-color-gray-6)' }} tickLine={false} axisLine={false} allowDecimals={false} width={44} />
          <YAxis
            yAxisId="change"
            tick={{ fontSize: 11, fill: 'var(--mantine-color-gray-6)' }}
            tickLine={false}
            axisLine={false}
            allowDecimals={false}
            width={44}
            tickFormatter={(v: number) => String(Math.abs(v))}
          />
          <Tooltip formatter={(value, name) => [format.number(Math.abs(Number(value))), name]} contentStyle={{ borderRadius: 8, border: '1px solid var(--mantine-color-gray-3)', fontSize: 12 }} />
          <Legend wrapperStyle={{ fontSize: 12 }} />
          <Area
            yAxisId="size"
            type="monotone"
            dataKey="size"
            name={t('segment.history.size')}
            stroke="var(--mantine-color-blue-6)"
            fill="var(--mantine-color-blue-1)"
            strokeWidth={2}
            isAnimationActive={false}
          />
          <Bar yAxisId="change" dataKey="entered" name={t('segment.history.entered')} fill="var(--mantine-color-teal-5)" barSize={10} radius={[3, 3, 0, 0]} isAnimationActive={false} />
          <Bar yAxisId="change" dataKey="left" name={t('segment.history.left')} fill="var(--mantine-color-red-4)" barSize={10} radius={[0, 0, 3, 3]} isAnimationActive={false} />
        </ComposedChart>
      </ResponsiveContainer>
    </div>
  );
}

function RunsTable({ runs }: { runs: SegmentRun[] }) {
  const { t, i18n } = useTranslation();
  const format = useFormat();
  const labels = useRuleLabels();
  return (
    <ScrollArea.Autosize mah={300} type="auto">
      <Table verticalSpacing={6} fz="sm" striped stickyHeader miw={560} data-testid="runs-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('segment.history.columns.at')}</Table.Th>
            <Table.Th>{t('segment.history.columns.trigger')}</Table.Th>
            <Table.Th ta="right">{t('segment.history.columns.size')}</Table.Th>
            <Table.Th>{t('segment.history.columns.change')}</Table.Th>
            <Table.Th>{t('segment.history.columns.duration')}</Table.Th>
            <Table.Th>{t('segment.history.columns.status')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {runs.map((run) => (
            <Table.Tr key={run.id}>
              <Table.Td style={{ whiteSpace: 'nowrap' }}>{format.dateTime(run.startedAt)}</Table.Td>
              <Table.Td>{labels.trigger(run.trigger)}</Table.Td>
              <Table.Td ta="right" ff="monospace">
                {run.size === null ? '—' : format.number(run.size)}
              </Table.Td>
              <Table.Td>
                <Group gap={6} wrap="nowrap">
                  <Text size="sm" c="teal.7" ff="monospace">
                    +{run.entered ?? 0}
                  </Text>
                  <Text size="sm" c="red.7" ff="monospace">
                    −{run.left ?? 0}
                  </Text>
                </Group>
              </Table.Td>
              <Table.Td style={{ whiteSpace: 'nowrap' }}>{run.durationMs === null ? '—' : formatDuration(run.durationMs, i18n.resolvedLanguage ?? 'ru')}</Table.Td>
              <Table.Td>
                <Badge size="xs" variant="light" color={run.status === 'ok' ? 'teal' : run.status === 'failed' ? 'red' : 'blue'} title={run.error ?? undefined}>
                  {t(`segment.history.runStatuses.${run.status}`)}
                </Badge>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </ScrollArea.Autosize>
  );
}

function EventsTable({ segmentId }: { segmentId: string }) {
  const { t } = useTranslation();
  const format = useFormat();
  const [page, setPage] = useState(1);
  const history = useHistory(segmentId, { limit: EVENTS_PAGE, offset: (page - 1) * EVENTS_PAGE });
  if (history.isPending) return <Skeleton height={160} />;
  if (history.isError) return <ErrorAlert error={history.error} onRetry={() => void history.refetch()} />;
  if (history.data.total === 0) {
    return (
      <Text size="sm" c="dimmed">
        {t('segment.history.eventsEmpty')}
      </Text>
    );
  }
  return (
    <Stack gap="xs">
      <Table.ScrollContainer minWidth={360} type="native">
        <Table verticalSpacing={6} fz="sm" data-testid="history-events" style={{ opacity: history.isPlaceholderData ? 0.6 : 1 }}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('segment.history.columns.at')}</Table.Th>
              <Table.Th>{t('segment.history.columns.member')}</Table.Th>
              <Table.Th>{t('segment.history.columns.event')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {history.data.items.map((event, i) => (
              <Table.Tr key={`${event.memberId}-${event.at}-${i}`}>
                <Table.Td style={{ whiteSpace: 'nowrap' }}>{format.dateTime(event.at)}</Table.Td>
                <Table.Td>
                  {event.name ? (
                    <Anchor component={Link} to={`/partners/${encodeURIComponent(event.memberId)}`} size="sm">
                      {event.name}
                    </Anchor>
                  ) : (
                    <Text size="sm" c="dimmed">
                      {event.memberId} ({t('segment.history.deletedMember')})
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>
                  <Badge size="sm" variant="light" color={event.event === 'entered' ? 'teal' : 'red'} tt="none">
                    {t(`segment.history.eventNames.${event.event}`)}
                  </Badge>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {history.data.total > EVENTS_PAGE && (
        <Group justify="flex-end">
          <Pagination size="sm" value={page} onChange={setPage} total={Math.ceil(history.data.total / EVENTS_PAGE)} siblings={0} />
        </Group>
      )}
    </Stack>
  );
}

/** History of a stored segment: size by generation (a chart), the generations, and who entered and left. */
export function HistoryPanel({ segment }: { segment: SegmentWithStatus }) {
  const { t } = useTranslation();
  const stored = segment.method !== 'dynamic';
  const runs = useRuns(segment.id, stored);
  if (!stored) {
    return (
      <Alert variant="light" color="violet" icon={<IconInfoCircle size={18} />}>
        {t('segment.history.dynamicNote')}
      </Alert>
    );
  }
  return (
    <Grid gap="md">
      <Grid.Col span={12}>
        <Paper withBorder radius="md" p="lg">
          <Title order={4} fw={600} mb="md">
            {t('segment.history.sizeChart')}
          </Title>
          {runs.isPending ? (
            <Skeleton height={240} />
          ) : runs.isError ? (
            <ErrorAlert error={runs.error} onRetry={() => void runs.refetch()} />
          ) : segment.method === 'manual' && runs.data.items.length === 0 ? (
            <Text size="sm" c="dimmed" data-testid="history-manual-note">
              {t('segment.history.manualNote')}
            </Text>
          ) : (
            <SizeChart runs={runs.data.items} />
          )}
        </Paper>
      </Grid.Col>
      <Grid.Col span={12}>
        <Paper withBorder radius="md" p="lg">
          <Title order={4} fw={600} mb="md">
            {t('segment.history.runs')}
          </Title>
          {runs.data && runs.data.items.length > 0 ? (
            <RunsTable runs={runs.data.items} />
          ) : (
            <Text size="sm" c="dimmed">
              {segment.method === 'manual' ? t('segment.history.manualNote') : t('segment.history.noRuns')}
            </Text>
          )}
        </Paper>
      </Grid.Col>
      <Grid.Col span={12}>
        <Paper withBorder radius="md" p="lg">
          <Group justify="space-between" mb="md" gap="xs">
            <Title order={4} fw={600}>
              {t('segment.history.events')}
            </Title>
            {/* Who entered and left, as a file in the UI's language (report membership-history). */}
            <Group gap="xs" wrap="nowrap" data-testid="history-download">
              <Text size="sm" c="dimmed" visibleFrom="sm">
                {t('manager.history.download')}
              </Text>
              <ReportFiles report="membership-history" params={{ segment: segment.id }} testId="history" />
            </Group>
          </Group>
          <EventsTable segmentId={segment.id} />
        </Paper>
      </Grid.Col>
    </Grid>
  );
}
