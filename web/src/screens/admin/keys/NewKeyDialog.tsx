import { Alert, Button, Code, CopyButton, Group, Modal, Stack, Text, TextInput } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { IconAlertTriangle, IconCheck, IconCopy, IconKey } from '@tabler/icons-react';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useCreateApiKey } from '../../../api/access';
import type { Role } from '../../../api/auth';
import { ErrorAlert } from '../../../components/ErrorAlert';
import { RoleFields } from '../shared';

/** The key just made, shown this once: copy it, with a warning that it cannot be seen again. */
function ShownOnce({ name, secret, onDone }: { name: string; secret: string; onDone: () => void }) {
  const { t } = useTranslation();
  return (
    <Stack gap="md" data-testid="key-created">
      <Alert color="orange" variant="light" icon={<IconAlertTriangle size={18} />}>
        {t('admin.keys.once')}
      </Alert>
      <Stack gap={6}>
        <Text size="sm" fw={600}>
          {name}
        </Text>
        <Group gap="xs" wrap="nowrap" align="stretch">
          <Code block style={{ flex: 1, minWidth: 0, overflowWrap: 'anywhere', whiteSpace: 'pre-wrap', fontSize: 13 }} data-testid="key-secret">
            {secret}
          </Code>
          <CopyButton value={secret} timeout={2500}>
            {({ copied, copy }) => (
              <Button
                variant={copied ? 'light' : 'default'}
                color={copied ? 'teal' : undefined}
                leftSection={copied ? <IconCheck size={16} /> : <IconCopy size={16} />}
                onClick={copy}
                h="auto"
                data-testid="key-copy"
              >
                {copied ? t('admin.keys.copied') : t('admin.keys.copy')}
              </Button>
            )}
          </CopyButton>
        </Group>
      </Stack>
      <Group justify="flex-end">
        <Button onClick={onDone} data-testid="key-done">
          {t('admin.keys.done')}
        </Button>
      </Group>
    </Stack>
  );
}

/** Makes an API key (name, role, managers), then shows it once. */
export function NewKeyDialog({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const phone = useMediaQuery('(max-width: 36em)') ?? false;
  const create = useCreateApiKey();
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('analyst');
  const [managerIds, setManagerIds] = useState<string[]>([]);
  const made = create.data;
  const canSave = name.trim() !== '' && (role !== 'manager' || managerIds.length > 0);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!canSave || create.isPending) return;
    create.mutate({ name: name.trim(), role, managerIds: role === 'manager' ? managerIds : [] });
  };

  return (
    <Modal
      opened={opened}
      onClose={onClose}
      title={
        <Group gap={8}>
          <IconKey size={18} />
          {made ? t('admin.keys.createdTitle') : t('admin.keys.createTitle')}
        </Group>
      }
      size="lg"
      fullScreen={phone}
      centered={!phone}
      // Once the key is shown, closing by a stray click outside would lose it.
      closeOnClickOutside={!made}
      styles={{ title: { fontWeight: 700, fontSize: 'var(--mantine-font-size-lg)' } }}
    >
      {made ? (
        <ShownOnce name={made.name} secret={made.key} onDone={onClose} />
      ) : (
        <form onSubmit={submit} noValidate data-testid="key-form">
          <Stack gap="md">
            <TextInput
              label={t('admin.keys.fields.name')}
              placeholder={t('admin.keys.fields.namePlaceholder')}
              value={name}
              onChange={(e) => setName(e.currentTarget.value)}
              required
              data-autofocus
              data-testid="key-name"
            />
            <RoleFields role={role} managerIds={managerIds} onRole={setRole} onManagers={setManagerIds} testId="key" />
            {create.error && <ErrorAlert error={create.error} />}
            <Group justify="flex-end" gap="xs" mt="xs">
              <Button variant="default" onClick={onClose}>
                {t('admin.cancel')}
              </Button>
              <Button type="submit" leftSection={<IconKey size={16} />} loading={create.isPending} disabled={!canSave} data-testid="key-save">
                {t('admin.keys.create')}
              </Button>
            </Group>
          </Stack>
        </form>
      )}
    </Modal>
  );
}
