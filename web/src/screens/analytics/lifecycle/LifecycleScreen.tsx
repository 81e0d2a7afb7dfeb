import { Anchor, Group, Paper, SimpleGrid, Skeleton, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { apiGet } from '../../../api/client';
import type { LifecycleSummary } from '../../../api/analytics';
import { useSegments } from '../../../api/segments';
import { ErrorAlert } from '../../../components/ErrorAlert';
import { useFormat } from '../../../i18n/format';
import { ReportFiles } from '../../segments/card/reports/ReportFiles';

const STAGES = ['current', 'refused', 'churned'] as const;
const COLORS = { current: 'teal.7', refused: 'orange.7', churned: 'red.7' } as const;

/**
 * The lifecycle of the client base (GET /api/analytics/lifecycle, docs/analytics.md): how many
 * partners are current, refused or churned by the stage rules today, and — when the stages were
 * made segments (lifecycle-current, …) — a link to the partners of each.
 */
export function LifecycleScreen() {
  const { t } = useTranslation();
  const format = useFormat();
  const summary = useQuery({
    queryKey: ['analytics', 'lifecycle'],
    queryFn: ({ signal }) => apiGet<LifecycleSummary>('/analytics/lifecycle', undefined, signal),
  });
  const segments = useSegments({ archived: false, kind: 'partner' });
  const segmentOf = (stage: string) => segments.data?.items.find((s) => s.id === `lifecycle-${stage}`);
  if (summary.isPending) return <Skeleton height={160} radius="md" />;
  if (summary.isError) return <ErrorAlert error={summary.error} onRetry={() => void summary.refetch()} />;
  const { counts, asOf, settings } = summary.data;
  return (
    <Stack gap="md" data-testid="lifecycle">
      <Group justify="space-between" gap="xs">
        <Stack gap={0}>
          <Title order={4} fw={600}>
            {t('manager.lifecycle.title')}
          </Title>
          <Text size="sm" c="dimmed">
            {t('manager.lifecycle.asOf', { date: format.shortDate(asOf) })}
          </Text>
        </Stack>
        <ReportFiles report="lifecycle" params={{}} testId="lifecycle" />
      </Group>
      <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="md">
        {STAGES.map((stage) => {
          const segment = segmentOf(stage);
          return (
            <Paper key={stage} withBorder radius="md" p="lg" data-testid="lifecycle-stage" data-stage={stage}>
              <Text size="sm" fw={600} c={COLORS[stage]} tt="uppercase">
                {t(`manager.lifecycle.stages.${stage}`)}
              </Text>
              <Text fz={32} fw={700} style={{ fontVariantNumeric: 'tabular-nums' }} data-testid="lifecycle-count">
                {format.number(counts[stage])}
              </Text>
              <Text size="sm" c="dimmed">
                {t('manager.lifecycle.partners', { count: counts[stage] })} · {t(`manager.lifecycle.stagesHint.${stage}`, { months: settings.months })}
              </Text>
              {segment && (
                <Anchor component={Link} to={`/partners?segment=${encodeURIComponent(segment.id)}`} size="sm" mt="xs" display="inline-block" data-testid="lifecycle-partners">
                  {t('manager.lifecycle.show')}
                </Anchor>
              )}
            </Paper>
          );
        })}
      </SimpleGrid>
    </Stack>
  );
}
