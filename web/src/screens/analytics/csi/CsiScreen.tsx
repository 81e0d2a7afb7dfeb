import { Fragment, useMemo, useState } from 'react';
import { Group, MultiSelect, Paper, SegmentedControl, Select, SimpleGrid, Skeleton, Stack, Table, Text, Title } from '@mantine/core';
import { IconMoodEmpty } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { Bar, CartesianGrid, ComposedChart, Legend, Line, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { csiNpsParams, useCsiNps, type CsiNpsQuery, type SatisfactionRow } from '../../../api/analytics';
import { useSegments } from '../../../api/segments';
import { EmptyState } from '../../../components/EmptyState';
import { ErrorAlert } from '../../../components/ErrorAlert';
import { useFormat } from '../../../i18n/format';
import classes from '../analytics.module.css';
import { useNumbers } from '../numbers';
import { quarterParts, todayUtc } from '../period';
import { ReportDownloads } from '../ReportDownloads';
import { BREAKDOWNS, groupsOf, isPartialQuarter, metricOf, METRICS, PERIOD_PRESETS, presetDates, type Breakdown, type Metric, type PeriodPreset, type SatisfactionGroup } from './csi-model';

const LINE_COLORS = ['blue', 'teal', 'orange', 'grape', 'red', 'cyan', 'lime', 'pink', 'indigo', 'yellow'];
const color = (name: string, shade = 6) => `var(--mantine-color-${name}-${shade})`;
const ROMAN = ['I', 'II', 'III', 'IV'];

/** "IV кв. 2025" / "Q4 2025" for the API's "2025-Q4". */
function useQuarterLabel() {
  const { t } = useTranslation();
  return (label: string) => {
    const parts = quarterParts(label);
    return parts ? t('analytics.csi.quarter', { year: parts.year, q: parts.quarter, roman: ROMAN[parts.quarter - 1] }) : label;
  };
}

/** The name of a group in the reader's language (the server names the base and "no manager" in English). */
function useGroupName() {
  const { t } = useTranslation();
  return (group: Pick<SatisfactionGroup, 'scope' | 'key' | 'name'>) =>
    group.scope === 'all' ? t('analytics.csi.wholeBase') : group.scope === 'manager' && group.key === null ? t('analytics.csi.noManager') : group.name;
}

function Kpi({ label, value, hint, testId }: { label: string; value: string; hint: string; testId: string }) {
  return (
    <Paper withBorder radius="md" p="md" data-testid={testId}>
      <Text size="xs" c="dimmed" fw={600} tt="uppercase">
        {label}
      </Text>
      <Text className={classes.kpiValue} mt={4} data-testid={`${testId}-value`}>
        {value}
      </Text>
      <Text size="xs" c="dimmed" mt={2}>
        {hint}
      </Text>
    </Paper>
  );
}

function SatisfactionChart({ groups, metric, from, to }: { groups: SatisfactionGroup[]; metric: Metric; from: string; to: string }) {
  const { t } = useTranslation();
  const numbers = useNumbers();
  const quarterLabel = useQuarterLabel();
  const groupName = useGroupName();
  const single = groups.length === 1 ? groups[0]! : null;
  const quarters = groups[0]?.quarters.map((q) => q.quarter) ?? [];
  const data = quarters.map((quarter, i) => {
    const point: Record<string, string | number | null> = { quarter: `${quarterLabel(quarter)}${isPartialQuarter(quarter, from, to) ? '*' : ''}` };
    groups.forEach((group, g) => {
      const row = group.quarters[i];
      point[`g${g}`] = row ? metricOf(row, metric) : null;
    });
    if (single) {
      const row = single.quarters[i]!;
      point.promoters = row.promoters;
      point.passives = row.passives;
      point.detractors = row.detractors;
    }
    return point;
  });
  const show = (value: number) => (metric === 'nps' ? numbers.nps(value) : metric === 'responses' ? numbers.whole(value) : numbers.ratio(value));
  const tick = { fontSize: 11, fill: 'var(--mantine-color-gray-6)' };
  const lineAxis = single && metric !== 'responses' ? 'metric' : 'counts';
  return (
    <div className={classes.lineChart} data-testid="csi-chart" role="img" aria-label={t(`analytics.csi.metrics.${metric}`)}>
      <ResponsiveContainer width="100%" height="100%">
        <ComposedChart data={data} margin={{ top: 8, right: 4, bottom: 0, left: -8 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="var(--mantine-color-gray-2)" vertical={false} />
          <XAxis dataKey="quarter" tick={tick} tickLine={false} axisLine={false} interval={0} />
          {(single || metric === 'responses') && <YAxis yAxisId="counts" tick={tick} tickLine={false} axisLine={false} allowDecimals={false} width={44} />}
          {metric !== 'responses' && <YAxis yAxisId="metric" orientation={single ? 'right' : 'left'} tick={tick} tickLine={false} axisLine={false} width={44} tickFormatter={(v: number) => show(v)} />}
          <Tooltip
            formatter={(value, name) => [value === null || value === undefined ? '—' : show(Number(value)), name]}
            contentStyle={{ borderRadius: 8, border: '1px solid var(--mantine-color-gray-3)', fontSize: 12 }}
          />
          <Legend wrapperStyle={{ fontSize: 12 }} />
          {single && (
            <>
              <Bar yAxisId="counts" stackId="answers" dataKey="promoters" name={`${t('analytics.csi.columns.promoters')} 9–10`} fill={color('teal', 4)} maxBarSize={44} isAnimationActive={false} />
              <Bar yAxisId="counts" stackId="answers" dataKey="passives" name={`${t('analytics.csi.columns.passives')} 7–8`} fill={color('gray', 5)} maxBarSize={44} isAnimationActive={false} />
              <Bar
                yAxisId="counts"
                stackId="answers"
                dataKey="detractors"
                name={`${t('analytics.csi.columns.detractors')} 0–6`}
                fill={color('red', 4)}
                maxBarSize={44}
                radius={[3, 3, 0, 0]}
                isAnimationActive={false}
              />
            </>
          )}
          {(!single || metric !== 'responses') &&
            groups.map((group, g) => (
              <Line
                key={group.id}
                yAxisId={lineAxis}
                type="linear"
                dataKey={`g${g}`}
                name={single ? t(`analytics.csi.metrics.${metric}`) : groupName(group)}
                stroke={group.scope === 'all' ? color('dark', 5) : color(LINE_COLORS[(g - 1 + LINE_COLORS.length) % LINE_COLORS.length]!)}
                strokeWidth={group.scope === 'all' ? 3 : 2}
                strokeDasharray={group.scope === 'all' && !single ? '6 3' : undefined}
                dot={{ r: 3 }}
                connectNulls
                isAnimationActive={false}
              />
            ))}
        </ComposedChart>
      </ResponsiveContainer>
    </div>
  );
}

/** A number column's header: its name, and the scores it counts below it. */
function Head({ title, range }: { title: string; range?: string }) {
  return (
    <Table.Th ta="right" style={{ whiteSpace: 'nowrap', verticalAlign: 'bottom' }}>
      {title}
      {range && (
        <Text size="xs" c="dimmed" fw={500}>
          {range}
        </Text>
      )}
    </Table.Th>
  );
}

function SatisfactionTable({ groups, from, to }: { groups: SatisfactionGroup[]; from: string; to: string }) {
  const { t } = useTranslation();
  const numbers = useNumbers();
  const quarterLabel = useQuarterLabel();
  const groupName = useGroupName();
  const cells = (row: SatisfactionRow) => (
    <>
      <Table.Td ta="right" data-col="responses">
        {numbers.whole(row.responses)}
      </Table.Td>
      <Table.Td ta="right" data-col="promoters">
        {numbers.whole(row.promoters)}
      </Table.Td>
      <Table.Td ta="right" data-col="passives">
        {numbers.whole(row.passives)}
      </Table.Td>
      <Table.Td ta="right" data-col="detractors">
        {numbers.whole(row.detractors)}
      </Table.Td>
      <Table.Td ta="right" fw={600} data-col="nps">
        {numbers.nps(row.nps)}
      </Table.Td>
      <Table.Td ta="right" data-col="csiHigh">
        {numbers.whole(row.csiHigh)}
      </Table.Td>
      <Table.Td ta="right" data-col="csiLow">
        {numbers.whole(row.csiLow)}
      </Table.Td>
      <Table.Td ta="right" fw={600} data-col="csi">
        {numbers.ratio(row.csi)}
      </Table.Td>
      <Table.Td ta="right" data-col="averageScore">
        {numbers.ratio(row.averageScore)}
      </Table.Td>
    </>
  );
  return (
    <Table.ScrollContainer minWidth={760} type="native">
      <Table verticalSpacing={6} fz="sm" className={classes.numbers} data-testid="csi-table" withRowBorders>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('analytics.csi.columns.quarter')}</Table.Th>
            <Head title={t('analytics.csi.columns.responses')} />
            <Head title={t('analytics.csi.columns.promoters')} range="9–10" />
            <Head title={t('analytics.csi.columns.passives')} range="7–8" />
            <Head title={t('analytics.csi.columns.detractors')} range="0–6" />
            <Head title="NPS" />
            <Head title={t('analytics.csi.columns.csiHigh')} range="8–10" />
            <Head title={t('analytics.csi.columns.csiLow')} range="1–3" />
            <Head title="CSI" />
            <Head title={t('analytics.csi.columns.average')} />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {groups.map((group) => (
            <Fragment key={group.id}>
              {groups.length > 1 && (
                <Table.Tr bg="var(--mantine-color-gray-0)">
                  <Table.Td colSpan={10} fw={700}>
                    {groupName(group)}
                  </Table.Td>
                </Table.Tr>
              )}
              {group.quarters.map((row) => (
                <Table.Tr key={row.quarter} data-testid="csi-row" data-group={group.id} data-quarter={row.quarter}>
                  <Table.Td style={{ whiteSpace: 'nowrap' }}>
                    {quarterLabel(row.quarter)}
                    {isPartialQuarter(row.quarter, from, to) ? '*' : ''}
                  </Table.Td>
                  {cells(row)}
                </Table.Tr>
              ))}
              <Table.Tr data-testid="csi-row" data-group={group.id} data-quarter="total" fw={700} style={{ fontWeight: 700 }}>
                <Table.Td style={{ whiteSpace: 'nowrap' }}>{t('analytics.csi.total')}</Table.Td>
                {cells(group.total)}
              </Table.Tr>
            </Fragment>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

/** CSI and NPS from survey answers (docs/analytics.md#csi-and-nps) by quarter: the whole base, segments or managers. */
export function CsiScreen() {
  const { t } = useTranslation();
  const numbers = useNumbers();
  const format = useFormat();
  const [preset, setPreset] = useState<PeriodPreset>('last12');
  const [breakdown, setBreakdown] = useState<Breakdown>('all');
  const [chosenSegments, setChosenSegments] = useState<string[]>([]);
  const [metric, setMetric] = useState<Metric>('nps');
  const segments = useSegments();
  const today = todayUtc();
  const query: CsiNpsQuery = useMemo(
    () => ({ ...presetDates(preset, today), segments: breakdown === 'segments' ? chosenSegments : [], byManager: breakdown === 'managers' }),
    [preset, today, breakdown, chosenSegments],
  );
  const result = useCsiNps(query);
  const segmentOptions = useMemo(() => (segments.data?.items ?? []).filter((s) => s.kind === 'partner' && !s.archived).map((s) => ({ value: s.id, label: s.name })), [segments.data]);
  const groups = useMemo(() => (result.data ? groupsOf(result.data.rows) : []), [result.data]);
  const base = groups.find((g) => g.scope === 'all');
  const shown = breakdown === 'managers' ? groups.filter((g) => g.scope !== 'all') : groups;

  return (
    <Stack gap="md">
      <Paper withBorder radius="md" p="md">
        <Group justify="space-between" align="flex-end" gap="sm">
          <Group gap="sm" align="flex-end" wrap="wrap" style={{ flex: '1 1 320px' }}>
            <Select
              label={t('analytics.csi.period')}
              value={preset}
              onChange={(value) => value && setPreset(value)}
              data={PERIOD_PRESETS.map((p) => ({ value: p, label: t(`analytics.csi.presets.${p}`) }))}
              allowDeselect={false}
              w={{ base: '100%', xs: 220 }}
              data-testid="csi-period"
            />
            <Stack gap={4} style={{ maxWidth: '100%' }}>
              <Text size="sm" fw={500}>
                {t('analytics.csi.breakdown')}
              </Text>
              <SegmentedControl
                value={breakdown}
                onChange={(value) => setBreakdown(value)}
                data={BREAKDOWNS.map((b) => ({ value: b, label: t(`analytics.csi.breakdowns.${b}`) }))}
                data-testid="csi-breakdown"
              />
            </Stack>
            {breakdown === 'segments' && (
              <MultiSelect
                label={t('analytics.csi.segments')}
                placeholder={chosenSegments.length ? undefined : t('analytics.csi.segmentsPlaceholder')}
                data={segmentOptions}
                value={chosenSegments}
                onChange={setChosenSegments}
                searchable
                clearable
                maxValues={8}
                w={{ base: '100%', sm: 360 }}
                data-testid="csi-segments"
              />
            )}
          </Group>
          <ReportDownloads report="csi-nps" params={csiNpsParams(query)} testId="csi-download" />
        </Group>
        {result.data && (
          <Text size="xs" c="dimmed" mt="sm" data-testid="csi-range">
            {t('analytics.csi.range', { from: format.date(result.data.from), to: format.date(result.data.to), types: result.data.types.join(', ') })}
          </Text>
        )}
      </Paper>

      {result.isError ? (
        <ErrorAlert error={result.error} onRetry={() => void result.refetch()} />
      ) : !result.data || !base ? (
        <Skeleton height={420} />
      ) : base.total.responses === 0 ? (
        <Paper withBorder radius="md" data-testid="csi-empty">
          <EmptyState icon={<IconMoodEmpty size={24} />} title={t('analytics.csi.emptyTitle')} text={t('analytics.csi.emptyText')} />
        </Paper>
      ) : (
        <>
          <SimpleGrid cols={{ base: 2, md: 4 }} spacing="md" style={{ opacity: result.isPlaceholderData ? 0.6 : 1 }}>
            <Kpi label="NPS" value={numbers.nps(base.total.nps)} hint={t('analytics.csi.npsHint')} testId="csi-kpi-nps" />
            <Kpi label="CSI" value={numbers.ratio(base.total.csi)} hint={t('analytics.csi.csiHint')} testId="csi-kpi-csi" />
            <Kpi label={t('analytics.csi.columns.responses')} value={numbers.whole(base.total.responses)} hint={t('analytics.csi.responsesHint')} testId="csi-kpi-responses" />
            <Kpi label={t('analytics.csi.columns.average')} value={numbers.ratio(base.total.averageScore)} hint={t('analytics.csi.averageHint')} testId="csi-kpi-average" />
          </SimpleGrid>
          <Paper withBorder radius="md" p="md" style={{ opacity: result.isPlaceholderData ? 0.6 : 1 }}>
            <Group justify="space-between" mb="sm" gap="xs">
              <Title order={4}>{t('analytics.csi.chartTitle')}</Title>
              <SegmentedControl
                size="xs"
                value={metric}
                onChange={(value) => setMetric(value)}
                data={METRICS.map((m) => ({ value: m, label: t(`analytics.csi.metrics.${m}`) }))}
                data-testid="csi-metric"
              />
            </Group>
            {breakdown === 'segments' && chosenSegments.length === 0 && (
              <Text size="sm" c="dimmed" mb="xs">
                {t('analytics.csi.chooseSegments')}
              </Text>
            )}
            <SatisfactionChart groups={shown} metric={metric} from={result.data.from} to={result.data.to} />
          </Paper>
          <Paper withBorder radius="md" p="md" style={{ opacity: result.isPlaceholderData ? 0.6 : 1 }}>
            <Title order={4} mb="xs">
              {t('analytics.csi.tableTitle')}
            </Title>
            <SatisfactionTable groups={shown} from={result.data.from} to={result.data.to} />
            <Text size="xs" c="dimmed" mt="xs">
              {t('analytics.csi.footnote')}
            </Text>
          </Paper>
        </>
      )}
    </Stack>
  );
}
