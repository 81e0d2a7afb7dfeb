import { referencedSegmentIds } from './definition-checks.js';
import type { Segment } from './segment.schema.js';

/**
 * Orders segments so that each comes after the stored segments its rule reads: when a periodic
 * segment uses another one, the other is rebuilt first and the user sees one consistent pass.
 */
export function dependencyOrder(segments: readonly Segment[]): Segment[] {
  const byId = new Map(segments.map((s) => [s.id, s]));
  const ordered: Segment[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (segment: Segment): void => {
    if (state.get(segment.id) === 'done') return;
    // Cycles are refused when rules are saved; a visit in progress is simply not re-entered.
    if (state.get(segment.id) === 'visiting') return;
    state.set(segment.id, 'visiting');
    for (const dep of referencedSegmentIds(segment)) {
      const other = byId.get(dep);
      if (other) visit(other);
    }
    state.set(segment.id, 'done');
    ordered.push(segment);
  };
  for (const segment of segments) visit(segment);
  return ordered;
}
