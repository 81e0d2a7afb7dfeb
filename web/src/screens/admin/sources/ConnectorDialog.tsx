import { Button, Group, Modal, PasswordInput, SegmentedControl, Select, Stack, TextInput } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ONEC_PROFILES, useSaveConnector, type Connector } from '../../../api/connectors';
import { ErrorAlert } from '../../../components/ErrorAlert';
import { amoFormOf, amoReady, amoSettingsOf, AmoSettingsFields } from './AmoSettingsFields';
import { parseWebhook } from '../../../../../src/connectors/bitrix24/b24-webhook';
import { b24FormOf, b24Settings, Bitrix24Fields, type B24Form } from './Bitrix24Fields';
import { presetOf, PROFILE_KEYS, SCHEDULE_PRESETS, TIME_ZONES } from './schedules';

const text = (value: unknown, fallback = '') => (typeof value === 'string' ? value : fallback);

type Kind = '1c' | 'bitrix24' | 'amocrm';
const kindOf = (kind: string | undefined): Kind => (kind === 'bitrix24' || kind === 'amocrm' ? kind : '1c');

/** Add a 1C, Bitrix24 or amoCRM connection, or change one: the stored secret (password, webhook code, token) is never shown; an empty field keeps it. */
export function ConnectorDialog({ connector, onClose }: { connector: Connector | null; onClose: () => void }) {
  const { t } = useTranslation();
  const save = useSaveConnector(connector?.id ?? null);
  const [name, setName] = useState(connector?.name ?? '');
  const [url, setUrl] = useState(text(connector?.settings.url));
  const [user, setUser] = useState(text(connector?.settings.user));
  const [password, setPassword] = useState('');
  const [timezone, setTimezone] = useState(text(connector?.settings.timezone, 'Europe/Moscow'));
  const [profile, setProfile] = useState(text(connector?.settings.profile, 'ut11.5'));
  const [kind, setKind] = useState<Kind>(kindOf(connector?.kind));
  const [amo, setAmo] = useState(() => amoFormOf(connector?.settings));
  const [schedule, setSchedule] = useState<string | null>(connector ? connector.schedule : 'every 30 minutes');
  const [b24, setB24] = useState<B24Form>(() => b24FormOf(connector?.kind === 'bitrix24' ? connector.settings : undefined));
  const secretSet = connector?.secret.set === true;
  const hook = b24.webhook ? parseWebhook(b24.webhook) : null;
  const ready =
    name.trim() !== '' &&
    (kind === 'amocrm' ? amoReady(amo, secretSet) : kind === 'bitrix24' ? (b24.webhook === '' ? secretSet : hook !== null) : url.trim() !== '' && user.trim() !== '' && (secretSet || password !== ''));
  const scheduleKey = presetOf(schedule);
  const zones = TIME_ZONES.includes(timezone) ? TIME_ZONES : [timezone, ...TIME_ZONES];

  const submit = () =>
    kind === 'amocrm'
      ? save.mutate({ ...(connector ? {} : { kind }), name: name.trim(), settings: amoSettingsOf(amo), schedule, ...(amo.token !== '' ? { secret: amo.token } : {}) }, { onSuccess: onClose })
      : kind === 'bitrix24'
        ? save.mutate({ ...(connector ? {} : { kind }), name: name.trim(), settings: b24Settings(b24), schedule, ...(hook ? { secret: hook.code } : {}) }, { onSuccess: onClose })
        : save.mutate({ name: name.trim(), settings: { url: url.trim(), user: user.trim(), timezone, profile }, schedule, ...(password !== '' ? { secret: password } : {}) }, { onSuccess: onClose });

  return (
    <Modal
      opened
      onClose={onClose}
      title={connector ? t('sources.editTitle', { name: connector.name }) : t('sources.addTitle', { system: t(`sources.systems.${kind}`) })}
      centered
      size="lg"
      styles={{ title: { fontWeight: 700 } }}
    >
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (ready) submit();
        }}
      >
        <Stack gap="sm" data-testid="connector-form">
          {!connector && (
            <SegmentedControl
              value={kind}
              onChange={(value) => setKind(kindOf(value))}
              data={[
                { value: '1c', label: t('sources.kinds.onec') },
                { value: 'bitrix24', label: t('sources.kinds.bitrix24') },
                { value: 'amocrm', label: 'amoCRM' },
              ]}
              aria-label={t('sources.kind')}
              data-testid="connector-kind"
            />
          )}
          <TextInput
            label={t('sources.fields.name')}
            placeholder={t('sources.fields.namePlaceholder')}
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            required
            data-testid="connector-name"
          />
          {kind === 'amocrm' ? (
            <AmoSettingsFields form={amo} onChange={setAmo} secretSet={secretSet} />
          ) : kind === 'bitrix24' ? (
            <Bitrix24Fields form={b24} secretSet={secretSet} onChange={setB24} />
          ) : (
            <>
              <TextInput
                label={t('sources.fields.url')}
                description={t('sources.fields.urlHint')}
                placeholder="https://erp.example.ru/trade"
                value={url}
                onChange={(e) => setUrl(e.currentTarget.value)}
                required
                data-testid="connector-url"
              />
              <Group grow align="flex-start" gap="sm" wrap="wrap">
                <TextInput label={t('sources.fields.user')} value={user} onChange={(e) => setUser(e.currentTarget.value)} required autoComplete="off" miw={180} data-testid="connector-user" />
                <PasswordInput
                  label={t('sources.fields.password')}
                  placeholder={secretSet ? t('sources.fields.passwordKeep') : undefined}
                  description={secretSet ? t('sources.fields.passwordSet') : undefined}
                  value={password}
                  onChange={(e) => setPassword(e.currentTarget.value)}
                  required={!secretSet}
                  autoComplete="new-password"
                  miw={180}
                  data-testid="connector-password"
                />
              </Group>
              <Group grow align="flex-start" gap="sm" wrap="wrap">
                <Select
                  label={t('sources.fields.timezone')}
                  description={t('sources.fields.timezoneHint')}
                  data={zones}
                  value={timezone}
                  onChange={(value) => value && setTimezone(value)}
                  searchable
                  allowDeselect={false}
                  miw={180}
                  comboboxProps={{ withinPortal: true }}
                  data-testid="connector-timezone"
                />
                <Select
                  label={t('sources.fields.profile')}
                  data={ONEC_PROFILES.map((p) => ({ value: p, label: t(`sources.profiles.${PROFILE_KEYS[p]}`) }))}
                  value={profile}
                  onChange={(value) => value && setProfile(value)}
                  allowDeselect={false}
                  miw={180}
                  comboboxProps={{ withinPortal: true }}
                  data-testid="connector-profile"
                />
              </Group>
            </>
          )}
          <Select
            label={t('sources.fields.schedule')}
            data={[
              ...SCHEDULE_PRESETS.map((p) => ({ value: p.key, label: t(`sources.schedules.${p.key}`) })),
              ...(scheduleKey === 'custom' ? [{ value: 'custom', label: t('sources.schedules.custom', { value: schedule }) }] : []),
            ]}
            value={scheduleKey}
            onChange={(key) => {
              const preset = SCHEDULE_PRESETS.find((p) => p.key === key);
              if (preset) setSchedule(preset.value);
            }}
            allowDeselect={false}
            comboboxProps={{ withinPortal: true }}
            data-testid="connector-schedule"
          />
          {save.error && <ErrorAlert error={save.error} />}
          <Group justify="flex-end" gap="xs" mt="xs">
            <Button variant="default" onClick={onClose}>
              {t('admin.cancel')}
            </Button>
            <Button type="submit" disabled={!ready} loading={save.isPending} data-testid="connector-save">
              {connector ? t('admin.save') : t('sources.connect', { system: t(`sources.systems.${kind}`) })}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
