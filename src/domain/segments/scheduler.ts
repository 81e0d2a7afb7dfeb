import { closeAfter, Coalescer, type CoalescingWindow } from '../../scheduling/coalescing.js';
import { CronJobs } from '../../scheduling/cron-jobs.js';
import { FiringClaims } from '../../scheduling/firing-claims.js';
import { RecordedRuns } from '../../scheduling/recorded-runs.js';
import type { Database } from '../../storage/database.js';
import { refreshSegmentsWithErrors, type RefreshOutcome } from './batch-refresh.js';
import type { CompositionListener } from './compositions.js';
import type { Segment } from './segment.schema.js';
import { listSegments } from './segments.repository.js';

/** The rebuilds' runs (written by composition.ts and batch-refresh.ts), marked failed when interrupted. */
const segmentRuns = new RecordedRuns('segment_runs');

/** Firings this close together are refreshed as one batch (segments due at the same time). */
const COALESCE_MS = 50;

export interface SegmentSchedulerOptions {
  /** When a batch of segments due together closes; `closeAfter(50)` unless a test says otherwise. */
  readonly window?: CoalescingWindow;
  /** Who hears each scheduled generation's composition change (published segments go out after it). */
  readonly onChange?: () => CompositionListener | undefined;
  /**
   * When every periodic segment is evaluated in full (the daily pass of rules that move with
   * the date, and a full pass for the rest): a cron expression, null for never. Nightly by
   * default (FULL_REFRESH_SCHEDULE); imports and syncs keep the others current incrementally.
   */
  readonly fullRefresh?: string | null;
}

/** The nightly full refresh: 00:30 every day, after the date has moved. */
export const FULL_REFRESH_SCHEDULE = '30 0 * * *';
/** The key of the nightly full refresh among the schedules and their claims (no segment id starts with '@'). */
const FULL_REFRESH_KEY = '@full-refresh';

/**
 * Runs each periodic segment's rebuild on its own schedule inside `segmenta serve` (SPEC §2).
 * A rebuild still running is not started twice (croner's overrun protection and the rebuild's
 * own guard); with several server processes on one PostgreSQL each firing is claimed once in
 * `segment_schedule_claims`, so it runs once.
 */
export class SegmentScheduler {
  private readonly jobs = new CronJobs<string>();
  private readonly claims: FiringClaims<string>;
  private readonly due: Coalescer<string, RefreshOutcome>;
  /** Saves heard before start() are not scheduled: start() reads every segment (the first start's demo generates its own). */
  private started = false;

  constructor(
    private readonly db: Database,
    private readonly log: (message: string) => void = () => undefined,
    private readonly options: SegmentSchedulerOptions = {},
  ) {
    this.claims = new FiringClaims(db, { table: 'segment_schedule_claims', keyColumn: 'segment_id' });
    this.due = new Coalescer((ids) => refreshSegmentsWithErrors(db, ids, { trigger: 'schedule', skipRunning: true, onChange: options.onChange?.() }), options.window ?? closeAfter(COALESCE_MS));
  }

  async start(): Promise<void> {
    this.started = true;
    await segmentRuns.markInterrupted(this.db);
    for (const segment of await listSegments(this.db, { method: 'periodic', archived: false })) this.schedule(segment);
    const full = this.options.fullRefresh === undefined ? FULL_REFRESH_SCHEDULE : this.options.fullRefresh;
    if (full !== null) this.jobs.set(FULL_REFRESH_KEY, full, (now) => this.fireFullRefresh(full, now));
  }

  /** The nightly full refresh of every periodic segment, claimed once across processes. */
  async fireFullRefresh(schedule: string, now: Date): Promise<boolean> {
    if (!(await this.claims.claim(FULL_REFRESH_KEY, schedule, now))) return false;
    try {
      const { report, errors } = await refreshSegmentsWithErrors(this.db, 'all-periodic', { trigger: 'schedule', skipRunning: true, mode: 'full', onChange: this.options.onChange?.() });
      this.log(`full refresh of ${report.segments.length} periodic segments in ${report.durationMs} ms${errors.size ? `, ${errors.size} failed` : ''}`);
    } catch (error) {
      this.log(`full refresh failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    return true;
  }

  /** (Re)schedules one segment after it was created, changed, archived or deleted. */
  reschedule(segment: Segment | null, id: string): void {
    this.jobs.delete(id);
    if (segment && this.started) this.schedule(segment);
  }

  private schedule(segment: Segment): void {
    if (segment.method !== 'periodic' || segment.archived || !segment.schedule) return;
    this.jobs.set(segment.id, segment.schedule, (now) => this.fire(segment, now));
  }

  /**
   * One firing of a segment's schedule at `now`: claims the firing, then rebuilds the segment.
   * Segments firing at the same time are refreshed together (one batch, each distinct measure
   * computed once, dependencies first). Returns whether this process ran it.
   */
  async fire(segment: Segment, now: Date): Promise<boolean> {
    if (!(await this.claims.claim(segment.id, segment.schedule ?? '', now))) return false;
    try {
      const { report, errors } = await this.due.add(segment.id);
      const own = report.segments.find((r) => r.segmentId === segment.id);
      if (errors.has(segment.id) || !own) throw errors.get(segment.id) ?? new Error('not generated');
      this.log(`segment ${segment.id} generated on schedule: ${own.size ?? '?'} members${report.batched > 1 ? ` (with ${report.batched - 1} others due)` : ''}`);
    } catch (error) {
      this.log(`segment ${segment.id} scheduled generation failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    return true;
  }

  nextRun(segmentId: string): Date | null {
    return this.jobs.nextRun(segmentId);
  }

  stop(): void {
    this.started = false;
    this.jobs.stop();
  }
}
