import { inChunks } from '../../sql/in-chunks.js';
import type { Queryable, Row } from '../../sql/queryable.js';
import { sql } from '../../sql/sql.js';
import type { SegmentRun } from './segment-api.schema.js';
import { sqlTimestamp } from './segments.repository.js';

/**
 * The runs repository: every row of `segment_runs` is written and read here. A rebuild (one
 * segment or a batch) starts a run per segment, and finishes it ok with its counts or failed
 * with its error (SPEC §2: "who entered and who left, and when").
 */

/** What started a run: kept in `segment_runs.trigger`. */
export type RunTrigger = 'api' | 'cli' | 'schedule' | 'ui' | 'dependency' | 'demo';

/** A run as the API shows it (GET /api/segments/{id}/runs). */
export type { SegmentRun } from './segment-api.schema.js';

interface RunRow extends Row {
  id: number;
  trigger: string;
  started_at: string;
  finished_at: string | null;
  status: string;
  size: number | null;
  entered: number | null;
  left_count: number | null;
  duration_ms: number | null;
  error: string | null;
}

const fromRow = (r: RunRow): SegmentRun => ({
  id: r.id,
  trigger: r.trigger,
  startedAt: r.started_at,
  finishedAt: r.finished_at,
  status: r.status as SegmentRun['status'],
  size: r.size,
  entered: r.entered,
  left: r.left_count,
  durationMs: r.duration_ms,
  error: r.error,
});

export async function listRuns(db: Queryable, segmentId: string, limit = 50): Promise<SegmentRun[]> {
  const rows = await db.query<RunRow>(sql`SELECT * FROM segment_runs WHERE segment_id = ${segmentId} ORDER BY started_at DESC, id DESC LIMIT ${sql.raw(String(Math.trunc(limit)))}`);
  return rows.map(fromRow);
}

/** The latest run of every segment, keyed by segment id. */
export async function latestRuns(db: Queryable): Promise<Map<string, SegmentRun>> {
  const rows = await db.query<RunRow & { segment_id: string }>(
    `SELECT * FROM (SELECT r.*, ROW_NUMBER() OVER (PARTITION BY segment_id ORDER BY started_at DESC, id DESC) AS rn FROM segment_runs r) x WHERE rn = 1`,
  );
  return new Map(rows.map((r) => [r.segment_id, fromRow(r)]));
}

/** How long the segment's last successful run took, or null if it never had one. */
export async function lastSuccessfulRunMs(db: Queryable, segmentId: string): Promise<number | null> {
  const [row] = await db.query<{ duration_ms: number | null }>(
    sql`SELECT duration_ms FROM segment_runs WHERE segment_id = ${segmentId} AND status = 'ok' AND duration_ms IS NOT NULL ORDER BY started_at DESC, id DESC LIMIT 1`,
  );
  return row?.duration_ms === undefined || row.duration_ms === null ? null : Number(row.duration_ms);
}

/** One 'running' run per segment, in one statement per 300 segments: segment id → run id. */
export async function startRuns(q: Queryable, segmentIds: readonly string[], trigger: RunTrigger, at: string): Promise<Map<string, number>> {
  const runs = new Map<string, number>();
  const by = sql.param(trigger);
  const when = sql`CAST(${sql.param(at)} AS TIMESTAMP)`;
  await inChunks(segmentIds, 300, async (chunk) => {
    const rows = await q.query<{ id: number; segment_id: string }>(
      sql`INSERT INTO segment_runs (segment_id, trigger, started_at, status) VALUES ${sql.join(chunk.map((id) => sql`(${id}, ${by}, ${when}, 'running')`))} RETURNING id, segment_id`,
    );
    for (const row of rows) runs.set(row.segment_id, Number(row.id));
  });
  return runs;
}

/**
 * Runs recorded finished ok at once, for segments a pass found current without evaluating them
 * (an incremental pass, for rules reading nothing that changed): their sizes, nobody entered
 * or left. Segment id → run id.
 */
export async function recordUnchangedRuns(q: Queryable, sizes: ReadonlyMap<string, number>, trigger: RunTrigger, at: string, durationMs: number): Promise<Map<string, number>> {
  const runs = new Map<string, number>();
  const by = sql.param(trigger);
  const started = sql`CAST(${sql.param(at)} AS TIMESTAMP)`;
  const finished = sql`CAST(${sql.param(sqlTimestamp())} AS TIMESTAMP)`;
  await inChunks([...sizes], 300, async (chunk) => {
    const rows = await q.query<{ id: number; segment_id: string }>(
      sql`INSERT INTO segment_runs (segment_id, trigger, started_at, finished_at, status, size, entered, left_count, duration_ms)
        VALUES ${sql.join(chunk.map(([id, size]) => sql`(${id}, ${by}, ${started}, ${finished}, 'ok', ${size}, 0, 0, ${durationMs})`))} RETURNING id, segment_id`,
    );
    for (const row of rows) runs.set(row.segment_id, Number(row.id));
  });
  return runs;
}

/**
 * Finishes the runs named in a table of (run_id, size, entered, left_count) as ok, in one
 * statement: a batch's hundred runs cost one UPDATE.
 */
export async function finishRunsFrom(tx: Queryable, countsTable: string, durationMs: number): Promise<void> {
  await tx.run(
    sql`UPDATE segment_runs SET status = 'ok', finished_at = CAST(${sqlTimestamp()} AS TIMESTAMP), size = c.size, entered = c.entered, left_count = c.left_count, duration_ms = ${durationMs}
     FROM ${sql.raw(countsTable)} c WHERE segment_runs.id = c.run_id`,
  );
}

/** Records runs as failed with the error's message; never throws (the error being reported matters more). */
export async function failRuns(q: Queryable, runIds: readonly number[], error: unknown, durationMs: number): Promise<void> {
  const message = (error instanceof Error ? error.message : String(error)).slice(0, 2000);
  await inChunks(runIds, 500, (chunk) =>
    q
      .run(sql`UPDATE segment_runs SET status = 'failed', finished_at = CAST(${sqlTimestamp()} AS TIMESTAMP), error = ${message}, duration_ms = ${durationMs} WHERE id IN (${sql.list(chunk)})`)
      .catch(() => undefined),
  );
}
