import { Anchor, Badge, Group, Paper, Skeleton, Stack, Text, Title } from '@mantine/core';
import { IconLink } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { useUsage, type SegmentWithStatus } from '../../../api/segments';
import { EmptyState } from '../../../components/EmptyState';
import { ErrorAlert } from '../../../components/ErrorAlert';
import { termHref } from '../../terms/shared/links';
import { useRuleLabels } from '../labels';

/** Where a use opens: another segment, a term, an event subscription. */
const hrefOf = (kind: string, id: string): string | null =>
  kind === 'segment' ? `/segments/${encodeURIComponent(id)}` : kind === 'subscription' ? `/events/${encodeURIComponent(id)}` : termHref(kind, id);

/** Where the segment is used: other segments' rules, agreements, discounts, bans (what keeps it from being deleted). */
export function UsagePanel({ segment }: { segment: SegmentWithStatus }) {
  const { t } = useTranslation();
  const labels = useRuleLabels();
  const usage = useUsage(segment.id);
  return (
    <Paper withBorder radius="md" p="lg" maw={820} data-testid="segment-usage">
      <Title order={4} fw={600} mb="xs">
        {t('segment.usage.title')}
      </Title>
      {usage.isPending ? (
        <Skeleton height={80} />
      ) : usage.isError ? (
        <ErrorAlert error={usage.error} onRetry={() => void usage.refetch()} />
      ) : usage.data.items.length === 0 ? (
        <EmptyState icon={<IconLink size={24} />} title={t('segment.usage.empty')} />
      ) : (
        <Stack gap="xs">
          <Text size="sm" c="dimmed">
            {t('segment.usage.hint')}
          </Text>
          {usage.data.items.map((use) => (
            <Group key={`${use.kind}:${use.id}`} gap="sm" wrap="nowrap" data-testid="usage-item">
              <Badge variant="light" color="gray" tt="none" radius="sm" miw={140}>
                {labels.useKind(use.kind)}
              </Badge>
              {hrefOf(use.kind, use.id) ? (
                <Anchor component={Link} to={hrefOf(use.kind, use.id)!} size="sm" fw={500}>
                  {use.name}
                </Anchor>
              ) : (
                <Text size="sm" fw={500}>
                  {use.name}
                </Text>
              )}
              <Text size="xs" c="dimmed" ff="monospace">
                {use.id}
              </Text>
            </Group>
          ))}
        </Stack>
      )}
    </Paper>
  );
}
