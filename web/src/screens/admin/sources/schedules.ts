import type { OneCProfileName } from '../../../api/connectors';

/**
 * The schedule presets the screen offers instead of a raw cron expression. The API takes a cron
 * expression or "every N minutes" (src/scheduling/schedule.ts); a stored value that is none of
 * these (set from the CLI) is kept and shown as it is.
 */
export const SCHEDULE_PRESETS = [
  { key: 'off', value: null },
  { key: 'every15', value: 'every 15 minutes' },
  { key: 'every30', value: 'every 30 minutes' },
  { key: 'hourly', value: 'every 60 minutes' },
  { key: 'every4h', value: 'every 240 minutes' },
  { key: 'nightly', value: '0 3 * * *' },
] as const;

export type SchedulePresetKey = (typeof SCHEDULE_PRESETS)[number]['key'];

/** The Select's value for a stored schedule: a preset's key, or `custom` for anything else. */
export function presetOf(schedule: string | null): SchedulePresetKey | 'custom' {
  return SCHEDULE_PRESETS.find((p) => p.value === schedule)?.key ?? 'custom';
}

/** The time zones of 1C servers most bases use (a stored other one is added to the list). */
export const TIME_ZONES = [
  'Europe/Kaliningrad',
  'Europe/Moscow',
  'Europe/Samara',
  'Asia/Yekaterinburg',
  'Asia/Omsk',
  'Asia/Novosibirsk',
  'Asia/Krasnoyarsk',
  'Asia/Irkutsk',
  'Asia/Yakutsk',
  'Asia/Vladivostok',
  'Asia/Magadan',
  'Asia/Kamchatka',
  'Europe/Minsk',
  'Asia/Almaty',
  'Asia/Tashkent',
  'UTC',
];

/** A profile's key in the locale files (i18next reads a dot as nesting): ut11.5 → ut11_5. */
export const PROFILE_KEYS = { 'ut11.5': 'ut11_5', 'ut11.4': 'ut11_4', erp2: 'erp2' } as const satisfies Record<OneCProfileName, string>;
export const profileKey = (profile: string): string => profile.replace(/\./g, '_');
