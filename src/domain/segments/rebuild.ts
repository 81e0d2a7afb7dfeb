import { AppError } from '../../errors/app-error.js';
import { resolveAsOf } from '../../sql/compile/compile-rule.js';
import { KeyedLocks } from '../../scheduling/keyed-locks.js';
import type { Database } from '../../storage/database.js';
import { replaceComposition, type CompositionListener, type RebuildListener } from './compositions.js';
import { membersQuery } from './membership-source.js';
import { currentPass, writeBaselines } from './refresh-baselines.js';
import { failRuns, startRuns, type RunTrigger } from './runs.js';
import type { Segment } from './segment.schema.js';
import { sqlTimestamp } from './segments.repository.js';

/**
 * Rebuilding one stored segment from its rule (SPEC §2): a run recorded, the composition
 * swapped by the one swap of compositions.ts (a batch of one), and never two rebuilds of a
 * segment at once in this process. Many segments together: batch-refresh.ts.
 */

export interface RebuildResult {
  readonly segmentId: string;
  readonly runId: number;
  readonly size: number;
  readonly entered: number;
  readonly left: number;
  readonly durationMs: number;
}

/** Segments being rebuilt by this process: a rebuild is never run twice at once. */
const running = new KeyedLocks<string>();

export const isRebuilding = (segmentId: string): boolean => running.isHeld(segmentId);

/**
 * Marks segments as being rebuilt, all or none: refuses (SEGMENT_REBUILD_RUNNING) if one of
 * them already is, or is dynamic (SEGMENT_NOT_STORED). Returns the release.
 */
export function claimRebuilds(segments: readonly Segment[]): () => void {
  for (const segment of segments) {
    if (segment.method === 'dynamic') throw new AppError('SEGMENT_NOT_STORED', { id: segment.id, method: segment.method });
  }
  return running.claim(
    segments.map((s) => s.id),
    (id) => new AppError('SEGMENT_REBUILD_RUNNING', { id }),
  );
}

export interface RebuildOptions {
  /** Evaluation date of the rule; today when absent. */
  readonly asOf?: string | undefined;
  /** Hears each stage reached (a Generate job's progress). */
  readonly onStage?: RebuildListener | undefined;
  /** Hears who entered and who left, inside the swap's transaction. */
  readonly onChange?: CompositionListener | undefined;
}

/**
 * Recomputes a stored segment from its rule and swaps the composition in one transaction:
 * readers see the old list or the new one, never a mix; a failure (or a killed process) leaves
 * the old one. Records who entered and who left, and the run.
 */
export async function rebuildSegment(db: Database, segment: Segment, trigger: RunTrigger, options: RebuildOptions = {}): Promise<RebuildResult> {
  const release = claimRebuilds([segment]);
  try {
    return await rebuildClaimed(db, segment, trigger, options);
  } finally {
    release();
  }
}

/** rebuildSegment for a segment already claimed (claimRebuilds). */
export async function rebuildClaimed(db: Database, segment: Segment, trigger: RunTrigger, options: RebuildOptions = {}): Promise<RebuildResult> {
  const started = new Date();
  const pass = await currentPass(db);
  const runId = (await startRuns(db, [segment.id], trigger, sqlTimestamp(started))).get(segment.id)!;
  try {
    options.onStage?.('evaluating');
    const source = await membersQuery(db, segment, options.asOf);
    const counts = await replaceComposition(db, segment.id, source, {
      runId,
      started,
      ...(options.onStage ? { onStage: options.onStage } : {}),
      ...(options.onChange ? { onChange: options.onChange } : {}),
      // Evaluated in full: an incremental refresh may patch it from here (refresh-baselines.ts).
      alsoInTransaction: (tx) => writeBaselines(tx, [segment], pass, resolveAsOf(options.asOf)),
    });
    return { segmentId: segment.id, runId, ...counts, durationMs: Date.now() - started.getTime() };
  } catch (error) {
    await failRuns(db, [runId], error, Date.now() - started.getTime());
    throw error;
  }
}
