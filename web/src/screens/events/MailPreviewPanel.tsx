import { Alert, Button, Group, Paper, Stack, Text, TextInput, Title } from '@mantine/core';
import { IconEye } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { usePreviewMail } from '../../api/tasks';
import { ErrorAlert } from '../../components/ErrorAlert';

/** An e-mail subscription's template filled with a chosen partner's values, as they would get it. */
export function MailPreviewPanel({ subscriptionId }: { subscriptionId: string }) {
  const { t } = useTranslation();
  const preview = usePreviewMail();
  const [partnerId, setPartnerId] = useState('');
  return (
    <Paper withBorder radius="md" p="lg" data-testid="mail-preview">
      <Stack gap="sm">
        <Title order={4}>{t('mail.preview')}</Title>
        <form
          onSubmit={(event) => {
            event.preventDefault();
            preview.mutate({ subscriptionId, partnerId: partnerId.trim() });
          }}
        >
          <Group gap="xs" align="flex-end">
            <TextInput required label={t('mail.partnerId')} value={partnerId} onChange={(e) => setPartnerId(e.currentTarget.value)} data-testid="mail-preview-partner" />
            <Button type="submit" variant="light" leftSection={<IconEye size={16} />} loading={preview.isPending}>
              {t('mail.show')}
            </Button>
          </Group>
        </form>
        {preview.error && <ErrorAlert error={preview.error} />}
        {preview.data && (
          <Stack gap={4}>
            {preview.data.skipped && (
              <Alert color="orange" variant="light">
                {t('mail.wouldSkip', { reason: preview.data.skipped })}
              </Alert>
            )}
            <Text size="sm">
              <b>{t('mail.to')}:</b> {preview.data.recipient ?? '—'} ({preview.data.language})
            </Text>
            <Text size="sm" data-testid="mail-preview-subject">
              <b>{t('mail.subject')}:</b> {preview.data.subject}
            </Text>
            <Text size="sm" style={{ whiteSpace: 'pre-wrap' }} ff="monospace">
              {preview.data.text}
            </Text>
          </Stack>
        )}
      </Stack>
    </Paper>
  );
}
