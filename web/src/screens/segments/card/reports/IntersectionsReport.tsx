import { Alert, Anchor, Button, Group, Modal, Paper, SimpleGrid, Skeleton, Stack, Table, Text, Title } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { IconArrowsShuffle, IconInfoCircle, IconUsers } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { Bar, BarChart, CartesianGrid, LabelList, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { numberCell, reportTable, useSegmentReport } from '../../../../api/segment-reports';
import { useSegments, type SegmentWithStatus } from '../../../../api/segments';
import { EmptyState } from '../../../../components/EmptyState';
import { ErrorAlert } from '../../../../components/ErrorAlert';
import { ReportFiles } from './ReportFiles';
import { ReportStat } from './ReportStat';
import { useReportFormat } from './report-format';
import classes from './reports.module.css';

/** The report takes at most 50 segments: this one and 49 others. */
const MAX_OTHERS = 49;
/** Members listed for a pair; the file has them all. */
const PAIR_MEMBERS = 100;

interface Overlap {
  id: string;
  name: string;
  size: number;
  shared: number;
}

const segmentKey = (id: string) => `s:${id}`;
const truncate = (text: string, length: number) => (text.length > length ? `${text.slice(0, length - 1)}…` : text);

/** Who is in both segments: the report on the pair, whose members are exactly the shared ones. */
function PairMembers({ segment, other, onClose }: { segment: SegmentWithStatus; other: Overlap; onClose: () => void }) {
  const { t } = useTranslation();
  const params = { segments: `${segment.id},${other.id}` };
  const report = useSegmentReport(segment.id, 'intersections', { ...params, limit: PAIR_MEMBERS });
  const members = reportTable(report.data, 'members');
  const link = (id: string) => (segment.kind === 'product' ? null : `/partners/${encodeURIComponent(id)}`);
  return (
    <Modal opened onClose={onClose} size="lg" title={t('segmentCard.reports.intersections.membersTitle', { a: segment.name, b: other.name })}>
      <Stack gap="sm" data-testid="pair-members">
        <Group justify="space-between">
          <Text size="sm" fw={500}>
            {t('segmentCard.reports.intersections.membersCount', { count: other.shared })}
          </Text>
          <ReportFiles report="intersections" params={params} testId="pair" />
        </Group>
        {report.isPending ? (
          <Skeleton height={200} />
        ) : report.isError ? (
          <ErrorAlert error={report.error} onRetry={() => void report.refetch()} />
        ) : (
          <>
            <Table verticalSpacing={4} fz="sm" striped>
              <Table.Tbody>
                {(members?.rows ?? []).map((row) => {
                  const id = String(row.memberId);
                  const to = link(id);
                  return (
                    <Table.Tr key={id}>
                      <Table.Td ff="monospace" c="dimmed" w={110}>
                        {id}
                      </Table.Td>
                      <Table.Td>
                        {to ? (
                          <Anchor component={Link} to={to} size="sm">
                            {String(row.name)}
                          </Anchor>
                        ) : (
                          String(row.name)
                        )}
                      </Table.Td>
                    </Table.Tr>
                  );
                })}
              </Table.Tbody>
            </Table>
            {members && members.total > members.rows.length && (
              <Text size="xs" c="dimmed">
                {t('segmentCard.reports.shownOf', { shown: members.rows.length, total: members.total })}
              </Text>
            )}
          </>
        )}
      </Stack>
    </Modal>
  );
}

/**
 * The segment against every other stored segment of its kind (report `intersections`): how
 * many members they share, as bars and a table with the shares of each; a row opens the
 * members of the pair.
 */
export function IntersectionsReport({ segment }: { segment: SegmentWithStatus }) {
  const { t } = useTranslation();
  const format = useReportFormat();
  const phone = useMediaQuery('(max-width: 36em)');
  const [pair, setPair] = useState<Overlap | null>(null);
  const list = useSegments({});
  const stored = segment.method !== 'dynamic';
  const others = (list.data?.items ?? []).filter((s) => s.id !== segment.id && s.kind === segment.kind && s.method !== 'dynamic' && !s.archived).slice(0, MAX_OTHERS);
  const files = { segments: [segment.id, ...others.map((s) => s.id)].join(',') };
  // Only the overlap counts are read here: one member row is enough (the file has them all).
  const report = useSegmentReport(segment.id, 'intersections', stored && list.data && others.length > 0 ? { ...files, limit: 1 } : null);

  if (!stored) {
    return (
      <Alert variant="light" color="violet" icon={<IconInfoCircle size={18} />} data-testid="intersections-dynamic">
        {t('segmentCard.reports.intersections.dynamic')}
      </Alert>
    );
  }
  if (list.isError) return <ErrorAlert error={list.error} onRetry={() => void list.refetch()} />;
  if (list.data && others.length === 0) {
    return (
      <Paper withBorder radius="md">
        <EmptyState icon={<IconArrowsShuffle size={24} />} title={t('segmentCard.reports.intersections.alone')} />
      </Paper>
    );
  }
  if (!list.data || report.isPending) return <Skeleton height={360} radius="md" />;
  if (report.isError) return <ErrorAlert error={report.error} onRetry={() => void report.refetch()} />;

  const rows = reportTable(report.data, 'overlaps')?.rows ?? [];
  const mine = rows.find((r) => r.segment === segment.id);
  const size = numberCell(mine?.[segmentKey(segment.id)]);
  const overlaps: Overlap[] = rows
    .filter((r) => r.segment !== segment.id)
    .map((r) => ({ id: String(r.segment), name: String(r.name), size: numberCell(r[segmentKey(String(r.segment))]), shared: numberCell(mine?.[segmentKey(String(r.segment))]) }))
    .sort((a, b) => b.shared - a.shared || a.name.localeCompare(b.name));
  const overlapping = overlaps.filter((o) => o.shared > 0);
  const largest = overlapping[0];
  const share = (part: number, whole: number) => (whole > 0 ? format.percent(part / whole) : '—');
  const chartRows = overlapping.slice(0, 15).map((o) => ({ ...o, label: truncate(o.name, phone ? 16 : 32) }));
  const ii = 'segmentCard.reports.intersections';

  return (
    <Stack gap="md" data-testid="report-intersections" style={{ opacity: report.isPlaceholderData ? 0.6 : 1 }}>
      <Group justify="flex-end" gap="xs">
        <ReportFiles report="intersections" params={files} testId="intersections" />
      </Group>
      <SimpleGrid cols={{ base: 2, sm: 3 }} spacing="sm">
        <ReportStat label={t(`${ii}.size`)} value={format.amount(size)} testId="intersections-size" />
        <ReportStat label={t(`${ii}.with`)} value={t(`${ii}.ofTotal`, { count: overlapping.length, total: overlaps.length })} hint={t(`${ii}.withHint`)} testId="intersections-with" />
        <ReportStat
          label={t(`${ii}.largest`)}
          value={largest ? `${format.amount(largest.shared)} · ${share(largest.shared, size)}` : '—'}
          hint={largest ? truncate(largest.name, 40) : t(`${ii}.none`)}
        />
      </SimpleGrid>
      {overlapping.length === 0 ? (
        <Paper withBorder radius="md">
          <EmptyState icon={<IconArrowsShuffle size={24} />} title={t(`${ii}.none`)} />
        </Paper>
      ) : (
        <Paper withBorder radius="md" p="lg">
          <Title order={5} fw={600} mb="sm">
            {t(`${ii}.chart`)}
          </Title>
          <div style={{ width: '100%', height: 40 + chartRows.length * 36 }} data-testid="intersections-chart" role="img" aria-label={t(`${ii}.chart`)}>
            <ResponsiveContainer width="100%" height="100%">
              <BarChart data={chartRows} layout="vertical" margin={{ top: 0, right: 48, bottom: 0, left: 0 }}>
                <CartesianGrid strokeDasharray="3 3" stroke="var(--mantine-color-gray-2)" horizontal={false} />
                <XAxis type="number" allowDecimals={false} tick={{ fontSize: 11, fill: 'var(--mantine-color-gray-6)' }} tickLine={false} axisLine={false} />
                <YAxis type="category" dataKey="label" width={phone ? 110 : 240} tick={{ fontSize: 12, fill: 'var(--mantine-color-gray-7)' }} tickLine={false} axisLine={false} />
                <Tooltip
                  formatter={(value) => [format.amount(Number(value)), t(`${ii}.shared`)]}
                  labelFormatter={(_, payload) => String(payload?.[0]?.payload?.name ?? '')}
                  contentStyle={{ borderRadius: 8, border: '1px solid var(--mantine-color-gray-3)', fontSize: 12 }}
                  cursor={{ fill: 'var(--mantine-color-gray-0)' }}
                />
                <Bar
                  dataKey="shared"
                  fill="var(--mantine-color-violet-5)"
                  radius={[0, 4, 4, 0]}
                  barSize={18}
                  isAnimationActive={false}
                  className={classes.clickable}
                  onClick={(entry) => setPair((entry as { payload?: Overlap }).payload ?? null)}
                >
                  <LabelList dataKey="shared" position="right" style={{ fontSize: 12, fill: 'var(--mantine-color-gray-7)' }} formatter={(v) => format.amount(Number(v))} />
                </Bar>
              </BarChart>
            </ResponsiveContainer>
          </div>
        </Paper>
      )}
      <Paper withBorder radius="md" p="lg">
        <Table.ScrollContainer minWidth={640} type="native">
          <Table verticalSpacing={6} fz="sm" striped highlightOnHover data-testid="intersections-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t(`${ii}.segment`)}</Table.Th>
                <Table.Th className={classes.number}>{t(`${ii}.size`)}</Table.Th>
                <Table.Th className={classes.number}>{t(`${ii}.shared`)}</Table.Th>
                <Table.Th className={classes.number}>{t(`${ii}.shareOfThis`)}</Table.Th>
                <Table.Th className={classes.number}>{t(`${ii}.shareOfThat`)}</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {overlaps.map((o) => (
                <Table.Tr key={o.id} data-testid="intersection-row" data-segment={o.id}>
                  <Table.Td>
                    <Anchor component={Link} to={`/segments/${encodeURIComponent(o.id)}?tab=reports&report=intersections`} size="sm">
                      {o.name}
                    </Anchor>
                  </Table.Td>
                  <Table.Td className={classes.number}>{format.amount(o.size)}</Table.Td>
                  <Table.Td className={classes.number} fw={600} data-key="shared">
                    {format.amount(o.shared)}
                  </Table.Td>
                  <Table.Td className={classes.number}>{share(o.shared, size)}</Table.Td>
                  <Table.Td className={classes.number}>{share(o.shared, o.size)}</Table.Td>
                  <Table.Td ta="right">
                    {o.shared > 0 && (
                      <Button size="compact-xs" variant="subtle" leftSection={<IconUsers size={13} />} onClick={() => setPair(o)} data-testid="intersection-members">
                        {t(`${ii}.members`)}
                      </Button>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </Paper>
      {pair && <PairMembers segment={segment} other={pair} onClose={() => setPair(null)} />}
    </Stack>
  );
}
