import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback } from 'react';
import type { RuleJson } from '../screens/segments/rule-builder/rule-query';
import { apiGet, apiSend, apiUrl } from './client';
import type { Partner } from './partners';
import type { MemberSort, SegmentKind, SegmentMethod } from '../../../src/model/segment-vocabulary';
import type { ParameterValue, Segment as SavedSegment, SegmentInputBody } from '../../../src/domain/segments/segment.schema';
import type {
  Explanation as ApiExplanation,
  FillResult,
  HistoryEvent,
  MemberPage,
  PreviewResult as ApiPreviewResult,
  SegmentRun,
  SegmentStatus,
  SegmentUse,
} from '../../../src/domain/segments/segment-api.schema';

export { MEMBER_SORTS, SEGMENT_KINDS, SEGMENT_METHODS, SEGMENT_STATUSES } from '../../../src/model/segment-vocabulary';
export type { MemberSort, SegmentKind, SegmentMethod, SegmentStatusName } from '../../../src/model/segment-vocabulary';
export type { ParameterValue } from '../../../src/domain/segments/segment.schema';
export type { FillResult, HistoryEvent, RefreshResult, SegmentRun, SegmentUse } from '../../../src/domain/segments/segment-api.schema';

/** A saved segment (SPEC §2) as the API returns it; its rule is read as the rule builder's JSON. */
export type Segment = Omit<SavedSegment, 'rule'> & { rule: RuleJson | null };

/** A segment with what the list shows of its state. */
export type SegmentWithStatus = Segment & SegmentStatus;

/** What the card sends: a new segment, or the changes to a saved one. */
export type SegmentInput = Omit<SegmentInputBody, 'rule'> & { rule?: RuleJson };

export interface SegmentListQuery {
  q?: string;
  method?: SegmentMethod;
  archived?: boolean;
  kind?: 'partner' | 'product';
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

export interface MembersQuery {
  limit: number;
  offset: number;
  sort: MemberSort;
  order: 'asc' | 'desc';
}

/** A page of members, read as partners. */
export type MembersPage = Omit<MemberPage, 'items'> & { items: Partner[] };

export function useMembers(id: string, query: MembersQuery) {
  return useQuery({
    queryKey: ['segment-data', id, 'members', query],
    queryFn: ({ signal }) => apiGet<MembersPage>(`${segmentPath(id)}/members`, { ...query }, signal),
    placeholderData: keepPreviousData,
  });
}

/** The members as a file for people in the UI's language (Russian CSV: `;`, dd.mm.yyyy, names next to codes). */
export const membersFileUrl = (id: string, format: 'csv' | 'xlsx', lang: string) => apiUrl(`${segmentPath(id)}/members.${format}`, { lang: lang === 'en' ? 'en' : 'ru' });

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

export function useUsage(id: string, enabled = true) {
  return useQuery({
    queryKey: ['segment-data', id, 'usage'],
    queryFn: ({ signal }) => apiGet<{ items: SegmentUse[] }>(`${segmentPath(id)}/usage`, undefined, signal),
    enabled,
  });
}

export interface PreviewRequest {
  kind: SegmentKind;
  rule: RuleJson;
  parameters: Record<string, ParameterValue>;
}

/** The count and a sample for a rule, the sample read as partners. */
export type PreviewResult = Omit<ApiPreviewResult, 'sample'> & { sample: Partner[] };

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

/** Why a member is or is not in a segment; the API's rule tree (unknown to its schema) read as explained nodes. */
export type Explanation = Omit<ApiExplanation, 'rule'> & { rule: ExplainedNode | null };

export function useExplanation(segmentId: string | null, partnerId: string) {
  return useQuery({
    queryKey: ['partner', partnerId, 'explain', segmentId],
    queryFn: ({ signal }) => apiGet<Explanation>(`${segmentPath(segmentId!)}/explain/${encodeURIComponent(partnerId)}`, undefined, signal),
    enabled: segmentId !== null,
  });
}
