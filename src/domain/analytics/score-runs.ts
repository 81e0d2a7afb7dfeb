import { AppError } from '../../errors/app-error.js';
import { KeyedLocks } from '../../scheduling/keyed-locks.js';
import { asDate, RecordedRuns } from '../../scheduling/recorded-runs.js';
import type { Queryable, Row } from '../../sql/queryable.js';
import { sql } from '../../sql/sql.js';
import type { Database } from '../../storage/database.js';
import type { ScoreRun } from './analytics.schema.js';
import type { ScoreSet } from './analytics-vocabulary.js';

/**
 * Score refreshes (RFM, renew index) are run like periodic segments: each run is recorded
 * (when, as of which date, with which settings, how many partners scored, how long, the error),
 * and one set of scores is never refreshed twice at once by a process.
 */

export { SCORE_SETS, type ScoreSet } from './analytics-vocabulary.js';
export type { ScoreRun } from './analytics.schema.js';
export type ScoreTrigger = 'api' | 'cli' | 'schedule' | 'ui';

interface RunRow extends Row {
  id: number;
  score_set: string;
  trigger: string;
  as_of: string;
  settings: string;
  started_at: string;
  finished_at: string | null;
  status: string;
  scored: number | null;
  duration_ms: number | null;
  error: string | null;
}

const fromRow = (r: RunRow): ScoreRun => ({
  id: r.id,
  scoreSet: r.score_set as ScoreSet,
  trigger: r.trigger,
  asOf: r.as_of,
  settings: JSON.parse(r.settings) as unknown,
  startedAt: r.started_at,
  finishedAt: r.finished_at,
  status: r.status as ScoreRun['status'],
  scored: r.scored,
  durationMs: r.duration_ms,
  error: r.error,
});

/** Score refreshes' runs, in `score_runs`. */
export const scoreRuns = new RecordedRuns('score_runs');

/** Score sets this process is refreshing: one set is never refreshed twice at once. */
const refreshing = new KeyedLocks<ScoreSet>();

export const isRefreshing = (set: ScoreSet): boolean => refreshing.isHeld(set);

/**
 * Runs `refresh` (which writes the scores in its own transaction and returns how many partners
 * it scored) as a recorded run. A failure is recorded and rethrown; the old scores stay.
 */
export async function recordedScoreRun(
  db: Database,
  set: ScoreSet,
  trigger: ScoreTrigger,
  asOf: string,
  settings: unknown,
  refresh: () => Promise<number>,
): Promise<{ runId: number; scored: number; durationMs: number }> {
  const release = refreshing.claim([set], () => new AppError('SCORE_REFRESH_RUNNING', { scoreSet: set }));
  try {
    const run = await scoreRuns.record(db, { score_set: set, trigger, as_of: asDate(asOf), settings: JSON.stringify(settings) }, refresh, (scored) => ({ scored }));
    return { runId: run.runId, scored: run.result, durationMs: run.durationMs };
  } finally {
    release();
  }
}

export async function listScoreRuns(db: Queryable, set?: ScoreSet, limit = 50): Promise<ScoreRun[]> {
  const rows = await db.query<RunRow>(sql`SELECT * FROM score_runs ${set ? sql`WHERE score_set = ${set}` : sql.empty} ORDER BY started_at DESC, id DESC LIMIT ${sql.raw(String(Math.trunc(limit)))}`);
  return rows.map(fromRow);
}

export async function lastScoreRun(db: Queryable, set: ScoreSet): Promise<ScoreRun | null> {
  return (await listScoreRuns(db, set, 1))[0] ?? null;
}

/**
 * Replaces every stored value of the named scores with the rows of `select` (columns
 * partner_id, score, value; one row per partner and score), in the caller's transaction: rules
 * read the old scores or the new ones, never a mix.
 *
 * It merges rather than deleting everything and inserting it again: values that changed are
 * updated, partners that lost a score are deleted, new ones inserted. A daily refresh changes
 * few rows besides recency, and rewriting millions of indexed rows costs PostgreSQL minutes.
 */
export async function replaceScores(tx: Queryable, names: readonly string[], select: string, params: readonly (string | number | boolean | null)[]): Promise<void> {
  await tx.run('DROP TABLE IF EXISTS score_refresh_new');
  await tx.run(`CREATE TEMPORARY TABLE score_refresh_new AS ${select}`, params);
  await tx.run(
    `UPDATE partner_scores SET value = n.value FROM score_refresh_new n
     WHERE partner_scores.partner_id = n.partner_id AND partner_scores.score = n.score AND partner_scores.value IS DISTINCT FROM n.value`,
  );
  await tx.run(
    sql`DELETE FROM partner_scores WHERE score IN (${sql.list(names)})
     AND NOT EXISTS (SELECT 1 FROM score_refresh_new n WHERE n.partner_id = partner_scores.partner_id AND n.score = partner_scores.score)`,
  );
  await tx.run(
    `INSERT INTO partner_scores (partner_id, score, value) SELECT n.partner_id, n.score, n.value FROM score_refresh_new n
     WHERE NOT EXISTS (SELECT 1 FROM partner_scores s WHERE s.partner_id = n.partner_id AND s.score = n.score)`,
  );
  await tx.run('DROP TABLE score_refresh_new');
}
