import { describe, expect, it } from 'vitest';
import { checkSchedule } from '../../../src/scheduling/schedule';
import { scheduleChoice, scheduleText, type ScheduleChoice } from './schedule-text';

describe('schedule presets', () => {
  const choices: [ScheduleChoice, string | null][] = [
    [{ mode: 'none' }, null],
    [{ mode: 'minutes', every: 20 }, 'every 20 minutes'],
    [{ mode: 'hours', every: 2 }, 'every 2 hours'],
    [{ mode: 'daily', time: '03:05' }, '5 3 * * *'],
    [{ mode: 'weekly', day: 1, time: '18:30' }, '30 18 * * 1'],
    [{ mode: 'monthly', date: 15, time: '00:00' }, '0 0 15 * *'],
  ];

  it.each(choices)('writes %o as a schedule the server accepts, and reads it back', (choice, text) => {
    expect(scheduleText(choice)).toBe(text);
    if (text) expect(checkSchedule(text).ok).toBe(true);
    expect(scheduleChoice(text)).toEqual(choice);
  });

  it('reads the old presets and keeps a hand-written cron as custom', () => {
    expect(scheduleChoice('0 * * * *')).toEqual({ mode: 'hours', every: 1 });
    expect(scheduleChoice('0 3 * * *')).toEqual({ mode: 'daily', time: '03:00' });
    expect(scheduleChoice('0 3 * * 7')).toEqual({ mode: 'weekly', day: 0, time: '03:00' });
    expect(scheduleChoice('*/5 9-18 * * 1-5')).toEqual({ mode: 'custom', text: '*/5 9-18 * * 1-5' });
  });
});
