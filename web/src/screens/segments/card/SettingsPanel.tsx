import { ActionIcon, Alert, Autocomplete, Button, Checkbox, Code, Grid, Group, MultiSelect, Paper, SegmentedControl, Stack, Text, Textarea, TextInput, Title } from '@mantine/core';
import { IconBraces, IconInfoCircle, IconLock, IconPlus, IconTrash } from '@tabler/icons-react';
import { useMediaQuery } from '@mantine/hooks';
import { useQuery } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { prepareRuleGroup, type RuleGroupType } from 'react-querybuilder';
import { apiGet } from '../../../api/client';
import type { PartnerPage } from '../../../api/partners';
import { SEGMENT_METHODS, useSegments, type SegmentMethod, type SegmentWithStatus, type usePreview } from '../../../api/segments';
import type { Vocabulary } from '../../../api/vocabulary';
import readOnlyClasses from '../../../components/read-only.module.css';
import { SchedulePicker } from '../../../components/SchedulePicker';
import { useFormat } from '../../../i18n/format';
import type { SegmentOption } from '../rule-builder/builder-context';
import { RuleBuilder } from '../rule-builder/RuleBuilder';
import { queryToRule, ruleToQuery, type BuilderGroup, type RuleJson } from '../rule-builder/rule-query';
import classes from '../segments.module.css';
import { emptyQuery, slugOf, type Draft } from './draft';
import { PreviewPanel } from './PreviewPanel';
import { useAdvancedMode } from '../../../app/advanced-mode';

/** A segment code, as the server checks it (segment.schema.ts). */
export const SLUG = /^[a-z0-9][a-z0-9_-]{0,79}$/;

export function Section({ title, children, testId, right }: { title: string; children: ReactNode; testId?: string; right?: ReactNode }) {
  return (
    <Paper withBorder radius="md" p="lg" data-testid={testId}>
      <Group justify="space-between" mb="md" gap="xs">
        <Title order={4} fw={600}>
          {title}
        </Title>
        {right}
      </Group>
      {children}
    </Paper>
  );
}

function ScheduleEditor({ draft, onChange, nextRunAt }: { draft: Draft; onChange: (change: Partial<Draft>) => void; nextRunAt: string | null }) {
  const { t } = useTranslation();
  const format = useFormat();
  return (
    <Stack gap="sm">
      <SchedulePicker label={t('segment.fields.schedule')} noneLabel={t('segment.schedules.none')} value={draft.schedule} onChange={(schedule) => onChange({ schedule })} testId="segment-schedule" />
      {nextRunAt && (
        <Text size="xs" c="dimmed">
          {t('segment.nextRun', { date: format.dateTime(nextRunAt) })}
        </Text>
      )}
      <Checkbox
        label={t('segment.fields.checkOnCreate')}
        description={t('segment.fields.checkOnCreateHint')}
        checked={draft.checkOnCreate}
        onChange={(e) => onChange({ checkOnCreate: e.currentTarget.checked })}
        data-testid="segment-check-on-create"
      />
    </Stack>
  );
}

function CompetitorsEditor({ value, onChange }: { value: string[]; onChange: (ids: string[]) => void }) {
  const { t } = useTranslation();
  // Competitors are few: the whole list, searched in the browser.
  const competitors = useQuery({
    queryKey: ['partners', { role: 'competitor', limit: 1000 }],
    queryFn: ({ signal }) => apiGet<PartnerPage>('/partners', { role: 'competitor', limit: 1000, sort: 'name' }, signal),
    staleTime: 60_000,
  });
  const known = competitors.data?.items ?? [];
  const data = [...known.map((p) => ({ value: p.id, label: p.name })), ...value.filter((id) => !known.some((p) => p.id === id)).map((id) => ({ value: id, label: id }))];
  return (
    <MultiSelect
      aria-label={t('segment.fields.competitors')}
      description={t('segment.fields.competitors')}
      placeholder={value.length ? undefined : t('segment.fields.competitorsPlaceholder')}
      data={data}
      value={value}
      onChange={onChange}
      searchable
      clearable
      nothingFoundMessage={t('segment.fields.competitorsEmpty')}
      data-testid="segment-competitors"
    />
  );
}

function ParametersEditor({ draft, onChange }: { draft: Draft; onChange: (change: Partial<Draft>) => void }) {
  const { t } = useTranslation();
  const set = (i: number, change: Partial<{ name: string; text: string }>) => onChange({ parameters: draft.parameters.map((p, j) => (j === i ? { ...p, ...change } : p)) });
  return (
    <Stack gap="xs">
      <Text size="xs" c="dimmed">
        {t('segment.parameters.hint')}
      </Text>
      {draft.parameters.map((parameter, i) => (
        <Group key={i} gap={6} wrap="nowrap">
          <TextInput
            size="xs"
            w={110}
            placeholder={t('segment.parameters.name')}
            aria-label={t('segment.parameters.name')}
            value={parameter.name}
            onChange={(e) => set(i, { name: e.currentTarget.value })}
            ff="monospace"
          />
          <TextInput
            size="xs"
            style={{ flex: 1 }}
            placeholder={t('segment.parameters.value')}
            aria-label={t('segment.parameters.value')}
            value={parameter.text}
            onChange={(e) => set(i, { text: e.currentTarget.value })}
            ff="monospace"
          />
          <ActionIcon variant="subtle" color="red" onClick={() => onChange({ parameters: draft.parameters.filter((_, j) => j !== i) })} aria-label={t('segment.actions.delete')}>
            <IconTrash size={14} />
          </ActionIcon>
        </Group>
      ))}
      <Button size="compact-xs" variant="subtle" leftSection={<IconPlus size={12} />} w="fit-content" onClick={() => onChange({ parameters: [...draft.parameters, { name: '', text: '' }] })}>
        {t('segment.parameters.add')}
      </Button>
    </Stack>
  );
}

/** Shows and edits the rule as JSON: to read it exactly, or paste one from the docs. */
function JsonView({ query, onApply }: { query: BuilderGroup; onApply: (query: BuilderGroup) => void }) {
  const { t } = useTranslation();
  const [text, setText] = useState(() => JSON.stringify(queryToRule(query), null, 2));
  const [error, setError] = useState<string | null>(null);
  return (
    <Stack gap="xs" mt="sm">
      <Textarea
        value={text}
        onChange={(e) => setText(e.currentTarget.value)}
        autosize
        minRows={4}
        maxRows={18}
        ff="monospace"
        styles={{ input: { fontSize: 12 } }}
        aria-label={t('rule.jsonShow')}
        data-testid="rule-json"
      />
      {error && (
        <Text size="xs" c="red">
          {error}
        </Text>
      )}
      <Button
        size="xs"
        variant="light"
        w="fit-content"
        onClick={() => {
          try {
            const rule = JSON.parse(text) as RuleJson;
            setError(null);
            onApply(prepareRuleGroup(ruleToQuery(rule) as unknown as RuleGroupType) as unknown as BuilderGroup);
          } catch (e) {
            // The parser's own words ("Unexpected end of JSON input") mean nothing to a manager.
            setError(e instanceof SyntaxError ? t('rule.jsonInvalid') : t('rule.jsonNotRule'));
          }
        }}
        data-testid="rule-json-apply"
      >
        {t('rule.jsonApply')}
      </Button>
    </Stack>
  );
}

export interface SettingsPanelProps {
  /** The user's role may not change this segment: the same fields, disabled. */
  readOnly: boolean;
  /** The methods a new segment may be given (a manager: manual only). */
  methods: readonly SegmentMethod[];
  draft: Draft;
  onChange: (change: Partial<Draft>) => void;
  saved: SegmentWithStatus | undefined;
  vocabulary: Vocabulary | undefined;
  segments: readonly SegmentOption[];
  preview: ReturnType<typeof usePreview>;
  issues: ReadonlyMap<string, readonly string[]>;
  /** Issues the builder has no place for (the rule as a whole). */
  looseIssues: readonly string[];
  /** Why the code cannot be used (a taken code), shown at the code field. */
  idError?: string | undefined;
  idEdited: boolean;
  onIdEdited: () => void;
}

/** The folder, as in 1C's groups of segments: one of the folders in use, or a new name. */
function FolderInput({ value, onChange }: { value: string; onChange: (folder: string) => void }) {
  const { t } = useTranslation();
  const list = useSegments();
  const folders = [...new Set((list.data?.items ?? []).map((s) => s.folder).filter((f): f is string => Boolean(f)))].sort((a, b) => a.localeCompare(b));
  return <Autocomplete label={t('manager.folder.label')} placeholder={t('manager.folder.placeholder')} data={folders} value={value} onChange={onChange} maxLength={200} data-testid="segment-folder" />;
}

/** The segment's definition: name, code, description, method, rule with live count, schedule, competitors, parameters. */
export function SettingsPanel({ readOnly, methods, draft, onChange, saved, vocabulary, segments, preview, issues, looseIssues, idEdited, onIdEdited, idError }: SettingsPanelProps) {
  const { t } = useTranslation();
  const [showJson, setShowJson] = useState(false);
  // The JSON rule and the rule parameters are for analysts (the "advanced" switch in the user menu).
  const [advanced] = useAdvancedMode();
  const phone = useMediaQuery('(max-width: 36em)') ?? false;
  const isNew = saved === undefined;
  return (
    <fieldset disabled={readOnly} className={readOnlyClasses.readOnly} data-read-only={readOnly || undefined}>
      <Grid gap="md">
        <Grid.Col span={{ base: 12, lg: 8 }}>
          <Stack gap="md">
            <Section title={t('segment.sections.main')} testId="segment-main">
              <Stack gap="sm">
                <Grid gap="sm">
                  <Grid.Col span={{ base: 12, sm: 8 }}>
                    <TextInput
                      label={t('segment.fields.name')}
                      placeholder={t('segment.fields.namePlaceholder')}
                      value={draft.name}
                      onChange={(e) => {
                        const name = e.currentTarget.value;
                        onChange(isNew && !idEdited ? { name, id: slugOf(name) } : { name });
                      }}
                      required
                      data-testid="segment-name"
                    />
                  </Grid.Col>
                  <Grid.Col span={{ base: 12, sm: 4 }}>
                    <TextInput
                      label={t('segment.fields.id')}
                      description={isNew ? t('segment.fields.idHint') : undefined}
                      value={draft.id}
                      onChange={(e) => {
                        onIdEdited();
                        onChange({ id: e.currentTarget.value });
                      }}
                      disabled={!isNew}
                      error={isNew && draft.id !== '' && !SLUG.test(draft.id) ? t('segment.fields.idInvalid') : idError}
                      ff="monospace"
                      required
                      data-testid="segment-id"
                    />
                  </Grid.Col>
                </Grid>
                {isNew && (
                  <Stack gap={6}>
                    <Text size="sm" fw={500}>
                      {t('segment.fields.kind')}
                    </Text>
                    <SegmentedControl
                      value={draft.kind}
                      onChange={(kind) => onChange({ kind: kind, query: emptyQuery(kind) })}
                      data={[
                        { value: 'partner', label: t('segment.kinds.partner') },
                        { value: 'product', label: t('segment.kinds.product') },
                      ]}
                      w="fit-content"
                      data-testid="segment-kind"
                    />
                  </Stack>
                )}
                <Textarea
                  label={t('segment.fields.description')}
                  placeholder={t('segment.fields.descriptionPlaceholder')}
                  value={draft.description}
                  onChange={(e) => onChange({ description: e.currentTarget.value })}
                  autosize
                  minRows={2}
                  maxRows={6}
                />
                <FolderInput value={draft.folder} onChange={(folder) => onChange({ folder })} />
                <Stack gap={6}>
                  <Group gap={6}>
                    <Text size="sm" fw={500}>
                      {t('segment.fields.method')}
                    </Text>
                    {!isNew && <IconLock size={14} color="var(--mantine-color-gray-6)" aria-label={t('segment.fields.methodLocked')} />}
                  </Group>
                  <SegmentedControl
                    fullWidth
                    orientation={phone ? 'vertical' : 'horizontal'}
                    value={draft.method}
                    onChange={(method) => onChange({ method: method })}
                    disabled={!isNew}
                    data={SEGMENT_METHODS.map((m) => ({ value: m, label: t(`segments.methodChoices.${m}`), disabled: !methods.includes(m) }))}
                    data-testid="segment-method"
                    styles={{ label: { whiteSpace: 'normal', lineHeight: 1.25 } }}
                  />
                  <Text size="xs" c="dimmed">
                    {isNew ? t(`segments.methodHints.${draft.method}`) : `${t(`segments.methodHints.${draft.method}`)} ${t('segment.fields.methodLocked')}`}
                  </Text>
                </Stack>
              </Stack>
            </Section>
            <Section
              title={t('segment.sections.rule')}
              testId="segment-rule"
              right={
                advanced && (
                  <Button size="compact-xs" variant="subtle" color="gray" leftSection={<IconBraces size={14} />} onClick={() => setShowJson((v) => !v)} data-testid="rule-json-toggle">
                    {showJson ? t('rule.jsonHide') : t('rule.jsonShow')}
                  </Button>
                )
              }
            >
              {draft.sql !== null ? (
                <Stack gap="xs">
                  <Alert variant="light" color="blue" icon={<IconInfoCircle size={18} />}>
                    {t('segment.sqlBanner')}
                  </Alert>
                  <Code block>{draft.sql}</Code>
                </Stack>
              ) : vocabulary ? (
                <>
                  {looseIssues.length > 0 && (
                    <Alert variant="light" color="red" title={t('rule.issuesTitle')} mb="sm" data-testid="rule-issues">
                      {looseIssues.map((issue) => (
                        <Text key={issue} size="sm">
                          {issue}
                        </Text>
                      ))}
                    </Alert>
                  )}
                  {draft.query.rules.length === 0 && (
                    <Text size="sm" c="dimmed" mb="xs">
                      {t('rule.empty')}
                    </Text>
                  )}
                  <RuleBuilder
                    kind={draft.kind}
                    vocabulary={vocabulary}
                    query={draft.query}
                    onChange={(query) => onChange({ query })}
                    segments={segments}
                    selfId={saved?.id}
                    parameterNames={draft.parameters.map((p) => p.name).filter(Boolean)}
                    issues={issues}
                  />
                  {advanced && showJson && <JsonView key={JSON.stringify(queryToRule(draft.query))} query={draft.query} onApply={(query) => onChange({ query })} />}
                </>
              ) : (
                <Text size="sm" c="dimmed">
                  {t('common.loading')}
                </Text>
              )}
            </Section>
          </Stack>
        </Grid.Col>
        <Grid.Col span={{ base: 12, lg: 4 }}>
          <Stack gap="md" className={classes.sticky}>
            {draft.sql === null && <PreviewPanel preview={preview} kind={draft.kind} everyone={draft.query.rules.length === 0 && !draft.query.not} />}
            {draft.method === 'periodic' && (
              <Section title={t('segment.sections.schedule')} testId="segment-schedule-section">
                <ScheduleEditor draft={draft} onChange={onChange} nextRunAt={saved?.nextRunAt ?? null} />
              </Section>
            )}
            <Section title={t('segment.sections.competitors')} testId="segment-competitors-section">
              <CompetitorsEditor value={draft.competitors} onChange={(competitors) => onChange({ competitors })} />
            </Section>
            {(advanced || draft.parameters.length > 0) && (
              <Section title={t('segment.sections.parameters')} testId="segment-parameters">
                <ParametersEditor draft={draft} onChange={onChange} />
              </Section>
            )}
          </Stack>
        </Grid.Col>
      </Grid>
    </fieldset>
  );
}
