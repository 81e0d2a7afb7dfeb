import type { Cron } from 'croner';
import { cronFor } from './schedule.js';

/** What a job does when its schedule fires: told the moment it fired. */
export type Firing = (now: Date) => Promise<unknown>;

/**
 * Cron jobs keyed by name (a segment id, a score set, later a connector): one job per key,
 * replaced when the key is scheduled again. A job's work still running when its schedule fires
 * again is not started a second time (croner's overrun protection, see `cronFor`).
 *
 * @example
 * const jobs = new CronJobs<ScoreSet>();
 * jobs.set('rfm', '0 3 * * *', (now) => refresh('rfm', now));
 * jobs.nextRun('rfm'); // tomorrow 03:00
 * jobs.stop();
 */
export class CronJobs<K extends string> {
  private readonly jobs = new Map<K, { readonly cron: Cron; readonly schedule: string }>();

  /** Starts `fire` on `schedule` under `key`, stopping the key's previous job. */
  set(key: K, schedule: string, fire: Firing): void {
    this.delete(key);
    const cron = cronFor(schedule, async () => {
      await fire(new Date());
    });
    cron.resume();
    this.jobs.set(key, { cron, schedule });
  }

  /** Stops and forgets the key's job, if it has one. */
  delete(key: K): void {
    this.jobs.get(key)?.cron.stop();
    this.jobs.delete(key);
  }

  /** The schedule the key's job runs on, or null when it has none. */
  schedule(key: K): string | null {
    return this.jobs.get(key)?.schedule ?? null;
  }

  /** When the key's job fires next, or null when it has none. */
  nextRun(key: K): Date | null {
    return this.jobs.get(key)?.cron.nextRun() ?? null;
  }

  /** Stops every job (a server shutting down). */
  stop(): void {
    for (const { cron } of this.jobs.values()) cron.stop();
    this.jobs.clear();
  }
}
