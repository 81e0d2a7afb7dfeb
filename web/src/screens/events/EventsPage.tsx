import { Anchor, Badge, Button, Group, Paper, Stack, Table, Text } from '@mantine/core';
import { IconPlus, IconWebhook } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { useSubscriptions } from '../../api/events';
import { useSegments } from '../../api/segments';
import { EmptyState } from '../../components/EmptyState';
import { ErrorAlert } from '../../components/ErrorAlert';
import { PageHeader } from '../../components/PageHeader';
import { NewSubscriptionDialog } from './NewSubscriptionDialog';
import { SubscriptionState, typeKey, useTargetOf } from './shared';

/** Event subscriptions (analysts and admins): which segments, which events, where, in what state. */
export function EventsPage() {
  const { t } = useTranslation();
  const targetOf = useTargetOf();
  const subscriptions = useSubscriptions();
  const segments = useSegments({});
  const [creating, setCreating] = useState(false);
  const nameOf = new Map((segments.data?.items ?? []).map((s) => [s.id, s.name]));
  const items = subscriptions.data?.items ?? [];
  return (
    <>
      <PageHeader
        title={t('events.title')}
        description={t('events.subtitle')}
        actions={
          <Group gap="sm">
            {subscriptions.data && (
              <Badge size="lg" variant="light" color="gray" radius="sm" tt="none">
                {t('events.found', { count: items.length })}
              </Badge>
            )}
            <Button leftSection={<IconPlus size={16} />} onClick={() => setCreating(true)} data-testid="subscription-create">
              {t('events.create')}
            </Button>
          </Group>
        }
      />
      {subscriptions.isError ? (
        <ErrorAlert error={subscriptions.error} onRetry={() => void subscriptions.refetch()} />
      ) : !subscriptions.isPending && items.length === 0 ? (
        <EmptyState icon={<IconWebhook size={26} />} title={t('events.empty.title')} text={t('events.empty.text')} />
      ) : (
        <Paper withBorder radius="md">
          <Table.ScrollContainer minWidth={720}>
            <Table verticalSpacing="sm" highlightOnHover data-testid="subscriptions-table">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('events.columns.name')}</Table.Th>
                  <Table.Th>{t('events.columns.segments')}</Table.Th>
                  <Table.Th>{t('events.columns.events')}</Table.Th>
                  <Table.Th>{t('events.columns.target')}</Table.Th>
                  <Table.Th>{t('events.columns.state')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {items.map((s) => (
                  <Table.Tr key={s.id} data-testid="subscription-row">
                    <Table.Td>
                      <Stack gap={0}>
                        <Anchor component={Link} to={`/events/${encodeURIComponent(s.id)}`} fw={600} size="sm">
                          {s.name}
                        </Anchor>
                        <Text size="xs" c="dimmed" ff="monospace">
                          {s.id}
                        </Text>
                      </Stack>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm">{s.segmentIds.map((id) => nameOf.get(id) ?? id).join(', ')}</Text>
                    </Table.Td>
                    <Table.Td>
                      <Group gap={4}>
                        {s.eventTypes.map((type) => (
                          <Badge key={type} variant="light" color={type.endsWith('entered') ? 'teal' : 'grape'} tt="none" radius="sm">
                            {t(`events.types.${typeKey(type)}`)}
                          </Badge>
                        ))}
                      </Group>
                    </Table.Td>
                    <Table.Td>
                      <Text size="xs" ff={s.action.kind === 'webhook' ? 'monospace' : undefined} style={{ overflowWrap: 'anywhere' }}>
                        {targetOf(s)}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <SubscriptionState subscription={s} />
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        </Paper>
      )}
      {creating && <NewSubscriptionDialog onClose={() => setCreating(false)} />}
    </>
  );
}
