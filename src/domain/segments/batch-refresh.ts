import { AppError } from '../../errors/app-error.js';
import { loadRuleCatalog, type RuleCatalog } from '../../rules/catalog.js';
import { checkRule } from '../../rules/check-rule.js';
import { ruleInvalidError } from '../../rules/rule-error.js';
import { resolveAsOf } from '../../sql/compile/compile-rule.js';
import { createTemporaryTable, planBatch, unpivotHits, type NamedRule } from '../../sql/compile/rule-set.js';
import type { Database, Queryable, Session, SqlValue } from '../../storage/database.js';
import { claimRebuilds, isRebuilding, rebuildClaimed, type RebuildResult, type RunTrigger } from './composition.js';
import { dependencyOrder } from './dependencies.js';
import { failpoint } from './failpoint.js';
import type { Segment } from './segment.schema.js';
import { getSegment, listSegments, sqlTimestamp } from './segments.repository.js';

/**
 * Refreshing many stored segments together (SPEC §2 periodic, at scale): the partner segments
 * with rules are planned as one batch — every distinct measure their rules need is computed in
 * one pass over each fact table into a measures table, then all the segments are evaluated over
 * it in one query and swapped in one transaction, with runs and history as a single rebuild
 * writes them. Segments that cannot be batched (product segments, custom SQL)
 * are rebuilt one by one first: partner rules may read them, they never read partner rules.
 */

/** What happened to one segment. */
export interface SegmentRefresh {
  readonly segmentId: string;
  readonly status: 'ok' | 'failed';
  readonly runId: number | null;
  readonly size: number | null;
  readonly entered: number | null;
  readonly left: number | null;
  readonly durationMs: number;
  readonly error: string | null;
}

export interface RefreshReport {
  /** The evaluation date of the rules. */
  readonly asOf: string;
  /** Every segment, dependencies before the segments that read them. */
  readonly segments: readonly SegmentRefresh[];
  /** How many were evaluated together over one measures table. */
  readonly batched: number;
  /** Distinct measures (measure × period × where) the batch computed. */
  readonly distinctMeasures: number;
  /** Passes over fact tables that computed them. */
  readonly factScans: number;
  /** Time spent computing the measures table (part of durationMs). */
  readonly measuresMs: number;
  readonly durationMs: number;
}

/** Given segments (ids), or every active periodic one. */
export type RefreshSelection = readonly string[] | 'all-periodic';

export interface RefreshOptions {
  readonly trigger: RunTrigger;
  /** Evaluation date; today (UTC) when absent. */
  readonly asOf?: string;
  /**
   * Report segments being generated already as failed (SEGMENT_REBUILD_RUNNING) and refresh
   * the others, instead of refusing the whole refresh (the scheduler's choice).
   */
  readonly skipRunning?: boolean;
}

/** The report, and each failed segment's error as thrown (for callers that rethrow it). */
export interface RefreshOutcome {
  readonly report: RefreshReport;
  readonly errors: ReadonlyMap<string, unknown>;
}

const MEASURES_TABLE = 'refresh_measures';

/**
 * Refreshes stored segments together. A segment that fails is reported (and its run recorded
 * failed) without stopping the others; its old composition stays.
 *
 * @example
 * await refreshSegments(db, 'all-periodic', { trigger: 'cli' })
 * // → { asOf: '2025-06-30', batched: 100, distinctMeasures: 41, factScans: 5, durationMs: 3900,
 * //      segments: [{ segmentId: 'vip', status: 'ok', runId: 812, size: 1204, entered: 17, left: 9, … }, …] }
 */
export async function refreshSegments(db: Database, selection: RefreshSelection, options: RefreshOptions): Promise<RefreshReport> {
  return (await refreshSegmentsWithErrors(db, selection, options)).report;
}

export async function refreshSegmentsWithErrors(db: Database, selection: RefreshSelection, options: RefreshOptions): Promise<RefreshOutcome> {
  const started = new Date();
  const asOf = resolveAsOf(options.asOf);
  const chosen =
    selection === 'all-periodic'
      ? await listSegments(db, { method: 'periodic', archived: false })
      : await Promise.all([...new Set(selection)].map((id) => getSegment(db, id)));
  const results: SegmentRefresh[] = [];
  const errors = new Map<string, unknown>();
  const segments = options.skipRunning ? chosen.filter((s) => !isRebuilding(s.id)) : chosen;
  for (const busy of chosen.filter((s) => !segments.includes(s))) {
    const error = new AppError('SEGMENT_REBUILD_RUNNING', { id: busy.id });
    errors.set(busy.id, error);
    results.push(failed(busy.id, null, 0, error));
  }
  const release = claimRebuilds(segments);
  let stats = { batched: 0, distinctMeasures: 0, factScans: 0, measuresMs: 0 };
  try {
    const ordered = dependencyOrder(segments);
    const batchable = ordered.filter((s) => s.kind === 'partner' && s.sql === null && s.rule !== null && s.rule !== undefined);
    const together = batchable.length >= 2 ? new Set(batchable.map((s) => s.id)) : new Set<string>();
    for (const segment of ordered.filter((s) => !together.has(s.id))) {
      const t0 = Date.now();
      try {
        const r = await rebuildClaimed(db, segment, options.trigger, asOf);
        results.push({ ...r, status: 'ok', error: null });
      } catch (error) {
        errors.set(segment.id, error);
        results.push(failed(segment.id, null, Date.now() - t0, error));
      }
    }
    if (together.size) {
      const batch = batchable.filter((s) => together.has(s.id));
      const catalog = await loadRuleCatalog(db);
      stats = await db.session((session) => refreshTogether(session, batch, { catalog, asOf, trigger: options.trigger, started, results, errors }));
    }
  } finally {
    release();
  }
  // The swaps go into the file now: a kill later has little write-ahead log to replay.
  await db.checkpoint();
  return { report: { asOf, segments: results, ...stats, durationMs: Date.now() - started.getTime() }, errors };
}

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

function failed(segmentId: string, runId: number | null, durationMs: number, error: unknown): SegmentRefresh {
  return { segmentId, status: 'failed', runId, size: null, entered: null, left: null, durationMs, error: messageOf(error) };
}

interface BatchContext {
  readonly catalog: RuleCatalog;
  readonly asOf: string;
  readonly trigger: RunTrigger;
  readonly started: Date;
  readonly results: SegmentRefresh[];
  readonly errors: Map<string, unknown>;
}

async function refreshTogether(
  session: Session,
  segments: readonly Segment[],
  ctx: BatchContext,
): Promise<{ batched: number; distinctMeasures: number; factScans: number; measuresMs: number }> {
  const at = sqlTimestamp(ctx.started);
  const runs = await startRuns(session, segments, ctx.trigger, at);
  const fail = async (ids: readonly string[], error: unknown): Promise<void> => {
    const durationMs = Date.now() - ctx.started.getTime();
    for (const id of ids) {
      ctx.errors.set(id, error);
      ctx.results.push(failed(id, runs.get(id)!, durationMs, error));
    }
    for (let i = 0; i < ids.length; i += 500) {
      const chunk = ids.slice(i, i + 500).map((id) => runs.get(id)!);
      await session
        .run(
          `UPDATE segment_runs SET status = 'failed', finished_at = CAST($1 AS TIMESTAMP), error = $2, duration_ms = $3 WHERE id IN (${chunk.map((_, j) => `$${j + 4}`).join(', ')})`,
          [sqlTimestamp(), messageOf(error).slice(0, 2000), durationMs, ...chunk],
        )
        .catch(() => undefined);
    }
  };

  const rules = new Map<string, NamedRule>();
  for (const segment of segments) {
    const checked = checkRule(segment.rule, {
      kind: 'partner',
      catalog: ctx.catalog,
      parameters: segment.parameters as Record<string, never>,
      segmentId: segment.id,
    });
    if (checked.ok) rules.set(segment.id, { id: segment.id, rule: checked.rule });
    else await fail([segment.id], ruleInvalidError(checked.issues, segment.id));
  }
  // One query for all: a segment reading another one of the batch reads its rule, which is
  // exactly its new composition, so dependencies need no separate passes.
  const batch = segments.filter((s) => rules.has(s.id)).map((s) => rules.get(s.id)!);
  let plan;
  const measuresStarted = Date.now();
  try {
    plan = planBatch(batch, {
      dialect: session.dialect,
      catalog: ctx.catalog,
      kind: 'partner',
      asOf: ctx.asOf,
      table: MEASURES_TABLE,
      ruleSegments: { ids: new Set(rules.keys()), keepStored: false },
    });
    await createTemporaryTable(session, MEASURES_TABLE, plan.measures);
  } catch (error) {
    await fail([...rules.keys()], error);
    return { batched: rules.size, distinctMeasures: 0, factScans: 0, measuresMs: Date.now() - measuresStarted };
  }
  const measuresMs = Date.now() - measuresStarted;
  const ids = batch.map((r) => r.id);
  try {
    const counts = await evaluateAndSwap(session, plan.hits, ids, runs, at, ctx.started);
    for (const id of ids) ctx.results.push({ segmentId: id, status: 'ok', runId: runs.get(id)!, error: null, ...counts.get(id)! });
  } catch (error) {
    await fail(ids, error);
  } finally {
    for (const table of [MEASURES_TABLE, 'refresh_hits', 'refresh_new', 'refresh_runs', 'refresh_sizes', 'refresh_entered', 'refresh_left', 'refresh_counts']) {
      await session.run(`DROP TABLE IF EXISTS ${table}`).catch(() => undefined);
    }
  }
  return { batched: rules.size, distinctMeasures: plan.distinctMeasures, factScans: plan.factScans, measuresMs };
}

/** One 'running' run per segment, in one statement per 300 segments: segment id → run id. */
async function startRuns(session: Queryable, segments: readonly Segment[], trigger: RunTrigger, at: string): Promise<Map<string, number>> {
  const runs = new Map<string, number>();
  for (let i = 0; i < segments.length; i += 300) {
    const chunk = segments.slice(i, i + 300);
    const rows = await session.query<{ id: number; segment_id: string }>(
      `INSERT INTO segment_runs (segment_id, trigger, started_at, status) VALUES ${chunk.map((_, j) => `($${j + 3}, $1, CAST($2 AS TIMESTAMP), 'running')`).join(', ')} RETURNING id, segment_id`,
      [trigger, at, ...chunk.map((s) => s.id)],
    );
    for (const row of rows) runs.set(row.segment_id, Number(row.id));
  }
  return runs;
}

interface Counts {
  readonly size: number;
  readonly entered: number;
  readonly left: number;
  readonly durationMs: number;
}

/**
 * The hits of the rules into `refresh_new` (segment, member), then one transaction replacing
 * the compositions with history and finishing their runs. Readers see the
 * old compositions or the new ones; a failure leaves the old ones.
 */
async function evaluateAndSwap(
  session: Session,
  hits: { sql: string; params: readonly SqlValue[]; columns: ReadonlyMap<string, string> },
  ids: readonly string[],
  runs: ReadonlyMap<string, number>,
  at: string,
  started: Date,
): Promise<Map<string, Counts>> {
  const text = session.dialect.columnType('text');
  await createTemporaryTable(session, 'refresh_hits', hits);
  const pairs = unpivotHits(session.dialect, 'refresh_hits', hits.columns);
  await createTemporaryTable(session, 'refresh_new', { sql: `SELECT u.rule_id AS segment_id, u.member_id FROM (${pairs.sql}) u`, params: pairs.params });
  await session.run('DROP TABLE refresh_hits');
  await session.run('DROP TABLE IF EXISTS refresh_runs');
  await session.run(`CREATE TEMPORARY TABLE refresh_runs (segment_id ${text} NOT NULL, run_id BIGINT NOT NULL)`);
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    await session.run(
      `INSERT INTO refresh_runs (segment_id, run_id) VALUES ${chunk.map((_, j) => `($${2 * j + 1}, CAST($${2 * j + 2} AS BIGINT))`).join(', ')}`,
      chunk.flatMap((id) => [id, runs.get(id)!]),
    );
  }
  const rows = await session.transaction(async (tx) => {
    await swapCompositions(tx, at);
    await tx.run(
      `UPDATE segment_runs SET status = 'ok', finished_at = CAST($1 AS TIMESTAMP), size = c.size, entered = c.entered, left_count = c.left_count, duration_ms = $2
       FROM refresh_counts c WHERE segment_runs.id = c.run_id`,
      [sqlTimestamp(), Date.now() - started.getTime()],
    );
    return tx.query<{ segment_id: string; size: number; entered: number; left_count: number }>('SELECT segment_id, size, entered, left_count FROM refresh_counts');
  });
  const durationMs = Date.now() - started.getTime();
  // Many memberships changed: stale statistics would mislead the planner of the next refresh
  // (a table thought empty joined by nested loops).
  const changed = rows.reduce((sum, r) => sum + Number(r.entered) + Number(r.left_count), 0);
  if (changed > 10_000) for (const sql of session.dialect.analyze('segment_members')) await session.run(sql);
  return new Map(rows.map((r) => [r.segment_id, { size: Number(r.size), entered: Number(r.entered), left: Number(r.left_count), durationMs }]));
}

/**
 * Replaces the compositions of the segments in `refresh_runs` with `refresh_new`, writing
 * history, and leaves their sizes and changes in `refresh_counts`. Call inside a transaction.
 */
async function swapCompositions(tx: Queryable, at: string): Promise<void> {
  const sameMember = (alias: string) => `m.segment_id = ${alias}.segment_id AND m.member_id = ${alias}.member_id`;
  const none = { params: [] };
  await sizeSegments(tx);
  await createTemporaryTable(tx, 'refresh_entered', {
    sql:
      'SELECT n.segment_id, n.member_id FROM refresh_new n JOIN refresh_sizes c ON c.segment_id = n.segment_id AND c.changed ' +
      `WHERE NOT EXISTS (SELECT 1 FROM segment_members m WHERE ${sameMember('n')})`,
    ...none,
  });
  await createTemporaryTable(tx, 'refresh_left', {
    sql:
      'SELECT m.segment_id, m.member_id FROM segment_members m JOIN refresh_sizes c ON c.segment_id = m.segment_id AND c.changed ' +
      'WHERE NOT EXISTS (SELECT 1 FROM refresh_new n WHERE n.segment_id = m.segment_id AND n.member_id = m.member_id)',
    ...none,
  });
  const when = 'CAST($1 AS TIMESTAMP)';
  await tx.run(
    `INSERT INTO segment_history (segment_id, member_id, event, occurred_at, run_id)
     SELECT e.segment_id, e.member_id, 'entered', ${when}, r.run_id FROM refresh_entered e JOIN refresh_runs r ON r.segment_id = e.segment_id`,
    [at],
  );
  await tx.run(
    `INSERT INTO segment_history (segment_id, member_id, event, occurred_at, run_id)
     SELECT l.segment_id, l.member_id, 'left', ${when}, r.run_id FROM refresh_left l JOIN refresh_runs r ON r.segment_id = l.segment_id`,
    [at],
  );
  await tx.run(
    'DELETE FROM segment_members WHERE EXISTS (SELECT 1 FROM refresh_left l WHERE l.segment_id = segment_members.segment_id AND l.member_id = segment_members.member_id)',
  );
  // Half-way: the old members are gone inside the transaction, the new ones not yet in.
  await failpoint('rebuild-half-done');
  // Checked again: a check on create may have added one of them since. In key order, so that
  // a first refresh of millions of members fills the key index sequentially.
  await tx.run(
    `INSERT INTO segment_members (segment_id, member_id, added_at)
     SELECT e.segment_id, e.member_id, ${when} FROM refresh_entered e WHERE NOT EXISTS (SELECT 1 FROM segment_members m WHERE ${sameMember('e')})
     ORDER BY e.segment_id, e.member_id`,
    [at],
  );
  const count = (table: string, column: string) => `LEFT JOIN (SELECT segment_id, COUNT(*) AS ${column} FROM ${table} GROUP BY segment_id) ${column}_c ON ${column}_c.segment_id = r.segment_id`;
  await createTemporaryTable(tx, 'refresh_counts', {
    // The new sizes were counted with the signatures (refresh_sizes).
    sql:
      'SELECT r.segment_id, r.run_id, s.size, COALESCE(entered_c.entered, 0) AS entered, COALESCE(left_count_c.left_count, 0) AS left_count ' +
      `FROM refresh_runs r JOIN refresh_sizes s ON s.segment_id = r.segment_id ${count('refresh_entered', 'entered')} ${count('refresh_left', 'left_count')}`,
    ...none,
  });
}

/**
 * Every segment of `refresh_runs` with its new size and whether its new composition differs
 * from the stored one, into `refresh_sizes` (`changed`): compared by size and by the sum of a
 * 64-bit hash of the members, so that the two anti-joins that find who entered and who left
 * (seconds over 10 million memberships) read only the segments that changed — in a scheduled
 * refresh, few of them. Two different sets of the same size pass for equal only if their hash
 * sums collide (odds about 2^-64).
 */
async function sizeSegments(tx: Queryable): Promise<void> {
  const hash = (sql: string) => tx.dialect.hash64(sql);
  const signature = (alias: string, from: string) =>
    `SELECT ${alias}.segment_id, COUNT(*) AS size, SUM(${hash(`${alias}.member_id`)}) AS members FROM ${from} GROUP BY ${alias}.segment_id`;
  await createTemporaryTable(tx, 'refresh_sizes', {
    sql:
      'SELECT r.segment_id, COALESCE(a.size, 0) AS size, ' +
      '(COALESCE(a.size, 0) <> COALESCE(b.size, 0) OR COALESCE(a.members, 0) <> COALESCE(b.members, 0)) AS changed FROM refresh_runs r ' +
      `LEFT JOIN (${signature('n', 'refresh_new n')}) a ON a.segment_id = r.segment_id ` +
      `LEFT JOIN (${signature('m', 'segment_members m JOIN refresh_runs rr ON rr.segment_id = m.segment_id')}) b ON b.segment_id = r.segment_id`,
    params: [],
  });
}

/** The results of a refresh as single rebuilds give them; the first failure is thrown as it was. */
function asRebuilds(outcome: RefreshOutcome): RebuildResult[] {
  const [first] = outcome.errors.values();
  if (outcome.errors.size) throw first instanceof Error ? first : new Error(String(first));
  return outcome.report.segments.map((s) => ({
    segmentId: s.segmentId,
    runId: s.runId!,
    size: s.size!,
    entered: s.entered!,
    left: s.left!,
    durationMs: s.durationMs,
  }));
}

/** Rebuilds the given stored segments (together where they can be), dependencies first; throws the first failure. */
export async function rebuildInOrder(db: Database, ids: readonly string[], trigger: RunTrigger): Promise<RebuildResult[]> {
  return asRebuilds(await refreshSegmentsWithErrors(db, ids, { trigger }));
}

/** Rebuilds every active periodic segment together, dependencies first; throws the first failure. */
export async function rebuildAllPeriodic(db: Database, trigger: RunTrigger): Promise<RebuildResult[]> {
  return asRebuilds(await refreshSegmentsWithErrors(db, 'all-periodic', { trigger }));
}

