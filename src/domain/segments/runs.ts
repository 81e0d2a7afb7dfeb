import type { Queryable, Row } from '../../storage/database.js';

/** The record of rebuild runs and of who entered and left (SPEC §2: "who entered and who left, and when"). */

export interface SegmentRun {
  readonly id: number;
  readonly trigger: string;
  readonly startedAt: string;
  readonly finishedAt: string | null;
  readonly status: 'running' | 'ok' | 'failed';
  readonly size: number | null;
  readonly entered: number | null;
  readonly left: number | null;
  readonly durationMs: number | null;
  readonly error: string | null;
}

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
  const rows = await db.query<RunRow>(
    `SELECT * FROM segment_runs WHERE segment_id = $1 ORDER BY started_at DESC, id DESC LIMIT ${Math.trunc(limit)}`,
    [segmentId],
  );
  return rows.map(fromRow);
}

/** The latest run of every segment, keyed by segment id. */
export async function latestRuns(db: Queryable): Promise<Map<string, SegmentRun>> {
  const rows = await db.query<RunRow & { segment_id: string }>(
    `SELECT * FROM (SELECT r.*, ROW_NUMBER() OVER (PARTITION BY segment_id ORDER BY started_at DESC, id DESC) AS rn FROM segment_runs r) x WHERE rn = 1`,
  );
  return new Map(rows.map((r) => [r.segment_id, fromRow(r)]));
}

export interface HistoryEvent {
  readonly memberId: string;
  readonly event: 'entered' | 'left';
  readonly at: string;
  readonly runId: number | null;
}

export async function listHistory(
  db: Queryable,
  segmentId: string,
  options: { from?: string; to?: string; memberId?: string; limit: number; offset: number },
): Promise<{ items: HistoryEvent[]; total: number }> {
  const where = ['segment_id = $1'];
  const params: (string | number)[] = [segmentId];
  if (options.from) {
    params.push(options.from);
    where.push(`occurred_at >= CAST($${params.length} AS DATE)`);
  }
  if (options.to) {
    params.push(options.to);
    where.push(`occurred_at < CAST($${params.length} AS DATE) + 1`);
  }
  if (options.memberId) {
    params.push(options.memberId);
    where.push(`member_id = $${params.length}`);
  }
  const clause = where.join(' AND ');
  const [count] = await db.query<{ n: number }>(`SELECT COUNT(*) AS n FROM segment_history WHERE ${clause}`, params);
  const rows = await db.query<{ member_id: string; event: string; at: string; run_id: number | null }>(
    `SELECT member_id, event, occurred_at AS at, run_id FROM segment_history WHERE ${clause} ORDER BY occurred_at DESC, member_id LIMIT ${Math.trunc(options.limit)} OFFSET ${Math.trunc(options.offset)}`,
    params,
  );
  return {
    items: rows.map((r) => ({ memberId: r.member_id, event: r.event as HistoryEvent['event'], at: r.at, runId: r.run_id })),
    total: count?.n ?? 0,
  };
}
