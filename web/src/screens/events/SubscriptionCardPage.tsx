import { Alert, Anchor, Badge, Button, Code, Group, Modal, Paper, Skeleton, Stack, Table, Text, Title } from '@mantine/core';
import { IconArrowLeft, IconKey, IconPencil, IconPlayerPlay, IconRefresh, IconTrash } from '@tabler/icons-react';
import { Fragment, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router';
import { useChangeSubscription, useDeleteSubscription, useDeliveries, useDeliveryDetail, useResend, useRotateSecret, useSendTest, useSubscription, type Delivery } from '../../api/events';
import { useSegments } from '../../api/segments';
import { ErrorAlert } from '../../components/ErrorAlert';
import { PageHeader } from '../../components/PageHeader';
import { EditActionDialog, isEditable } from './EditActionDialog';
import { MailPreviewPanel } from './MailPreviewPanel';
import { useFormat } from '../../i18n/format';
import { DeliveryStatus, SecretOnce, SubscriptionState, typeKey, useTargetOf } from './shared';

function Attempts({ id, deliveryId }: { id: string; deliveryId: string }) {
  const { t } = useTranslation();
  const format = useFormat();
  const detail = useDeliveryDetail(id, deliveryId);
  if (detail.isPending) return <Skeleton height={40} />;
  if (detail.isError) return <ErrorAlert error={detail.error} />;
  return (
    <Stack gap={6} data-testid="delivery-attempts">
      {detail.data.attemptLog.map((a) => (
        <Stack key={a.attempt} gap={2}>
          <Group gap="xs">
            <Badge variant="light" color={a.statusCode !== null && a.statusCode < 300 ? 'teal' : 'red'} tt="none">
              {a.statusCode ?? '—'}
            </Badge>
            <Text size="xs">{t('events.deliveries.attempt', { n: a.attempt, date: format.dateTime(a.attemptedAt), ms: a.durationMs })}</Text>
          </Group>
          {(a.error || a.responseExcerpt) && (
            <Code block style={{ whiteSpace: 'pre-wrap', fontSize: 12, maxHeight: 120, overflow: 'auto' }}>
              {a.error ?? a.responseExcerpt}
            </Code>
          )}
        </Stack>
      ))}
    </Stack>
  );
}

/** A subscription: what it watches and where it sends; enable, test, rotate, delete; its deliveries with status and resend. */
export function SubscriptionCardPage() {
  const { t } = useTranslation();
  const targetOf = useTargetOf();
  const format = useFormat();
  const navigate = useNavigate();
  const { id = '' } = useParams();
  const subscription = useSubscription(id);
  const deliveries = useDeliveries(id);
  const segments = useSegments({});
  const change = useChangeSubscription();
  const test = useSendTest();
  const rotate = useRotateSecret();
  const resend = useResend();
  const remove = useDeleteSubscription();
  const [open, setOpen] = useState<string | null>(null);
  const [deleting, setDeleting] = useState(false);
  const [editing, setEditing] = useState(false);
  const nameOf = new Map((segments.data?.items ?? []).map((s) => [s.id, s.name]));
  if (subscription.isPending) return <Skeleton height={200} />;
  if (subscription.isError) return <ErrorAlert error={subscription.error} onRetry={() => void subscription.refetch()} />;
  const s = subscription.data;
  const content = (d: Delivery) =>
    d.segmentId
      ? t('events.deliveries.content', { segment: nameOf.get(d.segmentId) ?? d.segmentId, type: t(`events.types.${d.transition ?? 'entered'}`), count: d.eventCount })
      : t('events.deliveries.test');
  return (
    <>
      <Anchor component={Link} to="/events" size="sm">
        <Group gap={4}>
          <IconArrowLeft size={14} />
          {t('events.card.back')}
        </Group>
      </Anchor>
      <PageHeader
        title={s.name}
        description={s.id}
        actions={
          <Group gap="xs">
            <SubscriptionState subscription={s} />
            <Button variant="default" leftSection={<IconPlayerPlay size={16} />} loading={test.isPending} onClick={() => test.mutate(s.id)} data-testid="subscription-test">
              {t('events.card.test')}
            </Button>
            <Button
              variant={s.enabled ? 'default' : 'filled'}
              loading={change.isPending}
              onClick={() => change.mutate({ id: s.id, change: { enabled: !s.enabled } })}
              data-testid="subscription-toggle"
            >
              {s.enabled ? t('events.card.disable') : t('events.card.enable')}
            </Button>
          </Group>
        }
      />
      <Stack gap="md">
        {s.disabledReason && (
          <Alert color="orange" variant="light" data-testid="subscription-disabled-reason">
            {t('events.card.disabledReason', { reason: s.disabledReason })}
          </Alert>
        )}
        {change.error && <ErrorAlert error={change.error} />}
        {test.data && (
          <Alert color={test.data.status === 'delivered' ? 'teal' : 'red'} variant="light" data-testid="subscription-test-result">
            {t('events.card.testSent', { status: t(`events.deliveries.status.${test.data.status}`) })}
            {test.data.lastError ? ` — ${test.data.lastError}` : test.data.lastStatus ? ` — HTTP ${test.data.lastStatus}` : ''}
          </Alert>
        )}
        {test.error && <ErrorAlert error={test.error} />}
        <Paper withBorder radius="md" p="lg">
          <Table variant="vertical" withRowBorders={false} verticalSpacing={6}>
            <Table.Tbody>
              <Table.Tr>
                <Table.Th w={{ base: 110, sm: 180 }}>{t('events.card.segments')}</Table.Th>
                <Table.Td>
                  <Group gap="xs">
                    {s.segmentIds.map((sid) => (
                      <Anchor key={sid} component={Link} to={`/segments/${encodeURIComponent(sid)}`} size="sm">
                        {nameOf.get(sid) ?? sid}
                      </Anchor>
                    ))}
                  </Group>
                </Table.Td>
              </Table.Tr>
              <Table.Tr>
                <Table.Th>{t('events.card.events')}</Table.Th>
                <Table.Td>{s.eventTypes.map((type) => t(`events.types.${typeKey(type)}`)).join(', ')}</Table.Td>
              </Table.Tr>
              <Table.Tr>
                <Table.Th>{s.action.kind === 'webhook' ? t('events.card.target') : t('events.card.action')}</Table.Th>
                <Table.Td>
                  <Group gap="xs" align="flex-start" justify="space-between">
                    <Text size="sm" ff={s.action.kind === 'webhook' ? 'monospace' : undefined} style={{ overflowWrap: 'anywhere' }} data-testid="subscription-target">
                      {s.action.kind === 'webhook' ? `POST ${s.action.url}` : targetOf(s)}
                    </Text>
                    {isEditable(s.action) && (
                      <Button size="compact-sm" variant="subtle" leftSection={<IconPencil size={14} />} onClick={() => setEditing(true)} data-testid="subscription-edit">
                        {t('events.edit.open')}
                      </Button>
                    )}
                  </Group>
                </Table.Td>
              </Table.Tr>
              <Table.Tr>
                <Table.Th>{t('events.card.options')}</Table.Th>
                <Table.Td>{[s.skipFirstGeneration ? t('events.card.skipFirst') : null, t('events.card.batch', { count: s.batchSize })].filter(Boolean).join('; ')}</Table.Td>
              </Table.Tr>
              {s.action.kind === 'webhook' && (
                <Table.Tr>
                  <Table.Th>{t('events.card.secret')}</Table.Th>
                  <Table.Td>
                    <Group gap="sm">
                      <Code>{s.action.secretHint}</Code>
                      <Button size="compact-sm" variant="subtle" leftSection={<IconKey size={14} />} loading={rotate.isPending} onClick={() => rotate.mutate(s.id)}>
                        {t('events.card.rotate')}
                      </Button>
                    </Group>
                  </Table.Td>
                </Table.Tr>
              )}
            </Table.Tbody>
          </Table>
          {rotate.data && (
            <Stack mt="sm">
              <SecretOnce secret={rotate.data.secret} note={t('events.card.rotated', { date: format.dateTime(rotate.data.previousValidUntil) })} />
            </Stack>
          )}
        </Paper>
        {s.action.kind === 'email' && <MailPreviewPanel subscriptionId={s.id} />}
        <Paper withBorder radius="md" p="lg" data-testid="deliveries">
          <Title order={4} fw={600} mb="sm">
            {t('events.deliveries.title')}
          </Title>
          {resend.error && <ErrorAlert error={resend.error} />}
          {deliveries.isError ? (
            <ErrorAlert error={deliveries.error} onRetry={() => void deliveries.refetch()} />
          ) : (deliveries.data?.items.length ?? 0) === 0 ? (
            <Text size="sm" c="dimmed">
              {t('events.deliveries.empty')}
            </Text>
          ) : (
            <Table.ScrollContainer minWidth={760}>
              <Table verticalSpacing="xs" highlightOnHover>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t('events.deliveries.columns.created')}</Table.Th>
                    <Table.Th>{t('events.deliveries.columns.content')}</Table.Th>
                    <Table.Th>{t('events.deliveries.columns.status')}</Table.Th>
                    <Table.Th>{t('events.deliveries.columns.attempts')}</Table.Th>
                    <Table.Th>{t('events.deliveries.columns.last')}</Table.Th>
                    <Table.Th />
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {deliveries.data?.items.map((d) => (
                    <Fragment key={d.id}>
                      <Table.Tr data-testid="delivery-row" style={{ cursor: 'pointer' }} onClick={() => setOpen(open === d.id ? null : d.id)}>
                        <Table.Td>
                          <Text size="sm">{format.dateTime(d.createdAt)}</Text>
                          <Text size="xs" c="dimmed" ff="monospace" style={{ overflowWrap: 'anywhere' }}>
                            {d.id}
                          </Text>
                        </Table.Td>
                        <Table.Td>
                          <Text size="sm">{content(d)}</Text>
                        </Table.Td>
                        <Table.Td>
                          <DeliveryStatus delivery={d} />
                          {d.status === 'pending' && d.nextAttemptAt && (
                            <Text size="xs" c="dimmed">
                              {t('events.deliveries.next', { date: format.dateTime(d.nextAttemptAt) })}
                            </Text>
                          )}
                        </Table.Td>
                        <Table.Td>{d.attempts}</Table.Td>
                        <Table.Td>
                          <Text size="xs" ff="monospace" style={{ overflowWrap: 'anywhere' }}>
                            {d.lastStatus ?? d.lastError ?? '—'}
                          </Text>
                        </Table.Td>
                        <Table.Td>
                          {d.status !== 'pending' || d.attempts > 0 ? (
                            <Button
                              size="compact-xs"
                              variant="subtle"
                              leftSection={<IconRefresh size={14} />}
                              loading={resend.isPending && resend.variables?.deliveryId === d.id}
                              onClick={(e) => {
                                e.stopPropagation();
                                resend.mutate({ id: s.id, deliveryId: d.id });
                              }}
                              data-testid="delivery-resend"
                            >
                              {t('events.deliveries.resend')}
                            </Button>
                          ) : null}
                        </Table.Td>
                      </Table.Tr>
                      {open === d.id && (
                        <Table.Tr>
                          <Table.Td colSpan={6}>
                            <Attempts id={s.id} deliveryId={d.id} />
                          </Table.Td>
                        </Table.Tr>
                      )}
                    </Fragment>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )}
        </Paper>
        <Group justify="flex-end">
          <Button color="red" variant="subtle" leftSection={<IconTrash size={16} />} onClick={() => setDeleting(true)} data-testid="subscription-delete">
            {t('events.card.delete')}
          </Button>
        </Group>
      </Stack>
      {editing && isEditable(s.action) && <EditActionDialog id={s.id} action={s.action} onClose={() => setEditing(false)} />}
      <Modal opened={deleting} onClose={() => setDeleting(false)} title={t('events.card.delete')} centered>
        <Stack>
          <Text size="sm">{t('events.card.deleteText', { name: s.name })}</Text>
          {remove.error && <ErrorAlert error={remove.error} />}
          <Group justify="flex-end" gap="xs">
            <Button variant="default" onClick={() => setDeleting(false)}>
              {t('events.form.cancel')}
            </Button>
            <Button color="red" loading={remove.isPending} onClick={() => remove.mutate(s.id, { onSuccess: () => void navigate('/events') })}>
              {t('events.card.delete')}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}
