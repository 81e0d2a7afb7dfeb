export { JobRegistry, type JobError, type JobRegistryOptions, type JobSpec, type JobStatus, type JobView } from './job-registry.js';
export { estimateProgress, type StageWeight } from './progress.js';
export { lastRebuildMs, SEGMENT_REFRESH_JOB, SEGMENT_REFRESH_PLAN, SEGMENT_REFRESH_STAGES, startSegmentRefreshJob, type SegmentRefreshJob, type SegmentRefreshStage } from './segment-refresh.job.js';
