import { Badge, Group, Paper, Stack, Table, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { ConnectorRun } from '../../../api/connectors';
import { useFormat } from '../../../i18n/format';
import { formatDuration } from '../../segments/labels';
import { WHOLE_BADGE } from '../shared';
import { RemoteError } from './RemoteError';

const COUNTS = ['read', 'inserted', 'updated', 'deleted', 'refused'] as const;
const STATUS_COLORS = { running: 'blue', succeeded: 'teal', failed: 'red' } as const;

export function RunStatus({ run }: { run: ConnectorRun }) {
  const { t } = useTranslation();
  return (
    <Badge variant="light" color={STATUS_COLORS[run.status]} tt="none" radius="sm" styles={WHOLE_BADGE} data-testid="run-status" data-status={run.status}>
      {t(`sources.runs.statuses.${run.status}`)}
    </Badge>
  );
}

function Details({ run, kind }: { run: ConnectorRun; kind: string }) {
  const { t } = useTranslation();
  const format = useFormat();
  const entities = Object.entries(run.counts);
  return (
    <Stack gap={4}>
      {run.error && <RemoteError error={run.error} kind={kind} />}
      {entities.length > 0 && (
        <details data-testid="run-entities">
          <summary>
            <Text span size="xs" c="dimmed">
              {t('sources.runs.entities')}
            </Text>
          </summary>
          <Table.ScrollContainer minWidth={360} mt={4}>
            <Table fz="xs" verticalSpacing={2} horizontalSpacing={6} withRowBorders={false} maw={560}>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th />
                  {COUNTS.map((c) => (
                    <Table.Th key={c} ta="right" fw={500} c="dimmed">
                      {t(`sources.runs.${c}`)}
                    </Table.Th>
                  ))}
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {entities.map(([entity, counts]) => (
                  <Table.Tr key={entity} data-entity={entity}>
                    <Table.Td>{t(`sources.entityNames.${entity}`, { defaultValue: entity })}</Table.Td>
                    {COUNTS.map((c) => (
                      <Table.Td key={c} ta="right" style={{ fontVariantNumeric: 'tabular-nums' }}>
                        {format.number(counts[c])}
                      </Table.Td>
                    ))}
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        </details>
      )}
      {run.refusals.length > 0 && (
        <details>
          <summary>
            <Text span size="xs" c="orange.8">
              {t('sources.runs.refusals', { count: run.totals.refused })}
            </Text>
          </summary>
          <Stack gap={0} mt={4}>
            {run.refusals.slice(0, 50).map((r, i) => (
              <Text key={i} size="xs" c="dimmed" style={{ overflowWrap: 'anywhere' }}>
                {r.entity}
                {r.id ? ` ${r.id}` : ''}: {r.reason}
              </Text>
            ))}
          </Stack>
        </details>
      )}
    </Stack>
  );
}

/** The last syncs: when, how, the result, counts read / inserted / updated / deleted / refused, and errors. */
export function RunsList({ runs, compact, kind }: { runs: readonly ConnectorRun[]; compact: boolean; kind: string }) {
  const { t, i18n } = useTranslation();
  const format = useFormat();
  const language = i18n.resolvedLanguage ?? 'ru';
  if (runs.length === 0)
    return (
      <Text size="sm" c="dimmed" data-testid="runs-empty">
        {t('sources.runs.empty')}
      </Text>
    );
  const when = (run: ConnectorRun) => (
    <Stack gap={0}>
      <Text size="sm">{format.dateTime(run.startedAt)}</Text>
      <Text size="xs" c="dimmed">
        {t(`sources.runs.modes.${run.mode}`)}, {t(`sources.runs.triggers.${run.trigger}`, { defaultValue: run.trigger })}
      </Text>
    </Stack>
  );
  const duration = (run: ConnectorRun) => (run.durationMs === null ? '—' : formatDuration(run.durationMs, language));
  if (compact)
    return (
      <Stack gap="xs" data-testid="runs">
        {runs.map((run) => (
          <Paper key={run.id} withBorder radius="md" p="sm" data-testid="run" data-status={run.status}>
            <Group justify="space-between" align="flex-start" wrap="nowrap" gap="xs">
              {when(run)}
              <RunStatus run={run} />
            </Group>
            <Group gap={6} mt={6}>
              {COUNTS.map((c) => (
                <Text key={c} size="xs" data-testid={`run-${c}`} data-value={run.totals[c]}>
                  <Text span c="dimmed" inherit>
                    {t(`sources.runs.${c}`)}:
                  </Text>{' '}
                  <b>{format.number(run.totals[c])}</b>
                </Text>
              ))}
              <Text size="xs" c="dimmed">
                · {duration(run)}
              </Text>
            </Group>
            <Stack mt={4}>
              <Details run={run} kind={kind} />
            </Stack>
          </Paper>
        ))}
      </Stack>
    );
  return (
    <Table.ScrollContainer minWidth={760}>
      <Table verticalSpacing={6} fz="sm" data-testid="runs">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('sources.runs.started')}</Table.Th>
            <Table.Th>{t('sources.runs.status')}</Table.Th>
            {COUNTS.map((c) => (
              <Table.Th key={c} ta="right">
                {t(`sources.runs.${c}`)}
              </Table.Th>
            ))}
            <Table.Th ta="right">{t('sources.runs.duration')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {runs.map((run) => (
            <RunRows key={run.id} run={run} when={when(run)} duration={duration(run)} kind={kind} />
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

function RunRows({ run, when, duration, kind }: { run: ConnectorRun; when: React.ReactNode; duration: string; kind: string }) {
  const format = useFormat();
  const { t } = useTranslation();
  const more = run.error !== null || run.refusals.length > 0 || Object.keys(run.counts).length > 0;
  return (
    <>
      <Table.Tr data-testid="run" data-status={run.status} style={more ? { borderBottom: 'none' } : undefined}>
        <Table.Td>{when}</Table.Td>
        <Table.Td>
          <Stack gap={2} align="flex-start">
            <RunStatus run={run} />
            <Text size="xs" c="dimmed">
              {t('sources.runs.requests', { count: run.requests })}
            </Text>
          </Stack>
        </Table.Td>
        {COUNTS.map((c) => (
          <Table.Td
            key={c}
            ta="right"
            style={{ fontVariantNumeric: 'tabular-nums' }}
            c={c === 'refused' && run.totals.refused > 0 ? 'orange.8' : undefined}
            data-testid={`run-${c}`}
            data-value={run.totals[c]}
          >
            {format.number(run.totals[c])}
          </Table.Td>
        ))}
        <Table.Td ta="right">{duration}</Table.Td>
      </Table.Tr>
      {more && (
        <Table.Tr>
          <Table.Td colSpan={8} pt={0}>
            <Details run={run} kind={kind} />
          </Table.Td>
        </Table.Tr>
      )}
    </>
  );
}
