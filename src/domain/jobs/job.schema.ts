import { z } from 'zod';
import { refreshResultSchema } from '../segments/segment-api.schema.js';
import { SEGMENT_REFRESH_JOB, SEGMENT_REFRESH_STAGES } from './segment-refresh-stages.js';

/**
 * The API's schemas of jobs: they validate the answers and describe them in the OpenAPI document.
 * Pure (zod and plain modules only): the web UI imports the job's type from here.
 */

export const jobStatusSchema = z.enum(['running', 'succeeded', 'failed']);

/** A "Generate" job (`segment-refresh`), as GET /api/jobs/{id} shows it. */
export const segmentRefreshJobSchema = z
  .object({
    id: z.string().describe('Job id (a UUID): poll GET /api/jobs/{id}'),
    type: z.literal(SEGMENT_REFRESH_JOB),
    subject: z.string().describe('The segment being generated'),
    status: jobStatusSchema,
    stage: z
      .enum(SEGMENT_REFRESH_STAGES)
      .describe(
        'starting (the run is recorded), evaluating (the rule: its measures and conditions), comparing (who enters, who leaves), history, composition (the swap), finishing; when finished, the last stage reached',
      ),
    stages: z.array(z.enum(SEGMENT_REFRESH_STAGES)).describe('Every stage, in order'),
    progress: z.number().min(0).max(1).describe("Estimated share done: each stage's share of the work, and the time in the current stage against the segment's last generation"),
    startedAt: z.string(),
    finishedAt: z.string().nullable(),
    elapsedMs: z.number(),
    expectedMs: z.number().nullable().describe("The segment's last successful generation took this long (the estimate's base); null if it never had one"),
    result: refreshResultSchema.nullable().describe('When succeeded: what the synchronous call answers'),
    error: z
      .object({ code: z.string().describe('See docs/errors.md'), message: z.string(), details: z.record(z.string(), z.unknown()) })
      .nullable()
      .describe('When failed: the error the synchronous call would answer'),
  })
  .meta({ id: 'SegmentRefreshJob' });

export type SegmentRefreshJobBody = z.output<typeof segmentRefreshJobSchema>;
