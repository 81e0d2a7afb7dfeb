import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { apiGet, apiSend, type QueryParams } from './client';
import type { z } from 'zod';
import type {
  AppliedSegment,
  CsiNpsResult,
  LifecycleSummaryView,
  MatrixScatterView,
  MatrixView,
  RfmRefreshResultView,
  RfmStatusView,
  RfmTemplateView,
  ScoreRun,
} from '../../../src/domain/analytics/analytics.schema';
import type { matrixInputSchema } from '../../../src/domain/analytics/matrix';
import type { ReportResult } from './segment-reports';

/**
 * The analytics of docs/analytics.md and their reports (docs/reports.md): RFM, BCG-style
 * matrices, CSI / NPS. Every query key starts with 'analytics' so a refresh can make them all
 * stale at once; segments an analysis creates also make the segment list stale.
 */

// ---- shared ---------------------------------------------------------------------------------

// The API's own shapes (src/domain/analytics/analytics.schema.ts), under the names the screens use.
export type { AppliedSegment, CsiNpsResult, SatisfactionRow, ScatterPoint, ScoreRun } from '../../../src/domain/analytics/analytics.schema';
export { QUADRANT_POSITIONS, type QuadrantPosition } from '../../../src/domain/analytics/analytics-vocabulary';
export type RfmStatus = RfmStatusView;
export type RfmSettings = RfmStatusView['settings'];
export type RfmRefreshResult = RfmRefreshResultView;
export type RfmTemplate = RfmTemplateView;
export type Matrix = MatrixView;
export type MatrixAxis = MatrixView['x'];
export type MatrixScatter = MatrixScatterView;
export type LifecycleSummary = LifecycleSummaryView;

// One report shape for every report (docs/reports.md); the segment card reads it too.
export type { ReportCell, ReportResult } from './segment-reports';
export { reportFileUrl } from './segment-reports';

function useInvalidateAnalytics() {
  const client = useQueryClient();
  return () =>
    Promise.all([
      client.invalidateQueries({ queryKey: ['analytics'] }),
      client.invalidateQueries({ queryKey: ['segments'] }),
      client.invalidateQueries({ queryKey: ['segment'] }),
      client.invalidateQueries({ queryKey: ['segment-data'] }),
    ]);
}

// ---- RFM ------------------------------------------------------------------------------------

/** A period of the rule language, e.g. `{"last": {"months": 12}}`. */
export type PeriodJson = Record<string, unknown>;

export function useRfmStatus() {
  return useQuery({
    queryKey: ['analytics', 'rfm', 'status'],
    queryFn: ({ signal }) => apiGet<RfmStatus>('/analytics/rfm', undefined, signal),
  });
}

/** The R × F grid of the last refresh (report rfm-grid), optionally of one segment's partners. */
export function useRfmGrid(segment: string | null, enabled = true) {
  return useQuery({
    queryKey: ['analytics', 'rfm', 'grid', segment],
    queryFn: ({ signal }) => apiGet<ReportResult>('/reports/rfm-grid', { segment }, signal),
    placeholderData: keepPreviousData,
    enabled,
  });
}

export function useRfmTemplates() {
  return useQuery({
    queryKey: ['analytics', 'rfm', 'templates'],
    queryFn: ({ signal }) => apiGet<{ items: RfmTemplate[] }>('/analytics/rfm/templates', undefined, signal),
    staleTime: 10 * 60_000,
  });
}

export function useScoreRuns(scoreSet: 'rfm' | 'renew', limit = 5) {
  return useQuery({
    queryKey: ['analytics', scoreSet, 'runs', limit],
    queryFn: ({ signal }) => apiGet<{ items: ScoreRun[] }>('/analytics/runs', { scoreSet, limit }, signal),
  });
}

export function useRefreshRfm() {
  const invalidate = useInvalidateAnalytics();
  return useMutation({
    mutationFn: () => apiSend<RfmRefreshResult>('POST', '/analytics/rfm/refresh', {}),
    onSettled: invalidate,
  });
}

export function useSaveRfmSettings() {
  const invalidate = useInvalidateAnalytics();
  return useMutation({
    mutationFn: (patch: Partial<RfmSettings>) => apiSend<RfmSettings>('PUT', '/analytics/rfm/settings', patch),
    onSuccess: invalidate,
  });
}

/** Creates (or updates) named RFM segments `rfm-<key>`, periodic, named in `language`. */
export function useApplyRfmSegments() {
  const invalidate = useInvalidateAnalytics();
  return useMutation({
    mutationFn: (request: { templates?: string[]; language: 'ru' | 'en' }) => apiSend<{ items: AppliedSegment[] }>('POST', '/analytics/rfm/segments', request),
    onSuccess: invalidate,
  });
}

// ---- matrices -------------------------------------------------------------------------------

export type AxisSource = MatrixAxis['source'];

/** What the matrix form sends (PUT /api/analytics/matrices/{id}). */
export type MatrixInput = z.input<typeof matrixInputSchema>;

const matrixPath = (id: string) => `/analytics/matrices/${encodeURIComponent(id)}`;

export function useMatrices() {
  return useQuery({
    queryKey: ['analytics', 'matrices'],
    queryFn: ({ signal }) => apiGet<{ items: Matrix[] }>('/analytics/matrices', undefined, signal),
  });
}

export function useMatrixScatter(id: string | null, limit: number) {
  return useQuery({
    queryKey: ['analytics', 'matrix', id, 'scatter', limit],
    queryFn: ({ signal }) => apiGet<MatrixScatter>(`${matrixPath(id!)}/scatter`, { limit }, signal),
    enabled: id !== null,
    placeholderData: keepPreviousData,
  });
}

export function useSaveMatrix() {
  const invalidate = useInvalidateAnalytics();
  return useMutation({
    mutationFn: ({ id, input }: { id: string; input: MatrixInput }) => apiSend<Matrix>('PUT', matrixPath(id), input),
    onSuccess: invalidate,
  });
}

export function useDeleteMatrix() {
  const invalidate = useInvalidateAnalytics();
  return useMutation({
    mutationFn: (id: string) => apiSend<void>('DELETE', matrixPath(id)),
    onSuccess: invalidate,
  });
}

/** One periodic rule segment per quadrant, `<matrix>-<quadrant key>`. */
export function useApplyMatrixSegments() {
  const invalidate = useInvalidateAnalytics();
  return useMutation({
    mutationFn: (id: string) => apiSend<{ items: AppliedSegment[] }>('POST', `${matrixPath(id)}/segments`, {}),
    onSuccess: invalidate,
  });
}

// ---- CSI / NPS ------------------------------------------------------------------------------

export interface CsiNpsQuery {
  from?: string;
  to?: string;
  segments: string[];
  byManager: boolean;
}

/** The query string of GET /api/analytics/csi-nps and of the csi-nps report. */
export const csiNpsParams = (query: CsiNpsQuery): QueryParams => ({
  from: query.from,
  to: query.to,
  segments: query.segments.length ? query.segments.join(',') : undefined,
  byManager: query.byManager,
});

export function useCsiNps(query: CsiNpsQuery) {
  return useQuery({
    queryKey: ['analytics', 'csi-nps', query],
    queryFn: ({ signal }) => apiGet<CsiNpsResult>('/analytics/csi-nps', csiNpsParams(query), signal),
    placeholderData: keepPreviousData,
  });
}
