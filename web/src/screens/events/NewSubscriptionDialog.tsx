import { Button, Checkbox, Chip, Group, Modal, MultiSelect, NumberInput, SimpleGrid, Stack, Switch, Text, TextInput, Textarea } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useCreateSubscription, type CreatedSubscription, type EventType, type NewSubscription } from '../../api/events';
import { useSegments } from '../../api/segments';
import { ErrorAlert } from '../../components/ErrorAlert';
import { ConnectorPicker, SecretOnce, typeKey } from './shared';

const TYPES: EventType[] = ['segment.member.entered', 'segment.member.left'];

type Kind = NewSubscription['action']['kind'];
const KINDS: Kind[] = ['webhook', 'crm-task', 'connector-publish', 'segmenta-task', 'email'];
/** The locale key of each kind (keys hold no dashes). */
const KIND_KEYS: Record<Kind, 'webhook' | 'crmTask' | 'publish' | 'task' | 'email'> = {
  webhook: 'webhook',
  'crm-task': 'crmTask',
  'connector-publish': 'publish',
  'segmenta-task': 'task',
  email: 'email',
};
const escapeHtml = (text: string) => text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);

/** Creates a subscription — a webhook (then shows its secret once), a task in a CRM or in Segmenta per entry, publishing through a connector, or an e-mail. */
export function NewSubscriptionDialog({ onClose, segmentId }: { onClose: () => void; segmentId?: string }) {
  const { t } = useTranslation();
  const phone = useMediaQuery('(max-width: 36em)') ?? false;
  const segments = useSegments({ archived: false });
  const create = useCreateSubscription();
  const [created, setCreated] = useState<CreatedSubscription | null>(null);
  const { i18n } = useTranslation();
  const [kind, setKind] = useState<Kind>('webhook');
  const [task, setTask] = useState({ title: '', description: '', dueInDays: 3, autoClose: true });
  const [crmTask, setCrmTask] = useState({ connectorId: '', title: 'Позвонить {partner} ({segment})', description: '', deadlineDays: 3 });
  const [mail, setMail] = useState({ subject: '', text: '' });
  // Connections are the administrator's: an analyst types the connection's id instead (ConnectorPicker).
  const [publishTo, setPublishTo] = useState('');
  const [form, setForm] = useState({ id: '', name: '', segmentIds: segmentId ? [segmentId] : [], eventTypes: TYPES, url: '', secret: '', skipFirstGeneration: false, batchSize: 100, enabled: true });
  const stored = (segments.data?.items ?? []).filter((s) => s.method !== 'dynamic').map((s) => ({ value: s.id, label: s.name }));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const { secret, url, ...rest } = form;
    const language = i18n.language.startsWith('en') ? 'en' : 'ru';
    const action: NewSubscription['action'] =
      kind === 'webhook'
        ? { kind, url, ...(secret ? { secret } : {}) }
        : kind === 'crm-task'
          ? { kind, ...crmTask }
          : kind === 'connector-publish'
            ? { kind, connectorId: publishTo }
            : kind === 'segmenta-task'
              ? { kind, ...task }
              : {
                  kind,
                  defaultLanguage: language,
                  templates: {
                    [language]: {
                      subject: mail.subject,
                      text: mail.text,
                      html: mail.text
                        .split(/\n{2,}/)
                        .map((p) => `<p>${escapeHtml(p).replace(/\n/g, '<br>')}</p>`)
                        .join('\n'),
                    },
                  },
                };
    // Only a webhook has a secret to show: the others are done when made.
    create.mutate({ ...rest, action }, { onSuccess: (made) => (kind === 'webhook' ? setCreated(made) : onClose()) });
  };
  return (
    <Modal opened onClose={onClose} title={created ? t('events.form.secretTitle') : t('events.form.title')} centered size="lg" fullScreen={phone} styles={{ title: { fontWeight: 700 } }}>
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
            <SimpleGrid cols={{ base: 1, xs: 2 }} spacing="sm" style={{ alignItems: 'end' }}>
              <TextInput
                required
                label={t('events.form.id')}
                description={t('events.form.idHint')}
                value={form.id}
                onChange={(e) => setForm({ ...form, id: e.currentTarget.value })}
                data-testid="subscription-id"
              />
              <TextInput required label={t('events.form.name')} value={form.name} onChange={(e) => setForm({ ...form, name: e.currentTarget.value })} data-testid="subscription-name" />
            </SimpleGrid>
            <MultiSelect
              required
              searchable
              label={t('events.form.segments')}
              data={stored}
              value={form.segmentIds}
              onChange={(segmentIds) => setForm({ ...form, segmentIds })}
              data-testid="subscription-segments"
            />
            <Checkbox.Group label={t('events.form.events')} value={form.eventTypes} onChange={(v) => setForm({ ...form, eventTypes: v })}>
              <Group mt={6}>
                {TYPES.map((type) => (
                  <Checkbox key={type} value={type} label={t(`events.types.${typeKey(type)}`)} />
                ))}
              </Group>
            </Checkbox.Group>
            <Chip.Group multiple={false} value={kind} onChange={(v) => setKind(v)}>
              <Stack gap={6}>
                <Text size="sm" fw={500}>
                  {t('events.form.actionKind')}
                </Text>
                <Group gap="xs" data-testid="subscription-kind">
                  {KINDS.map((k) => (
                    <Chip key={k} value={k} radius="sm">
                      {t(`events.form.kinds.${KIND_KEYS[k]}`)}
                    </Chip>
                  ))}
                </Group>
              </Stack>
            </Chip.Group>
            {kind === 'webhook' && (
              <>
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
            {kind === 'crm-task' && (
              <>
                <ConnectorPicker crmOnly label={t('events.form.connector')} value={crmTask.connectorId} onChange={(connectorId) => setCrmTask({ ...crmTask, connectorId })} />
                <TextInput
                  required
                  label={t('events.form.taskTitle')}
                  description={t('events.form.taskTitleHint')}
                  value={crmTask.title}
                  onChange={(e) => setCrmTask({ ...crmTask, title: e.currentTarget.value })}
                  data-testid="subscription-crm-task-title"
                />
                <Textarea label={t('events.form.taskDescription')} autosize minRows={2} value={crmTask.description} onChange={(e) => setCrmTask({ ...crmTask, description: e.currentTarget.value })} />
                <NumberInput label={t('events.form.deadlineDays')} min={0} max={365} value={crmTask.deadlineDays} onChange={(v) => setCrmTask({ ...crmTask, deadlineDays: Number(v) || 0 })} />
              </>
            )}
            {kind === 'connector-publish' && (
              <ConnectorPicker crmOnly={false} label={t('events.form.publishConnector')} description={t('events.form.publishHint')} value={publishTo} onChange={setPublishTo} />
            )}
            {kind === 'segmenta-task' && (
              <>
                <TextInput
                  required
                  label={t('events.form.taskTitle')}
                  description={t('events.form.templateHint')}
                  value={task.title}
                  onChange={(e) => setTask({ ...task, title: e.currentTarget.value })}
                  data-testid="subscription-task-title"
                />
                <Textarea label={t('events.form.taskDescription')} autosize minRows={2} value={task.description} onChange={(e) => setTask({ ...task, description: e.currentTarget.value })} />
                <Group grow align="flex-end">
                  <NumberInput label={t('events.form.dueInDays')} min={0} max={365} value={task.dueInDays} onChange={(v) => setTask({ ...task, dueInDays: Number(v) || 0 })} />
                  <Switch label={t('events.form.autoClose')} checked={task.autoClose} onChange={(e) => setTask({ ...task, autoClose: e.currentTarget.checked })} />
                </Group>
              </>
            )}
            {kind === 'email' && (
              <>
                <TextInput required label={t('mail.subject')} description={t('events.form.templateHint')} value={mail.subject} onChange={(e) => setMail({ ...mail, subject: e.currentTarget.value })} />
                <Textarea required label={t('mail.body')} autosize minRows={4} value={mail.text} onChange={(e) => setMail({ ...mail, text: e.currentTarget.value })} />
              </>
            )}
            <SimpleGrid cols={{ base: 1, xs: 2 }} spacing="sm">
              <NumberInput label={t('events.form.batchSize')} min={1} max={1000} value={form.batchSize} onChange={(v) => setForm({ ...form, batchSize: Number(v) || 1 })} />
              <Stack gap={6}>
                <Switch label={t('events.form.skipFirst')} checked={form.skipFirstGeneration} onChange={(e) => setForm({ ...form, skipFirstGeneration: e.currentTarget.checked })} />
                <Switch label={t('events.form.enabled')} checked={form.enabled} onChange={(e) => setForm({ ...form, enabled: e.currentTarget.checked })} />
              </Stack>
            </SimpleGrid>
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
