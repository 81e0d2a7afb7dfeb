import { Cron } from 'croner';

/**
 * A schedule (a periodic segment's, a score refresh's, later a connector sync's): a cron
 * expression (5 fields, or 6 with seconds), or "every N seconds" as 1C's routine tasks say it
 * ("Повторять через 1200 сек").
 */
export type ScheduleCheck = { ok: true; describe: string } | { ok: false; reason: string };

const EVERY = /^every\s+(\d+)\s*(s|sec|secs|seconds?|m|min|mins|minutes?|h|hours?)$/i;

function everySeconds(schedule: string): number | null {
  const m = EVERY.exec(schedule.trim());
  if (!m) return null;
  const n = Number(m[1]);
  const unit = m[2]!.toLowerCase();
  return unit.startsWith('h') ? n * 3600 : unit.startsWith('m') ? n * 60 : n;
}

export function checkSchedule(schedule: string): ScheduleCheck {
  const every = everySeconds(schedule);
  if (every !== null) return every >= 10 ? { ok: true, describe: `every ${every} s` } : { ok: false, reason: 'an interval must be at least 10 seconds' };
  try {
    new Cron(schedule, { paused: true }).stop();
    return { ok: true, describe: schedule };
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message : String(error) };
  }
}

/** A paused croner job for the schedule; callers start it with `.resume()` or read `.nextRun()`. */
export function cronFor(schedule: string, fn?: () => Promise<void> | void): Cron {
  const every = everySeconds(schedule);
  // protect: work still running (a rebuild, a refresh) is never started a second time by the timer.
  const options = { paused: true, protect: true, ...(every !== null ? { interval: every } : {}) };
  const pattern = every !== null ? '* * * * * *' : schedule;
  return fn ? new Cron(pattern, options, fn) : new Cron(pattern, options);
}

/** When the schedule fires next: after `lastRun` for intervals, after now for cron expressions. */
export function nextRun(schedule: string, lastRun: Date | null, now: Date = new Date()): Date | null {
  const every = everySeconds(schedule);
  if (every !== null) {
    const due = lastRun ? new Date(lastRun.getTime() + every * 1000) : now;
    return due < now ? now : due;
  }
  const job = new Cron(schedule, { paused: true });
  try {
    return job.nextRun(now);
  } finally {
    job.stop();
  }
}

export const intervalSeconds = everySeconds;
