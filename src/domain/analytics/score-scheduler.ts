import { CronJobs } from '../../scheduling/cron-jobs.js';
import { FiringClaims } from '../../scheduling/firing-claims.js';
import type { Database } from '../../storage/database.js';
import { getRenewSettings, refreshRenewIndex } from './renew-index.js';
import { getRfmSettings, refreshRfm } from './rfm.js';
import { SCORE_SETS, scoreRuns, type ScoreSet } from './score-runs.js';

/**
 * Refreshes RFM scores and the renew index on the schedules in their settings, inside
 * `segmenta serve` — the periodic segments' pattern: a refresh still running is not started
 * again, and with several server processes on one PostgreSQL each firing is claimed once in
 * `score_schedule_claims`, so it runs once.
 */
export class ScoreScheduler {
  private readonly jobs = new CronJobs<ScoreSet>();
  private readonly claims: FiringClaims<ScoreSet>;

  constructor(
    private readonly db: Database,
    private readonly log: (message: string) => void = () => undefined,
  ) {
    this.claims = new FiringClaims(db, { table: 'score_schedule_claims', keyColumn: 'score_set' });
  }

  async start(): Promise<void> {
    await scoreRuns.markInterrupted(this.db);
    for (const set of SCORE_SETS) await this.reschedule(set);
  }

  /** Reads the set's schedule from its settings and (re)starts its job; call after settings change. */
  async reschedule(set: ScoreSet): Promise<void> {
    this.jobs.delete(set);
    const schedule = set === 'rfm' ? (await getRfmSettings(this.db)).schedule : (await getRenewSettings(this.db)).schedule;
    if (schedule) this.jobs.set(set, schedule, (now) => this.fire(set, now));
  }

  /** One firing at `now`: claims it, then refreshes. Returns whether this process ran it. */
  async fire(set: ScoreSet, now: Date): Promise<boolean> {
    if (!(await this.claims.claim(set, this.jobs.schedule(set) ?? '', now))) return false;
    try {
      const result = set === 'rfm' ? await refreshRfm(this.db, { trigger: 'schedule' }) : await refreshRenewIndex(this.db, { trigger: 'schedule' });
      this.log(`${set} scores refreshed on schedule: ${result.scored} partners`);
    } catch (error) {
      this.log(`${set} scheduled refresh failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    return true;
  }

  nextRun(set: ScoreSet): Date | null {
    return this.jobs.nextRun(set);
  }

  stop(): void {
    this.jobs.stop();
  }
}
