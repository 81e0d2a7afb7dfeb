import { Group, Select, Text } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { apiGet } from '../../../api/client';
import type { PartnerPage } from '../../../api/partners';
import { useProductSearch, type ProductChoice } from '../../../api/terms';
import { useTermsFormat } from '../shared/format';

export interface PartnerChoice {
  id: string;
  name: string;
}

/** A partner found by a piece of the name, e-mail or phone (the server searches; 20 at a time). */
export function PartnerPicker({ value, onChange, error }: { value: PartnerChoice | null; onChange: (p: PartnerChoice | null) => void; error?: string | null }) {
  const { t } = useTranslation();
  const [search, setSearch] = useState(value?.name ?? '');
  const [q] = useDebouncedValue(search.trim() === value?.name ? '' : search.trim(), 250);
  const found = useQuery({
    queryKey: ['partners', { q, limit: 20, role: 'customer' }],
    queryFn: ({ signal }) => apiGet<PartnerPage>('/partners', { q, limit: 20, sort: 'name', role: 'customer' }, signal),
    staleTime: 60_000,
  });
  const items = found.data?.items ?? [];
  const byId = new Map(items.map((p) => [p.id, p]));
  const data = [...(value && !byId.has(value.id) ? [{ value: value.id, label: value.name }] : []), ...items.map((p) => ({ value: p.id, label: p.name }))];
  return (
    <Select
      label={t('terms.order.partner')}
      placeholder={t('terms.order.partnerPlaceholder')}
      data={data}
      value={value?.id ?? null}
      onChange={(id) => {
        const partner = id ? (byId.get(id) ?? (value?.id === id ? value : null)) : null;
        onChange(partner ? { id: partner.id, name: partner.name } : null);
      }}
      searchable
      searchValue={search}
      onSearchChange={setSearch}
      filter={({ options }) => options}
      nothingFoundMessage={found.isFetching ? t('common.loading') : t('terms.order.nothingFound')}
      clearable
      withAsterisk
      error={error}
      comboboxProps={{ withinPortal: true }}
      renderOption={({ option }) => {
        const partner = byId.get(option.value);
        return (
          <Group justify="space-between" wrap="nowrap" w="100%" gap="sm">
            <Text size="sm">{option.label}</Text>
            <Text size="xs" c="dimmed" ff="monospace" aria-hidden>
              {partner?.id ?? option.value}
            </Text>
          </Group>
        );
      }}
      data-testid="order-partner"
    />
  );
}

/** A product found by a piece of its name or code, with the price of its last sale. */
export function ProductPicker({
  value,
  onChange,
  label,
  hideLabel,
  testId,
}: {
  value: ProductChoice | null;
  onChange: (p: ProductChoice | null) => void;
  label: string;
  hideLabel?: boolean;
  testId?: string;
}) {
  const { t } = useTranslation();
  const format = useTermsFormat();
  const [search, setSearch] = useState(value?.name ?? '');
  const [q] = useDebouncedValue(search.trim() === value?.name ? '' : search.trim(), 250);
  const found = useProductSearch(q);
  const items = found.data?.items ?? [];
  const byId = new Map(items.map((p) => [p.id, p]));
  if (value) byId.set(value.id, byId.get(value.id) ?? value);
  const data = [...(value && !items.some((p) => p.id === value.id) ? [value] : []), ...items].map((p) => ({ value: p.id, label: p.name }));
  return (
    <Select
      label={hideLabel ? undefined : label}
      aria-label={label}
      placeholder={t('terms.order.productPlaceholder')}
      data={data}
      value={value?.id ?? null}
      onChange={(id) => onChange(id ? (byId.get(id) ?? null) : null)}
      searchable
      searchValue={search}
      onSearchChange={setSearch}
      filter={({ options }) => options}
      nothingFoundMessage={found.isFetching ? t('common.loading') : t('terms.order.nothingFound')}
      comboboxProps={{ withinPortal: true }}
      maxDropdownHeight={300}
      renderOption={({ option }) => {
        const product = byId.get(option.value);
        return (
          <Group justify="space-between" wrap="nowrap" w="100%" gap="sm">
            <div style={{ minWidth: 0 }}>
              <Text size="sm">{option.label}</Text>
              <Text size="xs" c="dimmed" ff="monospace" aria-hidden>
                {option.value}
              </Text>
            </div>
            {product?.lastPrice != null && (
              <Text size="xs" c="dimmed" style={{ whiteSpace: 'nowrap' }} aria-hidden>
                {format.money(product.lastPrice)}
              </Text>
            )}
          </Group>
        );
      }}
      data-testid={testId}
    />
  );
}
