import { useQuery } from '@tanstack/react-query';
import { apiGet } from './client';
import type { SegmentKind } from './segments';

import type { Vocabulary } from '../../../src/rules/vocabulary/vocabulary.schema';

export type { OperandShape, ValueType } from '../../../src/rules/vocabulary/operators';
export type { Vocabulary, VocabularyAttribute, VocabularyMeasure } from '../../../src/rules/vocabulary/vocabulary.schema';

/** The rule language of a kind of segment, as the server checks it: the builder is made from it. */
export function useVocabulary(kind: SegmentKind) {
  return useQuery({
    queryKey: ['vocabulary', kind],
    queryFn: ({ signal }) => apiGet<Vocabulary>('/rules/vocabulary', { kind }, signal),
    staleTime: 5 * 60_000,
  });
}
