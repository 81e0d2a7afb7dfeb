import { useMemo } from 'react';
import { useSegments, type SegmentWithStatus } from '../../../api/segments';
import { useTerms, type Campaign } from '../../../api/terms';

/** Every segment by id (names, methods, sizes for the lists); empty while loading. */
export function useSegmentIndex(): ReadonlyMap<string, SegmentWithStatus> {
  const segments = useSegments({});
  const items = segments.data?.items;
  return useMemo(() => new Map((items ?? []).map((s) => [s.id, s])), [items]);
}

/** The marketing campaigns by id (validity of the terms bound to them). */
export function useCampaignIndex(): ReadonlyMap<string, Campaign> {
  const campaigns = useTerms('campaigns');
  const items = campaigns.data?.items;
  return useMemo(() => new Map((items ?? []).map((c) => [c.id, c])), [items]);
}
