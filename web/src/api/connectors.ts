import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { ApiError, apiGet, apiSend } from './client';
import type { ConnectionTestView, ConnectorView, ConnectorRun, PublicationView, syncJobSchema } from '../../../src/connectors/connector-api.schema';
import type { z } from 'zod';

/** Data sources (docs/connectors-1c.md): connections to 1C, their test, sync job, runs and published segments. Admin only. */

export type { ConnectionTestView as ConnectionTest, ConnectorView as Connector, ConnectorRun, PublicationView as Publication } from '../../../src/connectors/connector-api.schema';
export type SyncJob = z.output<typeof syncJobSchema>;
export { SYNC_STAGES, type SyncStage } from '../../../src/connectors/driver';
export { ONEC_PROFILES, type OneCProfileName } from '../../../src/connectors/onec/profile';

/** What the form sends: the secret only when typed (a stored one is never shown, nor sent back). */
export interface ConnectorInput {
  /** The kind of a new connection (default 1c); fixed once made. */
  kind?: '1c' | 'bitrix24' | 'amocrm';
  name: string;
  /** The kind's settings: 1c {url, user, timezone, profile}; bitrix24 {url, user, match} (docs/connectors-crm.md); amocrm {url, match, …} (docs/connectors-amocrm.md). */
  settings: Record<string, unknown>;
  secret?: string;
  schedule: string | null;
}

const path = (id: string) => `/connectors/${encodeURIComponent(id)}`;
const KEY = ['admin', 'connectors'] as const;

/** The connections (administrators'); `enabled: false` for a screen an analyst sees too, where they are only a nicety. */
export function useConnectors(enabled = true) {
  return useQuery({ queryKey: KEY, queryFn: ({ signal }) => apiGet<{ items: ConnectorView[] }>('/connectors', undefined, signal), enabled });
}

export function useSaveConnector(id: string | null) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: ConnectorInput | Partial<ConnectorInput>) =>
      id === null ? apiSend<ConnectorView>('POST', '/connectors', { kind: '1c', ...input }) : apiSend<ConnectorView>('PATCH', path(id), { ...input, kind: undefined }),
    onSuccess: () => client.invalidateQueries({ queryKey: KEY }),
  });
}

export function useDeleteConnector() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => apiSend<void>('DELETE', path(id)),
    onSuccess: () => client.invalidateQueries({ queryKey: KEY }),
  });
}

export function useTestConnector() {
  return useMutation({ mutationFn: (id: string) => apiSend<ConnectionTestView>('POST', `${path(id)}/test`) });
}

/**
 * The last runs, read again every few seconds so a sync started elsewhere (the CLI, a schedule,
 * another window) shows; while the newest is running, every second, so the screen follows it;
 * once it ends the connection's last run is read again too.
 */
export function useConnectorRuns(id: string) {
  const client = useQueryClient();
  const runs = useQuery({
    queryKey: [...KEY, id, 'runs'],
    queryFn: ({ signal }) => apiGet<{ items: ConnectorRun[] }>(`${path(id)}/runs`, { limit: 10 }, signal),
    // Every second while one runs; every 5 s otherwise, to notice one started elsewhere.
    refetchInterval: (query) => (query.state.data?.items[0]?.status === 'running' ? 1000 : 5000),
    refetchIntervalInBackground: true,
  });
  const newest = runs.data?.items[0];
  const running = newest?.status === 'running' ? newest : null;
  const followed = useRef<string | null>(null);
  useEffect(() => {
    if (running) followed.current = running.id;
    else if (followed.current !== null && newest && newest.id === followed.current) {
      followed.current = null;
      void client.invalidateQueries({ queryKey: KEY, exact: true });
    }
  }, [running, newest, client]);
  return { ...runs, running };
}

export function usePublications(id: string) {
  return useQuery({ queryKey: [...KEY, id, 'publications'], queryFn: ({ signal }) => apiGet<{ items: PublicationView[] }>(`${path(id)}/publications`, undefined, signal) });
}

export function usePublish(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ segmentId, publish }: { segmentId: string; publish: boolean }) =>
      publish
        ? apiSend<PublicationView | undefined>('POST', `${path(id)}/publications`, { segmentId })
        : apiSend<PublicationView | undefined>('DELETE', `${path(id)}/publications/${encodeURIComponent(segmentId)}`),
    onSuccess: () => client.invalidateQueries({ queryKey: [...KEY, id, 'publications'] }),
  });
}

const isLost = (error: unknown) => error instanceof ApiError && error.code === 'JOB_NOT_FOUND';
const pollInterval = (job: SyncJob | undefined) => (!job || job.status !== 'running' ? false : job.elapsedMs < 3_000 ? 250 : 750);

/** A failed sync's error as the error of a failed request, for <ErrorAlert> (the job's error has details to translate with). */
export const syncError = (job: SyncJob): ApiError | null => (job.error ? new ApiError(422, job.error.code, job.error.details, job.error.message) : null);

/**
 * "Sync now" as a background job, polled for its stage and progress until it ends (as a
 * segment's Generate is); `finished` is the last job that ended, for its result or error.
 */
export function useConnectorSync(id: string) {
  const client = useQueryClient();
  const [jobId, setJobId] = useState<string | null>(null);
  const start = useMutation({
    mutationFn: (full: boolean) => apiSend<SyncJob>('POST', `${path(id)}/sync`, full ? { full: true } : {}),
    onSuccess: (job) => {
      client.setQueryData(['connector-job', job.id], job);
      setJobId(job.id);
    },
  });
  const job = useQuery({
    queryKey: ['connector-job', jobId],
    queryFn: ({ signal }) => apiGet<SyncJob>(`${path(id)}/jobs/${encodeURIComponent(jobId ?? '')}`, undefined, signal),
    enabled: jobId !== null,
    refetchInterval: (query) => (isLost(query.state.error) ? false : pollInterval(query.state.data)),
    refetchIntervalInBackground: true,
    retry: (count, error) => !isLost(error) && count < 2,
  });
  const finished = job.data && job.data.status !== 'running' ? job.data : null;
  const seen = useRef(new Set<string>());
  useEffect(() => {
    if (!finished || seen.current.has(finished.id)) return;
    seen.current.add(finished.id);
    void client.invalidateQueries({ queryKey: KEY });
  }, [finished, client]);
  // While this window's sync runs, the runs list shows it too: read it again as the job moves.
  useEffect(() => {
    if (job.data?.status === 'running') void client.invalidateQueries({ queryKey: [...KEY, id, 'runs'] });
  }, [job.data?.status, job.data?.stage, client, id]);
  const current = job.data?.status === 'running' && !isLost(job.error) ? job.data : null;
  return {
    start: (full = false) => start.mutate(full),
    current,
    running: start.isPending || current !== null,
    finished,
    error: start.error ?? job.error,
  };
}
