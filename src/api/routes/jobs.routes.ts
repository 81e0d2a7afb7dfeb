import { z } from 'zod';
import { jobStatusSchema, segmentRefreshJobSchema } from '../../domain/jobs/job.schema.js';
import { jobBody, SEGMENT_REFRESH_JOB } from '../../domain/jobs/segment-refresh.job.js';
import { AppError } from '../../errors/app-error.js';
import type { RouteModule } from '../context.js';
import { errorSchema } from '../schemas.js';

/**
 * Background jobs: a Generate started with `POST /api/segments/{id}/refresh {"async": true}`
 * answers 202 with a job; its stage, estimated progress and finally its result or error are
 * read here. Jobs live in the server process for 15 minutes after they finish.
 */
export const jobsRoutes: RouteModule = (app, ctx) => {
  const { jobs } = ctx;

  app.get(
    '/jobs',
    {
      config: { access: 'manager' },
      schema: {
        tags: ['jobs'],
        summary: 'Background jobs, newest first: running ones and those finished in the last 15 minutes',
        querystring: z.object({
          segment: z.string().optional().describe('Only the jobs of this segment'),
          status: jobStatusSchema.optional(),
        }),
        response: { 200: z.object({ items: z.array(segmentRefreshJobSchema) }) },
      },
    },
    async (request) => {
      const { segment, status } = request.query;
      // Generate jobs only: a connector's sync is polled at GET /api/connectors/{id}/jobs/{jobId}.
      return { items: jobs.list({ type: SEGMENT_REFRESH_JOB, ...(segment ? { subject: segment } : {}), ...(status ? { status } : {}) }).map(jobBody) };
    },
  );

  app.get(
    '/jobs/:id',
    {
      config: { access: 'manager' },
      schema: {
        tags: ['jobs'],
        summary: 'A job: status, stage, estimated progress, elapsed time, and when finished its result or error',
        params: z.object({ id: z.string() }),
        response: { 200: segmentRefreshJobSchema, 404: errorSchema },
      },
    },
    async (request) => {
      const job = jobs.get(request.params.id);
      if (job.type !== SEGMENT_REFRESH_JOB) throw new AppError('JOB_NOT_FOUND', { id: request.params.id });
      return jobBody(job);
    },
  );
};
