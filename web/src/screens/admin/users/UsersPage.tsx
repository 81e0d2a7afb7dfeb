import { Alert, Badge, Button, Group, Paper, Stack, Text } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { IconCheck, IconUserPlus, IconUsers } from '@tabler/icons-react';
import { createColumnHelper } from '@tanstack/react-table';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useUsers, type UserInfo } from '../../../api/access';
import { useAuth } from '../../../app/auth-context';
import { DataTable, type DataTableFeatures } from '../../../components/DataTable';
import { EmptyState } from '../../../components/EmptyState';
import { ErrorAlert } from '../../../components/ErrorAlert';
import { PageHeader } from '../../../components/PageHeader';
import { useFormat } from '../../../i18n/format';
import { ManagerNames, RoleBadge, WHOLE_BADGE } from '../shared';
import { UserDialog } from './UserDialog';

const column = createColumnHelper<DataTableFeatures, UserInfo>();

/** Whether sign-in is locked now (after failed attempts). */
const lockedNow = (user: UserInfo) => Boolean(user.lockedUntil && new Date(user.lockedUntil.includes('T') ? user.lockedUntil : `${user.lockedUntil.replace(' ', 'T')}Z`) > new Date());

function UserState({ user }: { user: UserInfo }) {
  const { t } = useTranslation();
  const format = useFormat();
  if (user.disabled)
    return (
      <Badge variant="dot" color="gray" tt="none" data-testid="user-state" data-state="disabled" styles={WHOLE_BADGE}>
        {t('admin.users.state.disabled')}
      </Badge>
    );
  if (lockedNow(user))
    return (
      <Badge variant="dot" color="orange" tt="none" data-testid="user-state" data-state="locked" styles={WHOLE_BADGE}>
        {t('admin.users.state.locked', { date: format.dateTime(user.lockedUntil) })}
      </Badge>
    );
  return (
    <Badge variant="dot" color="teal" tt="none" data-testid="user-state" data-state="active" styles={WHOLE_BADGE}>
      {t('admin.users.state.active')}
    </Badge>
  );
}

/** The users of Segmenta (admin): who signs in, their role and managers; add, change, disable, set a password. */
export function UsersPage() {
  const { t, i18n } = useTranslation();
  const format = useFormat();
  const { me } = useAuth();
  const compact = useMediaQuery('(max-width: 48em)') ?? false;
  const users = useUsers();
  const [editing, setEditing] = useState<UserInfo | 'new' | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const items = useMemo(() => [...(users.data?.items ?? [])].sort((a, b) => a.login.localeCompare(b.login, i18n.resolvedLanguage)), [users.data, i18n.resolvedLanguage]);

  const login = (user: UserInfo) => (
    <Group gap={6} wrap="nowrap">
      <Text size="sm" fw={600} c={user.disabled ? 'dimmed' : undefined} style={{ overflowWrap: 'anywhere' }}>
        {user.login}
      </Text>
      {user.id === me.id && (
        <Badge size="xs" variant="outline" color="gray" tt="none">
          {t('admin.users.you')}
        </Badge>
      )}
    </Group>
  );

  const columns = useMemo(
    () =>
      column.columns([
        column.accessor('login', { header: () => t('admin.users.columns.login'), enableSorting: false, cell: (info) => login(info.row.original) }),
        column.accessor('role', { header: () => t('admin.users.columns.role'), enableSorting: false, cell: (info) => <RoleBadge role={info.getValue()} /> }),
        column.display({ id: 'managers', header: () => t('admin.users.columns.managers'), cell: (info) => <ManagerNames role={info.row.original.role} ids={info.row.original.managerIds} /> }),
        column.display({ id: 'state', header: () => t('admin.users.columns.state'), cell: (info) => <UserState user={info.row.original} /> }),
        column.accessor('createdAt', { header: () => t('admin.users.columns.createdAt'), enableSorting: false, cell: (info) => <Text size="sm">{format.dateTime(info.getValue())}</Text> }),
      ]),
    // eslint-disable-next-line react-hooks/exhaustive-deps -- login reads only t and me
    [t, format, me.id],
  );

  const done = (message: string) => {
    setEditing(null);
    setNotice(message);
  };

  return (
    <>
      <PageHeader
        title={t('admin.users.title')}
        description={t('admin.users.subtitle')}
        actions={
          <Group gap="sm">
            {users.data && (
              <Badge size="lg" variant="light" color="gray" radius="sm" tt="none" data-testid="users-total">
                {t('admin.users.found', { count: items.length })}
              </Badge>
            )}
            <Button
              leftSection={<IconUserPlus size={16} />}
              onClick={() => {
                setNotice(null);
                setEditing('new');
              }}
              data-testid="user-add"
            >
              {t('admin.users.add')}
            </Button>
          </Group>
        }
      />
      {notice && (
        <Alert color="teal" variant="light" icon={<IconCheck size={18} />} withCloseButton onClose={() => setNotice(null)} mb="md" data-testid="users-notice">
          {notice}
        </Alert>
      )}
      {users.isError ? (
        <ErrorAlert error={users.error} onRetry={() => void users.refetch()} />
      ) : (
        <DataTable
          label={t('admin.users.title')}
          columns={columns}
          data={items}
          getRowId={(user) => user.id}
          sorting={[]}
          onSortingChange={() => undefined}
          loading={users.isPending}
          onRowClick={(user) => {
            setNotice(null);
            setEditing(user);
          }}
          empty={<EmptyState icon={<IconUsers size={26} />} title={t('admin.users.empty.title')} text={t('admin.users.empty.text')} />}
          compact={compact}
          renderCompactRow={(user) => (
            <Paper withBorder radius="md" p="sm" onClick={() => setEditing(user)} style={{ cursor: 'pointer' }} data-testid="user-card">
              <Group justify="space-between" wrap="nowrap" align="flex-start" gap="xs">
                <Stack gap={4} style={{ minWidth: 0 }}>
                  {login(user)}
                  <ManagerNames role={user.role} ids={user.managerIds} />
                </Stack>
                <RoleBadge role={user.role} />
              </Group>
              <Group mt={8} gap="xs" justify="space-between">
                <UserState user={user} />
                <Text size="xs" c="dimmed">
                  {format.dateTime(user.createdAt)}
                </Text>
              </Group>
            </Paper>
          )}
        />
      )}
      {editing !== null && (
        <UserDialog key={editing === 'new' ? 'new' : editing.id} user={editing === 'new' ? undefined : editing} selfId={me.id} opened onClose={() => setEditing(null)} onDone={done} />
      )}
    </>
  );
}
