import { Alert, Badge, Button, Checkbox, FileInput, Group, Loader, Paper, Progress, ScrollArea, Select, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { IconAlertTriangle, IconCheck, IconDeviceFloppy, IconFileSpreadsheet, IconUpload } from '@tabler/icons-react';
import { useMutation } from '@tanstack/react-query';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ENTITIES, ENTITY_NAMES, type EntityName } from '../../../../src/model/entities';
import { rowReasonIn } from '../../../../src/import/row-error-codes';
import { previewImport, runImport, useImportMappings, useSaveMapping, type ColumnMapping, type ImportPreview, type ImportReport, type RowError } from '../../api/imports';
import { ErrorAlert } from '../../components/ErrorAlert';
import { PageHeader } from '../../components/PageHeader';

const SKIP = '__skip';
const SHOWN_ERRORS = 50;

/** The columns a heading may be sent to: the entity's fields (each role too) and, where it has them, a property named like the heading. */
function targetsOf(entity: EntityName): string[] {
  return ENTITIES[entity].fields.flatMap((f) => (f.kind === 'flags' ? [f.name, ...f.values.map((v) => `${f.columnPrefix}${v}`)] : [f.name]));
}

/** The import screen: a file of one entity → detected format and encoding, the mapping to fix, the first rows, row errors → import with progress → the report. */
export function ImportPage() {
  const { t, i18n } = useTranslation();
  const [entity, setEntity] = useState<EntityName>('partners');
  const [file, setFile] = useState<File | null>(null);
  const [columns, setColumns] = useState<ColumnMapping>({});
  const [savedName, setSavedName] = useState<string | null>(null);
  const [skipBad, setSkipBad] = useState(false);
  const [progress, setProgress] = useState<number | null>(null);
  const [saveName, setSaveName] = useState('');
  const [saveSource, setSaveSource] = useState('');
  const mappings = useImportMappings(entity);
  const save = useSaveMapping();

  const preview = useMutation({ mutationFn: previewImport });
  const run = useMutation({
    mutationFn: () => runImport({ entity, file: file!, columns, skipBad }, setProgress),
    onSettled: () => setProgress(null),
  });
  const { mutate: runPreview, reset: resetPreview } = preview;
  const { reset: resetRun } = run;

  // A new file, entity or mapping: look at the file again (the server reads it all, writes nothing).
  useEffect(() => {
    resetRun();
    if (file) runPreview({ entity, file, columns });
    else resetPreview();
  }, [entity, file, columns, runPreview, resetPreview, resetRun]);

  const fieldLabel = (field: string): string => {
    if (field.startsWith('properties.')) return t('import.mapping.property', { name: field.slice('properties.'.length) });
    const key = `import.fields.${field}` as const;
    return t(key as 'import.fields.id', { defaultValue: field });
  };

  // A row error's reason in the UI's language: the table the API's ?lang=ru reads (row-error-codes.ts), else the server's English sentence.
  const reasonOf = (error: RowError): string => rowReasonIn(i18n.resolvedLanguage === 'ru' ? 'ru' : 'en', error);

  const data: ImportPreview | undefined = preview.data;
  const report: ImportReport | undefined = run.data;
  const unknown = data?.columns.filter((c) => c.how === 'unknown') ?? [];
  const blockedByRows = !!data && data.report.errorCount > 0 && !skipBad;
  const canImport = !!data && !preview.isPending && unknown.length === 0 && data.missingColumns.length === 0 && !blockedByRows && !run.isPending;
  const sampleFields = useMemo(() => (data?.columns ?? []).map((c) => c.field).filter((f): f is string => f !== null), [data]);
  const entityOptions = ENTITY_NAMES.map((name) => ({ value: name, label: t(`import.entities.${name}`) }));

  return (
    <Stack gap="md" data-testid="import-page">
      <PageHeader title={t('import.title')} description={t('import.description')} />
      <Paper withBorder p="md" radius="md">
        <Group align="flex-end" gap="md" wrap="wrap">
          <Select
            label={t('import.entity')}
            data={entityOptions}
            value={entity}
            allowDeselect={false}
            onChange={(value) => {
              if (!value) return;
              setEntity(value);
              setColumns({});
              setSavedName(null);
            }}
            w={220}
            data-testid="import-entity"
          />
          <FileInput
            label={t('import.file')}
            placeholder={t('import.filePlaceholder')}
            accept=".xlsx,.csv,.txt,.json,.jsonl,.ndjson"
            value={file}
            onChange={(value) => {
              setFile(value);
              setColumns(savedName ? (mappings.data?.find((m) => m.name === savedName)?.columns ?? {}) : {});
            }}
            leftSection={<IconFileSpreadsheet size={16} />}
            clearable
            w={320}
            data-testid="import-file"
          />
          <Select
            label={t('import.savedMapping')}
            placeholder={t('import.savedMappingNone')}
            data={(mappings.data ?? []).map((m) => ({ value: m.name, label: m.source ? `${m.name} (${m.source})` : m.name }))}
            value={savedName}
            clearable
            onChange={(value) => {
              setSavedName(value);
              setColumns(value ? (mappings.data?.find((m) => m.name === value)?.columns ?? {}) : {});
            }}
            w={240}
            data-testid="import-saved-mapping"
          />
        </Group>
      </Paper>

      {preview.isPending && (
        <Group gap="xs">
          <Loader size="sm" />
          <Text size="sm">{t('import.checking')}</Text>
        </Group>
      )}
      {preview.error && <ErrorAlert error={preview.error} />}

      {data && !preview.isPending && (
        <>
          <Group gap="xs" data-testid="import-detected">
            <Badge variant="light" tt="none" data-testid="import-format">
              {t('import.detected.format', { format: data.format.toUpperCase() })}
            </Badge>
            {data.encoding && (
              <Badge variant="light" tt="none" color={data.encoding === 'utf-8' ? 'blue' : 'orange'} data-testid="import-encoding">
                {t('import.detected.encoding', { encoding: data.encoding })}
              </Badge>
            )}
            {data.delimiter !== undefined && (
              <Badge variant="light" tt="none">
                {t('import.detected.delimiter', { delimiter: data.delimiter === '\t' ? t('import.detected.tab') : data.delimiter })}
              </Badge>
            )}
            {data.sheet !== undefined && (
              <Badge variant="light" tt="none" data-testid="import-sheet">
                {t('import.detected.sheet', { sheet: data.sheet })}
              </Badge>
            )}
            <Badge variant="light" tt="none" color="gray">
              {t('import.detected.rows', { count: data.report.rows })}
            </Badge>
            <Text size="sm" c="dimmed" data-testid="import-plan">
              {t('import.plan', { inserted: data.report.inserted, updated: data.report.updated, unchanged: data.report.unchanged })}
            </Text>
          </Group>

          <Paper withBorder p="md" radius="md">
            <Title order={4} mb="sm">
              {t('import.mapping.title')}
            </Title>
            {unknown.length > 0 && (
              <Alert color="orange" variant="light" mb="sm" icon={<IconAlertTriangle size={18} />} data-testid="import-unknown-hint">
                {t('import.mapping.unknownHint')}
              </Alert>
            )}
            {data.missingColumns.length > 0 && (
              <Alert color="red" variant="light" mb="sm" data-testid="import-missing">
                {t('import.mapping.missing', { columns: data.missingColumns.map(fieldLabel).join(', ') })}
              </Alert>
            )}
            <Table verticalSpacing={4} data-testid="import-mapping">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('import.mapping.heading')}</Table.Th>
                  <Table.Th>{t('import.mapping.target')}</Table.Th>
                  <Table.Th>{t('import.mapping.how')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {data.columns.map((column) => {
                  const options = [
                    { value: SKIP, label: t('import.mapping.skip') },
                    ...targetsOf(entity).map((f) => ({ value: f, label: `${fieldLabel(f)} (${f})` })),
                    ...(ENTITIES[entity].properties ? [{ value: `properties.${column.heading}`, label: fieldLabel(`properties.${column.heading}`) }] : []),
                  ];
                  if (column.field && !options.some((o) => o.value === column.field)) options.push({ value: column.field, label: fieldLabel(column.field) });
                  const value = column.how === 'skipped' ? SKIP : column.field;
                  return (
                    <Table.Tr key={column.heading} data-testid="import-mapping-row" data-heading={column.heading} data-how={column.how}>
                      <Table.Td>
                        <Text size="sm" fw={500}>
                          {column.heading}
                        </Text>
                      </Table.Td>
                      <Table.Td>
                        <Select
                          size="xs"
                          data={options}
                          value={value}
                          searchable
                          error={column.how === 'unknown'}
                          aria-label={column.heading}
                          onChange={(v) => {
                            if (v === null) return;
                            setColumns({ ...columns, [column.heading]: v === SKIP ? null : v });
                          }}
                          w={280}
                          data-testid="import-mapping-select"
                        />
                        {column.suggestions.length > 0 && (
                          <Text size="xs" c="dimmed">
                            {t('import.mapping.suggestions', { list: column.suggestions.map(fieldLabel).join(', ') })}
                          </Text>
                        )}
                      </Table.Td>
                      <Table.Td>
                        <Badge size="sm" variant="dot" tt="none" color={column.how === 'unknown' ? 'red' : column.how === 'skipped' ? 'gray' : 'teal'}>
                          {t(`import.mapping.hows.${column.how}`)}
                        </Badge>
                      </Table.Td>
                    </Table.Tr>
                  );
                })}
              </Table.Tbody>
            </Table>
            <Group mt="sm" align="flex-end" gap="xs">
              <TextInput size="xs" label={t('import.mapping.saveName')} value={saveName} onChange={(e) => setSaveName(e.currentTarget.value)} w={200} data-testid="import-save-name" />
              <TextInput size="xs" label={t('import.mapping.saveSource')} value={saveSource} onChange={(e) => setSaveSource(e.currentTarget.value)} w={240} />
              <Button
                size="xs"
                variant="light"
                leftSection={<IconDeviceFloppy size={14} />}
                disabled={saveName.trim() === ''}
                loading={save.isPending}
                onClick={() => {
                  // What the screen shows now: every heading's column (or left out), so the saved mapping needs no guessing later.
                  const shown: ColumnMapping = Object.fromEntries(data.columns.filter((c) => c.how !== 'unknown').map((c) => [c.heading, c.how === 'skipped' ? null : c.field]));
                  save.mutate({ name: saveName.trim(), entity, source: saveSource.trim() || null, columns: { ...shown, ...columns } }, { onSuccess: (m) => setSavedName(m.name) });
                }}
                data-testid="import-save-mapping"
              >
                {t('import.mapping.save')}
              </Button>
              {save.isSuccess && (
                <Text size="xs" c="teal">
                  {t('import.mapping.saved', { name: save.data.name })}
                </Text>
              )}
            </Group>
            {save.error && <ErrorAlert error={save.error} />}
          </Paper>

          <Paper withBorder p="md" radius="md">
            <Title order={4} mb="sm">
              {t('import.sample.title')}
            </Title>
            <ScrollArea>
              <Table striped verticalSpacing={4} data-testid="import-sample">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t('import.sample.line')}</Table.Th>
                    {sampleFields.map((f) => (
                      <Table.Th key={f}>{fieldLabel(f)}</Table.Th>
                    ))}
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {data.sample.map((row) => (
                    <Table.Tr key={row.line} bg={row.bad ? 'var(--mantine-color-red-light)' : undefined} data-testid="import-sample-row" data-bad={row.bad}>
                      <Table.Td>
                        {row.line}
                        {row.bad && (
                          <Badge ml={4} size="xs" color="red" variant="light">
                            {t('import.sample.bad')}
                          </Badge>
                        )}
                      </Table.Td>
                      {sampleFields.map((f) => (
                        <Table.Td key={f}>{row.values[f] ?? ''}</Table.Td>
                      ))}
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </ScrollArea>
          </Paper>

          <Paper withBorder p="md" radius="md" data-testid="import-errors">
            <Title order={4} mb="sm">
              {t('import.errors.title', { count: data.report.errorCount })}
            </Title>
            {data.report.errorCount === 0 ? (
              <Text size="sm" c="dimmed">
                {t('import.errors.none')}
              </Text>
            ) : (
              <Table verticalSpacing={4}>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>{t('import.errors.line')}</Table.Th>
                    <Table.Th>{t('import.errors.column')}</Table.Th>
                    <Table.Th>{t('import.errors.value')}</Table.Th>
                    <Table.Th>{t('import.errors.reason')}</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {data.report.errors.slice(0, SHOWN_ERRORS).map((e, i) => (
                    <Table.Tr key={`${e.line}-${i}`} data-testid="import-error-row">
                      <Table.Td>{e.line}</Table.Td>
                      <Table.Td>{e.column ?? ''}</Table.Td>
                      <Table.Td>{e.value ?? ''}</Table.Td>
                      <Table.Td data-testid="import-error-reason">{reasonOf(e)}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            )}
            {data.report.errorCount > SHOWN_ERRORS && (
              <Text size="xs" c="dimmed" mt={4}>
                {t('import.errors.more', { count: data.report.errorCount - SHOWN_ERRORS })}
              </Text>
            )}
          </Paper>

          <Paper withBorder p="md" radius="md">
            <Stack gap="sm">
              <Checkbox label={t('import.skipBad')} checked={skipBad} onChange={(e) => setSkipBad(e.currentTarget.checked)} data-testid="import-skip-bad" />
              {blockedByRows && (
                <Text size="sm" c="orange">
                  {t('import.blocked')}
                </Text>
              )}
              <Group>
                <Button leftSection={<IconUpload size={16} />} disabled={!canImport} loading={run.isPending} onClick={() => run.mutate()} data-testid="import-run">
                  {t('import.run')}
                </Button>
              </Group>
              {progress !== null && (
                <Stack gap={2}>
                  <Progress value={progress * 100} animated data-testid="import-progress" />
                  <Text size="xs" c="dimmed">
                    {t('import.running', { percent: Math.round(progress * 100) })}
                  </Text>
                </Stack>
              )}
              {run.error && <ErrorAlert error={run.error} />}
              {report && (
                <Alert color="teal" variant="light" icon={<IconCheck size={18} />} title={t('import.done.title')} data-testid="import-report">
                  <Text size="sm">{t('import.done.summary', { rows: report.rows, inserted: report.inserted, updated: report.updated, unchanged: report.unchanged, skipped: report.skipped })}</Text>
                  {report.encoding && report.encoding !== 'utf-8' && <Text size="sm">{t('import.done.encoding', { encoding: report.encoding })}</Text>}
                </Alert>
              )}
            </Stack>
          </Paper>
        </>
      )}
    </Stack>
  );
}
