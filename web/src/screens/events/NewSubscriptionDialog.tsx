import { Button, Checkbox, Group, Modal, MultiSelect, NumberInput, SegmentedControl, Select, Stack, Switch, Textarea, TextInput } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useCreateSubscription, type CreatedSubscription, type EventType } from '../../api/events';
import { useConnectors } from '../../api/connectors';
import { useSegments } from '../../api/segments';
import { ErrorAlert } from '../../components/ErrorAlert';
import { SecretOnce, typeKey } from './shared';

const TYPES: EventType[] = ['segment.member.entered', 'segment.member.left'];

/** Creates a subscription — a webhook (then shows its secret once) or a task in a CRM per entry. */
export function NewSubscriptionDialog({ onClose, segmentId }: { onClose: () => void; segmentId?: string }) {
  const { t } = useTranslation();
  const segments = useSegments({ archived: false });
  const create = useCreateSubscription();
  const [created, setCreated] = useState<CreatedSubscription | null>(null);
  const [form, setForm] = useState({ id: '', name: '', segmentIds: segmentId ? [segmentId] : [], eventTypes: TYPES, url: '', secret: '', skipFirstGeneration: false, batchSize: 100, enabled: true });
  const [kind, setKind] = useState<'webhook' | 'crm-task'>('webhook');
  const [task, setTask] = useState({ connectorId: '', title: 'Позвонить {partner} ({segment})', description: '', deadlineDays: 3 });
  // Connections are the administrator's: an analyst types the connection's id instead.
  const connectors = useConnectors();
  const crms = (connectors.data?.items ?? []).filter((c) => c.kind !== '1c').map((c) => ({ value: c.id, label: `${c.name} (${c.kind})` }));
  const stored = (segments.data?.items ?? []).filter((s) => s.method !== 'dynamic').map((s) => ({ value: s.id, label: s.name }));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const { secret, url, ...rest } = form;
    if (kind === 'crm-task') create.mutate({ ...rest, eventTypes: ['segment.member.entered'], action: { kind: 'crm-task', ...task } }, { onSuccess: onClose });
    else create.mutate({ ...rest, action: { kind: 'webhook', url, ...(secret ? { secret } : {}) } }, { onSuccess: setCreated });
  };
  return (
    <Modal opened onClose={onClose} title={created ? t('events.form.secretTitle') : t('events.form.title')} centered size="lg" styles={{ title: { fontWeight: 700 } }}>
      {created ? (
        <Stack gap="md">
          <SecretOnce secret={created.secret ?? ''} note={t('events.form.secretText')} />
          <Group justify="flex-end">
            <Button onClick={onClose} data-testid="subscription-done">
              {t('events.form.done')}
            </Button>
          </Group>
        </Stack>
      ) : (
        <form onSubmit={submit}>
          <Stack gap="sm">
            <Group grow align="flex-start">
              <TextInput
                required
                label={t('events.form.id')}
                description={t('events.form.idHint')}
                value={form.id}
                onChange={(e) => setForm({ ...form, id: e.currentTarget.value })}
                data-testid="subscription-id"
              />
              <TextInput required label={t('events.form.name')} value={form.name} onChange={(e) => setForm({ ...form, name: e.currentTarget.value })} data-testid="subscription-name" />
            </Group>
            <MultiSelect
              required
              searchable
              label={t('events.form.segments')}
              data={stored}
              value={form.segmentIds}
              onChange={(segmentIds) => setForm({ ...form, segmentIds })}
              data-testid="subscription-segments"
            />
            <SegmentedControl
              value={kind}
              onChange={(value) => setKind(value)}
              data={[
                { value: 'webhook', label: t('events.form.kindWebhook') },
                { value: 'crm-task', label: t('events.form.kindCrmTask') },
              ]}
              aria-label={t('events.form.actionKind')}
              data-testid="subscription-kind"
            />
            {kind === 'crm-task' ? (
              <>
                {crms.length ? (
                  <Select
                    required
                    label={t('events.form.connector')}
                    data={crms}
                    value={task.connectorId || null}
                    onChange={(value) => setTask({ ...task, connectorId: value ?? '' })}
                    comboboxProps={{ withinPortal: true }}
                    data-testid="subscription-connector"
                  />
                ) : (
                  <TextInput
                    required
                    label={t('events.form.connector')}
                    value={task.connectorId}
                    onChange={(e) => setTask({ ...task, connectorId: e.currentTarget.value })}
                    data-testid="subscription-connector"
                  />
                )}
                <TextInput
                  required
                  label={t('events.form.taskTitle')}
                  description={t('events.form.taskTitleHint')}
                  value={task.title}
                  onChange={(e) => setTask({ ...task, title: e.currentTarget.value })}
                  data-testid="subscription-task-title"
                />
                <Textarea label={t('events.form.taskDescription')} autosize minRows={2} value={task.description} onChange={(e) => setTask({ ...task, description: e.currentTarget.value })} />
                <NumberInput label={t('events.form.deadlineDays')} min={0} max={365} value={task.deadlineDays} onChange={(v) => setTask({ ...task, deadlineDays: Number(v) || 0 })} />
              </>
            ) : (
              <>
                <Checkbox.Group label={t('events.form.events')} value={form.eventTypes} onChange={(v) => setForm({ ...form, eventTypes: v })}>
                  <Group mt={6}>
                    {TYPES.map((type) => (
                      <Checkbox key={type} value={type} label={t(`events.types.${typeKey(type)}`)} />
                    ))}
                  </Group>
                </Checkbox.Group>
                <TextInput
                  required
                  type="url"
                  label={t('events.form.url')}
                  placeholder="https://"
                  value={form.url}
                  onChange={(e) => setForm({ ...form, url: e.currentTarget.value })}
                  data-testid="subscription-url"
                />
                <TextInput label={t('events.form.secret')} description={t('events.form.secretHint')} value={form.secret} onChange={(e) => setForm({ ...form, secret: e.currentTarget.value })} />
              </>
            )}
            <Group grow align="flex-end">
              <NumberInput label={t('events.form.batchSize')} min={1} max={1000} value={form.batchSize} onChange={(v) => setForm({ ...form, batchSize: Number(v) || 1 })} />
              <Stack gap={6}>
                <Switch label={t('events.form.skipFirst')} checked={form.skipFirstGeneration} onChange={(e) => setForm({ ...form, skipFirstGeneration: e.currentTarget.checked })} />
                <Switch label={t('events.form.enabled')} checked={form.enabled} onChange={(e) => setForm({ ...form, enabled: e.currentTarget.checked })} />
              </Stack>
            </Group>
            {create.error && <ErrorAlert error={create.error} />}
            <Group justify="flex-end" gap="xs">
              <Button variant="default" onClick={onClose}>
                {t('events.form.cancel')}
              </Button>
              <Button type="submit" loading={create.isPending} data-testid="subscription-save">
                {t('events.form.save')}
              </Button>
            </Group>
          </Stack>
        </form>
      )}
    </Modal>
  );
}
