import { useQuery } from '@tanstack/react-query';
import { apiGet } from './client';
import type { DirectoryName } from './directories';
import type { SegmentKind } from './segments';

export type ValueType = 'text' | 'number' | 'date' | 'boolean' | 'roles';
export type OperandShape = 'one' | 'pair' | 'list' | 'ids' | 'text' | 'days' | 'none';

/** An attribute a rule may compare (GET /api/rules/vocabulary). */
export interface VocabularyAttribute {
  name: string;
  type: ValueType;
  property: boolean;
  hierarchy: boolean;
  directory: DirectoryName | null;
  values: string[] | null;
  operators: string[];
}

export interface VocabularyMeasure {
  name: string;
  source: 'sales' | 'interactions' | 'settlements' | 'deals' | 'partner';
  period: boolean;
  integer: boolean;
  noFacts: 'zero' | 'none';
  where: string[];
}

export interface Vocabulary {
  kind: SegmentKind;
  attributes: VocabularyAttribute[];
  measures: VocabularyMeasure[];
  scores: { name: string; description: string }[];
  measureOperators: string[];
  operandShapes: Record<string, OperandShape>;
}

/** The rule language of a kind of segment, as the server checks it: the builder is made from it. */
export function useVocabulary(kind: SegmentKind) {
  return useQuery({
    queryKey: ['vocabulary', kind],
    queryFn: ({ signal }) => apiGet<Vocabulary>('/rules/vocabulary', { kind }, signal),
    staleTime: 5 * 60_000,
  });
}
