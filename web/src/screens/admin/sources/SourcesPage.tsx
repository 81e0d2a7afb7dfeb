import { Button, Group, Modal, Skeleton, Stack, Text } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { IconDatabaseImport, IconPlus } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useConnectors, useDeleteConnector, type Connector } from '../../../api/connectors';
import { EmptyState } from '../../../components/EmptyState';
import { ErrorAlert } from '../../../components/ErrorAlert';
import { PageHeader } from '../../../components/PageHeader';
import { ConnectorDialog } from './ConnectorDialog';
import { ConnectorPanel } from './ConnectorPanel';

/** Data sources (admin): connections to 1C, Bitrix24 and amoCRM — add, test, sync now, schedule, runs, published segments. */
export function SourcesPage() {
  const { t } = useTranslation();
  const compact = useMediaQuery('(max-width: 48em)') ?? false;
  const connectors = useConnectors();
  const remove = useDeleteConnector();
  const [editing, setEditing] = useState<Connector | 'new' | null>(null);
  const [deleting, setDeleting] = useState<Connector | null>(null);
  const items = connectors.data?.items ?? [];

  return (
    <>
      <PageHeader
        title={t('sources.title')}
        description={t('sources.subtitle')}
        actions={
          <Button leftSection={<IconPlus size={16} />} onClick={() => setEditing('new')} data-testid="connector-add">
            {t('sources.add')}
          </Button>
        }
      />
      {connectors.isError ? (
        <ErrorAlert error={connectors.error} onRetry={() => void connectors.refetch()} />
      ) : connectors.isPending ? (
        <Skeleton height={220} radius="md" />
      ) : items.length === 0 ? (
        <EmptyState icon={<IconDatabaseImport size={26} />} title={t('sources.empty.title')} text={t('sources.empty.text')}>
          <Button variant="light" mt="sm" leftSection={<IconPlus size={16} />} onClick={() => setEditing('new')}>
            {t('sources.add')}
          </Button>
        </EmptyState>
      ) : (
        <Stack gap="lg" data-testid="connectors">
          {items.map((connector) => (
            <ConnectorPanel key={connector.id} connector={connector} compact={compact} onEdit={() => setEditing(connector)} onDelete={() => setDeleting(connector)} />
          ))}
        </Stack>
      )}
      {editing !== null && <ConnectorDialog connector={editing === 'new' ? null : editing} onClose={() => setEditing(null)} />}
      <Modal opened={deleting !== null} onClose={() => setDeleting(null)} title={t('sources.deleteTitle')} centered styles={{ title: { fontWeight: 700 } }}>
        {deleting && (
          <Stack gap="md">
            <Text size="sm">{t('sources.deleteText', { name: deleting.name })}</Text>
            {remove.error && <ErrorAlert error={remove.error} />}
            <Group justify="flex-end" gap="xs">
              <Button variant="default" onClick={() => setDeleting(null)}>
                {t('admin.cancel')}
              </Button>
              <Button color="red" loading={remove.isPending} onClick={() => remove.mutate(deleting.id, { onSuccess: () => setDeleting(null) })} data-testid="connector-delete-confirm">
                {t('sources.delete')}
              </Button>
            </Group>
          </Stack>
        )}
      </Modal>
    </>
  );
}
