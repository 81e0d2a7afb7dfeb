import { Badge, Group, NumberInput, SegmentedControl, Select, Stack, Switch, Text, TextInput } from '@mantine/core';
import { IconTag } from '@tabler/icons-react';
import { createColumnHelper } from '@tanstack/react-table';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { PRICE_ROUNDINGS, useDeleteTerm, useSaveTerm, useTerms, type PriceRounding, type PriceType } from '../../../api/terms';
import type { DataTableFeatures } from '../../../components/DataTable';
import { DescriptionField, NameFields, SLUG } from '../shared/fields';
import { useNumberSeparators, useTermsFormat } from '../shared/format';
import { TermDialog, useTermDialog } from '../shared/TermDialog';
import { TermNameCell } from '../shared/TermNameCell';
import { TermsList } from '../shared/TermsList';

const column = createColumnHelper<DataTableFeatures, PriceType>();
/** The translation key of a rounding rule (`0.99` → `r0_99`: a dot would split the key). */
const ROUNDING_KEYS = {
  '0.01': 'r0_01',
  '0.1': 'r0_1',
  '1': 'r1',
  '5': 'r5',
  '10': 'r10',
  '50': 'r50',
  '100': 'r100',
  '1000': 'r1000',
  '0.99': 'r0_99',
  '9.99': 'r9_99',
} as const satisfies Record<PriceRounding, string>;
const roundingKey = (rounding: PriceRounding) => ROUNDING_KEYS[rounding];

interface Draft {
  id: string;
  name: string;
  description: string;
  currency: string;
  vatIncluded: boolean;
  vatRate: number | '';
  derived: boolean;
  baseTypeId: string | null;
  markupPercent: number | '';
  rounding: PriceRounding;
  isDefault: boolean;
}

const draftOf = (p: PriceType | undefined): Draft => ({
  id: p?.id ?? '',
  name: p?.name ?? '',
  description: p?.description ?? '',
  currency: p?.currency ?? 'RUB',
  vatIncluded: p?.vatIncluded ?? true,
  vatRate: p?.vatRate ?? 20,
  derived: (p?.baseTypeId ?? null) !== null,
  baseTypeId: p?.baseTypeId ?? null,
  markupPercent: p?.markupPercent ?? 0,
  rounding: p?.rounding ?? '0.01',
  isDefault: p?.isDefault ?? false,
});

/** "From «Retail» −10 %, rounded to 1" or "Set by hand". */
export function usePriceTypeHow() {
  const { t } = useTranslation();
  const format = useTermsFormat();
  return (p: PriceType, types: ReadonlyMap<string, PriceType>) =>
    p.baseTypeId === null
      ? t('terms.prices.byHand')
      : t('terms.prices.derived', {
          base: types.get(p.baseTypeId)?.name ?? p.baseTypeId,
          markup: `${(p.markupPercent ?? 0) >= 0 ? '+' : '−'}${format.percent(Math.abs(p.markupPercent ?? 0))}`,
          rounding: t(`terms.prices.roundings.${roundingKey(p.rounding ?? '0.01')}`),
        });
}

function PriceTypeDialog({ saved, types, onClose }: { saved: PriceType | undefined; types: PriceType[]; onClose: () => void }) {
  const { t } = useTranslation();
  const separators = useNumberSeparators();
  const [draft, setDraft] = useState<Draft>(() => draftOf(saved));
  const change = (patch: Partial<Draft>) => setDraft((d) => ({ ...d, ...patch }));
  const save = useSaveTerm('price-types', saved?.id);
  const remove = useDeleteTerm('price-types');
  const bases = types.filter((p) => p.id !== saved?.id).map((p) => ({ value: p.id, label: p.name }));

  const onSave = () => {
    const body = {
      ...(saved || !draft.id ? {} : { id: draft.id }),
      name: draft.name.trim(),
      description: draft.description || null,
      currency: draft.currency.trim().toUpperCase(),
      vatIncluded: draft.vatIncluded,
      vatRate: draft.vatRate === '' ? 0 : draft.vatRate,
      baseTypeId: draft.derived ? draft.baseTypeId : null,
      markupPercent: draft.derived ? (draft.markupPercent === '' ? 0 : draft.markupPercent) : null,
      rounding: draft.derived ? draft.rounding : null,
      isDefault: draft.isDefault,
    };
    void save.mutateAsync(body).then(onClose, () => undefined);
  };

  return (
    <TermDialog
      opened
      onClose={onClose}
      title={saved ? saved.name : t('terms.prices.newType')}
      onSave={onSave}
      saving={save.isPending}
      canSave={draft.name.trim() !== '' && (draft.id === '' || SLUG.test(draft.id)) && /^[A-Za-z]{3}$/.test(draft.currency.trim()) && (!draft.derived || draft.baseTypeId !== null)}
      error={save.error}
      {...(saved
        ? {
            onDelete: () => void remove.mutateAsync(saved.id).then(onClose, () => undefined),
            deleting: remove.isPending,
            deleteError: remove.error,
            deleteText: t('terms.common.deleteNamed', { name: saved.name }),
          }
        : {})}
      testId="price-type-form"
    >
      <NameFields name={draft.name} id={draft.id} onName={(name) => change({ name })} onId={(id) => change({ id })} saved={saved !== undefined} testPrefix="price-type" />
      <Group grow align="flex-start" gap="sm" wrap="wrap">
        <TextInput
          label={t('terms.prices.fields.currency')}
          value={draft.currency}
          onChange={(e) => change({ currency: e.currentTarget.value })}
          maxLength={3}
          miw={120}
          data-testid="price-type-currency"
        />
        <NumberInput
          label={t('terms.prices.fields.vatRate')}
          value={draft.vatRate}
          onChange={(v) => change({ vatRate: typeof v === 'number' ? v : v === '' ? '' : Number(v) })}
          min={0}
          max={100}
          suffix=" %"
          {...separators.fraction}
          miw={120}
        />
      </Group>
      <Switch label={t('terms.prices.fields.vatIncluded')} checked={draft.vatIncluded} onChange={(e) => change({ vatIncluded: e.currentTarget.checked })} data-testid="price-type-vat" />
      <Stack gap={4}>
        <Text size="sm" fw={500}>
          {t('terms.prices.fields.mode')}
        </Text>
        <SegmentedControl
          value={draft.derived ? 'derived' : 'manual'}
          onChange={(mode) => change({ derived: mode === 'derived' })}
          data={[
            { value: 'manual', label: t('terms.prices.fields.byHand') },
            { value: 'derived', label: t('terms.prices.fields.derived') },
          ]}
          data-testid="price-type-mode"
        />
      </Stack>
      {draft.derived && (
        <Group grow align="flex-start" gap="sm" wrap="wrap">
          <Select
            label={t('terms.prices.fields.baseType')}
            data={bases}
            value={draft.baseTypeId}
            onChange={(baseTypeId) => change({ baseTypeId })}
            comboboxProps={{ withinPortal: true }}
            miw={180}
            data-testid="price-type-base"
          />
          <NumberInput
            label={t('terms.prices.fields.markup')}
            value={draft.markupPercent}
            onChange={(v) => change({ markupPercent: typeof v === 'number' ? v : v === '' ? '' : Number(v) })}
            suffix=" %"
            {...separators.fraction}
            miw={140}
            data-testid="price-type-markup"
          />
          <Select
            label={t('terms.prices.fields.rounding')}
            data={PRICE_ROUNDINGS.map((r) => ({ value: r, label: t(`terms.prices.roundings.${roundingKey(r)}`) }))}
            value={draft.rounding}
            onChange={(rounding) => change({ rounding: rounding ?? '0.01' })}
            comboboxProps={{ withinPortal: true }}
            miw={160}
            data-testid="price-type-rounding"
          />
        </Group>
      )}
      <Switch label={t('terms.prices.fields.isDefault')} checked={draft.isDefault} onChange={(e) => change({ isDefault: e.currentTarget.checked })} data-testid="price-type-default" />
      <DescriptionField value={draft.description} onChange={(description) => change({ description })} />
    </TermDialog>
  );
}

/** Price types (1C's виды цен): currency, VAT, set by hand or derived with a markup and rounding; the default one. */
export function PriceTypesPanel() {
  const { t, i18n } = useTranslation();
  const format = useTermsFormat();
  const how = usePriceTypeHow();
  const query = useTerms('price-types');
  const dialog = useTermDialog();
  const items = useMemo(() => [...(query.data?.items ?? [])].sort((a, b) => a.name.localeCompare(b.name, i18n.resolvedLanguage)), [query.data, i18n.resolvedLanguage]);
  const byId = useMemo(() => new Map(items.map((p) => [p.id, p])), [items]);
  const vat = (p: PriceType) => t(p.vatIncluded ? 'terms.prices.vatIncluded' : 'terms.prices.vatExcluded', { rate: format.percent(p.vatRate) });

  const columns = useMemo(
    () =>
      column.columns([
        column.accessor('name', {
          header: () => t('terms.prices.columns.name'),
          enableSorting: false,
          cell: (info) => (
            <Group gap={6} wrap="nowrap">
              <TermNameCell name={info.getValue()} id={info.row.original.id} />
              {info.row.original.isDefault && (
                <Badge size="xs" variant="light" tt="none" data-testid="price-type-default-badge">
                  {t('terms.prices.default')}
                </Badge>
              )}
            </Group>
          ),
        }),
        column.accessor('currency', { header: () => t('terms.prices.columns.currency'), enableSorting: false, cell: (info) => <Text size="sm">{info.getValue()}</Text> }),
        column.display({ id: 'vat', header: () => t('terms.prices.columns.vat'), cell: (info) => <Text size="sm">{vat(info.row.original)}</Text> }),
        column.display({ id: 'how', header: () => t('terms.prices.columns.how'), cell: (info) => <Text size="sm">{how(info.row.original, byId)}</Text> }),
      ]),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [t, byId, format],
  );

  const editing = dialog.openId ? items.find((p) => p.id === dialog.openId) : undefined;
  return (
    <>
      <TermsList
        testId="price-types"
        label={t('terms.tabs.priceTypes.title')}
        intro={t('terms.prices.typesIntro')}
        createLabel={t('terms.prices.createType')}
        onCreate={dialog.create}
        query={query}
        items={items}
        columns={columns}
        getRowId={(p) => p.id}
        onRowClick={(p) => dialog.open(p.id)}
        empty={{ icon: <IconTag size={26} />, title: t('terms.prices.emptyTypesTitle'), text: t('terms.prices.emptyTypesText') }}
        renderCompact={(p) => (
          <Stack gap={4}>
            <Group justify="space-between" wrap="nowrap">
              <Text fw={600}>{p.name}</Text>
              <Text size="sm">{p.currency}</Text>
            </Group>
            <Text size="xs" c="dimmed">
              {how(p, byId)} · {vat(p)}
            </Text>
          </Stack>
        )}
      />
      {dialog.creating && <PriceTypeDialog key="new" saved={undefined} types={items} onClose={dialog.close} />}
      {editing && <PriceTypeDialog key={editing.id} saved={editing} types={items} onClose={dialog.close} />}
    </>
  );
}
