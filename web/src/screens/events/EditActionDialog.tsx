import { Button, Group, Modal, Stack } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useChangeSubscription, type Subscription, type SubscriptionChange } from '../../api/events';
import { ErrorAlert } from '../../components/ErrorAlert';
import { ActionFields, type ActionDraft } from './ActionFields';

/** The action kinds whose settings the card edits (an e-mail's templates are edited with its preview). */
export type EditableAction = Exclude<Subscription['action'], { kind: 'email' }>;

export const isEditable = (action: Subscription['action']): action is EditableAction => action.kind !== 'email';

/** Changes a subscription's action in place — its address, task templates or connector — by `PATCH {action: {kind, …}}`. */
export function EditActionDialog({ id, action, onClose }: { id: string; action: EditableAction; onClose: () => void }) {
  const { t } = useTranslation();
  const change = useChangeSubscription();
  const phone = useMediaQuery('(max-width: 36em)') ?? false;
  const [draft, setDraft] = useState<ActionDraft>(action);
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
          <ActionFields draft={draft} onChange={setDraft} creating={false} />
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
