import { Button, Group, Modal, NumberInput, SimpleGrid, Stack, Switch, TextInput, Textarea } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useChangeSubscription, type Subscription, type SubscriptionChange } from '../../api/events';
import { ErrorAlert } from '../../components/ErrorAlert';
import { ConnectorPicker } from './shared';

/** The action kinds whose settings the card edits (an e-mail's templates are edited with its preview). */
export type EditableAction = Exclude<Subscription['action'], { kind: 'email' }>;

export const isEditable = (action: Subscription['action']): action is EditableAction => action.kind !== 'email';

/** Changes a subscription's action in place — its address, task templates or connector — by `PATCH {action: {kind, …}}`. */
export function EditActionDialog({ id, action, onClose }: { id: string; action: EditableAction; onClose: () => void }) {
  const { t } = useTranslation();
  const change = useChangeSubscription();
  const phone = useMediaQuery('(max-width: 36em)') ?? false;
  const [draft, setDraft] = useState<EditableAction>(action);
  const set = (fields: Partial<EditableAction>) => setDraft({ ...draft, ...fields } as EditableAction);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const next: SubscriptionChange['action'] =
      draft.kind === 'webhook'
        ? { kind: 'webhook', url: draft.url }
        : draft.kind === 'crm-task'
          ? { kind: 'crm-task', title: draft.title, description: draft.description, deadlineDays: draft.deadlineDays }
          : draft.kind === 'connector-publish'
            ? { kind: 'connector-publish', connectorId: draft.connectorId }
            : { kind: 'segmenta-task', title: draft.title, description: draft.description, dueInDays: draft.dueInDays, autoClose: draft.autoClose };
    change.mutate({ id, change: { action: next } }, { onSuccess: onClose });
  };
  return (
    <Modal opened onClose={onClose} title={t('events.edit.title')} centered size="lg" fullScreen={phone} styles={{ title: { fontWeight: 700 } }}>
      <form onSubmit={submit}>
        <Stack gap="sm">
          {draft.kind === 'webhook' && <TextInput required type="url" label={t('events.form.url')} value={draft.url} onChange={(e) => set({ url: e.currentTarget.value })} data-testid="edit-url" />}
          {draft.kind === 'connector-publish' && (
            <ConnectorPicker
              crmOnly={false}
              label={t('events.form.publishConnector')}
              description={t('events.form.publishHint')}
              value={draft.connectorId}
              onChange={(connectorId) => set({ connectorId })}
            />
          )}
          {(draft.kind === 'crm-task' || draft.kind === 'segmenta-task') && (
            <>
              <TextInput
                required
                label={t('events.form.taskTitle')}
                description={t('events.form.templateHint')}
                value={draft.title}
                onChange={(e) => set({ title: e.currentTarget.value })}
                data-testid="edit-title"
              />
              <Textarea label={t('events.form.taskDescription')} autosize minRows={2} value={draft.description} onChange={(e) => set({ description: e.currentTarget.value })} />
            </>
          )}
          {draft.kind === 'crm-task' && <NumberInput label={t('events.form.deadlineDays')} min={0} max={365} value={draft.deadlineDays} onChange={(v) => set({ deadlineDays: Number(v) || 0 })} />}
          {draft.kind === 'segmenta-task' && (
            <SimpleGrid cols={{ base: 1, xs: 2 }} spacing="sm" style={{ alignItems: 'end' }}>
              <NumberInput label={t('events.form.dueInDays')} min={0} max={365} value={draft.dueInDays} onChange={(v) => set({ dueInDays: Number(v) || 0 })} />
              <Switch label={t('events.form.autoClose')} checked={draft.autoClose} onChange={(e) => set({ autoClose: e.currentTarget.checked })} />
            </SimpleGrid>
          )}
          {change.error && <ErrorAlert error={change.error} />}
          <Group justify="flex-end" gap="xs">
            <Button variant="default" onClick={onClose}>
              {t('events.form.cancel')}
            </Button>
            <Button type="submit" loading={change.isPending} data-testid="edit-save">
              {t('events.edit.save')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
