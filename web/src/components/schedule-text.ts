/**
 * A schedule as a manager picks it (issue 21): nothing, every N minutes or hours, daily at a
 * time, weekly on a day, monthly on a date — written as the server's schedule text ("every 20
 * minutes", or cron "MM HH * * D"), and read back from it. Any other text (a cron written by
 * hand through the API) is `custom` and kept as it is.
 */
export type ScheduleChoice =
  | { mode: 'none' }
  | { mode: 'minutes'; every: number }
  | { mode: 'hours'; every: number }
  | { mode: 'daily'; time: string }
  | { mode: 'weekly'; day: number; time: string }
  | { mode: 'monthly'; date: number; time: string }
  | { mode: 'custom'; text: string };

export type ScheduleMode = ScheduleChoice['mode'];

const pad = (n: number) => String(n).padStart(2, '0');
const timeOf = (minute: string, hour: string) => `${pad(Number(hour))}:${pad(Number(minute))}`;
const MINUTE = '([0-5]?\\d)';
const HOUR = '([01]?\\d|2[0-3])';

/** The schedule text a choice stands for (null: only by hand). */
export function scheduleText(choice: ScheduleChoice): string | null {
  const [hh, mm] = 'time' in choice ? choice.time.split(':').map(Number) : [0, 0];
  switch (choice.mode) {
    case 'none':
      return null;
    case 'minutes':
      return `every ${choice.every} minutes`;
    case 'hours':
      return `every ${choice.every} hours`;
    case 'daily':
      return `${mm} ${hh} * * *`;
    case 'weekly':
      return `${mm} ${hh} * * ${choice.day}`;
    case 'monthly':
      return `${mm} ${hh} ${choice.date} * *`;
    case 'custom':
      return choice.text.trim() || null;
  }
}

/** The choice a schedule text is, or `custom` when no picker mode writes it. */
export function scheduleChoice(text: string | null | undefined): ScheduleChoice {
  const value = (text ?? '').trim();
  if (!value) return { mode: 'none' };
  let m = /^every\s+(\d+)\s*(m|min|mins|minutes?)$/i.exec(value);
  if (m) return { mode: 'minutes', every: Number(m[1]) };
  m = /^every\s+(\d+)\s*(h|hours?)$/i.exec(value);
  if (m) return { mode: 'hours', every: Number(m[1]) };
  m = /^0 (\*|\*\/(\d+)) \* \* \*$/.exec(value);
  if (m) return { mode: 'hours', every: m[2] ? Number(m[2]) : 1 };
  m = new RegExp(`^${MINUTE} ${HOUR} \\* \\* \\*$`).exec(value);
  if (m) return { mode: 'daily', time: timeOf(m[1]!, m[2]!) };
  m = new RegExp(`^${MINUTE} ${HOUR} \\* \\* ([0-7])$`).exec(value);
  if (m) return { mode: 'weekly', day: Number(m[3]) % 7, time: timeOf(m[1]!, m[2]!) };
  m = new RegExp(`^${MINUTE} ${HOUR} ([1-9]|[12]\\d|3[01]) \\* \\*$`).exec(value);
  if (m) return { mode: 'monthly', date: Number(m[3]), time: timeOf(m[1]!, m[2]!) };
  return { mode: 'custom', text: value };
}

/** A fresh choice of a mode, with the usual values (every 20 minutes, at 03:00, on Mondays, on the 1st). */
export function defaultChoice(mode: ScheduleMode, previous: ScheduleChoice): ScheduleChoice {
  const time = 'time' in previous ? previous.time : '03:00';
  switch (mode) {
    case 'none':
      return { mode };
    case 'minutes':
      return { mode, every: 20 };
    case 'hours':
      return { mode, every: 1 };
    case 'daily':
      return { mode, time };
    case 'weekly':
      return { mode, day: 1, time };
    case 'monthly':
      return { mode, date: 1, time };
    case 'custom':
      return { mode, text: previous.mode === 'custom' ? previous.text : (scheduleText(previous) ?? '') };
  }
}
