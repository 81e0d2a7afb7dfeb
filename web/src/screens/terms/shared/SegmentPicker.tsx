import { Anchor, Group, Select, Stack, Text, type ComboboxItem, type ComboboxItemGroup } from '@mantine/core';
import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useSegments, type SegmentKind, type SegmentWithStatus } from '../../../api/segments';
import { useTermsFormat } from './format';

interface SegmentPickerProps {
  kind: SegmentKind;
  value: string | null;
  onChange: (id: string | null) => void;
  label: string;
  /** Shown as the placeholder of an optional field ("All partners"); without it a segment is required. */
  emptyLabel?: string;
  error?: ReactNode;
  testId?: string;
  /** Segments to leave out (e.g. other rows of the same table). */
  exclude?: readonly string[];
  size?: 'xs' | 'sm';
  /** Hide the label visually (inside a grid cell); it still names the field. */
  hideLabel?: boolean;
  /** Say under the field which segments can be used (off where several pickers stand together). */
  hint?: boolean;
}

/** Sales terms read stored compositions: periodic and manual segments, not archived. */
export const isUsable = (segment: SegmentWithStatus) => segment.method !== 'dynamic' && !segment.archived;

/**
 * Picks a segment for a sales term. It lists the usable segments of the kind (periodic and
 * manual, not archived); "show all" adds the others, marked, so a user looking for a dynamic
 * segment sees it is there and learns why it cannot be used (the server refuses it, and the
 * field says so).
 */
export function SegmentPicker({ kind, value, onChange, label, emptyLabel, error, testId, exclude = [], size = 'sm', hideLabel = false, hint = true }: SegmentPickerProps) {
  const { t } = useTranslation();
  const format = useTermsFormat();
  const [showAll, setShowAll] = useState(false);
  const query = useSegments({});
  const all = (query.data?.items ?? []).filter((s) => s.kind === kind && !exclude.includes(s.id));
  const usable = all.filter(isUsable).sort((a, b) => a.name.localeCompare(b.name));
  const unusable = all.filter((s) => !isUsable(s)).sort((a, b) => a.name.localeCompare(b.name));
  const why = (s: SegmentWithStatus) => (s.archived ? t('terms.segmentPicker.archived') : t('terms.segmentPicker.dynamic'));
  const item = (s: SegmentWithStatus): ComboboxItem => ({ value: s.id, label: isUsable(s) ? s.name : `${s.name} (${why(s)})` });

  const data: (ComboboxItem | ComboboxItemGroup<ComboboxItem>)[] = [];
  if (showAll) {
    data.push({ group: t('terms.segmentPicker.usable'), items: usable.map(item) });
    if (unusable.length) data.push({ group: t('terms.segmentPicker.unusable'), items: unusable.map(item) });
  } else {
    data.push(...usable.map(item));
  }
  // The saved value shows even when the list does not offer it (archived since, or not loaded yet).
  const listed = (showAll ? all : usable).some((s) => s.id === value);
  if (value && !listed) {
    const segment = all.find((s) => s.id === value);
    data.push(segment ? item(segment) : { value, label: value });
  }
  const sizes = new Map(all.map((s) => [s.id, s]));

  return (
    <Stack gap={2}>
      <Select
        size={size}
        label={hideLabel ? undefined : label}
        aria-label={label}
        placeholder={emptyLabel ?? t('terms.segmentPicker.placeholder')}
        data={data}
        value={value}
        onChange={(next) => onChange(next)}
        searchable
        clearable={emptyLabel !== undefined}
        allowDeselect={emptyLabel !== undefined}
        nothingFoundMessage={t('terms.segmentPicker.nothing')}
        error={error ? <span data-testid={testId ? `${testId}-error` : undefined}>{error}</span> : undefined}
        withAsterisk={emptyLabel === undefined && !hideLabel}
        comboboxProps={{ withinPortal: true }}
        maxDropdownHeight={320}
        renderOption={({ option }) => {
          const segment = sizes.get(option.value);
          return (
            <Group justify="space-between" wrap="nowrap" w="100%" gap="sm">
              <Text size="sm" c={segment && !isUsable(segment) ? 'dimmed' : undefined}>
                {option.label}
              </Text>
              {segment && segment.size !== null && (
                <Text size="xs" c="dimmed" style={{ whiteSpace: 'nowrap' }} aria-hidden>
                  {format.number(segment.size)}
                </Text>
              )}
            </Group>
          );
        }}
        data-testid={testId}
      />
      {!hideLabel && (
        <Group gap={6} wrap="wrap">
          {hint && (
            <Text size="xs" c="dimmed">
              {t('terms.segmentPicker.hint')}
            </Text>
          )}
          {unusable.length > 0 && (
            <Anchor component="button" type="button" size="xs" onClick={() => setShowAll((v) => !v)} data-testid={testId ? `${testId}-show-all` : undefined}>
              {showAll ? t('terms.segmentPicker.hideUnusable') : t('terms.segmentPicker.showAll', { n: unusable.length })}
            </Anchor>
          )}
        </Group>
      )}
    </Stack>
  );
}
