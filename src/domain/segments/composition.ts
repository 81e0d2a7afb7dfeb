import { AppError } from '../../errors/app-error.js';
import type { Database, Queryable, SqlValue } from '../../storage/database.js';
import { membersQuery } from './rule-engine.js';
import type { Segment } from './segment.schema.js';
import { failpoint } from './failpoint.js';
import { sqlTimestamp } from './segments.repository.js';

/** Who a segment holds, and how periodic rebuilds replace it atomically with history (SPEC §2). */

export interface RebuildResult {
  readonly segmentId: string;
  readonly runId: number;
  readonly size: number;
  readonly entered: number;
  readonly left: number;
  readonly durationMs: number;
}

/** The new members of a rebuild: a query, or ids already computed (custom SQL runs read-only first). */
export type MembersSource = { readonly sql: string; readonly params: readonly SqlValue[] } | { readonly ids: readonly string[] };

export type RunTrigger = 'api' | 'cli' | 'schedule' | 'ui' | 'dependency' | 'demo';

/**
 * The steps of one rebuild, in order: evaluating the rule (its measures and conditions, in one
 * query; a custom SQL segment's query), comparing with the stored list (who enters, who
 * leaves), writing the history, replacing the composition, recording the run.
 */
export const REBUILD_STAGES = ['evaluating', 'comparing', 'history', 'composition', 'finishing'] as const;
export type RebuildStage = (typeof REBUILD_STAGES)[number];
/** Told as a rebuild reaches each stage (a Generate job's progress). */
export type RebuildListener = (stage: RebuildStage) => void;

/** Segments being rebuilt by this process: a rebuild is never run twice at once. */
const running = new Set<string>();

export const isRebuilding = (segmentId: string): boolean => running.has(segmentId);

/**
 * Marks segments as being rebuilt, all or none: refuses (SEGMENT_REBUILD_RUNNING) if one of
 * them already is, or is dynamic (SEGMENT_NOT_STORED). Returns the release.
 */
export function claimRebuilds(segments: readonly Segment[]): () => void {
  for (const segment of segments) {
    if (segment.method === 'dynamic') throw new AppError('SEGMENT_NOT_STORED', { id: segment.id, method: segment.method });
    if (running.has(segment.id)) throw new AppError('SEGMENT_REBUILD_RUNNING', { id: segment.id });
  }
  const ids = [...new Set(segments.map((s) => s.id))];
  for (const id of ids) running.add(id);
  return () => {
    for (const id of ids) running.delete(id);
  };
}

/**
 * Recomputes a stored segment from its rule and swaps the composition in one transaction:
 * readers see the old list or the new one, never a mix; a failure (or a killed process) leaves
 * the old one. Records who entered and who left, and the run.
 */
export async function rebuildSegment(db: Database, segment: Segment, trigger: RunTrigger, asOf?: string): Promise<RebuildResult> {
  const release = claimRebuilds([segment]);
  try {
    return await rebuildClaimed(db, segment, trigger, asOf);
  } finally {
    release();
  }
}

/** rebuildSegment for a segment already claimed (claimRebuilds); `onStage` hears each stage reached. */
export async function rebuildClaimed(db: Database, segment: Segment, trigger: RunTrigger, asOf: string | undefined, onStage?: RebuildListener): Promise<RebuildResult> {
  const started = new Date();
  const [run] = await db.query<{ id: number }>(
    `INSERT INTO segment_runs (segment_id, trigger, started_at, status) VALUES ($1, $2, CAST($3 AS TIMESTAMP), 'running') RETURNING id`,
    [segment.id, trigger, sqlTimestamp(started)],
  );
  const runId = run!.id;
  try {
    onStage?.('evaluating');
    const source = await membersQuery(db, segment, asOf);
    const result = await db.transaction((tx) => replaceMembers(tx, segment.id, source, runId, started, onStage));
    const durationMs = Date.now() - started.getTime();
    await db.run(
      `UPDATE segment_runs SET status = 'ok', finished_at = CAST($2 AS TIMESTAMP), size = $3, entered = $4, left_count = $5, duration_ms = $6 WHERE id = $1`,
      [runId, sqlTimestamp(), result.size, result.entered, result.left, durationMs],
    );
    return { segmentId: segment.id, runId, ...result, durationMs };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    await db
      .run(`UPDATE segment_runs SET status = 'failed', finished_at = CAST($2 AS TIMESTAMP), error = $3, duration_ms = $4 WHERE id = $1`, [
        runId,
        sqlTimestamp(),
        message.slice(0, 2000),
        Date.now() - started.getTime(),
      ])
      .catch(() => undefined);
    throw error;
  }
}

/** Replaces a stored composition with the ids of `query`, writing the history. Call inside a transaction. */
export async function replaceMembers(
  tx: Queryable,
  segmentId: string,
  source: MembersSource,
  runId: number | null,
  at: Date,
  onStage?: RebuildListener,
): Promise<{ size: number; entered: number; left: number }> {
  // The new composition is computed once, into a table private to this transaction's session.
  await tx.run('DROP TABLE IF EXISTS segment_rebuild_new');
  await tx.run(`CREATE TEMPORARY TABLE segment_rebuild_new (member_id ${tx.dialect.columnType('text')} NOT NULL)`);
  if ('ids' in source) {
    const ids = [...new Set(source.ids)];
    for (let i = 0; i < ids.length; i += 1000) {
      const chunk = ids.slice(i, i + 1000);
      await tx.run(`INSERT INTO segment_rebuild_new (member_id) VALUES ${chunk.map((_, j) => `($${j + 1})`).join(', ')}`, chunk);
    }
  } else {
    await tx.run(`INSERT INTO segment_rebuild_new (member_id) SELECT DISTINCT id FROM (${source.sql}) q`, source.params);
  }
  // A temporary table has no statistics: without them PostgreSQL plans the comparisons below blind.
  for (const sql of tx.dialect.analyze('segment_rebuild_new')) await tx.run(sql);
  onStage?.('comparing');
  const params: SqlValue[] = [segmentId, sqlTimestamp(at), runId];
  const p1 = '$1';
  const p2 = 'CAST($2 AS TIMESTAMP)';
  const p3 = 'CAST($3 AS BIGINT)';
  const [enteredRow] = await tx.query<{ n: number }>(
    `SELECT COUNT(*) AS n FROM segment_rebuild_new s WHERE NOT EXISTS (SELECT 1 FROM segment_members m WHERE m.segment_id = $1 AND m.member_id = s.member_id)`,
    [segmentId],
  );
  const [leftRow] = await tx.query<{ n: number }>(
    `SELECT COUNT(*) AS n FROM segment_members m WHERE m.segment_id = $1 AND NOT EXISTS (SELECT 1 FROM segment_rebuild_new s WHERE s.member_id = m.member_id)`,
    [segmentId],
  );
  onStage?.('history');
  await tx.run(
    `INSERT INTO segment_history (segment_id, member_id, event, occurred_at, run_id)
     SELECT ${p1}, s.member_id, 'entered', ${p2}, ${p3} FROM segment_rebuild_new s
     WHERE NOT EXISTS (SELECT 1 FROM segment_members m WHERE m.segment_id = ${p1} AND m.member_id = s.member_id)`,
    params,
  );
  await tx.run(
    `INSERT INTO segment_history (segment_id, member_id, event, occurred_at, run_id)
     SELECT ${p1}, m.member_id, 'left', ${p2}, ${p3} FROM segment_members m
     WHERE m.segment_id = ${p1} AND NOT EXISTS (SELECT 1 FROM segment_rebuild_new s WHERE s.member_id = m.member_id)`,
    params,
  );
  onStage?.('composition');
  await tx.run(
    // NOT EXISTS, not NOT IN: PostgreSQL runs NOT IN over a large subquery as a nested loop (minutes at 500k members).
    `DELETE FROM segment_members WHERE segment_id = $1 AND NOT EXISTS (SELECT 1 FROM segment_rebuild_new s WHERE s.member_id = segment_members.member_id)`,
    [segmentId],
  );
  // Half-way: the old members are gone inside the transaction, the new ones not yet in.
  await failpoint('rebuild-half-done');
  await tx.run(
    `INSERT INTO segment_members (segment_id, member_id, added_at)
     SELECT $1, s.member_id, CAST($2 AS TIMESTAMP) FROM segment_rebuild_new s
     WHERE NOT EXISTS (SELECT 1 FROM segment_members m WHERE m.segment_id = $1 AND m.member_id = s.member_id)`,
    [segmentId, sqlTimestamp(at)],
  );
  onStage?.('finishing');
  const [sizeRow] = await tx.query<{ n: number }>('SELECT COUNT(*) AS n FROM segment_rebuild_new');
  await tx.run('DROP TABLE segment_rebuild_new');
  return { size: sizeRow?.n ?? 0, entered: enteredRow?.n ?? 0, left: leftRow?.n ?? 0 };
}
