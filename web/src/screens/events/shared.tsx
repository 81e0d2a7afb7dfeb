import { Alert, Badge, Button, Code, CopyButton, Group, Select, Stack, Text, TextInput } from '@mantine/core';
import { IconAlertTriangle, IconCheck, IconCopy } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { useConnectors } from '../../api/connectors';
import { usePermissions } from '../../app/auth-context';
import type { Delivery, EventType, Subscription } from '../../api/events';
import { useFormat } from '../../i18n/format';

/** Where a subscription's messages go, in one line: a webhook's URL, the CRM task it makes, the connection it publishes through. */
export function useTargetOf(): (subscription: Subscription) => string {
  const { t } = useTranslation();
  const connectorName = useConnectorName();
  return ({ action }) =>
    action.kind === 'crm-task'
      ? t('events.card.crmTask', { connector: connectorName(action.connectorId), title: action.title, days: action.deadlineDays })
      : action.kind === 'connector-publish'
        ? t('events.card.publish', { connector: connectorName(action.connectorId) })
        : actionTarget(action);
}

/** A connection's name when the user may list connections (administrators), else its id. */
function useConnectorName(): (id: string) => string {
  const connectors = useConnectors(usePermissions().administer);
  return (id) => {
    const found = connectors.data?.items.find((c) => c.id === id);
    return found ? `«${found.name}»` : id;
  };
}

/**
 * The connection of a `crm-task` (CRMs only) or `connector-publish` action: picked from the
 * connections for an administrator; typed by its id for an analyst, who may not list them.
 */
export function ConnectorPicker({ value, onChange, crmOnly, label, description }: { value: string; onChange: (id: string) => void; crmOnly: boolean; label: string; description?: string }) {
  const connectors = useConnectors(usePermissions().administer);
  const options = (connectors.data?.items ?? []).filter((c) => !crmOnly || c.kind !== '1c').map((c) => ({ value: c.id, label: `${c.name} (${c.kind})` }));
  const common = { required: true, label, description, 'data-testid': 'subscription-connector' };
  return options.length ? (
    <Select {...common} data={options} value={value || null} onChange={(id) => onChange(id ?? '')} comboboxProps={{ withinPortal: true }} />
  ) : (
    <TextInput {...common} value={value} onChange={(e) => onChange(e.currentTarget.value)} />
  );
}

/** Enabled, disabled, or failing since when. */
export function SubscriptionState({ subscription }: { subscription: Subscription }) {
  const { t } = useTranslation();
  const format = useFormat();
  if (!subscription.enabled)
    return (
      <Badge variant="dot" color="gray" tt="none" data-testid="subscription-state" data-state="disabled">
        {t('events.state.disabled')}
      </Badge>
    );
  if (subscription.failingSince)
    return (
      <Badge variant="dot" color="orange" tt="none" data-testid="subscription-state" data-state="failing">
        {t('events.state.failing', { date: format.dateTime(subscription.failingSince) })}
      </Badge>
    );
  return (
    <Badge variant="dot" color="teal" tt="none" data-testid="subscription-state" data-state="enabled">
      {t('events.state.enabled')}
    </Badge>
  );
}

const STATUS_COLORS: Record<Delivery['status'], string> = { pending: 'blue', delivered: 'teal', failed: 'red' };

export function DeliveryStatus({ delivery }: { delivery: Delivery }) {
  const { t } = useTranslation();
  return (
    <Badge variant="light" color={STATUS_COLORS[delivery.status]} tt="none" data-testid="delivery-status" data-status={delivery.status}>
      {t(`events.deliveries.status.${delivery.status}`)}
    </Badge>
  );
}

/** A secret shown this once, with a copy button. */
export function SecretOnce({ secret, note }: { secret: string; note: string }) {
  const { t } = useTranslation();
  return (
    <Stack gap="xs" data-testid="subscription-secret">
      <Alert color="orange" variant="light" icon={<IconAlertTriangle size={18} />}>
        {note}
      </Alert>
      <Group gap="xs" wrap="nowrap" align="stretch">
        <Code block style={{ flex: 1, minWidth: 0, overflowWrap: 'anywhere', whiteSpace: 'pre-wrap', fontSize: 13 }} data-testid="secret-value">
          {secret}
        </Code>
        <CopyButton value={secret} timeout={2500}>
          {({ copied, copy }) => (
            <Button variant={copied ? 'light' : 'default'} color={copied ? 'teal' : undefined} leftSection={copied ? <IconCheck size={16} /> : <IconCopy size={16} />} onClick={copy}>
              {copied ? t('events.form.copied') : t('events.form.copy')}
            </Button>
          )}
        </CopyButton>
      </Group>
      <Text size="xs" c="dimmed">
        Standard Webhooks · HMAC-SHA256
      </Text>
    </Stack>
  );
}

/** The locale key of an event type (`segment.member.entered` → `entered`): keys hold no dots. */
export const typeKey = (type: EventType): 'entered' | 'left' => (type === 'segment.member.entered' ? 'entered' : 'left');

/** What a subscription's action does, in one line: a webhook's address, a task's title, a mail's subject. */
export function actionTarget(action: Exclude<Subscription['action'], { kind: 'crm-task' | 'connector-publish' }>): string {
  if (action.kind === 'webhook') return action.url;
  if (action.kind === 'segmenta-task') return `✓ ${action.title}`;
  const template = action.templates[action.defaultLanguage];
  return `✉ ${template?.subject ?? ''}`;
}
