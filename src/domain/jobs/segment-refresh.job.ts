import type { Database } from '../../storage/database.js';
import type { CompositionListener, RebuildStage } from '../segments/compositions.js';
import { claimRebuilds, rebuildClaimed, type RebuildResult } from '../segments/rebuild.js';
import { lastSuccessfulRunMs, type RunTrigger } from '../segments/runs.js';
import { getSegment } from '../segments/segments.repository.js';
import type { JobRegistry, JobView } from './job-registry.js';
import type { SegmentRefreshJobBody } from './job.schema.js';
import type { StageWeight } from './progress.js';
import { SEGMENT_REFRESH_JOB, SEGMENT_REFRESH_STAGES, type SegmentRefreshStage } from './segment-refresh-stages.js';

/** "Generate" as a job: the rebuild of POST /api/segments/{id}/refresh, with its stages told as it goes. */

export { SEGMENT_REFRESH_JOB, SEGMENT_REFRESH_STAGES, type SegmentRefreshStage };

/** The list of stages (segment-refresh-stages.ts, plain for the web) is "starting" and then the rebuild's: checked here, where both are known. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const stagesAgree: Same<SegmentRefreshStage, 'starting' | RebuildStage> = true;
void stagesAgree;

/**
 * Each stage's share of a rebuild. Measured on the demo company (5,000 partners, 100,000 sale
 * lines; generations of 60–400 ms) the stages take about the same time each, every one a query
 * or a commit; evaluating grows with the rule and the facts, history and composition with how
 * many members change — so evaluating weighs most, and the rest share the remainder.
 */
export const SEGMENT_REFRESH_PLAN: readonly StageWeight<SegmentRefreshStage>[] = [
  { stage: 'starting', weight: 8 },
  { stage: 'evaluating', weight: 40 },
  { stage: 'comparing', weight: 14 },
  { stage: 'history', weight: 14 },
  { stage: 'composition', weight: 14 },
  { stage: 'finishing', weight: 10 },
];

export type SegmentRefreshJob = JobView<SegmentRefreshStage, RebuildResult>;

/** How long the segment's last successful generation took, or null if it never had one. */
export const lastRebuildMs = (db: Database, segmentId: string): Promise<number | null> => lastSuccessfulRunMs(db, segmentId);

/**
 * Starts generating a stored segment in the background. What the synchronous refresh refuses
 * is refused here at once, before any job exists: an unknown segment (SEGMENT_NOT_FOUND), a
 * dynamic one (SEGMENT_NOT_STORED), one being generated already (SEGMENT_REBUILD_RUNNING).
 * The job's result is the synchronous call's answer; its error, the error that call would give.
 */
export async function startSegmentRefreshJob(db: Database, jobs: JobRegistry, segmentId: string, trigger: RunTrigger = 'api', onChange?: CompositionListener): Promise<SegmentRefreshJob> {
  const segment = await getSegment(db, segmentId);
  const expectedMs = await lastRebuildMs(db, segment.id);
  const release = claimRebuilds([segment]);
  try {
    return jobs.start<SegmentRefreshStage, RebuildResult>({
      type: SEGMENT_REFRESH_JOB,
      subject: segment.id,
      plan: SEGMENT_REFRESH_PLAN,
      expectedMs,
      run: async (stage) => {
        try {
          return await rebuildClaimed(db, segment, trigger, { onStage: stage, onChange });
        } finally {
          release();
        }
      },
    });
  } catch (error) {
    release();
    throw error;
  }
}

/** A job of the registry as the API sends it (its stage list copied; its type is the one job type there is). */
export const jobBody = (job: JobView): SegmentRefreshJobBody => ({ ...job, stages: [...job.stages] }) as SegmentRefreshJobBody;
