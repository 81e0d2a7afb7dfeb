import { Button, Checkbox, Chip, Group, Modal, MultiSelect, NumberInput, SimpleGrid, Stack, Switch, Text, TextInput, Textarea } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useCreateSubscription, type CreatedSubscription, type EventType, type NewSubscription } from '../../api/events';
import { useSegments } from '../../api/segments';
import { ErrorAlert } from '../../components/ErrorAlert';
import { ActionFields, type ActionDraft } from './ActionFields';
import { SecretOnce, typeKey } from './shared';

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
/** Every kind's draft, by its kind. */
type Drafts = { [K in ActionDraft['kind']]: Extract<ActionDraft, { kind: K }> };
const NEW_DRAFTS: Drafts = {
  webhook: { kind: 'webhook', url: '', secret: '' },
  'crm-task': { kind: 'crm-task', connectorId: '', title: 'Позвонить {partner} ({segment})', description: '', deadlineDays: 3 },
  // Connections are the administrator's: an analyst types the connection's id instead (ConnectorPicker).
  'connector-publish': { kind: 'connector-publish', connectorId: '' },
  'segmenta-task': { kind: 'segmenta-task', title: '', description: '', dueInDays: 3, autoClose: true },
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
  // Each kind keeps what was typed for it while another kind is tried.
  const [drafts, setDrafts] = useState<Drafts>(NEW_DRAFTS);
  const [mail, setMail] = useState({ subject: '', text: '' });
  const [form, setForm] = useState({ id: '', name: '', segmentIds: segmentId ? [segmentId] : [], eventTypes: TYPES, skipFirstGeneration: false, batchSize: 100, enabled: true });
  const stored = (segments.data?.items ?? []).filter((s) => s.method !== 'dynamic').map((s) => ({ value: s.id, label: s.name }));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const language = i18n.language.startsWith('en') ? 'en' : 'ru';
    const { secret, ...webhook } = drafts.webhook;
    const action: NewSubscription['action'] =
      kind === 'webhook'
        ? { ...webhook, ...(secret ? { secret } : {}) }
        : kind !== 'email'
          ? drafts[kind]
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
    create.mutate({ ...form, action }, { onSuccess: (made) => (kind === 'webhook' ? setCreated(made) : onClose()) });
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
            {kind !== 'email' && <ActionFields draft={drafts[kind]} onChange={(draft) => setDrafts({ ...drafts, [draft.kind]: draft })} creating />}
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
