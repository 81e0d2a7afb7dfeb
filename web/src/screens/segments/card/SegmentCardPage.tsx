import { Alert, Anchor, Badge, Button, Group, Menu, Modal, Skeleton, Stack, Tabs, Text, Tooltip } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import {
  IconArchive,
  IconArrowLeft,
  IconChartLine,
  IconCheck,
  IconDeviceFloppy,
  IconDots,
  IconHistory,
  IconLink,
  IconListDetails,
  IconLock,
  IconPlayerPlay,
  IconRestore,
  IconSettings,
  IconTrash,
  IconWand,
} from '@tabler/icons-react';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useLocation, useNavigate, useParams, useSearchParams } from 'react-router';
import { ApiError } from '../../../api/client';
import { jobError, useSegmentGeneration, type SegmentRefreshJob } from '../../../api/jobs';
import { useArchiveSegment, useDeleteSegment, useFillSegment, usePreview, useSaveSegment, useSegment, useSegments, useUsage, type SegmentWithStatus } from '../../../api/segments';
import { useVocabulary } from '../../../api/vocabulary';
import { ErrorAlert } from '../../../components/ErrorAlert';
import { PageHeader } from '../../../components/PageHeader';
import { ruleIssueMessage, ruleIssuesOf } from '../../../i18n/rule-issues';
import { errorMessage } from '../../../i18n/errors';
import { useUnsavedChangesGuard } from '../../../components/UnsavedChangesGuard';
import { formatDuration } from '../labels';
import { builderPathOf, incompleteConditions, isGroup, queryToRule, queryToRuleWithPaths, type BuilderItem } from '../rule-builder/rule-query';
import { MethodBadge, StatusBadge } from '../SegmentsListPage';
import { draftOf, draftParameters, draftToInput, newDraft, type Draft } from './draft';
import { GenerationProgress } from './GenerationProgress';
import { HistoryPanel } from './HistoryPanel';
import { MembersPanel } from './MembersPanel';
import { ReportsPanel } from './ReportsPanel';
import { SettingsPanel, SLUG } from './SettingsPanel';
import { SubscriptionsPanel } from './SubscriptionsPanel';
import { UsagePanel } from './UsagePanel';
import { usePermissions } from '../../../app/auth-context';

const TABS = ['settings', 'members', 'history', 'usage', 'reports'] as const;
type Tab = (typeof TABS)[number];

function BackLink() {
  const { t } = useTranslation();
  return (
    <Anchor component={Link} to="/segments" size="sm" c="dimmed" w="fit-content">
      <Group gap={4}>
        <IconArrowLeft size={14} />
        {t('segment.back')}
      </Group>
    </Anchor>
  );
}

/** Where each problem the server found belongs: at a condition of the builder, or on the rule as a whole. */
function useIssues(draft: Draft, error: unknown) {
  const { i18n, t } = useTranslation();
  return useMemo(() => {
    const byPath = new Map<string, string[]>();
    const loose: string[] = [];
    // Unfinished conditions are marked before the server is asked (and block saving).
    const incomplete = draft.sql === null ? incompleteConditions(draft.query) : [];
    for (const path of incomplete) byPath.set(path.join('/'), [t('rule.incomplete')]);
    if (!(error instanceof ApiError) || error.code !== 'RULE_INVALID') return { byPath, loose, incomplete: incomplete.length };
    const { paths } = queryToRuleWithPaths(draft.query);
    const conditionAt = (path: readonly number[]) => {
      let item: BuilderItem = draft.query;
      for (const i of path) {
        if (!isGroup(item)) return false;
        const next: BuilderItem | undefined = item.rules[i];
        if (!next) return false;
        item = next;
      }
      return !isGroup(item);
    };
    for (const issue of ruleIssuesOf(error.details)) {
      const message = ruleIssueMessage(i18n, issue);
      const path = builderPathOf(issue.path, paths);
      // An issue at a group (or the whole rule) has no condition row to sit in.
      if (path && conditionAt(path)) {
        // An unfinished condition keeps the builder's own "give a value": the server says the same.
        const key = path.join('/');
        if (incomplete.some((p) => p.join('/') === key)) continue;
        const known = byPath.get(key) ?? [];
        byPath.set(key, [...known.filter((m) => m !== message), message]);
      } else loose.push(`${issue.path === '$' ? t('rule.root') : issue.path}: ${message}`);
    }
    return { byPath, loose, incomplete: incomplete.length };
  }, [draft.query, draft.sql, error, i18n, t]);
}

function SegmentEditor({ saved }: { saved: SegmentWithStatus | undefined }) {
  const { t, i18n } = useTranslation();
  const navigate = useNavigate();
  const [search, setSearch] = useSearchParams();
  const tab: Tab = saved && (TABS as readonly string[]).includes(search.get('tab') ?? '') ? (search.get('tab') as Tab) : 'settings';
  const permissions = usePermissions();
  // A role that may not change this segment sees it read-only; a new one gets the methods the role may make.
  const editable = saved ? permissions.editSegment(saved) : true;
  const [draft, setDraft] = useState<Draft>(() => {
    if (saved) return draftOf(saved);
    const fresh = newDraft();
    return permissions.segmentMethods.includes(fresh.method) ? fresh : { ...fresh, method: permissions.segmentMethods[0] ?? fresh.method };
  });
  const [baseline, setBaseline] = useState(() => JSON.stringify(draftToInput(draft)));
  const [idEdited, setIdEdited] = useState(false);
  const [deleting, setDeleting] = useState(false);
  // A new segment's card opens anew at its own address, told that it was just saved.
  const location = useLocation();
  const [notice, setNotice] = useState<string | null>(() => ((location.state as { saved?: boolean } | null)?.saved ? t('segment.saved') : null));

  // A segment saved elsewhere (or by Generate) reloads the form when nothing is being edited.
  const savedVersion = saved?.updatedAt;
  const dirty = JSON.stringify(draftToInput(draft)) !== baseline;
  // Leaving an edited card or a new draft asks first (issue 21).
  const guard = useUnsavedChangesGuard(dirty && editable);
  useEffect(() => {
    if (!saved || dirty) return;
    const next = draftOf(saved);
    setDraft(next);
    setBaseline(JSON.stringify(draftToInput(next)));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [savedVersion]);

  const vocabulary = useVocabulary(draft.kind);
  const segmentList = useSegments({});
  const segments = (segmentList.data?.items ?? []).map((s) => ({ id: s.id, name: s.name, kind: s.kind, method: s.method, archived: s.archived }));

  const previewRequest = useMemo(
    () => (draft.sql === null ? { kind: draft.kind, rule: queryToRule(draft.query), parameters: draftParameters(draft) } : null),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [draft.query, draft.parameters, draft.kind, draft.sql],
  );
  const [debouncedRequest] = useDebouncedValue(previewRequest, 400);
  const preview = usePreview(debouncedRequest);

  const save = useSaveSegment(saved?.id);
  // Generate runs as a background job: its end says how it went (a notice, or the error).
  const [generationError, setGenerationError] = useState<ApiError | null>(null);
  const onGenerated = useCallback(
    (job: SegmentRefreshJob) => {
      const result = job.result;
      if (job.status === 'succeeded' && result) {
        setNotice(t('segment.generated', { duration: formatDuration(result.durationMs, i18n.resolvedLanguage ?? 'ru'), size: result.size, entered: result.entered, left: result.left }));
      } else {
        setGenerationError(jobError(job));
      }
    },
    [t, i18n.resolvedLanguage],
  );
  const generation = useSegmentGeneration(saved?.id ?? null, onGenerated);
  const fill = useFillSegment(draft.id);
  const archive = useArchiveSegment(draft.id);
  const remove = useDeleteSegment(draft.id);
  // The live count checks the rule as it is typed; a refused save says the same, or something else (a taken code).
  const issueSource = save.error instanceof ApiError && save.error.code === 'RULE_INVALID' ? save.error : preview.error;
  const issues = useIssues(draft, issueSource);

  const change = (patch: Partial<Draft>) => setDraft((current) => ({ ...current, ...patch }));

  const persist = async () => {
    const input = draftToInput(draft);
    const result = await save.mutateAsync(input);
    setBaseline(JSON.stringify(input));
    guard.allowNext();
    if (!saved) void navigate(`/segments/${encodeURIComponent(result.id)}`, { replace: true, state: { saved: true } });
    return result;
  };

  const onSave = () => {
    setNotice(null);
    persist().then(
      // A new segment's card opens at its own address and says "saved" there (location state):
      // the router renders that in a transition, so a notice set here would show first, on the
      // form of a *new* segment (method still editable) — the e2e test once read that moment.
      () => saved && setNotice(t('segment.saved')),
      () => undefined,
    );
  };

  const onGenerate = async () => {
    setNotice(null);
    setGenerationError(null);
    try {
      if (dirty) await persist();
      await generation.start();
    } catch {
      // Shown below: the save's error, or why the generation could not start.
    }
  };

  const onFill = async (replace: boolean) => {
    setNotice(null);
    try {
      if (dirty) await persist();
      const result = await fill.mutateAsync(replace);
      setNotice(t('segment.filled', { added: result.added, removed: result.removed, size: result.size }));
    } catch {
      // Shown below.
    }
  };

  const setTab = (next: string | null) =>
    setSearch(
      (previous) => {
        const params = new URLSearchParams(previous);
        if (!next || next === 'settings') params.delete('tab');
        else params.set('tab', next);
        return params;
      },
      { replace: true },
    );

  const busy = save.isPending || generation.running || fill.isPending;
  // A refused delete is said in its dialog, not a second time on the page.
  const actionError = [generationError, generation.error, fill.error, archive.error].find(Boolean);
  // A taken code is said at the code field.
  const idError = save.error instanceof ApiError && save.error.code === 'SEGMENT_EXISTS' ? errorMessage(i18n, save.error).message : undefined;
  const saveError = (save.error instanceof ApiError && save.error.code === 'RULE_INVALID' && issues.byPath.size > 0 && issues.loose.length === 0) || idError !== undefined ? null : save.error;
  // A segment other segments or sales terms use cannot be deleted: the item says why instead of failing.
  const usage = useUsage(saved?.id ?? '', saved !== undefined);
  const usedBy = usage.data?.items ?? [];

  const actions = editable && (
    <Group gap="xs" wrap="wrap">
      {saved && draft.method === 'periodic' && (
        <Button
          leftSection={<IconPlayerPlay size={16} />}
          variant="light"
          onClick={() => void onGenerate()}
          loading={generation.running}
          disabled={busy || saved.archived}
          data-testid="segment-generate"
        >
          {t('segment.actions.generate')}
        </Button>
      )}
      {saved && draft.method === 'manual' && draft.query.rules.length > 0 && (
        <Menu position="bottom-end" withinPortal>
          <Menu.Target>
            <Button leftSection={<IconWand size={16} />} variant="light" loading={fill.isPending} disabled={busy} data-testid="segment-fill">
              {t('segment.actions.fill')}
            </Button>
          </Menu.Target>
          <Menu.Dropdown>
            <Menu.Item onClick={() => void onFill(false)}>{t('segment.actions.fillAdd')}</Menu.Item>
            <Menu.Item onClick={() => void onFill(true)}>{t('segment.actions.fillReplace')}</Menu.Item>
          </Menu.Dropdown>
        </Menu>
      )}
      <Button
        leftSection={<IconDeviceFloppy size={16} />}
        onClick={onSave}
        loading={save.isPending}
        disabled={busy || (!dirty && saved !== undefined) || !draft.name.trim() || !SLUG.test(draft.id) || issues.incomplete > 0}
        title={issues.incomplete > 0 ? t('rule.incompleteSave', { count: issues.incomplete }) : undefined}
        data-testid="segment-save"
      >
        {saved ? t('segment.actions.save') : t('segment.actions.create')}
      </Button>
      {saved && (
        <Menu position="bottom-end" withinPortal>
          <Menu.Target>
            <Tooltip label={t('segment.actions.more')} openDelay={400}>
              <Button variant="default" px={10} aria-label={t('segment.actions.more')} data-testid="segment-more">
                <IconDots size={16} />
              </Button>
            </Tooltip>
          </Menu.Target>
          <Menu.Dropdown>
            {dirty && (
              <Menu.Item
                onClick={() => {
                  const next = draftOf(saved);
                  setDraft(next);
                  setBaseline(JSON.stringify(draftToInput(next)));
                }}
              >
                {t('segment.actions.reset')}
              </Menu.Item>
            )}
            <Menu.Item leftSection={saved.archived ? <IconRestore size={14} /> : <IconArchive size={14} />} onClick={() => archive.mutate(!saved.archived)}>
              {saved.archived ? t('segment.actions.unarchive') : t('segment.actions.archive')}
            </Menu.Item>
            <Menu.Item color="red" leftSection={<IconTrash size={14} />} onClick={() => setDeleting(true)} disabled={usedBy.length > 0} data-testid="segment-delete">
              {t('segment.actions.delete')}
              {usedBy.length > 0 && (
                <Text size="xs" c="dimmed" maw={260} data-testid="segment-delete-reason">
                  {t('segment.actions.deleteUsed', { list: usedBy.map((u) => u.name).join(', ') })}
                </Text>
              )}
            </Menu.Item>
          </Menu.Dropdown>
        </Menu>
      )}
    </Group>
  );

  return (
    <>
      <PageHeader
        above={<BackLink />}
        title={saved ? draft.name || saved.name : draft.name || t('segment.newTitle')}
        description={
          <Group gap="xs" component="span" mt={4}>
            {saved && (
              <Text span size="sm" c="dimmed" ff="monospace">
                {saved.id}
              </Text>
            )}
            <MethodBadge method={draft.method} />
            {saved && <StatusBadge segment={saved} />}
            {saved && saved.size !== null && (
              <Badge variant="light" color="gray" tt="none" radius="sm" data-testid="segment-size-badge">
                {t('segments.partnersCount', { count: saved.size })}
              </Badge>
            )}
            {dirty && saved && (
              <Badge variant="light" color="yellow" tt="none" radius="sm">
                {t('segment.unsaved')}
              </Badge>
            )}
          </Group>
        }
        actions={actions}
      />
      <Stack gap="sm" mb="md">
        {generation.running && <GenerationProgress job={generation.current} />}
        {notice && (
          <Alert color="teal" variant="light" icon={<IconCheck size={18} />} withCloseButton onClose={() => setNotice(null)} data-testid="segment-notice">
            {notice}
          </Alert>
        )}
        {saved?.archived && (
          <Alert color="gray" variant="light" icon={<IconArchive size={18} />}>
            {t('segment.archivedBanner')}
          </Alert>
        )}
        {!editable && (
          <Alert color="gray" variant="light" icon={<IconLock size={18} />} data-testid="read-only">
            {t('auth.readOnly', { what: t('auth.readOnlyWhat.segment') })}
          </Alert>
        )}
        {saveError && <ErrorAlert error={saveError} />}
        {actionError && <ErrorAlert error={actionError} />}
      </Stack>

      <Tabs value={tab} onChange={setTab} keepMounted={false}>
        {saved && (
          <Tabs.List mb="md" style={{ overflowX: 'auto', flexWrap: 'nowrap' }}>
            <Tabs.Tab value="settings" leftSection={<IconSettings size={16} />}>
              {t('segment.tabs.settings')}
            </Tabs.Tab>
            <Tabs.Tab value="members" leftSection={<IconListDetails size={16} />} data-testid="tab-members">
              {t('segment.tabs.members')}
            </Tabs.Tab>
            <Tabs.Tab value="history" leftSection={<IconHistory size={16} />} data-testid="tab-history">
              {t('segment.tabs.history')}
            </Tabs.Tab>
            <Tabs.Tab value="usage" leftSection={<IconLink size={16} />} data-testid="tab-usage">
              {t('segment.tabs.usage')}
            </Tabs.Tab>
            <Tabs.Tab value="reports" leftSection={<IconChartLine size={16} />} data-testid="tab-reports">
              {t('segment.tabs.reports')}
            </Tabs.Tab>
          </Tabs.List>
        )}
        <Tabs.Panel value="settings">
          <SettingsPanel
            readOnly={!editable}
            methods={permissions.segmentMethods}
            draft={draft}
            onChange={change}
            saved={saved}
            vocabulary={vocabulary.data}
            segments={segments}
            preview={preview}
            issues={issues.byPath}
            looseIssues={issues.loose}
            idError={idError}
            idEdited={idEdited}
            onIdEdited={() => setIdEdited(true)}
          />
        </Tabs.Panel>
        {saved && (
          <>
            <Tabs.Panel value="members">
              <MembersPanel segment={saved} />
            </Tabs.Panel>
            <Tabs.Panel value="history">
              <HistoryPanel segment={saved} />
            </Tabs.Panel>
            <Tabs.Panel value="usage">
              <Stack gap="md">
                <UsagePanel segment={saved} />
                {saved.method !== 'dynamic' && permissions.reaches('analyst') && <SubscriptionsPanel segment={saved} />}
              </Stack>
            </Tabs.Panel>
            <Tabs.Panel value="reports">
              <ReportsPanel segment={saved} />
            </Tabs.Panel>
          </>
        )}
      </Tabs>

      {guard.dialog}
      {saved && (
        <Modal opened={deleting} onClose={() => setDeleting(false)} title={t('segment.actions.deleteTitle')} centered>
          <Stack gap="md">
            <Text size="sm">{t('segment.actions.deleteText', { name: saved.name })}</Text>
            {remove.error && <ErrorAlert error={remove.error} />}
            <Group justify="flex-end" gap="xs">
              <Button variant="default" onClick={() => setDeleting(false)}>
                {t('segment.actions.cancel')}
              </Button>
              <Button
                color="red"
                loading={remove.isPending}
                onClick={() =>
                  remove.mutate(undefined, {
                    onSuccess: () => {
                      guard.allowNext();
                      void navigate('/segments');
                    },
                  })
                }
                data-testid="segment-delete-confirm"
              >
                {t('segment.actions.delete')}
              </Button>
            </Group>
          </Stack>
        </Modal>
      )}
    </>
  );
}

/** The segment card (and the form of a new segment at /segments/new). */
export function SegmentCardPage() {
  const { id } = useParams();
  const isNew = id === undefined || id === 'new';
  const segment = useSegment(isNew ? undefined : id);
  if (isNew) return <SegmentEditor key="new" saved={undefined} />;
  if (segment.isPending) {
    return (
      <Stack gap="md">
        <Skeleton height={14} width={120} />
        <Skeleton height={32} width="50%" />
        <Skeleton height={320} radius="md" />
      </Stack>
    );
  }
  if (segment.isError) {
    return (
      <Stack gap="md" maw={720}>
        <BackLink />
        <ErrorAlert error={segment.error} onRetry={() => void segment.refetch()} />
      </Stack>
    );
  }
  return <SegmentEditor key={segment.data.id} saved={segment.data} />;
}
