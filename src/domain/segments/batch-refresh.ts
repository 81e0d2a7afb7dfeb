import { AppError } from '../../errors/app-error.js';
import { loadRuleCatalog, type RuleCatalog } from '../../rules/catalog.js';
import { checkRule } from '../../rules/check-rule.js';
import { ruleInvalidError } from '../../rules/rule-error.js';
import { resolveAsOf } from '../../sql/compile/compile-rule.js';
import { createTemporaryTable, planBatch, unpivotHits, type NamedRule } from '../../sql/compile/rule-set.js';
import type { SqlValue } from '../../sql/queryable.js';
import type { Database, Session } from '../../storage/database.js';
import { dropStaged, STAGED_MEMBERS, stageRuns, swapStaged, type CompositionListener, type SwapCounts } from './compositions.js';
import { dependencyOrder } from './dependencies.js';
import { claimRebuilds, isRebuilding, rebuildClaimed, type RebuildResult } from './rebuild.js';
import { failRuns, startRuns, type RunTrigger } from './runs.js';
import type { Segment } from './segment.schema.js';
import { getSegment, listSegments, sqlTimestamp } from './segments.repository.js';

/**
 * Refreshing many stored segments together (SPEC §2 periodic, at scale): the partner segments
 * with rules are planned as one batch — every distinct measure their rules need is computed in
 * one pass over each fact table into a measures table, then all the segments are evaluated over
 * it in one query and swapped in one transaction by the same swap as a single rebuild
 * (compositions.ts), with runs and history. Segments that cannot be batched (product segments, custom SQL)
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
  /** Hears who entered and who left each segment, inside the transaction that swapped it. */
  readonly onChange?: CompositionListener | undefined;
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
  const chosen = selection === 'all-periodic' ? await listSegments(db, { method: 'periodic', archived: false }) : await Promise.all([...new Set(selection)].map((id) => getSegment(db, id)));
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
        const r = await rebuildClaimed(db, segment, options.trigger, { asOf, onChange: options.onChange });
        results.push({ ...r, status: 'ok', error: null });
      } catch (error) {
        errors.set(segment.id, error);
        results.push(failed(segment.id, null, Date.now() - t0, error));
      }
    }
    if (together.size) {
      const batch = batchable.filter((s) => together.has(s.id));
      const catalog = await loadRuleCatalog(db);
      stats = await db.session((session) => refreshTogether(session, batch, { catalog, asOf, trigger: options.trigger, started, results, errors, onChange: options.onChange }));
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
  readonly onChange: CompositionListener | undefined;
}

async function refreshTogether(session: Session, segments: readonly Segment[], ctx: BatchContext): Promise<{ batched: number; distinctMeasures: number; factScans: number; measuresMs: number }> {
  const at = sqlTimestamp(ctx.started);
  const runs = await startRuns(
    session,
    segments.map((s) => s.id),
    ctx.trigger,
    at,
  );
  const fail = async (ids: readonly string[], error: unknown): Promise<void> => {
    const durationMs = Date.now() - ctx.started.getTime();
    for (const id of ids) {
      ctx.errors.set(id, error);
      ctx.results.push(failed(id, runs.get(id)!, durationMs, error));
    }
    await failRuns(
      session,
      ids.map((id) => runs.get(id)!),
      error,
      durationMs,
    );
  };

  const rules = new Map<string, NamedRule>();
  for (const segment of segments) {
    const checked = checkRule(segment.rule, {
      kind: 'partner',
      catalog: ctx.catalog,
      parameters: segment.parameters,
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
    const counts = await evaluateAndSwap(session, plan.hits, new Map(ids.map((id) => [id, runs.get(id)!])), { at, started: ctx.started, onChange: ctx.onChange });
    const durationMs = Date.now() - ctx.started.getTime();
    for (const id of ids) ctx.results.push({ segmentId: id, status: 'ok', runId: runs.get(id)!, error: null, ...counts.get(id)!, durationMs });
  } catch (error) {
    await fail(ids, error);
  } finally {
    for (const table of [MEASURES_TABLE, 'refresh_hits']) await session.run(`DROP TABLE IF EXISTS ${table}`).catch(() => undefined);
    await dropStaged(session);
  }
  return { batched: rules.size, distinctMeasures: plan.distinctMeasures, factScans: plan.factScans, measuresMs };
}

/**
 * The hits of the rules into the staged compositions (segment, member), then the one swap
 * (compositions.ts) replacing them with history and finishing their runs.
 */
async function evaluateAndSwap(
  session: Session,
  hits: { sql: string; params: readonly SqlValue[]; columns: ReadonlyMap<string, string> },
  runs: ReadonlyMap<string, number>,
  options: { at: string; started: Date; onChange: CompositionListener | undefined },
): Promise<Map<string, SwapCounts>> {
  await createTemporaryTable(session, 'refresh_hits', hits);
  const pairs = unpivotHits(session.dialect, 'refresh_hits', hits.columns);
  await createTemporaryTable(session, STAGED_MEMBERS, { sql: `SELECT u.rule_id AS segment_id, u.member_id FROM (${pairs.sql}) u`, params: pairs.params });
  await session.run('DROP TABLE refresh_hits');
  await stageRuns(session, runs);
  return swapStaged(session, { at: options.at, started: options.started, ...(options.onChange ? { onChange: options.onChange } : {}) });
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
export async function rebuildInOrder(db: Database, ids: readonly string[], trigger: RunTrigger, onChange?: CompositionListener): Promise<RebuildResult[]> {
  return asRebuilds(await refreshSegmentsWithErrors(db, ids, { trigger, onChange }));
}

/** Rebuilds every active periodic segment together, dependencies first; throws the first failure. */
export async function rebuildAllPeriodic(db: Database, trigger: RunTrigger, onChange?: CompositionListener): Promise<RebuildResult[]> {
  return asRebuilds(await refreshSegmentsWithErrors(db, 'all-periodic', { trigger, onChange }));
}
