import type { Database } from '../../storage/database.js';
import { rebuildSegment, type RebuildResult, type RunTrigger } from './composition.js';
import { referencedSegmentIds } from './rule-engine.js';
import type { Segment } from './segment.schema.js';
import { getSegment, listSegments } from './segments.repository.js';

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

/** Rebuilds the given stored segments (periodic ones; manual ones are never rebuilt by rule) in dependency order. */
export async function rebuildInOrder(db: Database, ids: readonly string[], trigger: RunTrigger): Promise<RebuildResult[]> {
  const segments = await Promise.all(ids.map((id) => getSegment(db, id)));
  const results: RebuildResult[] = [];
  for (const segment of dependencyOrder(segments)) {
    results.push(await rebuildSegment(db, segment, trigger));
  }
  return results;
}

/** Rebuilds every active periodic segment, in dependency order. */
export async function rebuildAllPeriodic(db: Database, trigger: RunTrigger): Promise<RebuildResult[]> {
  const segments = await listSegments(db, { method: 'periodic', archived: false });
  return rebuildInOrder(db, segments.map((s) => s.id), trigger);
}
