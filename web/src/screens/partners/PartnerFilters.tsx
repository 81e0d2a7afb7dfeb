import { ActionIcon, Button, Collapse, Grid, Group, Indicator, Paper, Select, Text, TextInput } from '@mantine/core';
import { useDebouncedCallback, useDisclosure, useMediaQuery } from '@mantine/hooks';
import { IconAdjustmentsHorizontal, IconFilterOff, IconSearch } from '@tabler/icons-react';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useDirectory } from '../../api/directories';
import { LEGAL_FORMS, PARTNER_ROLES } from '../../api/partners';
import { useSegments } from '../../api/segments';
import { hasFilters, type ListParams } from './listParams';

interface PartnerFiltersProps {
  params: ListParams;
  /** Apply a change of filters (the caller goes back to page 1). */
  onChange: (change: Partial<ListParams>) => void;
}

/** Search and filters of the partners list, in the manner of Bitrix24's filter bar. */
export function PartnerFilters({ params, onChange }: PartnerFiltersProps) {
  const { t } = useTranslation();
  const regions = useDirectory('regions');
  const groups = useDirectory('partnerGroups');
  const segments = useSegments({ archived: false, kind: 'partner' });
  const segmentOptions = (segments.data?.items ?? []).map((s) => ({ value: s.id, label: s.name })).sort((a, b) => a.label.localeCompare(b.label));

  // The field answers every key press; the list follows once typing pauses.
  const [search, setSearch] = useState(params.q);
  useEffect(() => setSearch(params.q), [params.q]);
  const applySearch = useDebouncedCallback((q: string) => onChange({ q }), 300);

  // On a phone the selects fold away behind a button, so the list starts on the first screen.
  const compact = useMediaQuery('(max-width: 48em)') ?? false;
  const [filtersOpen, filtersToggle] = useDisclosure(false);
  const activeFilters = [params.role, params.legalForm, params.region, params.group, params.segment, params.deleted].filter(Boolean).length;

  const directoryOptions = (directory: ReturnType<typeof useDirectory>) =>
    directory.items.map((item) => ({ value: item.id, label: directory.pathOf(item.id) })).sort((a, b) => a.label.localeCompare(b.label));

  return (
    <Paper withBorder radius="md" p="md" mb="md">
      <Group gap="sm" align="flex-end" wrap="nowrap">
        <TextInput
          style={{ flex: 1, minWidth: 0 }}
          label={t('partners.searchLabel')}
          placeholder={t('partners.searchPlaceholder')}
          leftSection={<IconSearch size={16} />}
          value={search}
          onChange={(event) => {
            setSearch(event.currentTarget.value);
            applySearch(event.currentTarget.value);
          }}
          data-testid="partner-search"
          type="search"
        />
        {compact && (
          <Indicator label={activeFilters} size={16} disabled={activeFilters === 0} offset={4}>
            <ActionIcon
              variant={filtersOpen ? 'filled' : 'default'}
              size={36}
              onClick={filtersToggle.toggle}
              aria-label={t('partners.filters.show')}
              aria-expanded={filtersOpen}
              data-testid="filters-toggle"
            >
              <IconAdjustmentsHorizontal size={18} />
            </ActionIcon>
          </Indicator>
        )}
        {hasFilters(params) && (
          <Button
            variant="subtle"
            color="gray"
            leftSection={<IconFilterOff size={16} />}
            onClick={() => {
              setSearch('');
              onChange({ q: '', role: undefined, legalForm: undefined, region: undefined, group: undefined, segment: undefined, deleted: undefined });
            }}
            data-testid="filters-reset"
            aria-label={t('partners.filters.reset')}
          >
            <Text span visibleFrom="xs" inherit>
              {t('partners.filters.reset')}
            </Text>
          </Button>
        )}
      </Group>
      <Collapse expanded={!compact || filtersOpen}>
        <Grid gap="sm" align="flex-end" mt="sm">
          <Grid.Col span={{ base: 6, sm: 4, md: 'auto' }}>
            <Select
              label={t('partners.filters.role')}
              placeholder={t('partners.filters.any')}
              data={PARTNER_ROLES.map((role) => ({ value: role, label: t(`partner.roles.${role}`) }))}
              value={params.role ?? null}
              onChange={(value) => onChange({ role: value ?? undefined })}
              clearable
              data-testid="filter-role"
            />
          </Grid.Col>
          <Grid.Col span={{ base: 6, sm: 4, md: 'auto' }}>
            <Select
              label={t('partners.filters.legalForm')}
              placeholder={t('partners.filters.any')}
              data={LEGAL_FORMS.map((form) => ({ value: form, label: t(`partner.legalForms.${form}`) }))}
              value={params.legalForm ?? null}
              onChange={(value) => onChange({ legalForm: value ?? undefined })}
              clearable
              data-testid="filter-legal-form"
            />
          </Grid.Col>
          <Grid.Col span={{ base: 6, sm: 4, md: 'auto' }}>
            <Select
              label={t('partners.filters.region')}
              placeholder={t('partners.filters.anyMasc')}
              data={directoryOptions(regions)}
              value={params.region ?? null}
              onChange={(value) => onChange({ region: value ?? undefined })}
              searchable
              clearable
              nothingFoundMessage="—"
              data-testid="filter-region"
            />
          </Grid.Col>
          <Grid.Col span={{ base: 6, sm: 4, md: 'auto' }}>
            <Select
              label={t('partners.filters.group')}
              placeholder={t('partners.filters.any')}
              data={directoryOptions(groups)}
              value={params.group ?? null}
              onChange={(value) => onChange({ group: value ?? undefined })}
              searchable
              clearable
              nothingFoundMessage="—"
              data-testid="filter-group"
            />
          </Grid.Col>
          <Grid.Col span={{ base: 6, sm: 4, md: 'auto' }}>
            <Select
              label={t('manager.segmentFilter')}
              placeholder={t('manager.segmentFilterAny')}
              data={segmentOptions}
              value={params.segment ?? null}
              onChange={(value) => onChange({ segment: value ?? undefined })}
              searchable
              clearable
              nothingFoundMessage="—"
              // As wide as the longest name, but never past the screen: there a long name wraps.
              comboboxProps={{ width: 'max-content', position: 'bottom-start' }}
              styles={{ dropdown: { maxWidth: 'calc(100vw - 2 * var(--mantine-spacing-xs))' }, option: { whiteSpace: 'normal', overflowWrap: 'break-word' } }}
              data-testid="filter-segment"
            />
          </Grid.Col>
          <Grid.Col span={{ base: 6, sm: 4, md: 'auto' }}>
            <Select
              label={t('partners.filters.deleted')}
              data={[
                { value: 'all', label: t('partners.filters.deletedAll') },
                { value: 'hide', label: t('partners.filters.deletedHide') },
                { value: 'only', label: t('partners.filters.deletedOnly') },
              ]}
              value={params.deleted ?? 'all'}
              onChange={(value) => onChange({ deleted: value === 'hide' || value === 'only' ? value : undefined })}
              allowDeselect={false}
              data-testid="filter-deleted"
            />
          </Grid.Col>
        </Grid>
      </Collapse>
    </Paper>
  );
}
