import { ActionIcon, Alert, Button, Checkbox, FileInput, Group, NumberInput, Paper, Select, SimpleGrid, Stack, Table, Text, TextInput, Title, Tooltip } from '@mantine/core';
import { DatePickerInput } from '@mantine/dates';
import { IconCurrencyRubel, IconFileUpload, IconTrash } from '@tabler/icons-react';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { usePermissions } from '../../../app/auth-context';
import { ApiError } from '../../../api/client';
import { PRICES_PAGE, useDeletePrice, useImportPrices, usePrices, useSetPrice, useTerms, type ImportReport, type PriceFilter, type ProductChoice } from '../../../api/terms';
import { EmptyState } from '../../../components/EmptyState';
import { ErrorAlert } from '../../../components/ErrorAlert';
import { ProductPicker } from '../order/pickers';
import { todayIso, useNumberSeparators, useTermsFormat } from '../shared/format';

/** 2025-06-01 → 01.06.2025 in Russian; ISO in English. */
const useShowDate = () => {
  const { i18n } = useTranslation();
  return (date: string) => (i18n.resolvedLanguage === 'en' ? date : `${date.slice(8, 10)}.${date.slice(5, 7)}.${date.slice(0, 4)}`);
};

function SetPriceForm({ manualTypes }: { manualTypes: { value: string; label: string }[] }) {
  const { t } = useTranslation();
  const format = useTermsFormat();
  const separators = useNumberSeparators();
  const showDate = useShowDate();
  const save = useSetPrice();
  const [typeId, setTypeId] = useState<string | null>(null);
  const [product, setProduct] = useState<ProductChoice | null>(null);
  const [date, setDate] = useState<string>(todayIso());
  const [price, setPrice] = useState<number | ''>('');
  const chosenType = typeId ?? manualTypes[0]?.value ?? null;
  const ready = chosenType !== null && product !== null && price !== '' && price >= 0;
  return (
    <Paper withBorder radius="md" p="md" data-testid="price-set-form">
      <Stack gap="sm">
        <Title order={5}>{t('terms.prices.setTitle')}</Title>
        <SimpleGrid cols={{ base: 1, sm: 2, lg: 4 }} spacing="sm">
          <Select label={t('terms.prices.columns.priceType')} data={manualTypes} value={chosenType} onChange={setTypeId} comboboxProps={{ withinPortal: true }} data-testid="price-set-type" />
          <ProductPicker value={product} onChange={setProduct} label={t('terms.prices.columns.product')} testId="price-set-product" />
          <DatePickerInput
            label={t('terms.prices.columns.validFrom')}
            valueFormat="DD.MM.YYYY"
            value={date}
            onChange={(d) => setDate(d ?? todayIso())}
            popoverProps={{ withinPortal: true }}
            data-testid="price-set-date"
          />
          <NumberInput
            label={t('terms.prices.columns.price')}
            value={price}
            onChange={(v) => setPrice(typeof v === 'number' ? v : v === '' ? '' : Number(String(v).replace(',', '.')))}
            min={0}
            decimalScale={2}
            {...separators.amount}
            hideControls
            data-testid="price-set-price"
          />
        </SimpleGrid>
        <Group justify="space-between" gap="sm">
          <Text size="sm" c="teal.8" data-testid="price-set-done">
            {save.data ? t('terms.prices.saved', { product: save.data.productId, price: format.money(save.data.price), date: showDate(save.data.validFrom) }) : ''}
          </Text>
          <Button
            onClick={() => ready && save.mutate({ priceTypeId: chosenType, productId: product.id, validFrom: date, price })}
            disabled={!ready}
            loading={save.isPending}
            data-testid="price-set-save"
          >
            {t('terms.prices.setAction')}
          </Button>
        </Group>
        {Boolean(save.error) && <ErrorAlert error={save.error} />}
      </Stack>
    </Paper>
  );
}

function ImportBox() {
  const { t } = useTranslation();
  const run = useImportPrices();
  const [file, setFile] = useState<File | null>(null);
  const [skipBad, setSkipBad] = useState(false);
  const report: ImportReport | undefined = run.data;
  const badRows = run.error instanceof ApiError && run.error.code === 'IMPORT_BAD_ROWS' ? (run.error.details.errors as ImportReport['errors']) : null;
  return (
    <Paper withBorder radius="md" p="md" data-testid="price-import">
      <Stack gap="sm">
        <Title order={5}>{t('terms.prices.importTitle')}</Title>
        <Text size="sm" c="dimmed">
          {t('terms.prices.importHint')}
        </Text>
        <Group align="flex-end" gap="sm" wrap="wrap">
          <FileInput
            label={t('terms.prices.importFile')}
            placeholder={t('terms.prices.importPlaceholder')}
            accept=".csv,.txt,.json,.jsonl,.xlsx"
            value={file}
            onChange={(f) => {
              setFile(f);
              run.reset();
            }}
            clearable
            miw={280}
            leftSection={<IconFileUpload size={16} />}
            data-testid="price-import-file"
          />
          <Checkbox label={t('terms.prices.skipBad')} checked={skipBad} onChange={(e) => setSkipBad(e.currentTarget.checked)} mb={8} />
          <Button onClick={() => file && run.mutate({ file, skipBad })} disabled={!file} loading={run.isPending} data-testid="price-import-run">
            {t('terms.prices.importAction')}
          </Button>
        </Group>
        {report && (
          <Alert color="teal" variant="light" data-testid="price-import-report">
            {t('terms.prices.imported', { rows: report.rows, inserted: report.inserted, updated: report.updated, unchanged: report.unchanged, skipped: report.skipped })}
          </Alert>
        )}
        {badRows ? (
          <Stack gap={4} data-testid="price-import-errors">
            <Text size="sm" fw={600} c="red.8">
              {t('terms.prices.badRows')}
            </Text>
            <Table withTableBorder striped fz="sm">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('terms.prices.errorLine')}</Table.Th>
                  <Table.Th>{t('terms.prices.errorColumn')}</Table.Th>
                  <Table.Th>{t('terms.prices.errorValue')}</Table.Th>
                  <Table.Th>{t('terms.prices.errorReason')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {badRows.map((e, i) => (
                  <Table.Tr key={i}>
                    <Table.Td>{e.line}</Table.Td>
                    <Table.Td>{e.column ?? '—'}</Table.Td>
                    <Table.Td>{e.value ?? '—'}</Table.Td>
                    <Table.Td>{e.reason}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Stack>
        ) : (
          Boolean(run.error) && <ErrorAlert error={run.error} />
        )}
      </Stack>
    </Paper>
  );
}

/** The prices history (1C's цены номенклатуры): filter by type, product and date; set one price; import a file. */
export function PricesPanel() {
  const { t } = useTranslation();
  const format = useTermsFormat();
  const showDate = useShowDate();
  const { editTerms } = usePermissions();
  const types = useTerms('price-types');
  const [filter, setFilter] = useState<PriceFilter>({ priceTypeId: null, productId: null, date: null, offset: 0 });
  const change = (patch: Partial<PriceFilter>) => setFilter((f) => ({ ...f, offset: 0, ...patch }));
  const prices = usePrices(filter);
  const remove = useDeletePrice();
  const typeNames = useMemo(() => new Map((types.data?.items ?? []).map((p) => [p.id, p.name])), [types.data]);
  const manualTypes = (types.data?.items ?? []).filter((p) => p.baseTypeId === null).map((p) => ({ value: p.id, label: p.name }));
  const items = prices.data?.items ?? [];
  const total = prices.data?.total ?? 0;

  return (
    <Stack gap="lg" data-testid="prices">
      <Text size="sm" c="dimmed" maw={760}>
        {t('terms.prices.listIntro')}
      </Text>
      <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="sm">
        <Select
          label={t('terms.prices.filterType')}
          placeholder={t('terms.prices.allTypes')}
          data={manualTypes}
          value={filter.priceTypeId}
          onChange={(priceTypeId) => change({ priceTypeId })}
          clearable
          comboboxProps={{ withinPortal: true }}
          data-testid="prices-filter-type"
        />
        <TextInput
          label={t('terms.prices.filterProduct')}
          value={filter.productId ?? ''}
          onChange={(e) => change({ productId: e.currentTarget.value.trim() || null })}
          data-testid="prices-filter-product"
        />
        <DatePickerInput
          label={t('terms.prices.filterDate')}
          valueFormat="DD.MM.YYYY"
          value={filter.date}
          onChange={(date) => change({ date: date ?? null })}
          clearable
          popoverProps={{ withinPortal: true }}
          data-testid="prices-filter-date"
        />
      </SimpleGrid>
      {prices.isError ? (
        <ErrorAlert error={prices.error} onRetry={() => void prices.refetch()} />
      ) : !prices.isPending && items.length === 0 ? (
        <EmptyState icon={<IconCurrencyRubel size={26} />} title={t('terms.prices.emptyTitle')} text={t('terms.prices.emptyText')} />
      ) : (
        <Stack gap="xs">
          <Table striped highlightOnHover withTableBorder data-testid="prices-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('terms.prices.columns.product')}</Table.Th>
                <Table.Th>{t('terms.prices.columns.priceType')}</Table.Th>
                <Table.Th>{t('terms.prices.columns.validFrom')}</Table.Th>
                <Table.Th ta="right">{t('terms.prices.columns.price')}</Table.Th>
                {editTerms && <Table.Th w={40} />}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {items.map((row) => (
                <Table.Tr key={`${row.priceTypeId}|${row.productId}|${row.validFrom}`} data-testid="price-row">
                  <Table.Td>{row.productId}</Table.Td>
                  <Table.Td>{typeNames.get(row.priceTypeId) ?? row.priceTypeId}</Table.Td>
                  <Table.Td>{showDate(row.validFrom)}</Table.Td>
                  <Table.Td ta="right" ff="monospace">
                    {format.money(row.price)}
                  </Table.Td>
                  {editTerms && (
                    <Table.Td>
                      <Tooltip label={t('terms.prices.deleteRow')} openDelay={400}>
                        <ActionIcon variant="subtle" color="gray" aria-label={t('terms.prices.deleteRow')} onClick={() => remove.mutate(row)}>
                          <IconTrash size={15} />
                        </ActionIcon>
                      </Tooltip>
                    </Table.Td>
                  )}
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          <Group justify="space-between">
            <Text size="sm" c="dimmed" data-testid="prices-shown">
              {total > 0 ? t('terms.prices.shown', { from: filter.offset + 1, to: filter.offset + items.length, total }) : ''}
            </Text>
            <Group gap="xs">
              <Button variant="default" size="compact-sm" disabled={filter.offset === 0} onClick={() => setFilter((f) => ({ ...f, offset: Math.max(0, f.offset - PRICES_PAGE) }))}>
                {t('terms.prices.previous')}
              </Button>
              <Button variant="default" size="compact-sm" disabled={filter.offset + items.length >= total} onClick={() => setFilter((f) => ({ ...f, offset: f.offset + PRICES_PAGE }))}>
                {t('terms.prices.next')}
              </Button>
            </Group>
          </Group>
        </Stack>
      )}
      {editTerms && (
        <>
          <SetPriceForm manualTypes={manualTypes} />
          <ImportBox />
        </>
      )}
    </Stack>
  );
}
