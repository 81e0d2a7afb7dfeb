import { Anchor, Badge, Group, Paper, Skeleton, Stack, Text, Title } from '@mantine/core';
import { IconWebhook } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { useSubscriptions } from '../../../api/events';
import type { SegmentWithStatus } from '../../../api/segments';
import { EmptyState } from '../../../components/EmptyState';
import { ErrorAlert } from '../../../components/ErrorAlert';
import { SubscriptionState, typeKey, useTargetOf } from '../../events/shared';

/** Which event subscriptions watch this segment (analysts and admins; docs/events.md). */
export function SubscriptionsPanel({ segment }: { segment: SegmentWithStatus }) {
  const { t } = useTranslation();
  const targetOf = useTargetOf();
  const subscriptions = useSubscriptions(segment.id);
  return (
    <Paper withBorder radius="md" p="lg" maw={820} data-testid="segment-subscriptions">
      <Group justify="space-between" mb="xs">
        <Title order={4} fw={600}>
          {t('events.segment.title')}
        </Title>
        <Anchor component={Link} to="/events" size="sm">
          {t('events.segment.manage')}
        </Anchor>
      </Group>
      {subscriptions.isPending ? (
        <Skeleton height={60} />
      ) : subscriptions.isError ? (
        <ErrorAlert error={subscriptions.error} onRetry={() => void subscriptions.refetch()} />
      ) : subscriptions.data.items.length === 0 ? (
        <EmptyState icon={<IconWebhook size={24} />} title={t('events.segment.empty')} />
      ) : (
        <Stack gap="xs">
          {subscriptions.data.items.map((s) => (
            // Two lines, so that nothing is cut at phone width: who and its state; what and where.
            <Stack key={s.id} gap={4} data-testid="segment-subscription">
              <Group gap="sm" wrap="nowrap" justify="space-between">
                <Anchor component={Link} to={`/events/${encodeURIComponent(s.id)}`} size="sm" fw={500} truncate>
                  {s.name}
                </Anchor>
                <SubscriptionState subscription={s} />
              </Group>
              <Group gap="xs" wrap="nowrap">
                {s.eventTypes.map((type) => (
                  <Badge key={type} variant="light" color="gray" tt="none" radius="sm" style={{ flexShrink: 0 }}>
                    {t(`events.types.${typeKey(type)}`)}
                  </Badge>
                ))}
                <Text size="xs" c="dimmed" ff={s.action.kind === 'webhook' ? 'monospace' : undefined} truncate>
                  {targetOf(s)}
                </Text>
              </Group>
            </Stack>
          ))}
        </Stack>
      )}
    </Paper>
  );
}
