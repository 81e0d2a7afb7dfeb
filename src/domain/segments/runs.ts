import type { Queryable, Row } from '../../storage/database.js';
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
  const rows = await db.query<RunRow>(`SELECT * FROM segment_runs WHERE segment_id = $1 ORDER BY started_at DESC, id DESC LIMIT ${Math.trunc(limit)}`, [segmentId]);
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
    `SELECT duration_ms FROM segment_runs WHERE segment_id = $1 AND status = 'ok' AND duration_ms IS NOT NULL ORDER BY started_at DESC, id DESC LIMIT 1`,
    [segmentId],
  );
  return row?.duration_ms === undefined || row.duration_ms === null ? null : Number(row.duration_ms);
}

/** One 'running' run per segment, in one statement per 300 segments: segment id → run id. */
export async function startRuns(q: Queryable, segmentIds: readonly string[], trigger: RunTrigger, at: string): Promise<Map<string, number>> {
  const runs = new Map<string, number>();
  for (let i = 0; i < segmentIds.length; i += 300) {
    const chunk = segmentIds.slice(i, i + 300);
    const rows = await q.query<{ id: number; segment_id: string }>(
      `INSERT INTO segment_runs (segment_id, trigger, started_at, status) VALUES ${chunk.map((_, j) => `($${j + 3}, $1, CAST($2 AS TIMESTAMP), 'running')`).join(', ')} RETURNING id, segment_id`,
      [trigger, at, ...chunk],
    );
    for (const row of rows) runs.set(row.segment_id, Number(row.id));
  }
  return runs;
}

/**
 * Finishes the runs named in a table of (run_id, size, entered, left_count) as ok, in one
 * statement: a batch's hundred runs cost one UPDATE.
 */
export async function finishRunsFrom(tx: Queryable, countsTable: string, durationMs: number): Promise<void> {
  await tx.run(
    `UPDATE segment_runs SET status = 'ok', finished_at = CAST($1 AS TIMESTAMP), size = c.size, entered = c.entered, left_count = c.left_count, duration_ms = $2
     FROM ${countsTable} c WHERE segment_runs.id = c.run_id`,
    [sqlTimestamp(), durationMs],
  );
}

/** Records runs as failed with the error's message; never throws (the error being reported matters more). */
export async function failRuns(q: Queryable, runIds: readonly number[], error: unknown, durationMs: number): Promise<void> {
  const message = (error instanceof Error ? error.message : String(error)).slice(0, 2000);
  for (let i = 0; i < runIds.length; i += 500) {
    const chunk = runIds.slice(i, i + 500);
    await q
      .run(`UPDATE segment_runs SET status = 'failed', finished_at = CAST($1 AS TIMESTAMP), error = $2, duration_ms = $3 WHERE id IN (${chunk.map((_, j) => `$${j + 4}`).join(', ')})`, [
        sqlTimestamp(),
        message,
        durationMs,
        ...chunk,
      ])
      .catch(() => undefined);
  }
}
