/**
 * The words of a "Generate" job. Plain constants with no imports: the job's schema and the web
 * UI both read them. The stages are "starting" (the run is recorded), then the rebuild's own
 * (segment-refresh.job.ts checks the two agree).
 */

export const SEGMENT_REFRESH_JOB = 'segment-refresh';

export const SEGMENT_REFRESH_STAGES = ['starting', 'evaluating', 'comparing', 'history', 'composition', 'finishing'] as const;
export type SegmentRefreshStage = (typeof SEGMENT_REFRESH_STAGES)[number];
