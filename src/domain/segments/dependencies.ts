import { referencedSegmentIds } from './rule-engine.js';
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

/**
 * The segments in levels: a segment comes one level after the last of the given segments its
 * rule reads (references to segments outside the list are already stored). Each level can be
 * evaluated at once after the levels before it were stored.
 */
export function dependencyLevels(segments: readonly Segment[]): Segment[][] {
  const ids = new Set(segments.map((s) => s.id));
  const level = new Map<string, number>();
  const levels: Segment[][] = [];
  for (const segment of dependencyOrder(segments)) {
    const deps = referencedSegmentIds(segment).filter((id) => ids.has(id) && id !== segment.id);
    const mine = deps.length ? 1 + Math.max(...deps.map((id) => level.get(id) ?? 0)) : 0;
    level.set(segment.id, mine);
    (levels[mine] ??= []).push(segment);
  }
  return levels.filter((l) => l !== undefined);
}
