import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { apiGet, apiSend, type QueryParams } from './client';
import type { ReportResult } from './segment-reports';

/**
 * The analytics of docs/analytics.md and their reports (docs/reports.md): RFM, BCG-style
 * matrices, CSI / NPS. Every query key starts with 'analytics' so a refresh can make them all
 * stale at once; segments an analysis creates also make the segment list stale.
 */

// ---- shared ---------------------------------------------------------------------------------

// One report shape for every report (docs/reports.md); the segment card reads it too.
export type { ReportCell, ReportResult } from './segment-reports';
export { reportFileUrl } from './segment-reports';

/** A score refresh (GET /api/analytics/runs). */
export interface ScoreRun {
  id: number;
  scoreSet: 'rfm' | 'renew';
  trigger: string;
  asOf: string;
  settings: unknown;
  startedAt: string;
  finishedAt: string | null;
  status: 'running' | 'ok' | 'failed';
  scored: number | null;
  durationMs: number | null;
  error: string | null;
}

/** A segment an analysis created or updated (POST …/segments). */
export interface AppliedSegment {
  id: string;
  name: string;
  action: 'created' | 'updated';
  method: 'dynamic' | 'periodic' | 'manual';
  size: number | null;
}

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

export interface RfmSettings {
  window: PeriodJson;
  bins: number;
  schedule: string | null;
  rebuildSegments: boolean;
}

export interface RfmStatus {
  settings: RfmSettings;
  lastRun: ScoreRun | null;
  /** Partners with RFM scores now. */
  scored: number;
  nextRunAt: string | null;
}

export interface RfmRefreshResult {
  runId: number;
  asOf: string;
  window: { from: string | null; to: string };
  bins: number;
  scored: number;
  durationMs: number;
  segments: { segmentId: string; size: number; entered: number; left: number; durationMs: number }[];
}

/** A named RFM segment: inclusive bands of R and F (1–5). */
export interface RfmTemplate {
  key: string;
  name: { en: string; ru: string };
  r: [number, number];
  f: [number, number];
  description: string;
  rule: unknown;
}

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

export type AxisSource = { score: string } | { property: string } | { measure: string; period?: PeriodJson; where?: Record<string, unknown> };

export interface MatrixAxis {
  label: string;
  source: AxisSource;
  threshold: number;
}

export const QUADRANT_POSITIONS = ['highHigh', 'highLow', 'lowHigh', 'lowLow'] as const;
export type QuadrantPosition = (typeof QUADRANT_POSITIONS)[number];

export interface MatrixInput {
  name: string;
  description: string;
  x: MatrixAxis;
  y: MatrixAxis;
  filter?: unknown;
  quadrants: Record<QuadrantPosition, { key: string; name: string }>;
}

export interface Matrix extends MatrixInput {
  id: string;
  createdAt: string;
  updatedAt: string;
}

export interface ScatterPoint {
  partnerId: string;
  name: string;
  x: number;
  y: number;
  quadrant: string;
}

export interface MatrixScatter {
  matrix: Matrix;
  asOf: string;
  quadrants: { position: QuadrantPosition; key: string; name: string; partners: number }[];
  /** Partners placed in all; `points` holds the first `limit` by id. */
  total: number;
  points: ScatterPoint[];
}

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

export interface SatisfactionRow {
  scope: 'all' | 'segment' | 'manager';
  /** Segment or manager id; null for the whole base and for partners without a manager. */
  key: string | null;
  name: string;
  /** 'YYYY-Qn', or 'total' for the whole period. */
  quarter: string;
  responses: number;
  promoters: number;
  passives: number;
  detractors: number;
  csiHigh: number;
  csiLow: number;
  scoreSum: number;
  csi: number | null;
  nps: number | null;
  averageScore: number | null;
}

export interface CsiNpsResult {
  from: string;
  to: string;
  types: string[];
  rows: SatisfactionRow[];
}

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
