import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback } from 'react';
import type { RuleJson } from '../screens/segments/rule-builder/rule-query';
import { apiGet, apiSend } from './client';
import type { Partner } from './partners';

export const SEGMENT_METHODS = ['dynamic', 'periodic', 'manual'] as const;
export type SegmentMethod = (typeof SEGMENT_METHODS)[number];
export type SegmentKind = 'partner' | 'product';
export const SEGMENT_STATUSES = ['ready', 'never generated', 'generating', 'failed', 'computed on read', 'archived'] as const;
export type SegmentStatusName = (typeof SEGMENT_STATUSES)[number];
export type ParameterValue = string | number | boolean | null | (string | number)[] | Record<string, unknown>;

/** A generation of a stored segment (GET /api/segments/{id}/runs). */
export interface SegmentRun {
  id: number;
  trigger: string;
  startedAt: string;
  finishedAt: string | null;
  status: 'running' | 'ok' | 'failed';
  size: number | null;
  entered: number | null;
  left: number | null;
  durationMs: number | null;
  error: string | null;
}

/** A saved segment (SPEC §2) as the API returns it. */
export interface Segment {
  id: string;
  kind: SegmentKind;
  name: string;
  description: string;
  method: SegmentMethod;
  rule: RuleJson | null;
  sql: string | null;
  parameters: Record<string, ParameterValue>;
  schedule: string | null;
  checkOnCreate: boolean;
  competitors: string[];
  archived: boolean;
  createdAt: string;
  updatedAt: string;
}

/** A segment with what the list shows of its state. */
export interface SegmentWithStatus extends Segment {
  size: number | null;
  lastRun: SegmentRun | null;
  nextRunAt: string | null;
  status: SegmentStatusName;
}

/** What the card sends: a new segment, or the changes to a saved one. */
export interface SegmentInput {
  id: string;
  kind: SegmentKind;
  name: string;
  description: string;
  method: SegmentMethod;
  rule?: RuleJson;
  parameters: Record<string, ParameterValue>;
  schedule: string | null;
  checkOnCreate: boolean;
  competitors: string[];
  archived?: boolean;
}

export interface SegmentListQuery {
  q?: string;
  method?: SegmentMethod;
  archived?: boolean;
}

const segmentPath = (id: string) => `/segments/${encodeURIComponent(id)}`;

export function useSegments(query: SegmentListQuery = {}) {
  return useQuery({
    queryKey: ['segments', query],
    queryFn: ({ signal }) => apiGet<{ items: SegmentWithStatus[] }>('/segments', { ...query }, signal),
    placeholderData: keepPreviousData,
  });
}

export function useSegment(id: string | undefined) {
  return useQuery({
    queryKey: ['segment', id],
    queryFn: ({ signal }) => apiGet<SegmentWithStatus>(segmentPath(id!), undefined, signal),
    enabled: id !== undefined,
  });
}

/** Everything that shows a segment's state is stale after a change: list, card, members, history, reports. */
export function useInvalidateSegment() {
  const client = useQueryClient();
  // Stable, so effects may depend on it.
  return useCallback(
    (id: string) =>
      Promise.all([
        client.invalidateQueries({ queryKey: ['segments'] }),
        client.invalidateQueries({ queryKey: ['segment', id] }),
        client.invalidateQueries({ queryKey: ['segment-data', id] }),
        client.invalidateQueries({ queryKey: ['partner'] }),
      ]),
    [client],
  );
}

export function useSaveSegment(existingId: string | undefined) {
  const invalidate = useInvalidateSegment();
  return useMutation({
    mutationFn: (input: SegmentInput) => {
      if (existingId === undefined) return apiSend<Segment>('POST', '/segments', input);
      const { id: _id, kind: _kind, ...changes } = input;
      return apiSend<Segment>('PATCH', segmentPath(existingId), changes);
    },
    onSuccess: (segment) => invalidate(segment.id),
  });
}

export function useArchiveSegment(id: string) {
  const invalidate = useInvalidateSegment();
  return useMutation({
    mutationFn: (archived: boolean) => apiSend<Segment>('PATCH', segmentPath(id), { archived }),
    onSuccess: () => invalidate(id),
  });
}

export function useDeleteSegment(id: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => apiSend<void>('DELETE', segmentPath(id)),
    onSuccess: () => {
      client.removeQueries({ queryKey: ['segment', id] });
      return client.invalidateQueries({ queryKey: ['segments'] });
    },
  });
}

export interface RefreshResult {
  segmentId: string;
  runId: number;
  size: number;
  entered: number;
  left: number;
  durationMs: number;
}

export interface FillResult {
  added: number;
  removed: number;
  size: number;
}

/** "Fill by rule" of a manual segment. */
export function useFillSegment(id: string) {
  const invalidate = useInvalidateSegment();
  return useMutation({
    mutationFn: (replace: boolean) => apiSend<FillResult>('POST', `${segmentPath(id)}/fill`, { replace }),
    onSettled: () => invalidate(id),
  });
}

export function useAddMembers(id: string) {
  const invalidate = useInvalidateSegment();
  return useMutation({
    mutationFn: (ids: string[]) => apiSend<{ added: number }>('POST', `${segmentPath(id)}/members`, { ids }),
    onSuccess: () => invalidate(id),
  });
}

export function useRemoveMembers(id: string) {
  const invalidate = useInvalidateSegment();
  return useMutation({
    mutationFn: (ids: string[]) => apiSend<{ removed: number }>('POST', `${segmentPath(id)}/members/remove`, { ids }),
    onSuccess: () => invalidate(id),
  });
}

export const MEMBER_SORTS = ['name', 'id'] as const;
export type MemberSort = (typeof MEMBER_SORTS)[number];

export interface MembersQuery {
  limit: number;
  offset: number;
  sort: MemberSort;
  order: 'asc' | 'desc';
}

export function useMembers(id: string, query: MembersQuery) {
  return useQuery({
    queryKey: ['segment-data', id, 'members', query],
    queryFn: ({ signal }) => apiGet<{ items: Partner[]; total: number }>(`${segmentPath(id)}/members`, { ...query }, signal),
    placeholderData: keepPreviousData,
  });
}

export const membersFileUrl = (id: string, format: 'csv' | 'xlsx') => `/api${segmentPath(id)}/members.${format}`;

export interface HistoryEvent {
  memberId: string;
  name: string | null;
  event: 'entered' | 'left';
  at: string;
  runId: number | null;
}

export function useHistory(id: string, page: { limit: number; offset: number }) {
  return useQuery({
    queryKey: ['segment-data', id, 'history', page],
    queryFn: ({ signal }) => apiGet<{ items: HistoryEvent[]; total: number }>(`${segmentPath(id)}/history`, { ...page }, signal),
    placeholderData: keepPreviousData,
  });
}

export function useRuns(id: string, enabled = true) {
  return useQuery({
    queryKey: ['segment-data', id, 'runs'],
    queryFn: ({ signal }) => apiGet<{ items: SegmentRun[] }>(`${segmentPath(id)}/runs`, undefined, signal),
    enabled,
  });
}

export interface SegmentUse {
  kind: string;
  id: string;
  name: string;
}

export function useUsage(id: string) {
  return useQuery({
    queryKey: ['segment-data', id, 'usage'],
    queryFn: ({ signal }) => apiGet<{ items: SegmentUse[] }>(`${segmentPath(id)}/usage`, undefined, signal),
  });
}

export interface PreviewRequest {
  kind: SegmentKind;
  rule: RuleJson;
  parameters: Record<string, ParameterValue>;
}

export interface PreviewResult {
  count: number;
  sample: Partner[];
}

/** The count and a sample for a rule, nothing saved; runs for each new (debounced) rule. */
export function usePreview(request: PreviewRequest | null) {
  return useQuery({
    queryKey: ['preview', request],
    queryFn: ({ signal }) => apiSend<PreviewResult>('POST', '/segments/preview', { ...request, sampleSize: 5 }, signal),
    enabled: request !== null,
    placeholderData: keepPreviousData,
    retry: false,
    staleTime: 10_000,
  });
}

// ---------------------------------------------------------------- explain

export type ExplainValue = string | number | boolean | null | string[];

export interface ExplainedCondition {
  kind: 'attr' | 'measure' | 'score' | 'inSegment';
  path: string;
  condition: RuleJson;
  period?: { from: string | null; to: string };
  value: ExplainValue;
  matched: boolean;
}

export interface ExplainedGroup {
  kind: 'all' | 'any' | 'not';
  path: string;
  matched: boolean;
  children: ExplainedNode[];
}

export type ExplainedNode = ExplainedGroup | ExplainedCondition;

export interface Explanation {
  segmentId: string;
  method: SegmentMethod;
  memberId: string;
  asOf: string;
  member: boolean;
  ruleMatched: boolean | null;
  rule: ExplainedNode | null;
  note: string | null;
}

export function useExplanation(segmentId: string | null, partnerId: string) {
  return useQuery({
    queryKey: ['partner', partnerId, 'explain', segmentId],
    queryFn: ({ signal }) => apiGet<Explanation>(`${segmentPath(segmentId!)}/explain/${encodeURIComponent(partnerId)}`, undefined, signal),
    enabled: segmentId !== null,
  });
}
