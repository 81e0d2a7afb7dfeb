import type { Cron } from 'croner';
import { hostname } from 'node:os';
import type { Database } from '../../storage/database.js';
import { refreshSegmentsWithErrors, type RefreshOutcome } from './batch-refresh.js';
import { cronFor, intervalSeconds } from './schedule.js';
import type { Segment } from './segment.schema.js';
import { listSegments, sqlTimestamp } from './segments.repository.js';

/**
 * Runs each periodic segment's rebuild on its own schedule inside `segmenta serve` (SPEC §2).
 * A rebuild still running is not started twice (croner's overrun protection and the rebuild's
 * own guard); with several server processes on one PostgreSQL each firing is claimed once in
 * `segment_schedule_claims`, so it runs once.
 */
/** Firings this close together are refreshed as one batch (segments due at the same time). */
const COALESCE_MS = 50;

export class SegmentScheduler {
  private readonly jobs = new Map<string, Cron>();
  private readonly processId = `${hostname()}:${process.pid}`;
  private pending: { readonly ids: Set<string>; readonly done: Promise<RefreshOutcome> } | null = null;

  constructor(
    private readonly db: Database,
    private readonly log: (message: string) => void = () => undefined,
  ) {}

  async start(): Promise<void> {
    await this.db.run(
      `UPDATE segment_runs SET status = 'failed', error = 'interrupted: the process stopped during the run' WHERE status = 'running'`,
    );
    for (const segment of await listSegments(this.db, { method: 'periodic', archived: false })) this.schedule(segment);
  }

  /** (Re)schedules one segment after it was created, changed, archived or deleted. */
  reschedule(segment: Segment | null, id: string): void {
    this.jobs.get(id)?.stop();
    this.jobs.delete(id);
    if (segment) this.schedule(segment);
  }

  private schedule(segment: Segment): void {
    if (segment.method !== 'periodic' || segment.archived || !segment.schedule) return;
    const job = cronFor(segment.schedule, async () => {
      await this.fire(segment, new Date());
    });
    job.resume();
    this.jobs.set(segment.id, job);
  }

  /**
   * One firing of a segment's schedule at `now`: claims the firing, then rebuilds the segment.
   * Segments firing at the same time are refreshed together (one batch, each distinct measure
   * computed once, dependencies first). Returns whether this process ran it.
   */
  async fire(segment: Segment, now: Date): Promise<boolean> {
    const slot = firingSlot(segment.schedule ?? '', now);
    if (!(await this.claim(segment.id, slot))) return false;
    try {
      const { report, errors } = await this.refreshWithOthersDue(segment.id);
      const own = report.segments.find((r) => r.segmentId === segment.id);
      if (errors.has(segment.id) || !own) throw errors.get(segment.id) ?? new Error('not generated');
      this.log(`segment ${segment.id} generated on schedule: ${own.size ?? '?'} members${report.batched > 1 ? ` (with ${report.batched - 1} others due)` : ''}`);
    } catch (error) {
      this.log(`segment ${segment.id} scheduled generation failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    return true;
  }

  /** Joins the batch of segments due now, started a moment after the first of them fires. */
  private refreshWithOthersDue(segmentId: string): Promise<RefreshOutcome> {
    if (!this.pending) {
      const ids = new Set<string>();
      const done = new Promise<RefreshOutcome>((resolve, reject) => {
        setTimeout(() => {
          this.pending = null;
          refreshSegmentsWithErrors(this.db, [...ids], { trigger: 'schedule', skipRunning: true }).then(resolve, reject);
        }, COALESCE_MS);
      });
      this.pending = { ids, done };
    }
    this.pending.ids.add(segmentId);
    return this.pending.done;
  }

  private async claim(segmentId: string, slot: Date): Promise<boolean> {
    const rows = await this.db.query<{ segment_id: string }>(
      `INSERT INTO segment_schedule_claims (segment_id, slot, claimed_by) VALUES ($1, CAST($2 AS TIMESTAMP), $3) ON CONFLICT DO NOTHING RETURNING segment_id`,
      [segmentId, sqlTimestamp(slot), this.processId],
    );
    return rows.length === 1;
  }

  nextRun(segmentId: string): Date | null {
    return this.jobs.get(segmentId)?.nextRun() ?? null;
  }

  stop(): void {
    for (const job of this.jobs.values()) job.stop();
    this.jobs.clear();
  }
}

/** The firing a run belongs to, the same in every process: the cron second, or the interval's bucket. */
export function firingSlot(schedule: string, now: Date): Date {
  const every = intervalSeconds(schedule);
  const ms = every ? every * 1000 : 1000;
  return new Date(Math.floor(now.getTime() / ms) * ms);
}
