import { Group, NumberInput, Select, Stack, Text } from '@mantine/core';
import { TimeInput } from '@mantine/dates';
import { useTranslation } from 'react-i18next';
import { defaultChoice, scheduleChoice, scheduleText, type ScheduleChoice, type ScheduleMode } from './schedule-text';

interface SchedulePickerProps {
  /** The schedule text as the server keeps it (null: none). */
  value: string | null;
  onChange: (value: string | null) => void;
  label: string;
  description?: string;
  /** What "no schedule" means here (e.g. "only by the Generate button"). */
  noneLabel: string;
  testId?: string;
}

const DAYS = [1, 2, 3, 4, 5, 6, 0] as const;

/**
 * A schedule picked from presets — every N minutes or hours, daily at, weekly on, monthly on —
 * instead of cron text (issue 21). A schedule set by hand through the API stays as it is and is
 * shown as such until another mode is picked.
 */
export function SchedulePicker({ value, onChange, label, description, noneLabel, testId = 'schedule' }: SchedulePickerProps) {
  const { t } = useTranslation();
  const choice = scheduleChoice(value);
  const set = (next: ScheduleChoice) => onChange(scheduleText(next));
  const modes: ScheduleMode[] = ['none', 'minutes', 'hours', 'daily', 'weekly', 'monthly', ...(choice.mode === 'custom' ? ['custom' as const] : [])];
  const time = (current: string, apply: (time: string) => void) => (
    <TimeInput value={current} onChange={(e) => e.currentTarget.value && apply(e.currentTarget.value)} aria-label={t('schedulePicker.time')} w={110} data-testid={`${testId}-time`} />
  );
  return (
    <Stack gap={6}>
      <Select
        label={label}
        description={description}
        data={modes.map((mode) => ({ value: mode, label: mode === 'none' ? noneLabel : t(`schedulePicker.modes.${mode}`) }))}
        value={choice.mode}
        onChange={(mode) => mode && set(defaultChoice(mode, choice))}
        allowDeselect={false}
        comboboxProps={{ withinPortal: true }}
        data-testid={testId}
      />
      {(choice.mode === 'minutes' || choice.mode === 'hours') && (
        <Group gap="xs" wrap="nowrap" align="center">
          <Text size="sm">{t('schedulePicker.every')}</Text>
          <NumberInput
            value={choice.every}
            onChange={(n) => typeof n === 'number' && n >= 1 && set({ ...choice, every: Math.trunc(n) })}
            min={1}
            max={choice.mode === 'minutes' ? 59 : 23}
            allowDecimal={false}
            w={80}
            aria-label={t(`schedulePicker.units.${choice.mode}`)}
            data-testid={`${testId}-every`}
          />
          <Text size="sm">{t(`schedulePicker.units.${choice.mode}`)}</Text>
        </Group>
      )}
      {choice.mode === 'daily' && (
        <Group gap="xs" wrap="nowrap" align="center">
          <Text size="sm">{t('schedulePicker.at')}</Text>
          {time(choice.time, (next) => set({ ...choice, time: next }))}
        </Group>
      )}
      {choice.mode === 'weekly' && (
        <Group gap="xs" wrap="wrap" align="center">
          <Select
            data={DAYS.map((day) => ({ value: String(day), label: t(`schedulePicker.days.${day}`) }))}
            value={String(choice.day)}
            onChange={(day) => day && set({ ...choice, day: Number(day) })}
            allowDeselect={false}
            w={170}
            aria-label={t('schedulePicker.day')}
            comboboxProps={{ withinPortal: true }}
            data-testid={`${testId}-day`}
          />
          <Text size="sm">{t('schedulePicker.at')}</Text>
          {time(choice.time, (next) => set({ ...choice, time: next }))}
        </Group>
      )}
      {choice.mode === 'monthly' && (
        <Group gap="xs" wrap="nowrap" align="center">
          <NumberInput
            value={choice.date}
            onChange={(n) => typeof n === 'number' && n >= 1 && n <= 28 && set({ ...choice, date: Math.trunc(n) })}
            min={1}
            max={28}
            allowDecimal={false}
            w={70}
            aria-label={t('schedulePicker.date')}
            data-testid={`${testId}-date`}
          />
          <Text size="sm">{t('schedulePicker.dateSuffix')}</Text>
          {time(choice.time, (next) => set({ ...choice, time: next }))}
        </Group>
      )}
      {choice.mode === 'custom' && (
        <Text size="xs" c="dimmed" data-testid={`${testId}-custom`}>
          {t('schedulePicker.customNote', { text: choice.text })}
        </Text>
      )}
    </Stack>
  );
}
