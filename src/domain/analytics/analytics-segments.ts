import type { Database } from '../../storage/database.js';
import type { RebuildResult } from '../segments/rebuild.js';
import { rebuildInOrder } from '../segments/batch-refresh.js';
import { referencedSegmentIds } from '../segments/definition-checks.js';
import type { Segment, SegmentInput } from '../segments/segment.schema.js';
import { findSegment, listSegments } from '../segments/segments.repository.js';
import type { SegmentService } from '../segments/segments.service.js';
import type { AppliedSegment } from './analytics.schema.js';

/**
 * Analytic segmentations become ordinary rule segments (RFM named segments, matrix quadrants,
 * lifecycle stages), so they can be used in rules, reports and sales terms like any other.
 * Applying them again updates their rules in place; stored ones are generated at once.
 */

export type AnalyticsSegmentMethod = 'periodic' | 'dynamic';

/** One segment an analysis defines. */
export interface SegmentDraft {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly rule: unknown;
  readonly parameters?: Record<string, unknown>;
}

export type { AppliedSegment } from './analytics.schema.js';

export interface ApplyOptions {
  readonly method: AnalyticsSegmentMethod;
  /** Periodic only: the schedule of the new segments (cron or "every N seconds"). */
  readonly schedule?: string | null;
}

/** Creates the segments that do not exist, updates the rules of those that do, and generates the stored ones. */
export async function applySegments(segments: SegmentService, drafts: readonly SegmentDraft[], options: ApplyOptions): Promise<AppliedSegment[]> {
  const { db } = segments;
  const applied: { segment: Segment; action: AppliedSegment['action'] }[] = [];
  for (const draft of drafts) {
    const existing = await findSegment(db, draft.id);
    if (existing) {
      const segment = await segments.update(draft.id, {
        name: draft.name,
        description: draft.description,
        rule: draft.rule,
        parameters: (draft.parameters ?? {}) as SegmentInput['parameters'],
        ...(options.method === 'periodic' && options.schedule !== undefined && existing.method === 'periodic' ? { schedule: options.schedule } : {}),
        method: options.method,
      });
      applied.push({ segment, action: 'updated' });
    } else {
      const input: SegmentInput = {
        id: draft.id,
        kind: 'partner',
        name: draft.name,
        description: draft.description,
        method: options.method,
        rule: draft.rule,
        parameters: (draft.parameters ?? {}) as SegmentInput['parameters'],
        schedule: options.method === 'periodic' ? (options.schedule ?? null) : null,
        checkOnCreate: false,
        competitors: [],
        archived: false,
      };
      applied.push({ segment: await segments.create(input), action: 'created' });
    }
  }
  const stored = applied.filter((a) => a.segment.method !== 'dynamic').map((a) => a.segment.id);
  const results = new Map((await rebuildInOrder(db, stored, 'api')).map((r) => [r.segmentId, r.size]));
  return applied.map(({ segment, action }) => ({
    id: segment.id,
    name: segment.name,
    action,
    method: segment.method,
    size: results.get(segment.id) ?? null,
  }));
}

/** Score names a rule reads (`{"score": …}` anywhere in it). */
export function scoresOfRule(rule: unknown): string[] {
  const found = new Set<string>();
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (node === null || typeof node !== 'object') return;
    const record = node as Record<string, unknown>;
    if (typeof record.score === 'string') found.add(record.score);
    for (const value of Object.values(record)) walk(value);
  };
  walk(rule);
  return [...found];
}

/**
 * After scores change, the active periodic segments whose rules read them — and the periodic
 * segments that read those, and so on — are generated again, in dependency order, so the
 * named segments match the new scores.
 */
export async function rebuildScoreDependents(db: Database, scoreNames: readonly string[]): Promise<RebuildResult[]> {
  const periodic = await listSegments(db, { kind: 'partner', method: 'periodic', archived: false });
  const names = new Set(scoreNames);
  const chosen = new Set(periodic.filter((s) => scoresOfRule(s.rule).some((n) => names.has(n))).map((s) => s.id));
  if (chosen.size === 0) return [];
  for (let grew = true; grew;) {
    grew = false;
    for (const segment of periodic) {
      if (!chosen.has(segment.id) && referencedSegmentIds(segment).some((id) => chosen.has(id))) {
        chosen.add(segment.id);
        grew = true;
      }
    }
  }
  return rebuildInOrder(db, [...chosen], 'dependency');
}
