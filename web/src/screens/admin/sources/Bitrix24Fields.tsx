import { Group, Select, TextInput } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { parseWebhook } from '../../../../../src/connectors/bitrix24/b24-webhook';

/** The settings of a Bitrix24 connection the dialog edits; the webhook's code is its secret. */
export interface B24Form {
  /** The whole webhook address as pasted (empty: keep the stored one). */
  webhook: string;
  url: string;
  user: string;
  matchField: string;
  matchTo: 'property' | 'id';
  matchProperty: string;
}

/** The connection's settings from the form (match null when no field is given). */
export function b24Settings(form: B24Form): Record<string, unknown> {
  const parsed = form.webhook ? parseWebhook(form.webhook) : null;
  const field = form.matchField.trim();
  return {
    url: parsed?.url ?? form.url,
    user: parsed?.user ?? form.user,
    match: field ? { field, to: form.matchTo, ...(form.matchTo === 'property' ? { property: form.matchProperty.trim() || 'inn' } : {}) } : null,
  };
}

export function b24FormOf(settings: Record<string, unknown> | undefined): B24Form {
  const raw: unknown = settings?.match;
  const match: { field?: string; to?: 'property' | 'id'; property?: string } | null = raw && typeof raw === 'object' ? raw : null;
  return {
    webhook: '',
    url: typeof settings?.url === 'string' ? settings.url : '',
    user: typeof settings?.user === 'string' ? settings.user : '',
    matchField: match?.field ?? '',
    matchTo: match?.to ?? 'property',
    matchProperty: match?.property ?? 'inn',
  };
}

/** The Bitrix24 part of the connection dialog: the webhook's address and the matching to 1C. */
export function Bitrix24Fields({ form, secretSet, onChange }: { form: B24Form; secretSet: boolean; onChange: (next: B24Form) => void }) {
  const { t } = useTranslation();
  const invalid = form.webhook !== '' && parseWebhook(form.webhook) === null;
  return (
    <>
      <TextInput
        label={t('sources.b24.webhook')}
        description={secretSet ? t('sources.b24.webhookKeep') : t('sources.b24.webhookHint')}
        placeholder={secretSet ? `${form.url}/rest/${form.user}/••••••/` : 'https://example.bitrix24.ru/rest/1/k7x2abcd1234efgh/'}
        value={form.webhook}
        onChange={(e) => onChange({ ...form, webhook: e.currentTarget.value })}
        error={invalid ? t('sources.b24.webhookInvalid') : undefined}
        required={!secretSet}
        autoComplete="off"
        data-testid="b24-webhook"
      />
      <Group grow align="flex-start" gap="sm" wrap="wrap">
        <TextInput
          label={t('sources.b24.matchField')}
          description={t('sources.b24.matchFieldHint')}
          value={form.matchField}
          onChange={(e) => onChange({ ...form, matchField: e.currentTarget.value.toUpperCase() })}
          miw={180}
          data-testid="b24-match-field"
        />
        <Select
          label={t('sources.b24.matchTo')}
          data={[
            { value: 'property', label: t('sources.b24.matchToProperty') },
            { value: 'id', label: t('sources.b24.matchToId') },
          ]}
          value={form.matchTo}
          onChange={(value) => value && onChange({ ...form, matchTo: value })}
          allowDeselect={false}
          disabled={form.matchField.trim() === ''}
          miw={180}
          comboboxProps={{ withinPortal: true }}
          data-testid="b24-match-to"
        />
      </Group>
      {form.matchField.trim() !== '' && form.matchTo === 'property' && (
        <TextInput label={t('sources.b24.matchProperty')} value={form.matchProperty} onChange={(e) => onChange({ ...form, matchProperty: e.currentTarget.value })} data-testid="b24-match-property" />
      )}
    </>
  );
}
