import type { Path } from 'react-querybuilder';
import type { DirectoryItem, DirectoryName } from '../../../api/directories';
import type { SegmentKind, SegmentMethod } from '../../../api/segments';
import type { Vocabulary, VocabularyAttribute, VocabularyMeasure } from '../../../api/vocabulary';
import type { RuleLabels } from '../labels';
import type { JsonValue } from './rule-query';

export interface DirectoryView {
  items: DirectoryItem[];
  nameOf: (id: string | null | undefined) => string | null;
  pathOf: (id: string) => string;
}

export interface SegmentOption {
  id: string;
  name: string;
  kind: SegmentKind;
  method: SegmentMethod;
  archived: boolean;
}

/** What every control of the builder knows besides its own rule (passed as the builder's context). */
export interface BuilderContext {
  kind: SegmentKind;
  vocabulary: Vocabulary;
  attributes: ReadonlyMap<string, VocabularyAttribute>;
  measures: ReadonlyMap<string, VocabularyMeasure>;
  directories: Readonly<Record<DirectoryName, DirectoryView>>;
  segments: readonly SegmentOption[];
  /** The segment being edited: it cannot refer to itself. */
  selfId: string | undefined;
  parameterNames: readonly string[];
  labels: RuleLabels;
  disabled: boolean;
  /** Sets a measure rule's period or where (react-querybuilder only edits field, operator and value). */
  setRuleProp: (path: Path, prop: 'period' | 'where', value: JsonValue | undefined) => void;
  /** Problems the server found in the rule at this item, in the reader's language. */
  issuesAt: (path: Path) => readonly string[];
}

export const isParam = (value: unknown): value is { param: string } => typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 1 && 'param' in value;

export const toList = (value: unknown): JsonValue[] => (Array.isArray(value) ? (value as JsonValue[]) : value === undefined || value === null || value === '' ? [] : [value as JsonValue]);

/** Today as YYYY-MM-DD (UTC, the server's evaluation date). */
export const todayIso = () => new Date().toISOString().slice(0, 10);
