import { Group, Loader, Paper, Progress, Stack, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { REFRESH_STAGES, type SegmentRefreshJob } from '../../../api/jobs';
import { formatDuration } from '../labels';

/**
 * A Generate in progress: the stage it is in, a bar of the share done (estimated by the
 * server from the stages and the last generation's duration), step n of m and the time so
 * far. Before the server's first answer about the job (`job` null) the bar waits at zero.
 */
export function GenerationProgress({ job }: { job: SegmentRefreshJob | null }) {
  const { t, i18n } = useTranslation();
  const language = i18n.resolvedLanguage ?? 'ru';
  const stage = job?.stage ?? 'starting';
  const step = REFRESH_STAGES.indexOf(stage) + 1;
  const percent = Math.round((job?.progress ?? 0) * 100);
  const g = 'segmentCard.generation';
  return (
    <Paper withBorder radius="md" px="md" py="sm" data-testid="segment-generating" data-stage={stage} data-progress={job?.progress ?? 0} aria-live="polite">
      <Stack gap={6}>
        <Group justify="space-between" gap="xs" wrap="nowrap">
          <Group gap={8} wrap="nowrap" miw={0}>
            <Loader size={14} style={{ flexShrink: 0 }} />
            <Text size="sm" fw={600} truncate data-testid="generation-stage">
              {t(`${g}.stages.${stage}`)}
            </Text>
          </Group>
          <Text size="sm" fw={700} c="blue.7" style={{ fontVariantNumeric: 'tabular-nums' }} data-testid="generation-percent">
            {percent}%
          </Text>
        </Group>
        <Progress value={percent} size="md" radius="xl" transitionDuration={250} aria-label={t(`${g}.title`)} />
        <Group justify="space-between" gap="xs">
          <Text size="xs" c="dimmed">
            {t(`${g}.stageOf`, { n: step, total: REFRESH_STAGES.length })}
          </Text>
          {job && (
            <Text size="xs" c="dimmed">
              {t(`${g}.elapsed`, { elapsed: formatDuration(job.elapsedMs, language) })}
              {' · '}
              {job.expectedMs === null ? t(`${g}.firstTime`) : t(`${g}.expected`, { expected: formatDuration(job.expectedMs, language) })}
            </Text>
          )}
        </Group>
      </Stack>
    </Paper>
  );
}
