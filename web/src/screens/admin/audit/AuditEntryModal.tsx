import { Badge, Code, Group, Modal, ScrollArea, SimpleGrid, Stack, Table, Tabs, Text } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { useTranslation } from 'react-i18next';
import type { AuditEntry } from '../../../api/access';
import { useFormat } from '../../../i18n/format';
import { actionColor, changesOf, shown } from './audit-diff';
import classes from './audit.module.css';

function Value({ value, side }: { value: unknown; side: 'before' | 'after' }) {
  const { t } = useTranslation();
  if (value === undefined)
    return (
      <Text size="xs" c="dimmed" fs="italic">
        {t('admin.audit.nothing')}
      </Text>
    );
  return (
    <Text size="xs" ff="monospace" className={side === 'before' ? classes.removed : classes.added} style={{ overflowWrap: 'anywhere', whiteSpace: 'pre-wrap' }}>
      {shown(value)}
    </Text>
  );
}

function Json({ title, value }: { title: string; value: unknown }) {
  const { t } = useTranslation();
  return (
    <Stack gap={4} style={{ minWidth: 0 }}>
      <Text size="sm" fw={600}>
        {title}
      </Text>
      {value === null || value === undefined ? (
        <Text size="sm" c="dimmed" fs="italic">
          {t('admin.audit.nothing')}
        </Text>
      ) : (
        <ScrollArea.Autosize mah={420} type="auto">
          <Code block style={{ fontSize: 12 }}>
            {JSON.stringify(value, null, 2)}
          </Code>
        </ScrollArea.Autosize>
      )}
    </Stack>
  );
}

/** One audit entry: who, when, what; the fields it changed, and the whole state before and after side by side. */
export function AuditEntryModal({ entry, onClose }: { entry: AuditEntry | null; onClose: () => void }) {
  const { t } = useTranslation();
  const format = useFormat();
  const phone = useMediaQuery('(max-width: 36em)') ?? false;
  const changes = entry ? changesOf(entry.before, entry.after) : [];
  return (
    <Modal
      opened={entry !== null}
      onClose={onClose}
      title={t('admin.audit.details')}
      size="xl"
      fullScreen={phone}
      centered={!phone}
      styles={{ title: { fontWeight: 700, fontSize: 'var(--mantine-font-size-lg)' } }}
    >
      {entry && (
        <Stack gap="md" data-testid="audit-entry">
          <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="xs" verticalSpacing={6}>
            <Text size="sm">
              <Text span c="dimmed">
                {t('admin.audit.columns.occurredAt')}:{' '}
              </Text>
              {format.dateTime(entry.occurredAt)}
            </Text>
            <Text size="sm">
              <Text span c="dimmed">
                {t('admin.audit.columns.actor')}:{' '}
              </Text>
              {entry.actorName ?? entry.actorId ?? t('admin.audit.unknownActor')} ({t(`admin.audit.actorKinds.${entry.actorKind === 'key' ? 'key' : 'user'}`)})
            </Text>
            <Text size="sm">
              <Text span c="dimmed">
                {t('admin.audit.columns.entity')}:{' '}
              </Text>
              {entry.entity}
              {entry.entityId ? ` «${entry.entityId}»` : ''}
            </Text>
            <Group gap={6}>
              <Badge variant="light" color={actionColor(entry.action)} tt="none" radius="sm">
                {entry.action}
              </Badge>
              <Text size="xs" ff="monospace" c="dimmed" style={{ overflowWrap: 'anywhere' }}>
                {entry.method} {entry.route} → {entry.status}
              </Text>
            </Group>
          </SimpleGrid>
          <Tabs defaultValue="changes">
            <Tabs.List mb="sm">
              <Tabs.Tab value="changes" data-testid="audit-tab-changes">
                {t('admin.audit.changes')}
              </Tabs.Tab>
              <Tabs.Tab value="json" data-testid="audit-tab-json">
                {t('admin.audit.json')}
              </Tabs.Tab>
            </Tabs.List>
            <Tabs.Panel value="changes">
              {changes.length === 0 ? (
                <Text size="sm" c="dimmed">
                  {t('admin.audit.noChanges')}
                </Text>
              ) : (
                <Table.ScrollContainer minWidth={0}>
                  <Table verticalSpacing={6} withTableBorder data-testid="audit-changes" layout="fixed">
                    <Table.Thead>
                      <Table.Tr>
                        <Table.Th w="26%">{t('admin.audit.field')}</Table.Th>
                        <Table.Th>{t('admin.audit.before')}</Table.Th>
                        <Table.Th>{t('admin.audit.after')}</Table.Th>
                      </Table.Tr>
                    </Table.Thead>
                    <Table.Tbody>
                      {changes.map((change) => (
                        <Table.Tr key={change.path} data-field={change.path}>
                          <Table.Td>
                            <Text size="xs" ff="monospace" fw={600} style={{ overflowWrap: 'anywhere' }}>
                              {change.path || '—'}
                            </Text>
                          </Table.Td>
                          <Table.Td>
                            <Value value={change.before} side="before" />
                          </Table.Td>
                          <Table.Td>
                            <Value value={change.after} side="after" />
                          </Table.Td>
                        </Table.Tr>
                      ))}
                    </Table.Tbody>
                  </Table>
                </Table.ScrollContainer>
              )}
            </Tabs.Panel>
            <Tabs.Panel value="json">
              <SimpleGrid cols={{ base: 1, md: 2 }} spacing="md" data-testid="audit-json">
                <Json title={t('admin.audit.before')} value={entry.before} />
                <Json title={t('admin.audit.after')} value={entry.after} />
              </SimpleGrid>
            </Tabs.Panel>
          </Tabs>
        </Stack>
      )}
    </Modal>
  );
}
