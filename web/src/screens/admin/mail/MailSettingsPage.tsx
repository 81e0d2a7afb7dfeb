import { Badge, Button, Checkbox, Group, NumberInput, Paper, PasswordInput, SimpleGrid, Stack, Table, Text, TextInput, Textarea, Title } from '@mantine/core';
import { IconDeviceFloppy, IconSend } from '@tabler/icons-react';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useMailLog, useMailSettings, useSaveMailSettings, useTestMail, type MailLogEntry, type MailSettingsInput } from '../../../api/tasks';
import { ErrorAlert } from '../../../components/ErrorAlert';
import { PageHeader } from '../../../components/PageHeader';
import { useFormat } from '../../../i18n/format';

const EMPTY: MailSettingsInput = { host: '', port: 587, secure: false, user: null, from: '', replyTo: null, ratePerMinute: 60, publicUrl: typeof window === 'undefined' ? '' : window.location.origin };
const STATUS_COLORS: Record<MailLogEntry['status'], string> = { queued: 'blue', sent: 'teal', failed: 'red', skipped: 'gray' };

/** Administration → Mail: the SMTP server (its password kept encrypted), a test send, the send log. */
export function MailSettingsPage() {
  const { t, i18n } = useTranslation();
  const format = useFormat();
  const settings = useMailSettings();
  const save = useSaveMailSettings();
  const test = useTestMail();
  const log = useMailLog();
  const [form, setForm] = useState<MailSettingsInput>(EMPTY);
  const [password, setPassword] = useState('');
  const [to, setTo] = useState('');
  const [subject, setSubject] = useState('Segmenta');
  const [body, setBody] = useState('');
  useEffect(() => {
    if (settings.data) {
      const { passwordSet: _set, updatedAt: _at, ...rest } = settings.data;
      setForm(rest);
    }
  }, [settings.data]);
  const set = <K extends keyof MailSettingsInput>(key: K, value: MailSettingsInput[K]) => setForm((f) => ({ ...f, [key]: value }));
  const language = i18n.language.startsWith('en') ? 'en' : 'ru';
  return (
    <Stack gap="lg">
      <PageHeader title={t('mail.title')} description={t('mail.description')} />
      <Paper withBorder radius="md" p="lg">
        <form
          onSubmit={(event) => {
            event.preventDefault();
            save.mutate({ ...form, ...(password ? { password } : {}) }, { onSuccess: () => setPassword('') });
          }}
        >
          <Stack gap="sm">
            <Title order={4}>{t('mail.smtp')}</Title>
            <SimpleGrid cols={{ base: 1, sm: 2 }}>
              <TextInput required label={t('mail.host')} value={form.host} onChange={(e) => set('host', e.currentTarget.value)} data-testid="mail-host" />
              <NumberInput required label={t('mail.port')} min={1} max={65535} value={form.port} onChange={(v) => set('port', Number(v) || 587)} data-testid="mail-port" />
              <TextInput label={t('mail.user')} value={form.user ?? ''} onChange={(e) => set('user', e.currentTarget.value || null)} />
              <PasswordInput
                label={t('mail.password')}
                placeholder={settings.data?.passwordSet ? t('mail.passwordKept') : ''}
                value={password}
                onChange={(e) => setPassword(e.currentTarget.value)}
                autoComplete="new-password"
              />
              <TextInput required label={t('mail.from')} placeholder="Company <news@example.com>" value={form.from} onChange={(e) => set('from', e.currentTarget.value)} data-testid="mail-from" />
              <TextInput label={t('mail.replyTo')} value={form.replyTo ?? ''} onChange={(e) => set('replyTo', e.currentTarget.value || null)} />
              <NumberInput required label={t('mail.rate')} min={1} max={10000} value={form.ratePerMinute} onChange={(v) => set('ratePerMinute', Number(v) || 60)} />
              <TextInput
                required
                label={t('mail.publicUrl')}
                description={t('mail.publicUrlHint')}
                value={form.publicUrl}
                onChange={(e) => set('publicUrl', e.currentTarget.value)}
                data-testid="mail-public-url"
              />
            </SimpleGrid>
            <Checkbox label={t('mail.secure')} checked={form.secure} onChange={(e) => set('secure', e.currentTarget.checked)} />
            {save.error && <ErrorAlert error={save.error} />}
            <Group>
              <Button type="submit" leftSection={<IconDeviceFloppy size={16} />} loading={save.isPending} data-testid="mail-save">
                {t('mail.save')}
              </Button>
              {save.isSuccess && (
                <Text size="sm" c="teal">
                  {t('mail.saved')}
                </Text>
              )}
            </Group>
          </Stack>
        </form>
      </Paper>
      <Paper withBorder radius="md" p="lg">
        <form
          onSubmit={(event) => {
            event.preventDefault();
            test.mutate({ to, language, template: { subject, text: body || subject, html: `<p>${(body || subject).replace(/[&<>]/g, (c) => `&#${c.charCodeAt(0)};`)}</p>` } });
          }}
        >
          <Stack gap="sm">
            <Title order={4}>{t('mail.test')}</Title>
            <SimpleGrid cols={{ base: 1, sm: 2 }}>
              <TextInput required type="email" label={t('mail.to')} value={to} onChange={(e) => setTo(e.currentTarget.value)} />
              <TextInput required label={t('mail.subject')} value={subject} onChange={(e) => setSubject(e.currentTarget.value)} />
            </SimpleGrid>
            <Textarea label={t('mail.body')} value={body} onChange={(e) => setBody(e.currentTarget.value)} autosize minRows={2} />
            {test.error && <ErrorAlert error={test.error} />}
            <Group>
              <Button type="submit" variant="light" leftSection={<IconSend size={16} />} loading={test.isPending} disabled={!settings.data}>
                {t('mail.send')}
              </Button>
              {test.isSuccess && (
                <Text size="sm" c="teal">
                  {t('mail.sent', { response: test.data.response ?? '' })}
                </Text>
              )}
            </Group>
          </Stack>
        </form>
      </Paper>
      <Paper withBorder radius="md" p="lg">
        <Title order={4} mb="sm">
          {t('mail.log')}
        </Title>
        {log.error && <ErrorAlert error={log.error} />}
        <Table striped data-testid="mail-log">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('mail.logAt')}</Table.Th>
              <Table.Th>{t('mail.to')}</Table.Th>
              <Table.Th>{t('mail.subject')}</Table.Th>
              <Table.Th>{t('mail.status')}</Table.Th>
              <Table.Th>{t('mail.answer')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {(log.data?.items ?? []).map((entry) => (
              <Table.Tr key={entry.id}>
                <Table.Td>{format.dateTime(entry.updatedAt)}</Table.Td>
                <Table.Td>{entry.recipient ?? '—'}</Table.Td>
                <Table.Td>{entry.subject ?? '—'}</Table.Td>
                <Table.Td>
                  <Badge variant="light" color={STATUS_COLORS[entry.status]} tt="none">
                    {t(`mail.statuses.${entry.status}`)}
                  </Badge>
                </Table.Td>
                <Table.Td>
                  <Text size="xs" ff="monospace" style={{ overflowWrap: 'anywhere' }}>
                    {entry.error ?? entry.response ?? ''}
                  </Text>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Paper>
    </Stack>
  );
}
