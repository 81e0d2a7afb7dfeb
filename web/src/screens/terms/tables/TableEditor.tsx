import { ActionIcon, Anchor, Button, FileInput, Group, NumberInput, Paper, SegmentedControl, Select, SimpleGrid, Stack, Table, Text, Textarea, TextInput, Tooltip } from '@mantine/core';
import { IconColumnInsertRight, IconDeviceFloppy, IconDownload, IconFileUpload, IconRowInsertBottom, IconTrash, IconUpload } from '@tabler/icons-react';
import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../../api/client';
import { useSegments } from '../../../api/segments';
import {
  COMBINE_MODES,
  CUMULATIVE_MEASURES,
  THRESHOLD_OPS,
  useSaveDiscountTable,
  useUploadDiscountTableCsv,
  type CombineMode,
  type CumulativeMeasure,
  type DiscountTable,
  type TableUploadResult,
  type ThresholdOp,
} from '../../../api/terms';
import { ErrorAlert } from '../../../components/ErrorAlert';
import { currentLanguage } from '../../../i18n';
import { SLUG } from '../shared/fields';
import { useNumberSeparators } from '../shared/format';
import { isUsable, SegmentPicker } from '../shared/SegmentPicker';
import { useSegmentRefusal } from '../shared/segment-refusal';
import { useColumnCaption } from './TableGrid';
import { ARTICLE_COLUMNS, sampleCsv, specOf } from './table-model';
import classes from './tables.module.css';

interface ColumnDraft {
  label: string;
  measure: CumulativeMeasure;
  months: number | '';
  op: ThresholdOp;
  threshold: number | '';
}

interface RowDraft {
  productSegment: string | null;
  percents: (number | '')[];
}

const toNumber = (value: string | number): number | '' => (typeof value === 'number' ? value : value === '' ? '' : Number(String(value).replace(',', '.')));

function columnsOf(saved: DiscountTable | undefined): ColumnDraft[] {
  if (!saved) return ARTICLE_COLUMNS.map((c) => ({ label: '', measure: c.measure, months: c.months ?? '', op: 'gte', threshold: c.threshold }));
  return saved.columns.map((c) => {
    const spec = specOf(c);
    return { label: c.label, measure: spec.measure, months: spec.months ?? '', op: spec.op, threshold: spec.threshold };
  });
}

interface TableEditorProps {
  saved: DiscountTable | undefined;
  onSaved: (result: TableUploadResult) => void;
  onCancel: () => void;
}

/**
 * Creates or changes a cumulative discount table: as a grid (columns: threshold over a period;
 * rows: product segments; cells: percents) or from a CSV file saved from a spreadsheet. The
 * segments it creates are generated afterwards, a few at a time (the page shows the progress).
 */
/** The title, hint and add button above each grid of the table. */
function GridHeader({ title, hint, action }: { title: string; hint: string; action: ReactNode }) {
  return (
    <Group justify="space-between" mb="xs" gap="xs">
      <div>
        <Text fw={600}>{title}</Text>
        <Text size="xs" c="dimmed">
          {hint}
        </Text>
      </div>
      {action}
    </Group>
  );
}

export function TableEditor({ saved, onSaved, onCancel }: TableEditorProps) {
  const { t } = useTranslation();
  const caption = useColumnCaption();
  const separators = useNumberSeparators();
  const [mode, setMode] = useState<'grid' | 'csv'>('grid');
  const [id, setId] = useState(saved?.id ?? '');
  const [name, setName] = useState(saved?.name ?? '');
  const [combine, setCombine] = useState<CombineMode>(saved?.combine ?? 'max');
  const [columns, setColumns] = useState<ColumnDraft[]>(() => columnsOf(saved));
  const [rows, setRows] = useState<RowDraft[]>(() =>
    saved ? saved.rows.map((r) => ({ productSegment: r.productSegment, percents: r.percents.map((p) => p ?? '') })) : [{ productSegment: null, percents: columns.map(() => '') }],
  );
  const [csv, setCsv] = useState('');
  const save = useSaveDiscountTable();
  const upload = useUploadDiscountTableCsv();
  const refusal = useSegmentRefusal();
  const productSegments = (useSegments({}).data?.items ?? []).filter((s) => s.kind === 'product' && isUsable(s));

  const setColumn = (i: number, patch: Partial<ColumnDraft>) => setColumns((cs) => cs.map((c, j) => (j === i ? { ...c, ...patch } : c)));
  const addColumn = () => {
    setColumns((cs) => [...cs, { label: '', measure: 'sales.revenue', months: 12, op: 'gte', threshold: '' }]);
    setRows((rs) => rs.map((r) => ({ ...r, percents: [...r.percents, ''] })));
  };
  const removeColumn = (i: number) => {
    setColumns((cs) => cs.filter((_, j) => j !== i));
    setRows((rs) => rs.map((r) => ({ ...r, percents: r.percents.filter((_, j) => j !== i) })));
  };
  const setRow = (i: number, patch: Partial<RowDraft>) => setRows((rs) => rs.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  const setCell = (i: number, c: number, value: number | '') => setRows((rs) => rs.map((r, j) => (j === i ? { ...r, percents: r.percents.map((p, k) => (k === c ? value : p)) } : r)));

  const idOk = SLUG.test(id);
  // A discount over 100 % (or a markup past -1000 %) is refused at its cell, never cut (issue 21).
  const percentProblem = (p: number | ''): string | undefined => (p === '' ? undefined : p > 100 ? t('terms.tables.percentOver100') : p < -1000 ? t('terms.tables.percentUnderMin') : undefined);
  const percentsOk = rows.every((r) => r.percents.every((p) => percentProblem(p) === undefined));
  const gridOk = idOk && name.trim() !== '' && columns.length > 0 && columns.every((c) => c.threshold !== '') && rows.length > 0 && rows.every((r) => r.productSegment !== null) && percentsOk;
  const csvOk = idOk && csv.trim() !== '';
  const language = currentLanguage();

  const onSaveGrid = () =>
    void save
      .mutateAsync({
        id,
        name: name.trim(),
        combine,
        language,
        generate: false,
        columns: columns.map((c) => ({
          ...(c.label.trim() ? { label: c.label.trim() } : {}),
          measure: c.measure,
          months: c.months === '' ? null : c.months,
          op: c.op,
          threshold: c.threshold === '' ? 0 : c.threshold,
        })),
        rows: rows.map((r) => ({ productSegment: r.productSegment!, percents: r.percents.map((p) => (p === '' ? null : p)) })),
      })
      .then(onSaved, () => undefined);
  const onUpload = () => void upload.mutateAsync({ id, name: name.trim() || id, csv, combine, language }).then(onSaved, () => undefined);

  const error = mode === 'grid' ? save.error : upload.error;
  const rowError = (segment: string | null) => refusal(save.error, segment);
  const placed = mode === 'grid' && rows.some((r) => rowError(r.productSegment));
  const issues =
    error instanceof ApiError && error.code === 'DISCOUNT_TABLE_INVALID' && Array.isArray(error.details.issues)
      ? (error.details.issues as { line?: number; column?: number; value?: string; reason?: string; path?: string; message?: string }[])
      : [];
  const sample = sampleCsv(
    productSegments.slice(0, 6).map((s) => s.name),
    language,
  );

  return (
    <Stack gap="md" data-testid="table-editor">
      <Paper withBorder radius="md" p="md">
        <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="sm">
          <TextInput
            label={t('terms.common.name')}
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            withAsterisk={mode === 'grid'}
            placeholder={t('terms.tables.namePlaceholder')}
            data-testid="table-name"
          />
          <TextInput
            label={t('terms.tables.code')}
            description={t('terms.tables.codeHint')}
            inputWrapperOrder={['label', 'input', 'description', 'error']}
            value={id}
            onChange={(e) => setId(e.currentTarget.value.trim())}
            disabled={saved !== undefined}
            withAsterisk
            styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
            error={id !== '' && !idOk ? t('terms.common.codeInvalid') : undefined}
            data-testid="table-id"
          />
          <Select
            label={t('terms.tables.combine')}
            description={t(`terms.combineHints.${combine}`)}
            inputWrapperOrder={['label', 'input', 'description', 'error']}
            data={COMBINE_MODES.map((m) => ({ value: m, label: t(`terms.combine.${m}`) }))}
            value={combine}
            onChange={(v) => v && setCombine(v)}
            allowDeselect={false}
            comboboxProps={{ withinPortal: true }}
          />
        </SimpleGrid>
      </Paper>

      <SegmentedControl
        value={mode}
        onChange={(v) => setMode(v)}
        data={[
          { value: 'grid', label: t('terms.tables.modeGrid') },
          { value: 'csv', label: t('terms.tables.modeCsv') },
        ]}
        w="fit-content"
        data-testid="table-mode"
      />

      {mode === 'grid' ? (
        <>
          <Paper withBorder radius="md" p="md">
            <GridHeader
              title={t('terms.tables.columnsTitle')}
              hint={t('terms.tables.columnsHint')}
              action={
                <Button size="compact-sm" variant="light" leftSection={<IconColumnInsertRight size={15} />} onClick={addColumn} data-testid="table-add-column">
                  {t('terms.tables.addColumn')}
                </Button>
              }
            />
            <div className={classes.gridFrame}>
              <Table verticalSpacing={6} horizontalSpacing="xs" miw={720} data-testid="table-columns">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th w={28}>#</Table.Th>
                    <Table.Th>{t('terms.tables.columnLabel')}</Table.Th>
                    <Table.Th w={170}>{t('terms.conditions.fields.measure')}</Table.Th>
                    <Table.Th w={100}>{t('terms.conditions.fields.op')}</Table.Th>
                    <Table.Th w={130}>{t('terms.conditions.fields.threshold')}</Table.Th>
                    <Table.Th w={120}>{t('terms.tables.months')}</Table.Th>
                    <Table.Th w={40} />
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {columns.map((c, i) => (
                    <Table.Tr key={i} data-testid={`table-column-${i}`}>
                      <Table.Td>
                        <Text size="sm" c="dimmed">
                          {i + 1}
                        </Text>
                      </Table.Td>
                      <Table.Td>
                        <TextInput
                          size="xs"
                          value={c.label}
                          onChange={(e) => setColumn(i, { label: e.currentTarget.value })}
                          placeholder={c.threshold === '' ? '' : caption({ measure: c.measure, months: c.months === '' ? null : c.months, op: c.op, threshold: c.threshold })}
                          aria-label={t('terms.tables.columnLabel')}
                        />
                      </Table.Td>
                      <Table.Td>
                        <Select
                          size="xs"
                          data={CUMULATIVE_MEASURES.map((m) => ({ value: m, label: t(`terms.conditions.measures.${m.replace('sales.', '') as 'revenue'}`) }))}
                          value={c.measure}
                          onChange={(v) => v && setColumn(i, { measure: v })}
                          allowDeselect={false}
                          aria-label={t('terms.conditions.fields.measure')}
                          comboboxProps={{ withinPortal: true }}
                        />
                      </Table.Td>
                      <Table.Td>
                        <Select
                          size="xs"
                          data={THRESHOLD_OPS.map((op) => ({ value: op, label: t(`terms.conditions.ops.${op}`) }))}
                          value={c.op}
                          onChange={(v) => v && setColumn(i, { op: v })}
                          allowDeselect={false}
                          aria-label={t('terms.conditions.fields.op')}
                          comboboxProps={{ withinPortal: true }}
                        />
                      </Table.Td>
                      <Table.Td>
                        <NumberInput
                          size="xs"
                          value={c.threshold}
                          onChange={(v) => setColumn(i, { threshold: toNumber(v) })}
                          min={0}
                          {...separators.amount}
                          aria-label={t('terms.conditions.fields.threshold')}
                          data-testid={`table-column-${i}-threshold`}
                        />
                      </Table.Td>
                      <Table.Td>
                        <NumberInput
                          size="xs"
                          value={c.months}
                          onChange={(v) => setColumn(i, { months: toNumber(v) })}
                          min={1}
                          max={600}
                          allowDecimal={false}
                          placeholder={t('terms.conditions.allTime')}
                          aria-label={t('terms.conditions.fields.months')}
                          data-testid={`table-column-${i}-months`}
                        />
                      </Table.Td>
                      <Table.Td>
                        <Tooltip label={t('terms.tables.removeColumn')} openDelay={400}>
                          <ActionIcon variant="subtle" color="gray" onClick={() => removeColumn(i)} disabled={columns.length === 1} aria-label={t('terms.tables.removeColumn')}>
                            <IconTrash size={15} />
                          </ActionIcon>
                        </Tooltip>
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </div>
          </Paper>

          <Paper withBorder radius="md" p="md">
            <GridHeader
              title={t('terms.tables.percentsTitle')}
              hint={t('terms.tables.percentsHint')}
              action={
                <Button
                  size="compact-sm"
                  variant="light"
                  leftSection={<IconRowInsertBottom size={15} />}
                  onClick={() => setRows((rs) => [...rs, { productSegment: null, percents: columns.map(() => '') }])}
                  data-testid="table-add-row"
                >
                  {t('terms.tables.addRow')}
                </Button>
              }
            />
            <div className={classes.gridFrame}>
              <Table withColumnBorders verticalSpacing={6} horizontalSpacing="xs" data-testid="table-percents">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th className={classes.corner} miw={220}>
                      {t('terms.tables.productSegment')}
                    </Table.Th>
                    {columns.map((c, i) => (
                      <Table.Th key={i} className={classes.columnHead}>
                        <Text size="xs" fw={600} lh={1.3}>
                          {c.label.trim() || (c.threshold === '' ? `#${i + 1}` : caption({ measure: c.measure, months: c.months === '' ? null : c.months, op: c.op, threshold: c.threshold }))}
                        </Text>
                      </Table.Th>
                    ))}
                    <Table.Th w={40} className={classes.corner} />
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {rows.map((r, i) => (
                    <Table.Tr key={i} data-testid={`table-row-${i}`}>
                      <Table.Td className={classes.editorCell}>
                        <SegmentPicker
                          kind="product"
                          size="xs"
                          hideLabel
                          label={t('terms.tables.productSegment')}
                          value={r.productSegment}
                          onChange={(productSegment) => {
                            setRow(i, { productSegment });
                            save.reset();
                          }}
                          exclude={rows
                            .filter((_, j) => j !== i)
                            .map((x) => x.productSegment)
                            .filter((x): x is string => x !== null)}
                          error={rowError(r.productSegment)}
                          testId={`table-row-${i}-segment`}
                        />
                      </Table.Td>
                      {r.percents.map((p, c) => (
                        <Table.Td key={c} className={classes.editorCell}>
                          <NumberInput
                            size="xs"
                            value={p}
                            onChange={(v) => setCell(i, c, toNumber(v))}
                            min={-1000}
                            max={100}
                            clampBehavior="none"
                            error={percentProblem(p)}
                            decimalScale={2}
                            {...separators.fraction}
                            hideControls
                            suffix=" %"
                            aria-label={`${t('terms.tables.percentsTitle')} ${i + 1}.${c + 1}`}
                            data-testid={`table-cell-${i}-${c}`}
                          />
                        </Table.Td>
                      ))}
                      <Table.Td className={classes.editorCell}>
                        <ActionIcon variant="subtle" color="gray" onClick={() => setRows((rs) => rs.filter((_, j) => j !== i))} disabled={rows.length === 1} aria-label={t('terms.tables.removeRow')}>
                          <IconTrash size={15} />
                        </ActionIcon>
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </div>
          </Paper>
        </>
      ) : (
        <Paper withBorder radius="md" p="md">
          <Stack gap="sm">
            <Text size="sm">{t('terms.tables.csvIntro')}</Text>
            <Group gap="sm" align="flex-end" wrap="wrap">
              <FileInput
                label={t('terms.tables.csvFile')}
                placeholder={t('terms.tables.csvPick')}
                accept=".csv,.txt,text/csv,text/plain"
                leftSection={<IconFileUpload size={16} />}
                onChange={(file) => {
                  upload.reset();
                  if (file) void file.text().then(setCsv);
                }}
                clearable
                miw={260}
                data-testid="table-csv-file"
              />
              <Anchor
                href={`data:text/csv;charset=utf-8,${encodeURIComponent(`\ufeff${sample}`)}`}
                download={language === 'ru' ? 'nakopitelnaya-skidka.csv' : 'cumulative-discount.csv'}
                size="sm"
                mb={8}
              >
                <Group gap={4}>
                  <IconDownload size={15} />
                  {t('terms.tables.csvSample')}
                </Group>
              </Anchor>
            </Group>
            <Textarea
              label={t('terms.tables.csvText')}
              value={csv}
              onChange={(e) => setCsv(e.currentTarget.value)}
              placeholder={sample}
              autosize
              minRows={5}
              maxRows={14}
              styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)', fontSize: 12 } }}
              data-testid="table-csv-text"
            />
            <Text size="xs" c="dimmed">
              {t('terms.tables.csvRules')}
            </Text>
          </Stack>
        </Paper>
      )}

      {Boolean(error) && !placed && <ErrorAlert error={error} />}
      {issues.length > 0 && (
        <Paper withBorder radius="md" p="sm" data-testid="table-issues">
          <Stack gap={4}>
            {issues.slice(0, 20).map((issue, i) => (
              <Text key={i} size="sm">
                {issue.line !== undefined ? t('terms.tables.issueAt', { line: issue.line, column: issue.column ?? '—', value: issue.value ?? '' }) : issue.path}{' '}
                <Text span size="xs" c="dimmed">
                  {issue.reason ?? issue.message}
                </Text>
              </Text>
            ))}
          </Stack>
        </Paper>
      )}

      <Group justify="flex-end" gap="xs">
        <Button variant="default" onClick={onCancel}>
          {t('terms.common.cancel')}
        </Button>
        {mode === 'grid' ? (
          <Button leftSection={<IconDeviceFloppy size={16} />} onClick={onSaveGrid} loading={save.isPending} disabled={!gridOk} data-testid="table-save">
            {t('terms.tables.save')}
          </Button>
        ) : (
          <Button leftSection={<IconUpload size={16} />} onClick={onUpload} loading={upload.isPending} disabled={!csvOk} data-testid="table-upload">
            {t('terms.tables.upload')}
          </Button>
        )}
      </Group>
    </Stack>
  );
}
