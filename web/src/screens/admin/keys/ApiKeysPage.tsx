import { Badge, Button, Group, Modal, Paper, Stack, Text } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { IconKey, IconPlus, IconTrash } from '@tabler/icons-react';
import { createColumnHelper } from '@tanstack/react-table';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useApiKeys, useRevokeApiKey, useUsers, type ApiKeyInfo } from '../../../api/access';
import { DataTable, type DataTableFeatures } from '../../../components/DataTable';
import { EmptyState } from '../../../components/EmptyState';
import { ErrorAlert } from '../../../components/ErrorAlert';
import { PageHeader } from '../../../components/PageHeader';
import { useFormat } from '../../../i18n/format';
import { ManagerNames, RoleBadge, WHOLE_BADGE } from '../shared';
import { NewKeyDialog } from './NewKeyDialog';

const column = createColumnHelper<DataTableFeatures, ApiKeyInfo>();

function KeyState({ apiKey }: { apiKey: ApiKeyInfo }) {
  const { t } = useTranslation();
  const format = useFormat();
  return apiKey.revokedAt ? (
    <Badge variant="dot" color="gray" tt="none" data-testid="key-state" data-state="revoked" styles={WHOLE_BADGE}>
      {t('admin.keys.state.revoked', { date: format.dateTime(apiKey.revokedAt) })}
    </Badge>
  ) : (
    <Badge variant="dot" color="teal" tt="none" data-testid="key-state" data-state="active" styles={WHOLE_BADGE}>
      {t('admin.keys.state.active')}
    </Badge>
  );
}

/** The API keys of integrations (admin): who uses what, when last; create (shown once) and revoke. */
export function ApiKeysPage() {
  const { t } = useTranslation();
  const format = useFormat();
  const compact = useMediaQuery('(max-width: 48em)') ?? false;
  const keys = useApiKeys();
  const users = useUsers();
  const revoke = useRevokeApiKey();
  const [creating, setCreating] = useState(false);
  const [revoking, setRevoking] = useState<ApiKeyInfo | null>(null);
  // Active keys first, the newest on top; revoked ones below, for the record.
  const items = useMemo(() => [...(keys.data?.items ?? [])].sort((a, b) => Number(a.revokedAt !== null) - Number(b.revokedAt !== null) || b.createdAt.localeCompare(a.createdAt)), [keys.data]);
  const loginOf = useMemo(() => {
    const byId = new Map((users.data?.items ?? []).map((u) => [u.id, u.login]));
    return (id: string | null) => (id ? (byId.get(id) ?? id) : null);
  }, [users.data]);

  const revokeButton = (apiKey: ApiKeyInfo) =>
    apiKey.revokedAt ? null : (
      <Button
        size="compact-xs"
        variant="subtle"
        color="red"
        leftSection={<IconTrash size={14} />}
        onClick={(e) => {
          e.stopPropagation();
          revoke.reset();
          setRevoking(apiKey);
        }}
        data-testid="key-revoke"
      >
        {t('admin.keys.revoke')}
      </Button>
    );
  const created = (apiKey: ApiKeyInfo) => (
    <Stack gap={0}>
      <Text size="sm">{format.dateTime(apiKey.createdAt)}</Text>
      {apiKey.createdBy && (
        <Text size="xs" c="dimmed">
          {t('admin.keys.createdBy', { name: loginOf(apiKey.createdBy) })}
        </Text>
      )}
    </Stack>
  );
  const lastUsed = (apiKey: ApiKeyInfo) => (
    <Text size="sm" c={apiKey.lastUsedAt ? undefined : 'dimmed'} data-testid="key-last-used">
      {apiKey.lastUsedAt ? format.dateTime(apiKey.lastUsedAt) : t('admin.never')}
    </Text>
  );

  const columns = useMemo(
    () =>
      column.columns([
        column.accessor('name', {
          header: () => t('admin.keys.columns.name'),
          enableSorting: false,
          cell: (info) => (
            <Stack gap={0}>
              <Text size="sm" fw={600} c={info.row.original.revokedAt ? 'dimmed' : undefined} style={{ overflowWrap: 'anywhere' }}>
                {info.getValue()}
              </Text>
              <Text size="xs" c="dimmed" ff="monospace">
                sgk_{info.row.original.id}_…
              </Text>
            </Stack>
          ),
        }),
        column.accessor('role', { header: () => t('admin.keys.columns.role'), enableSorting: false, cell: (info) => <RoleBadge role={info.getValue()} /> }),
        column.display({ id: 'managers', header: () => t('admin.keys.columns.managers'), cell: (info) => <ManagerNames role={info.row.original.role} ids={info.row.original.managerIds} /> }),
        column.display({ id: 'created', header: () => t('admin.keys.columns.createdAt'), cell: (info) => created(info.row.original) }),
        column.display({ id: 'lastUsed', header: () => t('admin.keys.columns.lastUsedAt'), cell: (info) => lastUsed(info.row.original) }),
        column.display({ id: 'state', header: () => t('admin.keys.columns.state'), cell: (info) => <KeyState apiKey={info.row.original} /> }),
        column.display({ id: 'actions', header: () => null, cell: (info) => revokeButton(info.row.original) }),
      ]),
    // eslint-disable-next-line react-hooks/exhaustive-deps -- the cells read t, format and the users' logins
    [t, format, loginOf],
  );

  return (
    <>
      <PageHeader
        title={t('admin.keys.title')}
        description={t('admin.keys.subtitle')}
        actions={
          <Group gap="sm">
            {keys.data && (
              <Badge size="lg" variant="light" color="gray" radius="sm" tt="none" data-testid="keys-total">
                {t('admin.keys.found', { count: items.length })}
              </Badge>
            )}
            <Button leftSection={<IconPlus size={16} />} onClick={() => setCreating(true)} data-testid="key-create">
              {t('admin.keys.create')}
            </Button>
          </Group>
        }
      />
      {keys.isError ? (
        <ErrorAlert error={keys.error} onRetry={() => void keys.refetch()} />
      ) : (
        <DataTable
          label={t('admin.keys.title')}
          columns={columns}
          data={items}
          getRowId={(apiKey) => apiKey.id}
          sorting={[]}
          onSortingChange={() => undefined}
          loading={keys.isPending}
          empty={
            <EmptyState icon={<IconKey size={26} />} title={t('admin.keys.empty.title')} text={t('admin.keys.empty.text')}>
              <Button variant="light" mt="sm" leftSection={<IconPlus size={16} />} onClick={() => setCreating(true)}>
                {t('admin.keys.create')}
              </Button>
            </EmptyState>
          }
          compact={compact}
          renderCompactRow={(apiKey) => (
            <Paper withBorder radius="md" p="sm" data-testid="key-card">
              <Group justify="space-between" wrap="nowrap" align="flex-start" gap="xs">
                <Stack gap={2} style={{ minWidth: 0 }}>
                  <Text fw={600} c={apiKey.revokedAt ? 'dimmed' : undefined} style={{ overflowWrap: 'anywhere' }}>
                    {apiKey.name}
                  </Text>
                  <ManagerNames role={apiKey.role} ids={apiKey.managerIds} />
                </Stack>
                <RoleBadge role={apiKey.role} />
              </Group>
              <Group mt={8} gap="xs" justify="space-between">
                <KeyState apiKey={apiKey} />
                {lastUsed(apiKey)}
              </Group>
              {!apiKey.revokedAt && (
                <Group justify="flex-end" mt={4}>
                  {revokeButton(apiKey)}
                </Group>
              )}
            </Paper>
          )}
        />
      )}
      {creating && <NewKeyDialog opened onClose={() => setCreating(false)} />}
      <Modal opened={revoking !== null} onClose={() => setRevoking(null)} title={t('admin.keys.revokeTitle')} centered styles={{ title: { fontWeight: 700 } }}>
        {revoking && (
          <Stack gap="md">
            <Text size="sm">{t('admin.keys.revokeText', { name: revoking.name })}</Text>
            {revoke.error && <ErrorAlert error={revoke.error} />}
            <Group justify="flex-end" gap="xs">
              <Button variant="default" onClick={() => setRevoking(null)}>
                {t('admin.cancel')}
              </Button>
              <Button color="red" loading={revoke.isPending} onClick={() => revoke.mutate(revoking.id, { onSuccess: () => setRevoking(null) })} data-testid="key-revoke-confirm">
                {t('admin.keys.revoke')}
              </Button>
            </Group>
          </Stack>
        )}
      </Modal>
    </>
  );
}
