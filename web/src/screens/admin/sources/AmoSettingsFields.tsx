import { Group, PasswordInput, Select, TextInput } from '@mantine/core';
import { useTranslation } from 'react-i18next';

/** amoCRM's settings as the form holds them (docs/connectors-amocrm.md). */
export interface AmoForm {
  url: string;
  match: 'none' | 'inn' | 'id';
  matchField: string;
  matchProperty: string;
  token: string;
}

const text = (value: unknown, fallback = '') => (typeof value === 'string' ? value : fallback);

export function amoFormOf(settings: Record<string, unknown> | undefined): AmoForm {
  const match = settings?.match;
  return {
    url: text(settings?.url),
    match: match === 'inn' || match === 'id' ? match : 'none',
    matchField: text(settings?.matchField),
    matchProperty: text(settings?.matchProperty, 'ИНН'),
    token: '',
  };
}

/** The settings the API takes (the token goes apart, as the secret). */
export function amoSettingsOf(form: AmoForm): Record<string, unknown> {
  return { url: form.url.trim(), match: form.match, matchField: form.match === 'none' ? null : form.matchField.trim() || null, matchProperty: form.matchProperty.trim() || 'ИНН' };
}

export const amoReady = (form: AmoForm, secretSet: boolean): boolean => form.url.trim() !== '' && (secretSet || form.token !== '') && (form.match === 'none' || form.matchField.trim() !== '');

/** amoCRM's fields of the connection dialog: the account, the long-lived token, how companies find 1C's partners. */
export function AmoSettingsFields({ form, onChange, secretSet }: { form: AmoForm; onChange: (form: AmoForm) => void; secretSet: boolean }) {
  const { t } = useTranslation();
  const set = (patch: Partial<AmoForm>) => onChange({ ...form, ...patch });
  return (
    <>
      <TextInput
        label={t('sources.amo.url')}
        description={t('sources.amo.urlHint')}
        placeholder="https://example.amocrm.ru"
        value={form.url}
        onChange={(e) => set({ url: e.currentTarget.value })}
        required
        data-testid="connector-url"
      />
      <PasswordInput
        label={t('sources.amo.token')}
        description={secretSet ? t('sources.amo.tokenSet') : t('sources.amo.tokenHint')}
        placeholder={secretSet ? t('sources.fields.passwordKeep') : undefined}
        value={form.token}
        onChange={(e) => set({ token: e.currentTarget.value })}
        required={!secretSet}
        autoComplete="new-password"
        data-testid="connector-password"
      />
      <Select
        label={t('sources.amo.match')}
        description={t('sources.amo.matchHint')}
        data={(['none', 'inn', 'id'] as const).map((m) => ({ value: m, label: t(`sources.amo.matchBy.${m}`) }))}
        value={form.match}
        onChange={(value) => value && set({ match: value })}
        allowDeselect={false}
        comboboxProps={{ withinPortal: true }}
        data-testid="connector-match"
      />
      {form.match !== 'none' && (
        <Group grow align="flex-start" gap="sm" wrap="wrap">
          <TextInput
            label={t('sources.amo.matchField')}
            description={t('sources.amo.matchFieldHint')}
            value={form.matchField}
            onChange={(e) => set({ matchField: e.currentTarget.value })}
            required
            miw={180}
            data-testid="connector-match-field"
          />
          {form.match === 'inn' && (
            <TextInput
              label={t('sources.amo.matchProperty')}
              description={t('sources.amo.matchPropertyHint')}
              value={form.matchProperty}
              onChange={(e) => set({ matchProperty: e.currentTarget.value })}
              miw={180}
              data-testid="connector-match-property"
            />
          )}
        </Group>
      )}
    </>
  );
}
