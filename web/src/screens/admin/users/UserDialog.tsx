import { ActionIcon, Alert, Button, Group, Modal, PasswordInput, Stack, Switch, Text, TextInput, Tooltip } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { IconDeviceFloppy, IconDice5, IconInfoCircle } from '@tabler/icons-react';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useChangeUser, useCreateUser, type UserChange, type UserInfo } from '../../../api/access';
import type { Role } from '../../../api/auth';
import { ErrorAlert } from '../../../components/ErrorAlert';
import { RoleFields } from '../shared';

const PASSWORD_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';

/** 16 characters from the browser's cryptographic generator (about 93 bits), without look-alikes (0/O, 1/l). */
export function generatePassword(length = 16): string {
  const bytes = crypto.getRandomValues(new Uint32Array(length));
  return Array.from(bytes, (n) => PASSWORD_ALPHABET[n % PASSWORD_ALPHABET.length]).join('');
}

interface UserDialogProps {
  /** The user to change; undefined: a new user. */
  user: UserInfo | undefined;
  /** The signed-in admin's id: they cannot demote or disable themselves. */
  selfId: string;
  opened: boolean;
  onClose: () => void;
  onDone: (message: string) => void;
}

function PasswordField({ value, onChange, label, description, required }: { value: string; onChange: (value: string) => void; label: string; description?: string; required?: boolean }) {
  const { t } = useTranslation();
  const [generated, setGenerated] = useState(false);
  return (
    <Stack gap={4}>
      <Group gap="xs" align="flex-end" wrap="nowrap">
        <PasswordInput
          style={{ flex: 1 }}
          label={label}
          description={description}
          value={value}
          onChange={(e) => {
            setGenerated(false);
            onChange(e.currentTarget.value);
          }}
          autoComplete="new-password"
          required={required}
          visible={generated || undefined}
          data-testid="user-password"
        />
        <Tooltip label={t('admin.users.fields.generate')} openDelay={300}>
          <ActionIcon
            variant="default"
            size={36}
            aria-label={t('admin.users.fields.generate')}
            onClick={() => {
              setGenerated(true);
              onChange(generatePassword());
            }}
            data-testid="user-password-generate"
          >
            <IconDice5 size={18} />
          </ActionIcon>
        </Tooltip>
      </Group>
      {generated && value && (
        <Text size="xs" c="orange.8">
          {t('admin.users.fields.generated')}
        </Text>
      )}
    </Stack>
  );
}

/** Adds a user (login, role, managers, password) or changes one (role, managers, sign-in on or off, a new password). */
export function UserDialog({ user, selfId, opened, onClose, onDone }: UserDialogProps) {
  const { t } = useTranslation();
  const phone = useMediaQuery('(max-width: 36em)') ?? false;
  const create = useCreateUser();
  const change = useChangeUser();
  const [login, setLogin] = useState(user?.login ?? '');
  const [role, setRole] = useState<Role>(user?.role ?? 'manager');
  const [managerIds, setManagerIds] = useState<string[]>(user ? [...user.managerIds] : []);
  const [disabled, setDisabled] = useState(user?.disabled ?? false);
  const [password, setPassword] = useState('');
  const self = user !== undefined && user.id === selfId;
  const mutation = user ? change : create;

  const managersOk = role !== 'manager' || managerIds.length > 0;
  const sameManagers = (a: readonly string[], b: readonly string[]) => a.length === b.length && [...a].sort().join(',') === [...b].sort().join(',');
  const patch: UserChange = {};
  if (user) {
    if (role !== user.role) patch.role = role;
    if (!sameManagers(role === 'manager' ? managerIds : [], user.managerIds)) patch.managerIds = role === 'manager' ? managerIds : [];
    if (disabled !== user.disabled) patch.disabled = disabled;
    if (password) patch.password = password;
  }
  const canSave = managersOk && (user ? Object.keys(patch).length > 0 : login.trim() !== '' && password !== '');

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!canSave || mutation.isPending) return;
    if (user) {
      change.mutate({ id: user.id, change: patch }, { onSuccess: () => onDone(t('admin.users.saved')) });
    } else {
      const name = login.trim();
      create.mutate({ login: name, role, managerIds: role === 'manager' ? managerIds : [], password }, { onSuccess: () => onDone(t('admin.users.created', { login: name })) });
    }
  };

  return (
    <Modal
      opened={opened}
      onClose={onClose}
      title={user ? t('admin.users.editTitle', { login: user.login }) : t('admin.users.addTitle')}
      size="lg"
      fullScreen={phone}
      centered={!phone}
      styles={{ title: { fontWeight: 700, fontSize: 'var(--mantine-font-size-lg)' } }}
    >
      <form onSubmit={submit} noValidate data-testid="user-form">
        <Stack gap="md">
          <TextInput
            label={t('admin.users.fields.login')}
            description={user ? undefined : t('admin.users.fields.loginHint')}
            value={login}
            onChange={(e) => setLogin(e.currentTarget.value)}
            disabled={user !== undefined}
            autoComplete="off"
            autoCapitalize="none"
            spellCheck={false}
            required={user === undefined}
            data-autofocus={user ? undefined : true}
            data-testid="user-login-input"
          />
          {self && (
            <Alert variant="light" color="gray" icon={<IconInfoCircle size={18} />}>
              {t('admin.users.selfHint')}
            </Alert>
          )}
          <RoleFields role={role} managerIds={managerIds} onRole={setRole} onManagers={setManagerIds} disabled={self} testId="user" />
          <PasswordField
            value={password}
            onChange={setPassword}
            label={user ? t('admin.users.fields.newPassword') : t('admin.users.fields.password')}
            description={user ? t('admin.users.fields.newPasswordHint') : undefined}
            required={!user}
          />
          {user && (
            <Switch
              label={t('admin.users.fields.disabled')}
              description={t('admin.users.fields.disabledHint')}
              checked={disabled}
              onChange={(e) => setDisabled(e.currentTarget.checked)}
              disabled={self}
              color="red"
              data-testid="user-disabled"
            />
          )}
          {mutation.error && <ErrorAlert error={mutation.error} />}
          <Group justify="flex-end" gap="xs" mt="xs">
            <Button variant="default" onClick={onClose}>
              {t('admin.cancel')}
            </Button>
            <Button type="submit" leftSection={<IconDeviceFloppy size={16} />} loading={mutation.isPending} disabled={!canSave} data-testid="user-save">
              {user ? t('admin.save') : t('admin.users.add')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
