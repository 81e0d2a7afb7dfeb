import { Alert, Badge, Button, Grid, Group, Modal, Paper, SegmentedControl, Select, Skeleton, Stack, Table, Text, Title } from '@mantine/core';
import { IconAdjustments, IconAlertTriangle, IconCheck, IconGridDots, IconInfoCircle, IconRefresh } from '@tabler/icons-react';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { useApplyRfmSegments, useRefreshRfm, useRfmGrid, useRfmStatus, useRfmTemplates, useScoreRuns, type RfmStatus, type RfmTemplate } from '../../../api/analytics';
import { useSegments } from '../../../api/segments';
import { EmptyState } from '../../../components/EmptyState';
import { ErrorAlert } from '../../../components/ErrorAlert';
import { currentLanguage } from '../../../i18n';
import { useFormat } from '../../../i18n/format';
import { formatDuration, useRuleLabels } from '../../segments/labels';
import classes from '../analytics.module.css';
import { useNumbers } from '../numbers';
import { lastPeriodOf } from '../period';
import { ReportDownloads } from '../ReportDownloads';
import { RfmHeatmap } from './RfmHeatmap';
import { rfmGridOf, type RfmMetric } from './rfm-model';
import { rfmSegmentId, RfmSegmentsPanel } from './RfmSegmentsPanel';
import { RfmSettingsModal } from './RfmSettingsModal';
import { usePermissions } from '../../../app/auth-context';

/** "the last 12 months" for `{"last": {"months": 12}}`; any other period as its JSON. */
function useWindowText() {
  const { t } = useTranslation();
  return (window: Record<string, unknown>) => {
    const last = lastPeriodOf(window);
    return last ? t(`analytics.units.last.${last.unit}`, { count: last.count }) : JSON.stringify(window);
  };
}

/** When the scores were computed, over which window, for how many customers and how fast; Refresh and Settings. */
function RfmStatusPanel({ status, refresh, onSettings }: { status: RfmStatus; refresh: ReturnType<typeof useRefreshRfm>; onSettings: () => void }) {
  const { t, i18n } = useTranslation();
  const { editAnalytics } = usePermissions();
  const format = useFormat();
  const numbers = useNumbers();
  const windowText = useWindowText();
  const run = status.lastRun;
  const language = i18n.resolvedLanguage ?? 'ru';
  const runSettings = (run?.settings ?? {}) as { window?: Record<string, unknown>; bins?: number };
  return (
    <Paper withBorder radius="md" p="md" data-testid="rfm-status">
      <Group justify="space-between" align="flex-start" gap="md">
        <Stack gap={4} style={{ minWidth: 0, flex: '1 1 320px' }}>
          <Group gap="xs">
            <Text fw={600}>{t('analytics.rfm.lastRun')}</Text>
            {run && (
              <Badge size="sm" variant="light" color={run.status === 'ok' ? 'teal' : run.status === 'failed' ? 'red' : 'blue'} tt="none">
                {t(`analytics.runStatus.${run.status}`)}
              </Badge>
            )}
          </Group>
          {run ? (
            <Text size="sm" data-testid="rfm-last-run">
              {t('analytics.rfm.computedAt', { at: format.dateTime(run.finishedAt ?? run.startedAt), asOf: format.date(run.asOf) })}
            </Text>
          ) : null}
          <Text size="sm" c="dimmed">
            {t('analytics.rfm.statusLine', {
              window: windowText(runSettings.window ?? status.settings.window),
              bins: runSettings.bins ?? status.settings.bins,
              scored: numbers.whole(status.scored),
            })}
          </Text>
          {run?.durationMs !== null && run?.durationMs !== undefined && (
            <Text size="sm" c="dimmed" data-testid="rfm-duration">
              {t('analytics.rfm.duration', { duration: formatDuration(run.durationMs, language) })}
            </Text>
          )}
          <Text size="xs" c="dimmed">
            {status.nextRunAt ? t('analytics.rfm.nextRun', { at: format.dateTime(status.nextRunAt) }) : t('analytics.rfm.onDemand')}
          </Text>
        </Stack>
        {editAnalytics && (
          <Group gap="xs">
            <Button variant="default" leftSection={<IconAdjustments size={16} />} onClick={onSettings} data-testid="rfm-settings-open">
              {t('analytics.rfm.settingsButton')}
            </Button>
            <Button leftSection={<IconRefresh size={16} />} onClick={() => refresh.mutate()} loading={refresh.isPending} data-testid="rfm-refresh">
              {run ? t('analytics.rfm.refresh') : t('analytics.rfm.compute')}
            </Button>
          </Group>
        )}
      </Group>
      {refresh.isSuccess && (
        <Alert mt="sm" variant="light" color="teal" icon={<IconCheck size={18} />} data-testid="rfm-refresh-notice" withCloseButton onClose={() => refresh.reset()}>
          {t('analytics.rfm.refreshed', {
            duration: formatDuration(refresh.data.durationMs, language),
            scored: numbers.whole(refresh.data.scored),
            from: refresh.data.window.from ? format.shortDate(refresh.data.window.from) : '…',
            to: format.shortDate(refresh.data.window.to),
          })}
          {refresh.data.segments.length > 0 && ` ${t('analytics.rfm.segmentsRebuilt', { count: refresh.data.segments.length })}`}
        </Alert>
      )}
      {refresh.isError && (
        <Stack mt="sm">
          <ErrorAlert error={refresh.error} />
        </Stack>
      )}
      {run?.status === 'failed' && run.error && !refresh.isPending && (
        <Alert mt="sm" variant="light" color="red" icon={<IconAlertTriangle size={18} />}>
          {t('analytics.rfm.failed', { error: run.error })}
        </Alert>
      )}
    </Paper>
  );
}

function RfmRuns() {
  const { t, i18n } = useTranslation();
  const format = useFormat();
  const numbers = useNumbers();
  const labels = useRuleLabels();
  const runs = useScoreRuns('rfm', 5);
  if (runs.isPending) return <Skeleton height={120} />;
  if (runs.isError) return <ErrorAlert error={runs.error} onRetry={() => void runs.refetch()} />;
  return (
    <Table.ScrollContainer minWidth={520} type="native">
      <Table verticalSpacing={6} fz="sm" data-testid="rfm-runs">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('analytics.runs.at')}</Table.Th>
            <Table.Th>{t('analytics.runs.trigger')}</Table.Th>
            <Table.Th>{t('analytics.runs.asOf')}</Table.Th>
            <Table.Th ta="right">{t('analytics.runs.scored')}</Table.Th>
            <Table.Th ta="right">{t('analytics.runs.duration')}</Table.Th>
            <Table.Th>{t('analytics.runs.status')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {runs.data.items.map((run) => (
            <Table.Tr key={run.id}>
              <Table.Td style={{ whiteSpace: 'nowrap' }}>{format.dateTime(run.startedAt)}</Table.Td>
              <Table.Td>{labels.trigger(run.trigger)}</Table.Td>
              <Table.Td style={{ whiteSpace: 'nowrap' }}>{format.shortDate(run.asOf)}</Table.Td>
              <Table.Td ta="right" ff="monospace">
                {run.scored === null ? '—' : numbers.whole(run.scored)}
              </Table.Td>
              <Table.Td ta="right" style={{ whiteSpace: 'nowrap' }}>
                {run.durationMs === null ? '—' : formatDuration(run.durationMs, i18n.resolvedLanguage ?? 'ru')}
              </Table.Td>
              <Table.Td>
                <Badge size="xs" variant="light" color={run.status === 'ok' ? 'teal' : run.status === 'failed' ? 'red' : 'blue'} title={run.error ?? undefined}>
                  {t(`analytics.runStatus.${run.status}`)}
                </Badge>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

/** The grid, its named segments and the confirmation before one is created. */
function RfmGridPanel() {
  const { t } = useTranslation();
  const numbers = useNumbers();
  const navigate = useNavigate();
  const language = currentLanguage();
  const [metric, setMetric] = useState<RfmMetric>('customers');
  const [segment, setSegment] = useState<string | null>(null);
  const [active, setActive] = useState<string | null>(null);
  const [confirm, setConfirm] = useState<RfmTemplate | null>(null);
  const report = useRfmGrid(segment);
  const templates = useRfmTemplates();
  const segments = useSegments();
  const apply = useApplyRfmSegments();
  const { editAnalytics } = usePermissions();
  const grid = useMemo(() => (report.data ? rfmGridOf(report.data) : null), [report.data]);
  const existing = useMemo(() => new Set((segments.data?.items ?? []).map((s) => s.id)), [segments.data]);
  const segmentOptions = useMemo(() => (segments.data?.items ?? []).filter((s) => s.kind === 'partner' && !s.archived).map((s) => ({ value: s.id, label: s.name })), [segments.data]);

  if (report.isPending) return <Skeleton height={480} />;
  if (report.isError) return <ErrorAlert error={report.error} onRetry={() => void report.refetch()} />;
  if (!grid) return null;
  const named = grid.bins === 5 && templates.data ? templates.data.items : null;
  const open = (template: RfmTemplate) => {
    const id = rfmSegmentId(template.key);
    if (existing.has(id)) void navigate(`/segments/${encodeURIComponent(id)}`);
    else if (editAnalytics) setConfirm(template);
  };
  const create = (template: RfmTemplate) =>
    apply.mutate({ templates: [template.key], language }, { onSuccess: () => void navigate(`/segments/${encodeURIComponent(rfmSegmentId(template.key))}`, { state: { saved: true } }) });

  return (
    <Grid gap="md">
      <Grid.Col span={{ base: 12, lg: named ? 7 : 12 }}>
        <Paper withBorder radius="md" p="md" h="100%">
          <Group justify="space-between" mb="sm" gap="xs" align="flex-end">
            <Stack gap={0}>
              <Title order={4}>{t('analytics.rfm.heatmapTitle')}</Title>
              <Text size="xs" c="dimmed" data-testid="rfm-total">
                {t('analytics.rfm.total', { count: grid.customers, customers: numbers.whole(grid.customers), revenue: numbers.compact(grid.revenue) })}
              </Text>
            </Stack>
            <Group gap="xs" wrap="wrap">
              <Select
                size="xs"
                w={220}
                value={segment}
                onChange={setSegment}
                data={segmentOptions}
                placeholder={t('analytics.rfm.allCustomers')}
                clearable
                searchable
                aria-label={t('analytics.rfm.segmentFilter')}
                data-testid="rfm-segment-filter"
              />
              <SegmentedControl
                size="xs"
                value={metric}
                onChange={(value) => setMetric(value)}
                data={[
                  { value: 'customers', label: t('analytics.rfm.metricCustomers') },
                  { value: 'revenue', label: t('analytics.rfm.metricRevenue') },
                ]}
                data-testid="rfm-metric"
              />
              <ReportDownloads report="rfm-grid" params={{ segment }} csvTable="cells" testId="rfm-download" />
            </Group>
          </Group>
          {grid.customers === 0 && (
            <Alert variant="light" color="gray" icon={<IconInfoCircle size={18} />} mb="sm">
              {segment ? t('analytics.rfm.noneInSegment') : t('analytics.rfm.noneInWindow')}
            </Alert>
          )}
          <RfmHeatmap grid={grid} metric={metric} templates={named} active={active} onActive={setActive} onOpen={open} />
          {grid.bins !== 5 && (
            <Text size="xs" c="dimmed" mt="xs">
              {t('analytics.rfm.templatesNeedFive', { bins: grid.bins })}
            </Text>
          )}
          <Group gap="xs" mt="md" wrap="nowrap" align="center">
            <Text size="xs" c="dimmed">
              {t('analytics.rfm.legendLess')}
            </Text>
            <div className={classes.legendBar} />
            <Text size="xs" c="dimmed">
              {t('analytics.rfm.legendMore')}
            </Text>
          </Group>
          <Text size="xs" c="dimmed" mt="xs">
            {t('analytics.rfm.howTo', { bins: grid.bins })}
          </Text>
        </Paper>
      </Grid.Col>
      {named && (
        <Grid.Col span={{ base: 12, lg: 5 }}>
          <Paper withBorder radius="md" p="md" h="100%">
            <RfmSegmentsPanel
              grid={grid}
              metric={metric}
              templates={named}
              existing={existing}
              active={active}
              onActive={setActive}
              onOpen={open}
              onCreateAll={editAnalytics ? () => apply.mutate({ language }) : undefined}
              creatingAll={apply.isPending && confirm === null}
            />
            {apply.isSuccess && confirm === null && (
              <Alert mt="sm" variant="light" color="teal" icon={<IconCheck size={18} />} p="xs" data-testid="rfm-applied">
                {t('analytics.rfm.applied', { count: apply.data.items.length })}
              </Alert>
            )}
            {apply.isError && confirm === null && (
              <Stack mt="sm">
                <ErrorAlert error={apply.error} />
              </Stack>
            )}
          </Paper>
        </Grid.Col>
      )}
      <Modal opened={confirm !== null} onClose={() => setConfirm(null)} title={t('analytics.rfm.confirmTitle')} data-testid="rfm-confirm">
        {confirm && (
          <Stack gap="md">
            <Text size="sm">
              {t('analytics.rfm.confirmText', {
                name: `RFM: ${confirm.name[language]}`,
                id: rfmSegmentId(confirm.key),
                r: confirm.r[0] === confirm.r[1] ? confirm.r[0] : `${confirm.r[0]}–${confirm.r[1]}`,
                f: confirm.f[0] === confirm.f[1] ? confirm.f[0] : `${confirm.f[0]}–${confirm.f[1]}`,
              })}
            </Text>
            {apply.isError && <ErrorAlert error={apply.error} />}
            <Group justify="flex-end" gap="xs">
              <Button variant="default" onClick={() => setConfirm(null)}>
                {t('analytics.cancel')}
              </Button>
              <Button onClick={() => create(confirm)} loading={apply.isPending} data-testid="rfm-confirm-create">
                {t('analytics.rfm.confirmCreate')}
              </Button>
            </Group>
          </Stack>
        )}
      </Modal>
    </Grid>
  );
}

/** RFM (docs/analytics.md): status and refresh, the R × F heat-map with the named segments, settings, refreshes. */
export function RfmScreen() {
  const { t } = useTranslation();
  const { editAnalytics } = usePermissions();
  const status = useRfmStatus();
  const refresh = useRefreshRfm();
  const [settingsOpen, setSettingsOpen] = useState(false);
  const [settingsKey, setSettingsKey] = useState(0);
  const openSettings = () => {
    setSettingsKey((k) => k + 1);
    setSettingsOpen(true);
  };

  if (status.isPending) return <Skeleton height={400} />;
  if (status.isError) return <ErrorAlert error={status.error} onRetry={() => void status.refetch()} />;
  const computed = status.data.lastRun !== null;
  const settingsModal = <RfmSettingsModal key={settingsKey} settings={status.data.settings} opened={settingsOpen} onClose={() => setSettingsOpen(false)} onSaved={() => setSettingsOpen(false)} />;

  // The settings stay at one place in the tree whichever view shows, so a save completes.
  if (!computed) {
    return (
      <>
        <Paper withBorder radius="md" data-testid="rfm-empty">
          <EmptyState icon={<IconGridDots size={24} />} title={t('analytics.rfm.emptyTitle')} text={t('analytics.rfm.emptyText')}>
            {editAnalytics && (
              <Group gap="xs" mt="sm" justify="center">
                <Button variant="default" leftSection={<IconAdjustments size={16} />} onClick={openSettings}>
                  {t('analytics.rfm.settingsButton')}
                </Button>
                <Button leftSection={<IconRefresh size={16} />} onClick={() => refresh.mutate()} loading={refresh.isPending} data-testid="rfm-compute">
                  {t('analytics.rfm.compute')}
                </Button>
              </Group>
            )}
            {refresh.isError && <ErrorAlert error={refresh.error} />}
          </EmptyState>
        </Paper>
        {settingsModal}
      </>
    );
  }

  return (
    <>
      <Stack gap="md">
        <RfmStatusPanel status={status.data} refresh={refresh} onSettings={openSettings} />
        <RfmGridPanel />
        <Paper withBorder radius="md" p="md">
          <Title order={5} mb="xs">
            {t('analytics.rfm.runsTitle')}
          </Title>
          <RfmRuns />
        </Paper>
      </Stack>
      {settingsModal}
    </>
  );
}
