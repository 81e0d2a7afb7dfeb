import { Alert, Badge, Button, Card, Divider, Group, List, Menu, Select, Stack, Text, Title } from '@mantine/core';
import { IconChevronDown, IconCircleCheck, IconDots, IconPencil, IconPlugConnected, IconRefresh, IconTrash, IconUpload, IconX } from '@tabler/icons-react';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { syncError, useConnectorRuns, useConnectorSync, usePublications, usePublish, useSaveConnector, useTestConnector, type Connector, type ConnectionTest } from '../../../api/connectors';
import { useSegments } from '../../../api/segments';
import { ErrorAlert } from '../../../components/ErrorAlert';
import { useFormat } from '../../../i18n/format';
import { WHOLE_BADGE } from '../shared';
import { RemoteError } from './RemoteError';
import { RunsList, RunStatus } from './RunsList';
import { presetOf, profileKey, SCHEDULE_PRESETS } from './schedules';
import { SyncProgress } from './SyncProgress';

function Names({ names, testId, color }: { names: readonly string[]; testId: string; color?: string }) {
  return (
    <List size="xs" spacing={0} data-testid={testId} styles={{ item: { overflowWrap: 'anywhere' } }}>
      {names.map((name) => (
        <List.Item key={name} c={color} ff="monospace" data-name={name}>
          {name}
        </List.Item>
      ))}
    </List>
  );
}

/** What the test found: signed in or not, and by name which objects of the profile are published and which are missing. */
function TestResult({ result, kind }: { result: ConnectionTest; kind: string }) {
  const b24 = kind === 'bitrix24';
  const { t } = useTranslation();
  if (result.error)
    return (
      <div data-testid="test-result" data-ok="false">
        <RemoteError error={result.error} title={t('sources.test.failed')} kind={kind} />
      </div>
    );
  return (
    <Stack gap="xs" data-testid="test-result" data-ok={String(result.ok)}>
      {result.ok ? (
        <Alert color="teal" variant="light" radius="md" p="xs" icon={<IconCircleCheck size={18} />}>
          <Text size="sm">
            {b24
              ? t('sources.b24.testOk', { names: result.published.join(', ') })
              : result.optionalMissing.length
                ? t('sources.test.okOptional', { names: result.optionalMissing.join(', ') })
                : t('sources.test.ok')}
          </Text>
        </Alert>
      ) : (
        <Alert color="red" variant="light" radius="md" p="xs" icon={<IconX size={18} />} title={t('sources.test.missingTitle', { count: result.missing.length })}>
          <Names names={result.missing} testId="test-missing" />
          <Text size="xs" c="dimmed" mt={4}>
            {b24 ? t('sources.b24.testHint') : t('sources.test.hint')}
          </Text>
        </Alert>
      )}
      {!result.ok && result.optionalMissing.length > 0 && (
        <Text size="xs" c="dimmed">
          {t('sources.test.optionalTitle', { count: result.optionalMissing.length })}: {result.optionalMissing.join(', ')}
        </Text>
      )}
      <details>
        <summary>
          <Text span size="xs" c="dimmed">
            {t('sources.test.publishedTitle', { count: result.published.length })}
          </Text>
        </summary>
        <Names names={result.published} testId="test-published" color="dimmed" />
      </details>
    </Stack>
  );
}

/** Which stored segments are published through the connector; publish another, or stop. */
function Publications({ connector }: { connector: Connector }) {
  const { t } = useTranslation();
  const format = useFormat();
  const publications = usePublications(connector.id);
  const segments = useSegments({ archived: false });
  const publish = usePublish(connector.id);
  const [chosen, setChosen] = useState<string | null>(null);
  const published = publications.data?.items ?? [];
  const nameOf = (id: string) => segments.data?.items.find((s) => s.id === id)?.name ?? id;
  const candidates = (segments.data?.items ?? []).filter((s) => s.method !== 'dynamic' && !published.some((p) => p.segmentId === s.id));
  return (
    <Stack gap="xs" data-testid="publications">
      <Text size="xs" c="dimmed">
        {connector.kind === '1c' ? t('sources.publications.hint') : t('sources.publications.crmHint', { field: String(connector.settings.segmentsField ?? '') })}
      </Text>
      {publications.isError && <ErrorAlert error={publications.error} onRetry={() => void publications.refetch()} />}
      {published.length === 0 && publications.isSuccess && (
        <Text size="sm" c="dimmed">
          {t('sources.publications.empty')}
        </Text>
      )}
      {published.map((p) => (
        <Group key={p.segmentId} justify="space-between" gap="xs" wrap="nowrap" data-testid="publication" data-segment={p.segmentId}>
          <Stack gap={0} miw={0}>
            <Text size="sm" fw={600} truncate>
              {nameOf(p.segmentId)}
            </Text>
            <Text size="xs" c={p.error ? 'red' : 'dimmed'} style={{ overflowWrap: 'anywhere' }}>
              {p.error ??
                (p.publishedAt
                  ? `${t('sources.publications.publishedAt', { date: format.dateTime(p.publishedAt) })}${p.members === null ? '' : ` · ${t('sources.publications.members', { count: p.members })}`}`
                  : t('sources.publications.pending'))}
              {!p.error && p.byEvents && ` · ${t('sources.publications.byEvents')}`}
            </Text>
          </Stack>
          <Button
            size="compact-xs"
            variant="subtle"
            color="red"
            loading={publish.isPending && publish.variables?.segmentId === p.segmentId}
            onClick={() => publish.mutate({ segmentId: p.segmentId, publish: false })}
            data-testid="unpublish"
          >
            {t('sources.publications.unpublish')}
          </Button>
        </Group>
      ))}
      <Group gap="xs" align="flex-end" wrap="wrap" maw={560}>
        <Select
          placeholder={t('sources.publications.choose')}
          aria-label={t('sources.publications.choose')}
          data={candidates.map((s) => ({ value: s.id, label: s.name }))}
          value={chosen}
          onChange={setChosen}
          searchable
          size="xs"
          style={{ flex: '1 1 220px' }}
          comboboxProps={{ withinPortal: true }}
          data-testid="publish-segment"
        />
        <Button
          size="xs"
          variant="light"
          leftSection={<IconUpload size={14} />}
          disabled={chosen === null}
          loading={publish.isPending && publish.variables?.publish === true}
          onClick={() => chosen && publish.mutate({ segmentId: chosen, publish: true }, { onSuccess: () => setChosen(null) })}
          data-testid="publish"
        >
          {t('sources.publications.publish')}
        </Button>
      </Group>
      {publish.error && <ErrorAlert error={publish.error} />}
    </Stack>
  );
}

/** One connection: what it is, test, sync with progress, schedule, the last runs and the published segments. */
export function ConnectorPanel({ connector, compact, onEdit, onDelete }: { connector: Connector; compact: boolean; onEdit: () => void; onDelete: () => void }) {
  const { t, i18n } = useTranslation();
  const format = useFormat();
  const test = useTestConnector();
  const sync = useConnectorSync(connector.id);
  const runs = useConnectorRuns(connector.id);
  const save = useSaveConnector(connector.id);
  const scheduleKey = presetOf(connector.schedule);
  const failedJob = sync.finished && !sync.running ? syncError(sync.finished) : null;
  const system = t(`sources.systems.${connector.kind}`, { defaultValue: connector.kind });

  return (
    <Card withBorder radius="md" padding={compact ? 'sm' : 'lg'} data-testid="connector" data-connector={connector.id}>
      <Stack gap="md">
        <Group justify="space-between" align="flex-start" gap="sm">
          <Stack gap={2} miw={0} style={{ flex: '1 1 260px' }}>
            <Group gap="xs" wrap="wrap">
              <Title order={4} style={{ overflowWrap: 'anywhere' }} data-testid="connector-title">
                {connector.name}
              </Title>
              <Badge variant="outline" color="gray" radius="sm" tt="none" styles={WHOLE_BADGE}>
                {connector.kind === '1c' ? t(`sources.profiles.${profileKey(String(connector.settings.profile))}`, { defaultValue: String(connector.settings.profile) }) : system}
              </Badge>
              {connector.lastRun && <RunStatus run={connector.lastRun} />}
            </Group>
            <Text size="sm" c="dimmed" style={{ overflowWrap: 'anywhere' }} data-testid="connector-description">
              {[connector.settings.url, connector.settings.user, connector.settings.timezone].filter((v) => typeof v === 'string' && v !== '').join(' · ') || connector.description}
              {connector.secret.set ? ` · ${t(`sources.secretSet.${connector.kind}`, { defaultValue: t('sources.secretSet.1c') })}` : ''}
            </Text>
          </Stack>
          <Group gap="xs" wrap="wrap">
            <Button variant="default" size="sm" leftSection={<IconPlugConnected size={16} />} loading={test.isPending} onClick={() => test.mutate(connector.id)} data-testid="connector-test">
              {t('sources.test.run')}
            </Button>
            <Button.Group>
              <Button size="sm" leftSection={<IconRefresh size={16} />} loading={sync.running} onClick={() => sync.start(false)} data-testid="connector-sync">
                {t('sources.sync.run')}
              </Button>
              <Menu position="bottom-end" withinPortal>
                <Menu.Target>
                  <Button size="sm" px={8} disabled={sync.running} aria-label={t('sources.sync.full')}>
                    <IconChevronDown size={14} />
                  </Button>
                </Menu.Target>
                <Menu.Dropdown>
                  <Menu.Item onClick={() => sync.start(true)} data-testid="connector-sync-full">
                    {t('sources.sync.full')}
                  </Menu.Item>
                </Menu.Dropdown>
              </Menu>
            </Button.Group>
            <Menu position="bottom-end" withinPortal>
              <Menu.Target>
                <Button variant="subtle" color="gray" size="sm" px={8} aria-label={t('sources.edit')} data-testid="connector-menu">
                  <IconDots size={18} />
                </Button>
              </Menu.Target>
              <Menu.Dropdown>
                <Menu.Item leftSection={<IconPencil size={14} />} onClick={onEdit} data-testid="connector-edit">
                  {t('sources.edit')}
                </Menu.Item>
                <Menu.Item color="red" leftSection={<IconTrash size={14} />} onClick={onDelete} data-testid="connector-delete">
                  {t('sources.delete')}
                </Menu.Item>
              </Menu.Dropdown>
            </Menu>
          </Group>
        </Group>

        <Group gap="sm" align="flex-end" wrap="wrap">
          <Select
            label={t('sources.fields.schedule')}
            data={[
              ...SCHEDULE_PRESETS.map((p) => ({ value: p.key, label: t(`sources.schedules.${p.key}`) })),
              ...(scheduleKey === 'custom' ? [{ value: 'custom', label: t('sources.schedules.custom', { value: connector.schedule }) }] : []),
            ]}
            value={scheduleKey}
            onChange={(key) => {
              const preset = SCHEDULE_PRESETS.find((p) => p.key === key);
              if (preset && preset.value !== connector.schedule) save.mutate({ schedule: preset.value });
            }}
            allowDeselect={false}
            disabled={save.isPending}
            w={240}
            size="xs"
            comboboxProps={{ withinPortal: true }}
            data-testid="connector-schedule-quick"
          />
          {connector.schedule !== null && connector.nextSyncAt && (
            <Text size="xs" c="dimmed" pb={6} data-testid="connector-next">
              {t('sources.next', { date: format.dateTime(connector.nextSyncAt) })}
            </Text>
          )}
        </Group>
        {save.error && <ErrorAlert error={save.error} />}

        {test.error && <ErrorAlert error={test.error} />}
        {test.data && <TestResult result={test.data} kind={connector.kind} />}

        {sync.running ? <SyncProgress job={sync.current} system={system} /> : runs.running && <SyncProgress job={null} run={runs.running} system={system} />}
        {sync.error && <ErrorAlert error={sync.error} />}
        {failedJob && (
          <div data-testid="sync-error">
            <ErrorAlert error={failedJob} />
          </div>
        )}
        {sync.finished?.status === 'succeeded' && !sync.running && sync.finished.result && (
          <Alert color="teal" variant="light" radius="md" p="xs" icon={<IconCircleCheck size={18} />} data-testid="sync-done">
            <Text size="sm">
              {t('sources.sync.done', {
                duration: format.number(Math.round((sync.finished.result.durationMs ?? sync.finished.elapsedMs) / 100) / 10) + (i18n.resolvedLanguage === 'en' ? ' s' : ' с'),
              })}
            </Text>
          </Alert>
        )}

        <Divider />
        <Stack gap="xs">
          <Text fw={600} size="sm">
            {t('sources.runs.title')}
          </Text>
          {runs.isError ? <ErrorAlert error={runs.error} onRetry={() => void runs.refetch()} /> : runs.data && <RunsList runs={runs.data.items} compact={compact} kind={connector.kind} />}
        </Stack>

        <Divider />
        <Stack gap="xs">
          <Text fw={600} size="sm">
            {t('sources.publications.title', { system })}
          </Text>
          <Publications connector={connector} />
        </Stack>
      </Stack>
    </Card>
  );
}
