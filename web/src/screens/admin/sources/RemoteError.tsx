import { Alert, Stack, Text } from '@mantine/core';
import { IconAlertTriangle } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';

/**
 * A connector's error as the test and the runs give it ({code, message}, without the details a
 * translation would be filled from): what it means in the reader's language, by its code, then
 * the server's own words, which name the object and the address.
 */
export function RemoteError({ error, title }: { error: { code: string; message: string }; title?: string }) {
  const { t, i18n } = useTranslation();
  const key = `sources.errorHints.${error.code}`;
  const hint = i18n.exists(key) ? t(key as never) : null;
  return (
    <Alert color="red" variant="light" radius="md" p="xs" title={title} icon={<IconAlertTriangle size={18} />} role="alert" data-error-code={error.code} data-testid="remote-error">
      <Stack gap={2}>
        {hint && (
          <Text size="sm" data-testid="remote-error-hint">
            {hint}
          </Text>
        )}
        <Text size="xs" c="dimmed" style={{ overflowWrap: 'anywhere' }}>
          {error.message} ({error.code})
        </Text>
      </Stack>
    </Alert>
  );
}
