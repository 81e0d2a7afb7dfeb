import { Alert, Anchor, Badge, Button, Group, Modal, Paper, Progress, Skeleton, Stack, Table, Text, Title } from '@mantine/core';
import { IconArrowLeft, IconCheck, IconEdit, IconPlayerPlay, IconTrash } from '@tabler/icons-react';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, Navigate, useLocation, useNavigate } from 'react-router';
import { useDeleteDiscountTable, useDiscountTable, useTerms, type DiscountTable, type TableUploadResult } from '../../../api/terms';
import { ErrorAlert } from '../../../components/ErrorAlert';
import { StatusBadge } from '../../segments/SegmentsListPage';
import { CombineBadge } from '../discounts/DiscountsPanel';
import { PercentBadge, SegmentLink, TermStateBadge } from '../shared/badges';
import { useCampaignIndex, useSegmentIndex } from '../shared/indexes';
import { termHref, termsTabHref } from '../shared/links';
import { useTermsFormat } from '../shared/format';
import { cellKey, cellsOf, segmentsOf } from './table-model';
import { TableEditor } from './TableEditor';
import { TableGrid } from './TableGrid';
import { useSegmentGeneration, type GenerationProgress } from './useSegmentGeneration';
import { usePermissions } from '../../../app/auth-context';

/** Rows of "what the table made" shown before "show all". */
const MADE_SHOWN = 10;

function BackLink() {
  const { t } = useTranslation();
  return (
    <Anchor component={Link} to={termsTabHref('tables')} size="sm" c="dimmed" w="fit-content">
      <Group gap={4}>
        <IconArrowLeft size={14} />
        {t('terms.tables.back')}
      </Group>
    </Anchor>
  );
}

/** What the last save did: discounts created, changed, left, removed; segments made and generated. */
function SaveSummary({ result, progress }: { result: TableUploadResult; progress: GenerationProgress | null }) {
  const { t } = useTranslation();
  const { discounts, segments } = result;
  const finished = progress !== null && !progress.running && progress.error === null && progress.failed.length === 0;
  return (
    <Alert color="teal" variant="light" icon={<IconCheck size={18} />} title={t('terms.tables.savedTitle')} data-testid="table-saved">
      <Stack gap={6}>
        <Text size="sm">
          {t('terms.tables.savedDiscounts', discounts)} {t('terms.tables.savedSegments', { created: segments.created.length, reused: segments.reused, dropped: segments.dropped.length })}
        </Text>
        {progress && (
          <Stack gap={4} data-testid="table-generation" data-done={progress.done} data-total={progress.total} data-finished={finished}>
            <Progress value={(100 * progress.done) / Math.max(1, progress.total)} animated={progress.running} striped={progress.running} size="sm" color="teal" />
            <Text size="xs" c="dimmed">
              {progress.running ? t('terms.tables.generating', { done: progress.done, total: progress.total }) : t('terms.tables.generated', { done: progress.done, total: progress.total })}
            </Text>
          </Stack>
        )}
        {progress?.error ? <ErrorAlert error={progress.error} /> : null}
        {progress && progress.failed.length > 0 && (
          <Text size="sm" c="red">
            {t('terms.tables.generationFailed', { list: progress.failed.join(', ') })}
          </Text>
        )}
      </Stack>
    </Alert>
  );
}

function TableView({
  table,
  onEdit,
  result,
  progress,
  onGenerate,
  editable,
}: {
  table: DiscountTable;
  onEdit: () => void;
  /** Whether the user's role may change sales terms: edit, delete, generate. */
  editable: boolean;
  result: TableUploadResult | null;
  progress: GenerationProgress | null;
  onGenerate: (ids: string[]) => void;
}) {
  const { t } = useTranslation();
  const format = useTermsFormat();
  const navigate = useNavigate();
  const segments = useSegmentIndex();
  const campaigns = useCampaignIndex();
  const discounts = useTerms('discounts');
  const remove = useDeleteDiscountTable();
  const [deleting, setDeleting] = useState(false);
  const [allMade, setAllMade] = useState(false);
  const cells = useMemo(() => cellsOf(table, discounts.data?.items ?? []), [table, discounts.data]);
  const madeSegments = segmentsOf(cells);
  const waiting = madeSegments.filter((id) => segments.get(id)?.status === 'never generated');
  const busy = progress?.running ?? false;

  return (
    <Stack gap="md">
      <Stack gap={4}>
        <BackLink />
        <Group justify="space-between" align="flex-end" gap="sm">
          <Stack gap={4} style={{ minWidth: 0 }}>
            <Title order={3} style={{ overflowWrap: 'anywhere' }} data-testid="table-title">
              {table.name}
            </Title>
            <Group gap="xs">
              <Text size="sm" c="dimmed" ff="monospace">
                {table.id}
              </Text>
              <CombineBadge combine={table.combine} priority={table.priority} />
              <TermStateBadge term={table} campaigns={campaigns} />
            </Group>
          </Stack>
          {editable && (
            <Group gap="xs">
              <Button variant="light" leftSection={<IconEdit size={16} />} onClick={onEdit} data-testid="table-edit">
                {t('terms.tables.edit')}
              </Button>
              <Button variant="subtle" color="red" leftSection={<IconTrash size={16} />} onClick={() => setDeleting(true)} data-testid="table-delete">
                {t('terms.common.delete')}
              </Button>
            </Group>
          )}
        </Group>
      </Stack>

      {result && <SaveSummary result={result} progress={progress} />}
      {editable && !busy && waiting.length > 0 && (
        <Alert color="yellow" variant="light" title={t('terms.tables.waitingTitle')}>
          <Group justify="space-between" gap="sm">
            <Text size="sm">{t('terms.tables.waitingText', { n: waiting.length })}</Text>
            <Button size="compact-sm" leftSection={<IconPlayerPlay size={14} />} onClick={() => onGenerate(waiting)} data-testid="table-generate">
              {t('terms.tables.generate')}
            </Button>
          </Group>
        </Alert>
      )}

      <TableGrid table={table} segments={segments} cells={cells} />

      <Paper withBorder radius="md" p="md" data-testid="table-made">
        <Title order={5} mb={4}>
          {t('terms.tables.madeTitle')}
        </Title>
        <Text size="sm" c="dimmed" mb="sm">
          {t('terms.tables.madeHint', { discounts: cells.size, segments: madeSegments.length })}
        </Text>
        {discounts.isError ? (
          <ErrorAlert error={discounts.error} onRetry={() => void discounts.refetch()} />
        ) : discounts.isPending ? (
          <Skeleton height={120} />
        ) : (
          <div style={{ overflowX: 'auto' }}>
            <Table verticalSpacing={6} miw={760} striped highlightOnHover>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('terms.tables.productSegment')}</Table.Th>
                  <Table.Th>{t('terms.tables.column')}</Table.Th>
                  <Table.Th>{t('terms.discounts.columns.percent')}</Table.Th>
                  <Table.Th>{t('terms.tables.discount')}</Table.Th>
                  <Table.Th>{t('terms.tables.keptBy')}</Table.Th>
                  <Table.Th>{t('terms.tables.segmentState')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {table.rows
                  .flatMap((row) => table.columns.map((column, c) => ({ row, column, made: cells.get(cellKey(row.productSegment, c)) })))
                  .filter((x) => x.made !== undefined)
                  .slice(0, allMade ? undefined : MADE_SHOWN)
                  .map(({ row, column, made: found }) => {
                    const made = found!;
                    const segment = made.segmentId ? segments.get(made.segmentId) : undefined;
                    return (
                      <Table.Tr key={`${row.productSegment}-${column.key}`} data-testid="table-made-row" data-discount={made.discount.id}>
                        <Table.Td>
                          <SegmentLink id={row.productSegment} segments={segments} />
                        </Table.Td>
                        <Table.Td>
                          <Text size="sm">{column.label}</Text>
                        </Table.Td>
                        <Table.Td>
                          <PercentBadge value={made.discount.percent} size="sm" />
                        </Table.Td>
                        <Table.Td>
                          <Anchor component={Link} to={termHref('discount', made.discount.id)!} size="xs" ff="monospace" style={{ overflowWrap: 'anywhere' }}>
                            {made.discount.id}
                          </Anchor>
                        </Table.Td>
                        <Table.Td>{made.segmentId ? <SegmentLink id={made.segmentId} segments={segments} /> : '—'}</Table.Td>
                        <Table.Td>
                          {segment ? (
                            <Group gap={6} wrap="nowrap">
                              <StatusBadge segment={segment} />
                              {segment.size !== null && (
                                <Text size="xs" c="dimmed">
                                  {format.number(segment.size)}
                                </Text>
                              )}
                            </Group>
                          ) : (
                            '—'
                          )}
                        </Table.Td>
                      </Table.Tr>
                    );
                  })}
              </Table.Tbody>
            </Table>
            {cells.size > MADE_SHOWN && (
              <Button variant="subtle" size="compact-sm" mt="xs" onClick={() => setAllMade((v) => !v)} data-testid="table-made-all">
                {allMade ? t('terms.tables.madeFewer') : t('terms.tables.madeAll', { n: cells.size })}
              </Button>
            )}
          </div>
        )}
      </Paper>

      <Modal opened={deleting} onClose={() => setDeleting(false)} title={t('terms.tables.deleteTitle')} centered>
        <Stack gap="md">
          <Text size="sm">{t('terms.tables.deleteText', { name: table.name, n: cells.size })}</Text>
          {Boolean(remove.error) && <ErrorAlert error={remove.error} />}
          <Group justify="flex-end" gap="xs">
            <Button variant="default" onClick={() => setDeleting(false)}>
              {t('terms.common.cancel')}
            </Button>
            <Button
              color="red"
              loading={remove.isPending}
              onClick={() =>
                void remove.mutateAsync(table.id).then(
                  () => navigate(termsTabHref('tables')),
                  () => undefined,
                )
              }
              data-testid="table-delete-confirm"
            >
              {t('terms.common.delete')}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Stack>
  );
}

/** One cumulative discount table: the grid, what it made; or the form of a new one (`tables/new`). */
export function TablePage({ tableId }: { tableId: string }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const location = useLocation();
  const isNew = tableId === 'new';
  const table = useDiscountTable(isNew ? undefined : tableId);
  const [editing, setEditing] = useState(false);
  const [result, setResult] = useState<TableUploadResult | null>(() => (location.state as { result?: TableUploadResult } | null)?.result ?? null);
  const generation = useSegmentGeneration();
  const { editTerms } = usePermissions();

  // A table just created arrives with its save's result: generate the segments it made.
  useEffect(() => {
    if (result && !isNew) void generation.run(result.segments.created);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const onSaved = (saved: TableUploadResult) => {
    if (isNew) {
      void navigate(`/sales-terms/tables/${encodeURIComponent(saved.table.id)}`, { replace: true, state: { result: saved } });
      return;
    }
    setResult(saved);
    setEditing(false);
    void generation.run(saved.segments.created);
  };

  // Only a role that may change terms makes a table; others are sent back to the list.
  if (isNew && !editTerms) return <Navigate to={termsTabHref('tables')} replace />;
  if (isNew) {
    return (
      <Stack gap="md">
        <Stack gap={4}>
          <BackLink />
          <Title order={3}>{t('terms.tables.newTitle')}</Title>
        </Stack>
        <TableEditor saved={undefined} onSaved={onSaved} onCancel={() => void navigate(termsTabHref('tables'))} />
      </Stack>
    );
  }
  if (table.isPending) return <Skeleton height={320} radius="md" />;
  if (table.isError) {
    return (
      <Stack gap="md">
        <BackLink />
        <ErrorAlert error={table.error} onRetry={() => void table.refetch()} />
      </Stack>
    );
  }
  if (editing) {
    return (
      <Stack gap="md">
        <Stack gap={4}>
          <BackLink />
          <Group gap="xs">
            <Title order={3}>{table.data.name}</Title>
            <Badge variant="light" color="yellow" tt="none" radius="sm">
              {t('terms.tables.editing')}
            </Badge>
          </Group>
        </Stack>
        <TableEditor saved={table.data} onSaved={onSaved} onCancel={() => setEditing(false)} />
      </Stack>
    );
  }
  return <TableView table={table.data} editable={editTerms} onEdit={() => setEditing(true)} result={result} progress={generation.progress} onGenerate={(ids) => void generation.run(ids)} />;
}
