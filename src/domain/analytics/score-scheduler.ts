import type { Cron } from 'croner';
import { hostname } from 'node:os';
import type { Database } from '../../storage/database.js';
import { cronFor } from '../segments/schedule.js';
import { firingSlot } from '../segments/scheduler.js';
import { sqlTimestamp } from '../segments/segments.repository.js';
import { getRenewSettings, refreshRenewIndex } from './renew-index.js';
import { getRfmSettings, refreshRfm } from './rfm.js';
import { SCORE_SETS, type ScoreSet } from './score-runs.js';

/**
 * Refreshes RFM scores and the renew index on the schedules in their settings, inside
 * `segmenta serve` — the periodic segments' pattern: a refresh still running is not started
 * again, and with several server processes on one PostgreSQL each firing is claimed once in
 * `score_schedule_claims`, so it runs once.
 */
export class ScoreScheduler {
  private readonly jobs = new Map<ScoreSet, Cron>();
  private readonly schedules = new Map<ScoreSet, string>();
  private readonly processId = `${hostname()}:${process.pid}`;

  constructor(
    private readonly db: Database,
    private readonly log: (message: string) => void = () => undefined,
  ) {}

  async start(): Promise<void> {
    await this.db.run(`UPDATE score_runs SET status = 'failed', error = 'interrupted: the process stopped during the run' WHERE status = 'running'`);
    for (const set of SCORE_SETS) await this.reschedule(set);
  }

  /** Reads the set's schedule from its settings and (re)starts its job; call after settings change. */
  async reschedule(set: ScoreSet): Promise<void> {
    this.jobs.get(set)?.stop();
    this.jobs.delete(set);
    this.schedules.delete(set);
    const schedule = set === 'rfm' ? (await getRfmSettings(this.db)).schedule : (await getRenewSettings(this.db)).schedule;
    if (!schedule) return;
    const job = cronFor(schedule, async () => {
      await this.fire(set, new Date());
    });
    job.resume();
    this.jobs.set(set, job);
    this.schedules.set(set, schedule);
  }

  /** One firing at `now`: claims it, then refreshes. Returns whether this process ran it. */
  async fire(set: ScoreSet, now: Date): Promise<boolean> {
    const slot = firingSlot(this.schedules.get(set) ?? '', now);
    const claimed = await this.db.query(
      `INSERT INTO score_schedule_claims (score_set, slot, claimed_by) VALUES ($1, CAST($2 AS TIMESTAMP), $3) ON CONFLICT DO NOTHING RETURNING score_set`,
      [set, sqlTimestamp(slot), this.processId],
    );
    if (claimed.length !== 1) return false;
    try {
      const result = set === 'rfm' ? await refreshRfm(this.db, { trigger: 'schedule' }) : await refreshRenewIndex(this.db, { trigger: 'schedule' });
      this.log(`${set} scores refreshed on schedule: ${result.scored} partners`);
    } catch (error) {
      this.log(`${set} scheduled refresh failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    return true;
  }

  nextRun(set: ScoreSet): Date | null {
    return this.jobs.get(set)?.nextRun() ?? null;
  }

  stop(): void {
    for (const job of this.jobs.values()) job.stop();
    this.jobs.clear();
  }
}
