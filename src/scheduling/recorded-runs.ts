import type { Queryable, SqlValue } from '../sql/queryable.js';
import { sql, type Sql } from '../sql/sql.js';
import { identifier, sqlTimestamp } from './sql-text.js';

/** A value bound with a cast, for a column whose type the text parameter does not carry. */
export interface CastValue {
  readonly cast: 'DATE' | 'BIGINT';
  readonly value: SqlValue;
}

/** A run column's value: as bound, a moment (a TIMESTAMP), or a cast one (see `asDate`). */
export type RunValue = SqlValue | Date | CastValue;

/** Columns of a runs table by name, in the order they are written. */
export type RunColumns = Readonly<Record<string, RunValue>>;

/** A 'YYYY-MM-DD' date for a DATE column. */
export const asDate = (value: string): CastValue => ({ cast: 'DATE', value });

/** The run being recorded, as its work sees it. */
export interface RunStart {
  readonly id: number;
  readonly started: Date;
}

export interface RecordedRun<T> {
  readonly runId: number;
  readonly result: T;
  readonly durationMs: number;
}

/** The error a failed run keeps: its message, cut to fit the column. */
const MAX_ERROR = 2000;

/**
 * A table of recorded runs (`segment_runs`, `score_runs`; later connector syncs, webhook
 * deliveries): each run is a row inserted 'running' with its own columns (what, why, settings),
 * then finished 'ok' with what it did or 'failed' with the error, with `finished_at` and
 * `duration_ms`. A process that stops mid-run leaves it 'running': `markInterrupted` at start
 * marks those failed.
 *
 * Expects the columns id (generated), started_at, finished_at, status, duration_ms, error.
 *
 * @example
 * const scoreRuns = new RecordedRuns('score_runs');
 * await scoreRuns.record(db, { score_set: 'rfm', trigger: 'cli', as_of: asDate('2026-01-01'), settings: '{}' },
 *   () => refresh(), (scored) => ({ scored }));
 * // INSERT INTO score_runs (score_set, trigger, as_of, settings, started_at, status)
 * //   VALUES ($1, $2, CAST($3 AS DATE), $4, CAST($5 AS TIMESTAMP), 'running') RETURNING id
 * // UPDATE score_runs SET status = $1, finished_at = CAST($2 AS TIMESTAMP), scored = $3, duration_ms = $4 WHERE id = $5
 */
export class RecordedRuns {
  private readonly table: string;

  constructor(table: string) {
    this.table = identifier(table);
  }

  /** Marks runs a stopped process left 'running' as failed; call once as a server starts. */
  async markInterrupted(db: Queryable): Promise<void> {
    await db.run(`UPDATE ${this.table} SET status = 'failed', error = 'interrupted: the process stopped during the run' WHERE status = 'running'`);
  }

  /**
   * Records `work` as a run: inserts it 'running' with `start`, then finishes it 'ok' with
   * `outcome(result)`, or 'failed' with the error, which is rethrown. Recording a failure never
   * hides the failure itself (a database that is gone, say).
   */
  async record<T>(db: Queryable, start: RunColumns, work: (run: RunStart) => Promise<T>, outcome: (result: T) => RunColumns): Promise<RecordedRun<T>> {
    const started = new Date();
    const columns = { ...start, started_at: started };
    const names = sql.raw(Object.keys(columns).map(identifier).join(', '));
    const [row] = await db.query<{ id: number }>(sql`INSERT INTO ${sql.raw(this.table)} (${names}, status) VALUES (${sql.join(Object.values(columns).map(bound))}, 'running') RETURNING id`);
    const runId = row!.id;
    try {
      const result = await work({ id: runId, started });
      const durationMs = Date.now() - started.getTime();
      await this.finish(db, runId, 'ok', { ...outcome(result), duration_ms: durationMs });
      return { runId, result, durationMs };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      await this.finish(db, runId, 'failed', { error: message.slice(0, MAX_ERROR), duration_ms: Date.now() - started.getTime() }).catch(() => undefined);
      throw error;
    }
  }

  private async finish(db: Queryable, runId: number, status: 'ok' | 'failed', columns: RunColumns): Promise<void> {
    const assignments = Object.entries(columns).map(([name, value]) => sql`${sql.raw(identifier(name))} = ${bound(value)}`);
    await db.run(sql`UPDATE ${sql.raw(this.table)} SET status = ${status}, finished_at = ${bound(new Date())}, ${sql.join(assignments)} WHERE id = ${runId}`);
  }
}

/** A column's value bound, with the cast its type needs. */
function bound(value: RunValue): Sql {
  if (value instanceof Date) return sql`CAST(${sqlTimestamp(value)} AS TIMESTAMP)`;
  if (value !== null && typeof value === 'object') return sql`CAST(${value.value} AS ${sql.raw(value.cast)})`;
  return sql`${value}`;
}
