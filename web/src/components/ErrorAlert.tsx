import { Alert, Button, Group, Text } from '@mantine/core';
import { IconAlertTriangle, IconRefresh } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { ApiError, isRetryable } from '../api/client';
import { errorMessage } from '../i18n/errors';

interface ErrorAlertProps {
  error: unknown;
  /** Offer "Try again" (e.g. a query's refetch) when a retry can help: not for a 4xx answer. */
  onRetry?: () => void;
}

/**
 * An API error, translated by its code. The code is for support: shown only when the UI has no
 * words for it or the server failed (5xx); a manager reads the message, not SEGMENT_EXISTS.
 */
export function ErrorAlert({ error, onRetry }: ErrorAlertProps) {
  const { t, i18n } = useTranslation();
  const { code, message } = errorMessage(i18n, error);
  const showCode = !i18n.exists(`errors.codes.${code}`) || (error instanceof ApiError && error.status >= 500);
  return (
    <Alert color="red" variant="light" radius="md" title={t('errors.title')} icon={<IconAlertTriangle size={20} />} role="alert" data-error-code={code}>
      <Text size="sm">{message}</Text>
      <Group justify="space-between" mt="xs" gap="xs">
        <Text size="xs" c="dimmed">
          {showCode ? t('errors.code', { code }) : null}
        </Text>
        {onRetry && isRetryable(error) && (
          <Button size="compact-sm" variant="subtle" color="red" leftSection={<IconRefresh size={14} />} onClick={onRetry}>
            {t('errors.retry')}
          </Button>
        )}
      </Group>
    </Alert>
  );
}
