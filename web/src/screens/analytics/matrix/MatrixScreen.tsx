import { Alert, Anchor, Button, Grid, Group, Menu, Modal, Paper, SegmentedControl, Select, SimpleGrid, Skeleton, Stack, Text, ThemeIcon, Title } from '@mantine/core';
import { IconArrowRight, IconChartDots3, IconCheck, IconDots, IconPencil, IconPlus, IconTrash, IconWand } from '@tabler/icons-react';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import {
  QUADRANT_POSITIONS,
  useApplyMatrixSegments,
  useDeleteMatrix,
  useMatrices,
  useMatrixScatter,
  type Matrix,
  type MatrixAxis,
  type MatrixScatter,
  type QuadrantPosition,
} from '../../../api/analytics';
import { useSegments } from '../../../api/segments';
import { EmptyState } from '../../../components/EmptyState';
import { ErrorAlert } from '../../../components/ErrorAlert';
import { useFormat } from '../../../i18n/format';
import { useRuleLabels } from '../../segments/labels';
import classes from '../analytics.module.css';
import { useNumbers } from '../numbers';
import { lastPeriodOf } from '../period';
import { ReportDownloads } from '../ReportDownloads';
import type { AxisScale } from './matrix-model';
import { MatrixFormModal } from './MatrixFormModal';
import { MatrixScatterChart, QUADRANT_COLORS } from './MatrixScatterChart';
import { usePermissions } from '../../../app/auth-context';

/** Points drawn at most: the quadrant counts are always over every placed partner. */
export const SCATTER_LIMIT = 5_000;

/** The quadrants as the chart shows them: high y on top, high x on the right. */
const QUADRANT_LAYOUT: QuadrantPosition[] = ['lowHigh', 'highHigh', 'lowLow', 'highLow'];

/** Whether a few very large values would squeeze the rest of the points into a corner. */
function skewed(values: readonly number[]): boolean {
  if (values.length < 20) return false;
  const sorted = [...values].map(Math.abs).sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)]!;
  return sorted[sorted.length - 1]! > 8 * Math.max(median, 1e-9);
}

/** "Выручка за 12 мес." — what an axis counts, for the matrix's description line. */
function useAxisSource() {
  const { t } = useTranslation();
  const labels = useRuleLabels();
  return (axis: MatrixAxis) => {
    const source = axis.source;
    if ('score' in source) return labels.score(source.score);
    if ('property' in source) return t('analytics.matrix.propertySource', { name: source.property });
    const last = source.period ? lastPeriodOf(source.period) : null;
    const period = source.period === undefined ? t('analytics.matrix.allTime') : last ? t(`analytics.units.last.${last.unit}`, { count: last.count }) : JSON.stringify(source.period);
    return `${labels.measure(source.measure)} (${period})`;
  };
}

function QuadrantTiles({ scatter, existing }: { scatter: MatrixScatter; existing: ReadonlySet<string> }) {
  const { t } = useTranslation();
  const numbers = useNumbers();
  const { matrix } = scatter;
  const apply = useApplyMatrixSegments();
  const { editAnalytics } = usePermissions();
  const byPosition = new Map(scatter.quadrants.map((q) => [q.position, q]));
  const anyExists = QUADRANT_POSITIONS.some((p) => existing.has(`${matrix.id}-${matrix.quadrants[p].key}`));
  const condition = (position: QuadrantPosition) =>
    `${matrix.x.label} ${position.startsWith('high') ? '≥' : '<'} ${numbers.whole(matrix.x.threshold)} · ${matrix.y.label} ${position.endsWith('High') ? '≥' : '<'} ${numbers.whole(matrix.y.threshold)}`;
  return (
    <Stack gap="sm" data-testid="matrix-quadrants">
      <Title order={5}>{t('analytics.matrix.quadrantsTitle')}</Title>
      <SimpleGrid cols={2} spacing="xs">
        {QUADRANT_LAYOUT.map((position) => {
          const quadrant = byPosition.get(position);
          const partners = quadrant?.partners ?? 0;
          const segmentId = `${matrix.id}-${matrix.quadrants[position].key}`;
          return (
            <Paper
              key={position}
              withBorder
              radius="md"
              p="sm"
              className={classes.quadrant}
              style={{ borderLeft: `4px solid var(--mantine-color-${QUADRANT_COLORS[position]}-6)` }}
              data-testid="matrix-quadrant"
              data-position={position}
              data-partners={partners}
            >
              <Text size="sm" fw={700} c={`${QUADRANT_COLORS[position]}.8`} lineClamp={2} title={matrix.quadrants[position].name}>
                {matrix.quadrants[position].name}
              </Text>
              <Group gap={6} align="baseline" wrap="nowrap">
                <Text className={classes.kpiValue} data-testid="matrix-quadrant-count">
                  {numbers.whole(partners)}
                </Text>
                <Text size="xs" c="dimmed">
                  {numbers.percent(scatter.total ? partners / scatter.total : 0)}
                </Text>
              </Group>
              <Text size="xs" c="dimmed" lineClamp={3} title={condition(position)}>
                {condition(position)}
              </Text>
              {existing.has(segmentId) && (
                <Anchor component={Link} to={`/segments/${encodeURIComponent(segmentId)}`} size="xs" data-testid="matrix-quadrant-segment">
                  <Group gap={2} wrap="nowrap">
                    {t('analytics.matrix.openSegment')}
                    <IconArrowRight size={12} />
                  </Group>
                </Anchor>
              )}
            </Paper>
          );
        })}
      </SimpleGrid>
      {editAnalytics && (
        <>
          <Button variant="light" leftSection={<IconWand size={16} />} onClick={() => apply.mutate(matrix.id)} loading={apply.isPending} data-testid="matrix-create-segments">
            {anyExists ? t('analytics.matrix.updateSegments') : t('analytics.matrix.createSegments')}
          </Button>
          <Text size="xs" c="dimmed">
            {t('analytics.matrix.segmentsHint', { id: matrix.id })}
          </Text>
        </>
      )}
      {apply.isSuccess && (
        <Alert variant="light" color="teal" icon={<IconCheck size={16} />} p="xs" data-testid="matrix-applied">
          {t('analytics.matrix.applied', { list: apply.data.items.map((s) => `${s.name} (${s.size ?? '—'})`).join(', ') })}
        </Alert>
      )}
      {apply.isError && <ErrorAlert error={apply.error} />}
    </Stack>
  );
}

function ScatterPanel({ matrix, existing }: { matrix: Matrix; existing: ReadonlySet<string> }) {
  const { t } = useTranslation();
  const numbers = useNumbers();
  const format = useFormat();
  const scatter = useMatrixScatter(matrix.id, SCATTER_LIMIT);
  const [scaleChoice, setScaleChoice] = useState<AxisScale | null>(null);
  const data = scatter.data?.matrix.id === matrix.id ? scatter.data : undefined;
  const autoScale: AxisScale = useMemo(() => (data && (skewed(data.points.map((p) => p.x)) || skewed(data.points.map((p) => p.y))) ? 'sqrt' : 'linear'), [data]);
  const scale = scaleChoice ?? autoScale;
  if (scatter.isError) return <ErrorAlert error={scatter.error} onRetry={() => void scatter.refetch()} />;
  if (!data) return <Skeleton height={480} />;
  return (
    <Grid gap="md">
      <Grid.Col span={{ base: 12, lg: 8 }}>
        <Paper withBorder radius="md" p="md" h="100%">
          <Group justify="space-between" mb="xs" gap="xs">
            <Stack gap={0}>
              <Title order={4}>{t('analytics.matrix.chartTitle')}</Title>
              <Text size="xs" c="dimmed" data-testid="matrix-placed">
                {t('analytics.matrix.placed', { count: data.total, value: numbers.whole(data.total), asOf: format.date(data.asOf) })}
              </Text>
            </Stack>
            <SegmentedControl
              size="xs"
              value={scale}
              onChange={(value) => setScaleChoice(value)}
              data={[
                { value: 'linear', label: t('analytics.matrix.scaleLinear') },
                { value: 'sqrt', label: t('analytics.matrix.scaleSqrt') },
              ]}
              aria-label={t('analytics.matrix.scale')}
              data-testid="matrix-scale"
            />
          </Group>
          {data.total === 0 ? (
            <EmptyState icon={<IconChartDots3 size={24} />} title={t('analytics.matrix.noneTitle')} text={t('analytics.matrix.noneText')} />
          ) : (
            <MatrixScatterChart scatter={data} scale={scale} />
          )}
          {data.points.length < data.total && (
            <Text size="xs" c="dimmed" mt={4}>
              {t('analytics.matrix.limited', { shown: numbers.whole(data.points.length), total: numbers.whole(data.total) })}
            </Text>
          )}
        </Paper>
      </Grid.Col>
      <Grid.Col span={{ base: 12, lg: 4 }}>
        <Paper withBorder radius="md" p="md" h="100%">
          <QuadrantTiles scatter={data} existing={existing} />
        </Paper>
      </Grid.Col>
    </Grid>
  );
}

/** The BCG-style matrices (docs/analytics.md): choose or define one, see its scatter and quadrants, make them segments. */
export function MatrixScreen() {
  const { t } = useTranslation();
  const { editAnalytics } = usePermissions();
  const matrices = useMatrices();
  const segments = useSegments();
  const remove = useDeleteMatrix();
  const axisSource = useAxisSource();
  const numbers = useNumbers();
  const [search, setSearch] = useSearchParams();
  const [form, setForm] = useState<{ matrix: Matrix | null; key: number } | null>(null);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const existing = useMemo(() => new Set((segments.data?.items ?? []).map((s) => s.id)), [segments.data]);

  if (matrices.isPending) return <Skeleton height={400} />;
  if (matrices.isError) return <ErrorAlert error={matrices.error} onRetry={() => void matrices.refetch()} />;
  const items = matrices.data.items;
  const chosen = items.find((m) => m.id === search.get('matrix')) ?? items[0] ?? null;
  const choose = (id: string) =>
    setSearch(
      (previous) => {
        const next = new URLSearchParams(previous);
        next.set('matrix', id);
        return next;
      },
      { replace: true },
    );
  const openForm = (matrix: Matrix | null) => setForm({ matrix, key: Date.now() });
  const formModal = form && (
    <MatrixFormModal
      key={form.key}
      matrix={form.matrix}
      opened
      onClose={() => setForm(null)}
      onSaved={(saved) => {
        setForm(null);
        choose(saved.id);
      }}
    />
  );

  if (!chosen) {
    // The form stays at one place in the tree when the first matrix appears, so its save completes.
    return (
      <>
        <Paper withBorder radius="md" data-testid="matrix-empty">
          <EmptyState icon={<IconChartDots3 size={24} />} title={t('analytics.matrix.emptyTitle')} text={t('analytics.matrix.emptyText')}>
            {editAnalytics && (
              <Button mt="sm" leftSection={<IconPlus size={16} />} onClick={() => openForm(null)} data-testid="matrix-new">
                {t('analytics.matrix.new')}
              </Button>
            )}
          </EmptyState>
        </Paper>
        {formModal}
      </>
    );
  }

  const filterText =
    chosen.filter === undefined || chosen.filter === null
      ? t('analytics.matrix.filterAll')
      : JSON.stringify(chosen.filter) === JSON.stringify({ attr: 'roles', op: 'contains', value: 'customer' })
        ? t('analytics.matrix.filterCustomers')
        : t('analytics.matrix.filterCustom');

  return (
    <>
      <Stack gap="md">
        <Paper withBorder radius="md" p="md">
          <Group justify="space-between" gap="sm" align="flex-end">
            <Group gap="xs" align="flex-end" wrap="wrap" style={{ flex: '1 1 320px' }}>
              <Select
                label={t('analytics.matrix.choose')}
                data={items.map((m) => ({ value: m.id, label: m.name }))}
                value={chosen.id}
                onChange={(id) => id && choose(id)}
                allowDeselect={false}
                w={{ base: '100%', xs: 300 }}
                data-testid="matrix-select"
              />
              {editAnalytics && (
                <Group gap="xs" wrap="wrap">
                  <Button variant="default" leftSection={<IconPencil size={16} />} onClick={() => openForm(chosen)} data-testid="matrix-edit">
                    {t('analytics.matrix.edit')}
                  </Button>
                  <Button variant="default" leftSection={<IconPlus size={16} />} onClick={() => openForm(null)} data-testid="matrix-new">
                    {t('analytics.matrix.new')}
                  </Button>
                  <Menu position="bottom-end" withinPortal>
                    <Menu.Target>
                      <Button variant="default" px="xs" aria-label={t('analytics.matrix.more')}>
                        <IconDots size={16} />
                      </Button>
                    </Menu.Target>
                    <Menu.Dropdown>
                      <Menu.Item color="red" leftSection={<IconTrash size={14} />} onClick={() => setConfirmDelete(true)}>
                        {t('analytics.matrix.delete')}
                      </Menu.Item>
                    </Menu.Dropdown>
                  </Menu>
                </Group>
              )}
            </Group>
            <ReportDownloads report="matrix-scatter" params={{ matrix: chosen.id }} csvTable="points" testId="matrix-download" />
          </Group>
          <Group gap="lg" mt="sm" wrap="wrap">
            {(['x', 'y'] as const).map((axis) => (
              <Group key={axis} gap={6} wrap="nowrap" style={{ minWidth: 0 }}>
                <ThemeIcon size={20} radius="sm" variant="light" color="gray">
                  <Text size="xs" fw={700}>
                    {axis.toUpperCase()}
                  </Text>
                </ThemeIcon>
                <Text size="sm" style={{ minWidth: 0 }}>
                  <b>{chosen[axis].label}</b>{' '}
                  <Text span c="dimmed" size="sm">
                    {t('analytics.matrix.axisLine', { source: axisSource(chosen[axis]), threshold: numbers.whole(chosen[axis].threshold) })}
                  </Text>
                </Text>
              </Group>
            ))}
            <Text size="sm" c="dimmed">
              {filterText}
            </Text>
          </Group>
          {chosen.description && (
            <Text size="sm" c="dimmed" mt={4}>
              {chosen.description}
            </Text>
          )}
        </Paper>
        <ScatterPanel matrix={chosen} existing={existing} />
        <Modal opened={confirmDelete} onClose={() => setConfirmDelete(false)} title={t('analytics.matrix.deleteTitle')}>
          <Stack gap="md">
            <Text size="sm">{t('analytics.matrix.deleteText', { name: chosen.name })}</Text>
            {remove.isError && <ErrorAlert error={remove.error} />}
            <Group justify="flex-end" gap="xs">
              <Button variant="default" onClick={() => setConfirmDelete(false)}>
                {t('analytics.cancel')}
              </Button>
              <Button
                color="red"
                loading={remove.isPending}
                onClick={() =>
                  remove.mutate(chosen.id, {
                    onSuccess: () => {
                      setConfirmDelete(false);
                      setSearch(new URLSearchParams(), { replace: true });
                    },
                  })
                }
              >
                {t('analytics.matrix.delete')}
              </Button>
            </Group>
          </Stack>
        </Modal>
      </Stack>
      {formModal}
    </>
  );
}
