import type { MeasureNode } from '../../rules/ast/measure-node.js';
import { plainValue } from '../../rules/ast/value-node.js';
import { MEASURES, type MeasureName, type MeasureSource, type WhereKey } from '../../rules/vocabulary/measures.js';
import { resolvePeriod, type DateRange } from './periods.js';

/** One `where` filter, values sorted so equal filters compare equal. */
export interface WhereFilter {
  readonly key: WhereKey;
  readonly values: readonly string[];
}

/**
 * What one measure condition aggregates: measure × dates × where, independent of the
 * comparison. Conditions (in one rule or in many segments) with the same key share one
 * aggregate, so a planner can collect the distinct specs of many rules and compute them
 * in shared scans of each fact table.
 */
export interface MeasureSpec {
  readonly measure: MeasureName;
  readonly source: MeasureSource;
  readonly range: DateRange;
  /** Deals without createdAt count when no period is given (they exist, but have no date). */
  readonly includeUndated: boolean;
  readonly where: readonly WhereFilter[];
  /** Stable identity: equal specs have equal keys. */
  readonly key: string;
}

/** The spec of a (parameter-folded, validated) measure condition, evaluated on asOf. */
export function measureSpecOf(node: MeasureNode, asOf: string): MeasureSpec {
  const def = MEASURES[node.measure];
  if (node.period?.kind === 'param') throw new Error('measure period parameter was not folded');
  const resolved = resolvePeriod(node.period, asOf);
  // A balance is a state at the end of the period: its start does not matter.
  const range: DateRange = def.source === 'settlements' ? { from: null, to: resolved.to } : resolved;
  const includeUndated = def.source === 'deals' && !node.period;
  const where = node.where
    .map((w) => {
      const raw = plainValue(w.value);
      const values = (Array.isArray(raw) ? raw : [raw]).map(String);
      return { key: w.key, values: [...new Set(values)].sort() };
    })
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const key = JSON.stringify([node.measure, range.from, range.to, includeUndated, where.map((w) => [w.key, w.values])]);
  return { measure: node.measure, source: def.source, range, includeUndated, where, key };
}

/** The spec's facts filter alone (no measure): specs with equal filter keys scan the same rows. */
export const filterKeyOf = (spec: MeasureSpec): string => JSON.stringify([spec.source, spec.range.from, spec.range.to, spec.includeUndated, spec.where.map((w) => [w.key, w.values])]);
