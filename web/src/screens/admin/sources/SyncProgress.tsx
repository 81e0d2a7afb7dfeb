import { Group, Loader, Paper, Progress, Stack, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { SYNC_STAGES, type ConnectorRun, type SyncJob, type SyncStage } from '../../../api/connectors';
import { formatDuration } from '../../segments/labels';

/**
 * A sync in progress: its stage, the share done (the server's estimate), step n of m and the time
 * so far. A sync started elsewhere (the CLI, a schedule) has no job here: its running run is
 * followed instead (the share is then the stages passed).
 */
export function SyncProgress({ job, run, system }: { job: SyncJob | null; run?: ConnectorRun | null; system: string }) {
  const { t, i18n } = useTranslation();
  const language = i18n.resolvedLanguage ?? 'ru';
  const stages: readonly SyncStage[] = job?.stages ?? SYNC_STAGES;
  // A run's stage is one of the stages (the run row records the job's).
  const stage = (job?.stage ?? run?.stage ?? 'connecting') as SyncStage;
  const step = Math.max(1, stages.indexOf(stage) + 1);
  const progress = job ? job.progress : run ? (step - 1) / stages.length : 0;
  const percent = Math.round(progress * 100);
  const elsewhere = !job && run ? run : null;
  return (
    <Paper withBorder radius="md" px="md" py="sm" data-testid="sync-progress" data-stage={stage} data-progress={progress} data-followed={elsewhere ? elsewhere.trigger : undefined} aria-live="polite">
      <Stack gap={6}>
        <Group justify="space-between" gap="xs" wrap="nowrap">
          <Group gap={8} wrap="nowrap" miw={0}>
            <Loader size={14} style={{ flexShrink: 0 }} />
            <Text size="sm" fw={600} truncate data-testid="sync-stage">
              {t(`sources.sync.stages.${stage}`, { system })}
            </Text>
          </Group>
          <Text size="sm" fw={700} c="blue.7" style={{ fontVariantNumeric: 'tabular-nums' }} data-testid="sync-percent">
            {percent}%
          </Text>
        </Group>
        <Progress value={percent} size="md" radius="xl" transitionDuration={250} aria-label={t('sources.sync.title')} />
        <Group justify="space-between" gap="xs">
          <Text size="xs" c="dimmed">
            {t('sources.sync.stageOf', { n: step, total: stages.length })}
          </Text>
          {elsewhere && (
            <Text size="xs" c="dimmed" data-testid="sync-elsewhere">
              {t('sources.sync.elsewhere', { trigger: t(`sources.sync.triggers.${elsewhere.trigger}`, { defaultValue: elsewhere.trigger }) })}
            </Text>
          )}
          {job && (
            <Text size="xs" c="dimmed">
              {t('sources.sync.elapsed', { elapsed: formatDuration(job.elapsedMs, language) })}
              {' · '}
              {job.expectedMs === null ? t('sources.sync.firstTime') : t('sources.sync.expected', { expected: formatDuration(job.expectedMs, language) })}
            </Text>
          )}
        </Group>
      </Stack>
    </Paper>
  );
}
