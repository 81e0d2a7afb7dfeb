import { Alert, Stack, Text } from '@mantine/core';
import { IconAlertTriangle } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';

/** The details worth a line of their own: which object, the HTTP status, what the system said. */
const SHOWN = ['object', 'status', 'reason'] as const;

/**
 * A connector's error as the test and the runs give it ({code, message, details}): what it means
 * in the reader's language, by its code and the system; then which object failed, the HTTP status
 * and the system's own message, each on its line; then the server's whole message with the code.
 */
export function RemoteError({ error, title, kind }: { error: { code: string; message: string; details?: Record<string, string | number | boolean> }; title?: string; kind: string }) {
  const { t, i18n } = useTranslation();
  // What the error means for this system (a Bitrix24 webhook is no 1C user), else for any.
  const key = [`sources.errorHints.${kind}.${error.code}`, `sources.errorHints.any.${error.code}`].find((k) => i18n.exists(k));
  const hint = key ? t(key as never) : null;
  const details = SHOWN.filter((name) => error.details?.[name] !== undefined && error.details[name] !== '');
  return (
    <Alert color="red" variant="light" radius="md" p="xs" title={title} icon={<IconAlertTriangle size={18} />} role="alert" data-error-code={error.code} data-testid="remote-error">
      <Stack gap={2}>
        {hint && (
          <Text size="sm" data-testid="remote-error-hint">
            {hint}
          </Text>
        )}
        {details.map((name) => (
          <Text key={name} size="xs" style={{ overflowWrap: 'anywhere' }} data-testid={`remote-error-${name}`}>
            <Text span size="xs" fw={600}>
              {t(`sources.errorDetails.${name}`, { system: t(`sources.systems.${kind}`, { defaultValue: kind }) })}:
            </Text>{' '}
            {String(error.details![name])}
          </Text>
        ))}
        <Text size="xs" c="dimmed" style={{ overflowWrap: 'anywhere' }}>
          {error.message} ({error.code})
        </Text>
      </Stack>
    </Alert>
  );
}
