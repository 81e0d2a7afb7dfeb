import { Alert, Button, Code, Fieldset, Group, Modal, NumberInput, SegmentedControl, Select, SimpleGrid, Stack, Text, TextInput } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { IconInfoCircle } from '@tabler/icons-react';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSaveMatrix, type Matrix, type QuadrantPosition } from '../../../api/analytics';
import { useVocabulary } from '../../../api/vocabulary';
import { ErrorAlert } from '../../../components/ErrorAlert';
import { slugOf } from '../../segments/card/draft';
import { useRuleLabels } from '../../segments/labels';
import { draftOfMatrix, draftProblems, matrixInputOf, newMatrixDraft, type AxisDraft, type MatrixDraft, type PeriodMode } from './matrix-model';

const MEASURE_SOURCES = ['sales', 'interactions', 'settlements', 'deals', 'partner'] as const;

/** The name of an axis's source, as the axis label the form suggests ("Выручка, 12 мес."). */
function useAutoLabel() {
  const { t } = useTranslation();
  const labels = useRuleLabels();
  return (axis: AxisDraft) => {
    if (!axis.name) return '';
    if (axis.kind === 'score') return labels.score(axis.name);
    if (axis.kind === 'property') return axis.name;
    const name = labels.measure(axis.name);
    return axis.periodMode === 'months' && Number(axis.months) >= 1 ? t('analytics.matrix.form.labelMonths', { name, count: Number(axis.months) }) : name;
  };
}

interface AxisFieldsProps {
  axis: AxisDraft;
  onChange: (axis: AxisDraft) => void;
  legend: string;
  testId: string;
}

function AxisFields({ axis, onChange, legend, testId }: AxisFieldsProps) {
  const { t } = useTranslation();
  const labels = useRuleLabels();
  const vocabulary = useVocabulary('partner');
  const autoLabel = useAutoLabel();
  const measure = vocabulary.data?.measures.find((m) => m.name === axis.name);
  const options = useMemo(() => {
    const v = vocabulary.data;
    if (!v) return [];
    if (axis.kind === 'score') return v.scores.map((s) => ({ value: s.name, label: labels.score(s.name) }));
    if (axis.kind === 'property')
      return v.attributes.filter((a) => a.property && a.type === 'number').map((a) => ({ value: a.name.replace(/^properties\./, ''), label: a.name.replace(/^properties\./, '') }));
    return MEASURE_SOURCES.map((source) => ({
      group: t(`analytics.matrix.form.measureGroups.${source}`),
      items: v.measures.filter((m) => m.source === source).map((m) => ({ value: m.name, label: labels.measure(m.name) })),
    })).filter((g) => g.items.length > 0);
  }, [vocabulary.data, axis.kind, labels, t]);
  /** A change of the source renames the axis unless the user named it. */
  const change = (patch: Partial<AxisDraft>) => {
    const next = { ...axis, ...patch };
    onChange(next.labelEdited ? next : { ...next, label: autoLabel(next) });
  };
  const noOptions = vocabulary.isSuccess && options.length === 0;

  return (
    <Fieldset legend={legend} radius="md" data-testid={testId}>
      <Stack gap="sm">
        <SegmentedControl
          size="xs"
          value={axis.kind}
          onChange={(kind) => change({ kind: kind, name: null, where: undefined })}
          data={(['measure', 'score', 'property'] as const).map((kind) => ({ value: kind, label: t(`analytics.matrix.form.kinds.${kind}`) }))}
          data-testid={`${testId}-kind`}
        />
        <Select
          label={t(`analytics.matrix.form.source.${axis.kind}`)}
          data={options}
          value={axis.name}
          onChange={(name) => change({ name, where: undefined })}
          searchable
          allowDeselect={false}
          nothingFoundMessage={t('analytics.matrix.form.nothingFound')}
          error={noOptions ? t(`analytics.matrix.form.none.${axis.kind}`) : undefined}
          data-testid={`${testId}-source`}
        />
        {axis.kind === 'measure' && (measure?.period ?? true) && (
          <Group gap="xs" align="flex-end" wrap="wrap">
            <Select
              label={t('analytics.matrix.form.period')}
              value={axis.periodMode}
              onChange={(mode) => mode && change({ periodMode: mode as PeriodMode })}
              data={[
                { value: 'all', label: t('analytics.matrix.form.periodAll') },
                { value: 'months', label: t('analytics.matrix.form.periodMonths') },
                ...(axis.customPeriod ? [{ value: 'custom', label: t('analytics.matrix.form.periodCustom') }] : []),
              ]}
              allowDeselect={false}
              w={200}
              data-testid={`${testId}-period`}
            />
            {axis.periodMode === 'months' && (
              <NumberInput
                value={axis.months}
                onChange={(months) => change({ months })}
                min={1}
                max={120}
                allowDecimal={false}
                w={100}
                aria-label={t('analytics.matrix.form.months')}
                suffix={` ${t('analytics.matrix.form.monthsShort')}`}
                data-testid={`${testId}-months`}
              />
            )}
            {axis.periodMode === 'custom' && axis.customPeriod && <Code>{JSON.stringify(axis.customPeriod)}</Code>}
          </Group>
        )}
        {axis.where && (
          <Text size="xs" c="dimmed">
            {t('analytics.matrix.form.where')} <Code>{JSON.stringify(axis.where)}</Code>
          </Text>
        )}
        <SimpleGrid cols={{ base: 1, xs: 2 }} spacing="sm">
          <TextInput
            label={t('analytics.matrix.form.axisLabel')}
            value={axis.label}
            onChange={(event) => onChange({ ...axis, label: event.currentTarget.value, labelEdited: true })}
            data-testid={`${testId}-label`}
          />
          <NumberInput
            label={t('analytics.matrix.form.threshold')}
            description={t('analytics.matrix.form.thresholdHint')}
            value={axis.threshold}
            onChange={(threshold) => onChange({ ...axis, threshold })}
            thousandSeparator=" "
            decimalSeparator=","
            data-testid={`${testId}-threshold`}
          />
        </SimpleGrid>
      </Stack>
    </Fieldset>
  );
}

/** Top row: high y; left column: low x — as the chart shows them. */
const QUADRANT_LAYOUT: QuadrantPosition[] = ['lowHigh', 'highHigh', 'lowLow', 'highLow'];

interface MatrixFormModalProps {
  /** The matrix to change, or null for a new one. */
  matrix: Matrix | null;
  opened: boolean;
  onClose: () => void;
  onSaved: (matrix: Matrix) => void;
}

/** Defines a matrix (PUT /api/analytics/matrices/{id}): two axes with thresholds, who is placed, quadrant names. */
export function MatrixFormModal({ matrix, opened, onClose, onSaved }: MatrixFormModalProps) {
  const { t } = useTranslation();
  const phone = useMediaQuery('(max-width: 48em)') ?? false;
  const save = useSaveMatrix();
  const [draft, setDraft] = useState<MatrixDraft>(() =>
    matrix
      ? draftOfMatrix(matrix)
      : newMatrixDraft(
          {
            highHigh: t('analytics.matrix.defaults.highHigh'),
            highLow: t('analytics.matrix.defaults.highLow'),
            lowHigh: t('analytics.matrix.defaults.lowHigh'),
            lowLow: t('analytics.matrix.defaults.lowLow'),
          },
          { x: t('analytics.matrix.defaults.x'), y: t('analytics.matrix.defaults.y') },
        ),
  );
  const problems = draftProblems(draft);
  const isNew = matrix === null;
  const set = (patch: Partial<MatrixDraft>) => setDraft((d) => ({ ...d, ...patch }));

  return (
    <Modal
      opened={opened}
      onClose={onClose}
      closeOnEscape={false}
      closeOnClickOutside={false}
      title={isNew ? t('analytics.matrix.form.newTitle') : t('analytics.matrix.form.editTitle')}
      size="xl"
      fullScreen={phone}
      data-testid="matrix-form"
    >
      <Stack gap="md">
        <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
          <TextInput
            label={t('analytics.matrix.form.name')}
            value={draft.name}
            onChange={(event) => {
              const name = event.currentTarget.value;
              set(isNew && !draft.idEdited ? { name, id: slugOf(name).slice(0, 40) } : { name });
            }}
            required
            data-testid="matrix-name"
          />
          <TextInput
            label={t('analytics.matrix.form.id')}
            description={isNew ? t('analytics.matrix.form.idHint') : undefined}
            value={draft.id}
            onChange={(event) => set({ id: event.currentTarget.value, idEdited: true })}
            disabled={!isNew}
            error={draft.id !== '' && problems.includes('id') ? t('analytics.matrix.form.idInvalid') : undefined}
            data-testid="matrix-id"
          />
        </SimpleGrid>
        <SimpleGrid cols={{ base: 1, md: 2 }} spacing="md">
          <AxisFields axis={draft.x} onChange={(x) => set({ x })} legend={t('analytics.matrix.form.axisX')} testId="matrix-x" />
          <AxisFields axis={draft.y} onChange={(y) => set({ y })} legend={t('analytics.matrix.form.axisY')} testId="matrix-y" />
        </SimpleGrid>
        <Stack gap={4}>
          <Text size="sm" fw={500}>
            {t('analytics.matrix.form.filter')}
          </Text>
          <SegmentedControl
            size="xs"
            value={draft.filterMode}
            onChange={(mode) => set({ filterMode: mode as MatrixDraft['filterMode'] })}
            data={[
              { value: 'customers', label: t('analytics.matrix.form.filterCustomers') },
              { value: 'all', label: t('analytics.matrix.form.filterAll') },
              ...(draft.customFilter !== undefined ? [{ value: 'custom', label: t('analytics.matrix.form.filterCustom') }] : []),
            ]}
            w="fit-content"
            data-testid="matrix-filter"
          />
          {draft.filterMode === 'custom' && <Code block>{JSON.stringify(draft.customFilter)}</Code>}
          <Text size="xs" c="dimmed">
            {t('analytics.matrix.form.unplaced')}
          </Text>
        </Stack>
        <Stack gap={4}>
          <Text size="sm" fw={500}>
            {t('analytics.matrix.form.quadrants')}
          </Text>
          <SimpleGrid cols={2} spacing="xs">
            {QUADRANT_LAYOUT.map((position) => (
              <TextInput
                key={position}
                size="sm"
                label={t(`analytics.matrix.positions.${position}`)}
                value={draft.quadrants[position].name}
                onChange={(event) => set({ quadrants: { ...draft.quadrants, [position]: { ...draft.quadrants[position], name: event.currentTarget.value } } })}
                data-testid={`matrix-quadrant-${position}`}
              />
            ))}
          </SimpleGrid>
          <Text size="xs" c="dimmed">
            {t('analytics.matrix.form.quadrantsHint', { id: draft.id || '…' })}
          </Text>
        </Stack>
        {save.isError && <ErrorAlert error={save.error} />}
        {problems.length > 0 && draft.name !== '' && (
          <Alert variant="light" color="gray" icon={<IconInfoCircle size={16} />} p="xs">
            <Text size="xs">{problems.map((p) => t(`analytics.matrix.form.problems.${p as 'name' | 'id' | 'axis' | 'quadrants'}`)).join(' ')}</Text>
          </Alert>
        )}
        <Group justify="flex-end" gap="xs">
          <Button variant="default" onClick={onClose}>
            {t('analytics.cancel')}
          </Button>
          <Button onClick={() => save.mutate({ id: draft.id, input: matrixInputOf(draft) }, { onSuccess: onSaved })} loading={save.isPending} disabled={problems.length > 0} data-testid="matrix-save">
            {t('analytics.save')}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
