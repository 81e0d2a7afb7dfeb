import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { ApiError, apiGet, apiSend } from './client';
import { useInvalidateSegment } from './segments';
import type { SegmentRefreshJobBody as SegmentRefreshJob } from '../../../src/domain/jobs/job.schema';

/** "Generate" as a background job (docs/api.md, Jobs): started at once, polled for its stage and progress. */

export { SEGMENT_REFRESH_STAGES as REFRESH_STAGES, type SegmentRefreshStage as RefreshStage } from '../../../src/domain/jobs/segment-refresh-stages';
export type { SegmentRefreshJobBody as SegmentRefreshJob } from '../../../src/domain/jobs/job.schema';

/** How often a running job is asked about: soon at first (most generations take under a second), then calmer. */
const pollInterval = (job: SegmentRefreshJob | undefined) => (!job || job.status !== 'running' ? false : job.elapsedMs < 3_000 ? 250 : 750);

const isLost = (error: unknown) => error instanceof ApiError && error.code === 'JOB_NOT_FOUND';

/** A failed job's error as the error of a failed request, for <ErrorAlert>. */
export const jobError = (job: SegmentRefreshJob): ApiError | null => (job.error ? new ApiError(422, job.error.code, job.error.details, job.error.message) : null);

/**
 * Generating a segment with progress: `start()` asks for a background job, which is then
 * polled until it ends; a job already running for the segment (started in another tab, or
 * before a reload) is picked up when the card opens. `onFinished` hears each job's end once.
 */
export function useSegmentGeneration(segmentId: string | null, onFinished: (job: SegmentRefreshJob) => void) {
  const client = useQueryClient();
  const invalidate = useInvalidateSegment();
  const [jobId, setJobId] = useState<string | null>(null);

  const running = useQuery({
    queryKey: ['jobs', segmentId, 'running'],
    queryFn: ({ signal }) => apiGet<{ items: SegmentRefreshJob[] }>('/jobs', { segment: segmentId, status: 'running' }, signal),
    enabled: segmentId !== null,
    staleTime: Infinity,
    gcTime: 0,
  });
  const runningId = running.data?.items[0]?.id;
  useEffect(() => {
    if (runningId && jobId === null) setJobId(runningId);
  }, [runningId, jobId]);

  const start = useMutation({
    mutationFn: () => apiSend<SegmentRefreshJob>('POST', `/segments/${encodeURIComponent(segmentId ?? '')}/refresh`, { async: true }),
    onSuccess: (job) => {
      client.setQueryData(['job', job.id], job);
      setJobId(job.id);
      // The status badges say "generating" now.
      void invalidate(job.subject);
    },
  });

  const job = useQuery({
    queryKey: ['job', jobId],
    queryFn: ({ signal }) => apiGet<SegmentRefreshJob>(`/jobs/${jobId}`, undefined, signal),
    enabled: jobId !== null,
    // A job the server no longer holds (it restarted) will not come back: stop asking.
    refetchInterval: (query) => (isLost(query.state.error) ? false : pollInterval(query.state.data)),
    refetchIntervalInBackground: true,
    retry: (count, error) => !isLost(error) && count < 2,
  });
  const lost = isLost(job.error);

  const reported = useRef(new Set<string>());
  const finished = job.data && job.data.status !== 'running' ? job.data : null;
  useEffect(() => {
    if (!finished || reported.current.has(finished.id)) return;
    reported.current.add(finished.id);
    void invalidate(finished.subject);
    onFinished(finished);
  }, [finished, invalidate, onFinished]);

  useEffect(() => {
    if (lost && segmentId) void invalidate(segmentId);
  }, [lost, segmentId, invalidate]);

  const current = job.data?.status === 'running' && !lost ? job.data : null;
  return {
    start: () => start.mutateAsync(),
    /** The job while it runs (null before the first answer and once it has ended). */
    current,
    running: start.isPending || current !== null,
    /** Starting was refused (a dynamic segment, one already generating), or polling failed. */
    error: start.error ?? job.error,
    reset: () => start.reset(),
  };
}
