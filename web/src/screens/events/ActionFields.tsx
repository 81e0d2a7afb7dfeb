import { NumberInput, SimpleGrid, Switch, TextInput, Textarea } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { NewSubscription } from '../../api/events';
import { ConnectorPicker } from './shared';

/** An action's settings as the dialogs edit them, of every kind but e-mail (its templates are edited with their preview). */
export type ActionDraft = Exclude<NewSubscription['action'], { kind: 'email' }>;

/**
 * The fields of an action's settings, for a new subscription and for changing one's action.
 * A new one also takes a webhook's secret and a CRM task's connection; once made, those stay.
 */
export function ActionFields({ draft, onChange, creating }: { draft: ActionDraft; onChange: (draft: ActionDraft) => void; creating: boolean }) {
  const { t } = useTranslation();
  const set = (fields: Partial<ActionDraft>) => onChange({ ...draft, ...fields } as ActionDraft);
  const testId = (name: string) => `${creating ? 'subscription' : 'edit'}-${name}`;
  switch (draft.kind) {
    case 'webhook':
      return (
        <>
          <TextInput required type="url" label={t('events.form.url')} placeholder="https://" value={draft.url} onChange={(e) => set({ url: e.currentTarget.value })} data-testid={testId('url')} />
          {creating && <TextInput label={t('events.form.secret')} description={t('events.form.secretHint')} value={draft.secret ?? ''} onChange={(e) => set({ secret: e.currentTarget.value })} />}
        </>
      );
    case 'connector-publish':
      return (
        <ConnectorPicker
          crmOnly={false}
          label={t('events.form.publishConnector')}
          description={t('events.form.publishHint')}
          value={draft.connectorId}
          onChange={(connectorId) => set({ connectorId })}
        />
      );
    case 'crm-task':
    case 'segmenta-task': {
      const crm = draft.kind === 'crm-task';
      return (
        <>
          {crm && creating && <ConnectorPicker crmOnly label={t('events.form.connector')} value={draft.connectorId} onChange={(connectorId) => set({ connectorId })} />}
          <TextInput
            required
            label={t('events.form.taskTitle')}
            description={t(crm ? 'events.form.taskTitleHint' : 'events.form.templateHint')}
            value={draft.title}
            onChange={(e) => set({ title: e.currentTarget.value })}
            data-testid={testId(crm ? 'crm-task-title' : 'task-title')}
          />
          <Textarea label={t('events.form.taskDescription')} autosize minRows={2} value={draft.description} onChange={(e) => set({ description: e.currentTarget.value })} />
          {draft.kind === 'crm-task' ? (
            <NumberInput label={t('events.form.deadlineDays')} min={0} max={365} value={draft.deadlineDays} onChange={(v) => set({ deadlineDays: Number(v) || 0 })} />
          ) : (
            <SimpleGrid cols={{ base: 1, xs: 2 }} spacing="sm" style={{ alignItems: 'end' }}>
              <NumberInput label={t('events.form.dueInDays')} min={0} max={365} value={draft.dueInDays} onChange={(v) => set({ dueInDays: Number(v) || 0 })} />
              <Switch label={t('events.form.autoClose')} checked={draft.autoClose} onChange={(e) => set({ autoClose: e.currentTarget.checked })} />
            </SimpleGrid>
          )}
        </>
      );
    }
  }
}
