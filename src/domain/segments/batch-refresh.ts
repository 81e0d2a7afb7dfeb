import { AppError } from '../../errors/app-error.js';
import { loadRuleCatalog, type RuleCatalog } from '../../rules/catalog.js';
import { checkRule } from '../../rules/check-rule.js';
import { ruleInvalidError } from '../../rules/rule-error.js';
import { resolveAsOf } from '../../sql/compile/compile-rule.js';
import { compileMemberChecks, createTemporaryTable, planBatch, unpivotHits, type NamedRule } from '../../sql/compile/rule-set.js';
import type { Queryable, SqlValue } from '../../sql/queryable.js';
import type { Database, Session } from '../../storage/database.js';
import { createMeasuresForBase, describeMeasureBase, KEPT_PLAN_TABLES, keptMeasuresFor, moveMeasureBase, planFromBase, writeMeasureBase, type KeptPlan, type MeasureBase } from './measure-base.js';
import { compositionSizes, dropStaged, STAGED_MEMBERS, stageRuns, swapStaged, type CompositionListener, type SwapCounts } from './compositions.js';
import { referencedSegmentIds } from './definition-checks.js';
import { dependencyOrder } from './dependencies.js';
import { clearChanges, DIRTY_PARTNERS, dropChangedPartners, snapshotChanges, stageChangedPartners } from './partner-changes.js';
import { currentPass, mayPatch, readBaselines, recordPass, writeBaselines } from './refresh-baselines.js';
import { RefreshClasses } from './refresh-classes.js';
import type { RefreshClass } from '../../rules/refresh-class.js';
import { claimRebuilds, isRebuilding, rebuildClaimed, type RebuildResult } from './rebuild.js';
import { failRuns, recordUnchangedRuns, startRuns, type RunTrigger } from './runs.js';
import type { Segment } from './segment.schema.js';
import { getSegments, listSegments, sqlTimestamp } from './segments.repository.js';

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
  /** Which pass this was (see RefreshMode). */
  readonly mode: RefreshMode;
  /** An incremental pass: the changed partners it evaluated (null when it evaluated everyone). */
  readonly partners: number | null;
  /** Segments of the selection this pass left alone: an incremental pass leaves the daily ones, a daily pass the incremental ones. */
  readonly notInPass: readonly string[];
  /**
   * An incremental pass moved the measures kept from the full batch by the appended sale lines
   * instead of reading the changed partners' facts (measure-base.ts).
   */
  readonly measuresKept: boolean;
}

/**
 * - `full`: every selected segment evaluated for every partner (and, over every periodic
 *   segment, the dirty set consumed);
 * - `incremental`: the segments whose rules refresh incrementally (src/rules/refresh-class.ts),
 *   and those moving with the date on the day of their last full evaluation, evaluated only
 *   for the partners whose facts changed since the last pass (the dirty set,
 *   partner-changes.ts) — in full where the stored composition cannot be patched
 *   (refresh-baselines.ts);
 * - `daily`: the others (rules moving with the date, scores, custom SQL, product segments) in full.
 */
export type RefreshMode = 'full' | 'incremental' | 'daily';

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
  /** `full` when absent. */
  readonly mode?: RefreshMode | undefined;
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
  const mode = options.mode ?? 'full';
  const selected = selection === 'all-periodic' ? await listSegments(db, { method: 'periodic', archived: false }) : await getSegments(db, selection);
  let chosen = selected;
  const catalog = await loadRuleCatalog(db);
  const classes = new RefreshClasses(catalog, asOf);
  const classOf = (s: Segment): RefreshClass => (isBatchable(s) ? classes.of(s.id).refresh : 'full');
  if (mode === 'daily') chosen = selected.filter((s) => classOf(s) !== 'incremental');
  if (mode === 'incremental') {
    // A rule moving with the date is patched only on the day of its last full evaluation; after
    // the date moved it waits for the daily pass (as do rules no dirty set follows).
    const baselines = await readBaselines(db);
    chosen = selected.filter((s) => classOf(s) === 'incremental' || (classOf(s) === 'daily' && baselines.get(s.id)?.asOf === asOf));
  }
  const notInPass = selected.filter((s) => !chosen.includes(s)).map((s) => s.id);
  const results: SegmentRefresh[] = [];
  const errors = new Map<string, unknown>();
  const segments = options.skipRunning ? chosen.filter((s) => !isRebuilding(s.id)) : chosen;
  for (const busy of chosen.filter((s) => !segments.includes(s))) {
    const error = new AppError('SEGMENT_REBUILD_RUNNING', { id: busy.id });
    errors.set(busy.id, error);
    results.push(failed(busy.id, null, 0, error));
  }
  const release = claimRebuilds(segments);
  let stats: BatchStats;
  let partners: number | null = null;
  let patchedOnly = false;
  try {
    if (mode === 'incremental') {
      const sameDay = new Set(segments.filter((s) => classOf(s) === 'daily').map((s) => s.id));
      const outcome = await db.session((session) =>
        refreshIncrementally(session, segments, sameDay, classes, { catalog, asOf, trigger: options.trigger, started, results, errors, onChange: options.onChange }),
      );
      stats = outcome.stats;
      partners = outcome.partners;
      patchedOnly = outcome.patchedOnly;
    } else {
      // Over every periodic segment, a full pass consumes the dirty set: read it before the facts.
      const consumes = mode === 'full' && selection === 'all-periodic';
      const snapshot = consumes ? await snapshotChanges(db, asOf) : null;
      const pass = await currentPass(db);
      // A full pass keeps its measures for the incremental passes after it (measure-base.ts); a daily one reads fewer.
      const keepBase = mode === 'full' && db.dialect.keepsMeasureBase;
      stats = await refreshInFull(db, segments, { asOf, trigger: options.trigger, started, results, errors, onChange: options.onChange }, keepBase);
      if (snapshot && errors.size === 0) {
        await db.transaction(async (tx) => {
          await writeBaselines(
            tx,
            segments.filter((s) => isBatchable(s) && !errors.has(s.id)),
            pass + 1,
            asOf,
          );
          await clearChanges(tx, snapshot);
          await recordPass(tx, pass + 1, 'full', asOf, 0);
          if (keepBase) await moveMeasureBase(tx, pass, pass + 1);
        });
      }
    }
  } finally {
    release();
  }
  // The swaps go into the file now: a kill later has little write-ahead log to replay. A pass
  // that only patched the changed partners wrote little (its checkpoint cost 0.2–0.6 s at 1M);
  // were its log lost, the file holds the state before it, dirty set included, and the next
  // pass does it again.
  if (!patchedOnly) await db.checkpoint();
  return { report: { asOf, segments: results, ...stats, durationMs: Date.now() - started.getTime(), mode, partners, notInPass }, errors };
}

interface BatchStats {
  readonly batched: number;
  readonly distinctMeasures: number;
  readonly factScans: number;
  readonly measuresMs: number;
  readonly measuresKept: boolean;
}

const NO_BATCH: BatchStats = { batched: 0, distinctMeasures: 0, factScans: 0, measuresMs: 0, measuresKept: false };

/** Partner segments with a rule: evaluated together over one measures table. */
const isBatchable = (s: Segment): boolean => s.kind === 'partner' && s.sql === null && s.rule !== null && s.rule !== undefined;

type PassContext = Omit<BatchContext, 'catalog'>;

/** Every segment for every partner: the unbatchable ones one by one first, then the others together. */
async function refreshInFull(db: Database, segments: readonly Segment[], ctx: PassContext, keepBase = false): Promise<BatchStats> {
  const ordered = dependencyOrder(segments);
  const batchable = ordered.filter(isBatchable);
  const together = batchable.length >= 2 ? new Set(batchable.map((s) => s.id)) : new Set<string>();
  for (const segment of ordered.filter((s) => !together.has(s.id))) {
    const t0 = Date.now();
    try {
      const r = await rebuildClaimed(db, segment, ctx.trigger, { asOf: ctx.asOf, onChange: ctx.onChange });
      ctx.results.push({ ...r, status: 'ok', error: null });
    } catch (error) {
      ctx.errors.set(segment.id, error);
      ctx.results.push(failed(segment.id, null, Date.now() - t0, error));
    }
  }
  if (together.size === 0) return NO_BATCH;
  const batch = batchable.filter((s) => together.has(s.id));
  const catalog = await loadRuleCatalog(db);
  const pass = await currentPass(db);
  return db.session((session) =>
    refreshTogether(session, batch, {
      ...ctx,
      catalog,
      ...(keepBase ? { keepBase: { pass } } : {}),
      afterSwap: (tx) =>
        writeBaselines(
          tx,
          batch.filter((s) => !ctx.errors.has(s.id)),
          pass,
          ctx.asOf,
        ),
    }),
  );
}

/**
 * An incremental pass (RefreshMode): the dirty set read, the segments whose stored composition
 * can be patched evaluated for the changed partners only (their rules compiled with a partner
 * filter, compileMemberChecks) and patched by a partial swap; the others evaluated in full
 * first — with the segments that read them, which must see their new compositions. Of the
 * segments it could patch, those whose rules read none of the kinds of change the dirty set
 * records (src/rules/rule-reads.ts: a sales import leaves a rule on interactions alone) are
 * current as they are: not evaluated, their runs recorded with nobody entering or leaving. The
 * transaction of the last swap clears the marks read and records the pass.
 */
async function refreshIncrementally(
  session: Session,
  segments: readonly Segment[],
  sameDay: ReadonlySet<string>,
  classes: RefreshClasses,
  ctx: BatchContext,
): Promise<{ stats: BatchStats; partners: number | null; patchedOnly: boolean }> {
  const snapshot = await snapshotChanges(session, ctx.asOf);
  const previous = await currentPass(session);
  const pass = previous + 1;
  const baselines = await readBaselines(session);
  const ordered = dependencyOrder(segments);
  const whole = new Set(ordered.filter((s) => snapshot.everyone || !mayPatch(s, baselines.get(s.id), previous, ctx.asOf, sameDay.has(s.id))).map((s) => s.id));
  // A segment reading one evaluated in full is evaluated in full too (through dependency order, readers come later).
  for (const segment of ordered) if (referencedSegmentIds(segment).some((id) => whole.has(id))) whole.add(segment.id);
  const inFull = ordered.filter((s) => whole.has(s.id));
  const patchable = ordered.filter((s) => !whole.has(s.id));
  const touched = (s: Segment): boolean => [...classes.reads(s.id)].some((kind) => snapshot.kinds.has(kind));
  const patched = patchable.filter(touched);
  const untouched = patchable.filter((s) => !touched(s));
  const finish = async (tx: Queryable, partners: number) => {
    await clearChanges(tx, snapshot);
    await recordPass(tx, pass, 'incremental', ctx.asOf, partners);
  };
  let stats: BatchStats = NO_BATCH;
  if (inFull.length) {
    const last = patchable.length === 0;
    stats = await refreshTogether(session, inFull, {
      ...ctx,
      afterSwap: async (tx) => {
        await writeBaselines(
          tx,
          inFull.filter((s) => !ctx.errors.has(s.id)),
          pass,
          ctx.asOf,
        );
        if (last) await finish(tx, 0);
      },
    });
  }
  if (patchable.length === 0) return { stats, partners: snapshot.everyone ? null : 0, patchedOnly: inFull.length === 0 };
  const settled: SegmentRefresh[] = [];
  // The segments left alone are current from this pass too, in the transaction that ends it.
  const settle = async (tx: Queryable) => {
    settled.length = 0;
    settled.push(...(await settleUntouched(tx, untouched, ctx)));
    await writeBaselines(tx, untouched, pass, ctx.asOf);
  };
  try {
    const partners = await stageChangedPartners(session, snapshot);
    if (partners === 0) {
      // Nothing changed: the stored compositions are current as they are.
      await session.transaction(async (tx) => {
        await writeBaselines(tx, patchable, pass, ctx.asOf);
        await finish(tx, 0);
      });
      return { stats, partners, patchedOnly: inFull.length === 0 };
    }
    if (patched.length === 0) {
      // Nothing changed that these rules read.
      await session.transaction(async (tx) => {
        await settle(tx);
        await finish(tx, partners);
      });
      ctx.results.push(...settled);
      return { stats, partners, patchedOnly: inFull.length === 0 };
    }
    // Measures kept from the full batch, moved by the appended lines only, when every mark read
    // records appended lines and no segment is evaluated in full (measure-base.ts).
    const kept = session.dialect.keepsMeasureBase && snapshot.appendedOnly && !snapshot.everyone && inFull.length === 0 ? await keptMeasuresFor(session, previous, ctx.asOf) : null;
    const more = await refreshTogether(session, patched, {
      ...ctx,
      within: DIRTY_PARTNERS,
      ...(kept ? { kept: { base: kept, pass } } : {}),
      currentByRule: untouched.map((s) => s.id),
      afterSwap: async (tx) => {
        // A segment that failed keeps its old baseline: the next pass evaluates it in full.
        await writeBaselines(
          tx,
          patched.filter((s) => !ctx.errors.has(s.id)),
          pass,
          ctx.asOf,
        );
        await settle(tx);
        await finish(tx, partners);
      },
    });
    // A failed swap (reported by refreshTogether) rolled their runs back with it: nothing to report.
    if (settled.length && (await committedRuns(session, settled)) === settled.length) ctx.results.push(...settled);
    return {
      stats: {
        batched: stats.batched + more.batched,
        distinctMeasures: stats.distinctMeasures + more.distinctMeasures,
        factScans: stats.factScans + more.factScans,
        measuresMs: stats.measuresMs + more.measuresMs,
        measuresKept: more.measuresKept,
      },
      partners,
      patchedOnly: inFull.length === 0,
    };
  } finally {
    await dropChangedPartners(session);
  }
}

/** The runs of segments found current without evaluation (their stored sizes, nobody in or out), in the caller's transaction. */
async function settleUntouched(tx: Queryable, segments: readonly Segment[], ctx: BatchContext): Promise<SegmentRefresh[]> {
  if (segments.length === 0) return [];
  const ids = segments.map((s) => s.id);
  // In a partial swap's transaction, from the count the swap made before writing.
  const sizes = await compositionSizes(tx, ids);
  const durationMs = Date.now() - ctx.started.getTime();
  const runs = await recordUnchangedRuns(tx, sizes, ctx.trigger, sqlTimestamp(ctx.started), durationMs);
  return ids.map((id) => unchanged(id, runs.get(id)!, sizes.get(id)!, ctx.started));
}

/** How many of these runs exist (their transaction committed). */
async function committedRuns(q: Queryable, results: readonly SegmentRefresh[]): Promise<number> {
  const ids = results.map((r) => r.runId!);
  const [row] = await q.query<{ n: number }>(`SELECT COUNT(*) AS n FROM segment_runs WHERE id IN (${ids.map((_, i) => q.dialect.placeholder(i + 1)).join(', ')})`, ids);
  return Number(row?.n ?? 0);
}

const unchanged = (segmentId: string, runId: number, size: number, started: Date): SegmentRefresh => ({
  segmentId,
  status: 'ok',
  runId,
  size,
  entered: 0,
  left: 0,
  durationMs: Date.now() - started.getTime(),
  error: null,
});

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
  /** Evaluate only these partners (a temporary table, column `partner_id`) and patch their memberships. */
  readonly within?: string;
  /** More work in the swap's transaction (baselines, the dirty set cleared). */
  readonly afterSwap?: (tx: Queryable) => Promise<void>;
  /**
   * Segments outside the batch whose stored compositions are what their rules select for the
   * partners evaluated (an incremental pass's untouched ones): a rule reading them reads their
   * rules, as it does the batch's — cheaper than a scan of every stored membership.
   */
  readonly currentByRule?: readonly string[];
  /** Keep the batch's measures as the base of later incremental passes, described as of this pass (measure-base.ts). */
  readonly keepBase?: { readonly pass: number };
  /** With `within`: evaluate over this base moved by the appended lines where it can, recording this pass's deltas. */
  readonly kept?: { readonly base: MeasureBase; readonly pass: number };
}

async function refreshTogether(session: Session, segments: readonly Segment[], ctx: BatchContext): Promise<BatchStats> {
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
  let fromBase: KeptPlan | null = null;
  let base: Awaited<ReturnType<typeof writeMeasureBase>> = null;
  const measuresStarted = Date.now();
  try {
    const options = {
      dialect: session.dialect,
      catalog: ctx.catalog,
      kind: 'partner' as const,
      asOf: ctx.asOf,
      ruleSegments: { ids: new Set([...rules.keys(), ...(ctx.currentByRule ?? [])]), keepStored: false },
    };
    if (ctx.within) {
      if (ctx.kept) {
        // Any failure of the delta path leaves the facts to read, as when a condition fails.
        fromBase = await planFromBase(session, batch, ctx.kept.base, { ...options, within: ctx.within }).catch(() => null);
      }
      // The changed partners only: one query reading only their facts (as a member check does).
      const hits = fromBase?.hits ?? compileMemberChecks(batch, { ...options, members: { subquery: `SELECT partner_id FROM ${ctx.within}` } });
      plan = { hits, distinctMeasures: 0, factScans: 0 };
    } else {
      plan = planBatch(batch, { ...options, table: MEASURES_TABLE });
      if (ctx.keepBase) await createMeasuresForBase(session, MEASURES_TABLE, plan);
      else await createTemporaryTable(session, MEASURES_TABLE, plan.measures);
    }
  } catch (error) {
    await fail([...rules.keys()], error);
    return { batched: rules.size, distinctMeasures: 0, factScans: 0, measuresMs: Date.now() - measuresStarted, measuresKept: false };
  }
  const measuresMs = Date.now() - measuresStarted;
  if (ctx.keepBase && 'measures' in plan) base = await writeMeasureBase(session, MEASURES_TABLE, plan, ctx.asOf).catch(() => null);
  const ids = batch.map((r) => r.id);
  const keepBase = ctx.keepBase;
  const kept = ctx.kept;
  try {
    const counts = await evaluateAndSwap(session, plan.hits, new Map(ids.map((id) => [id, runs.get(id)!])), {
      at,
      started: ctx.started,
      onChange: ctx.onChange,
      within: ctx.within,
      afterSwap: async (tx) => {
        if (base && keepBase) await describeMeasureBase(tx, base, keepBase.pass);
        if (fromBase && kept) await fromBase.record(tx, kept.pass);
        await ctx.afterSwap?.(tx);
      },
    });
    const durationMs = Date.now() - ctx.started.getTime();
    for (const id of ids) ctx.results.push({ segmentId: id, status: 'ok', runId: runs.get(id)!, error: null, ...counts.get(id)!, durationMs });
  } catch (error) {
    await fail(ids, error);
  } finally {
    for (const table of [MEASURES_TABLE, 'refresh_hits', ...KEPT_PLAN_TABLES]) await session.run(`DROP TABLE IF EXISTS ${table}`).catch(() => undefined);
    await dropStaged(session);
  }
  return { batched: rules.size, distinctMeasures: plan.distinctMeasures, factScans: plan.factScans, measuresMs, measuresKept: fromBase !== null };
}

/**
 * The hits of the rules into the staged compositions (segment, member), then the one swap
 * (compositions.ts) replacing them with history and finishing their runs.
 */
async function evaluateAndSwap(
  session: Session,
  hits: { sql: string; params: readonly SqlValue[]; columns: ReadonlyMap<string, string> },
  runs: ReadonlyMap<string, number>,
  options: { at: string; started: Date; onChange: CompositionListener | undefined; within: string | undefined; afterSwap: ((tx: Queryable) => Promise<void>) | undefined },
): Promise<Map<string, SwapCounts>> {
  await createTemporaryTable(session, 'refresh_hits', hits);
  const pairs = unpivotHits(session.dialect, 'refresh_hits', hits.columns);
  await createTemporaryTable(session, STAGED_MEMBERS, { sql: `SELECT u.rule_id AS segment_id, u.member_id FROM (${pairs.sql}) u`, params: pairs.params });
  await session.run('DROP TABLE refresh_hits');
  await stageRuns(session, runs);
  return swapStaged(session, {
    at: options.at,
    started: options.started,
    ...(options.onChange ? { onChange: options.onChange } : {}),
    ...(options.within ? { within: options.within } : {}),
    ...(options.afterSwap ? { alsoInTransaction: options.afterSwap } : {}),
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
export async function rebuildInOrder(db: Database, ids: readonly string[], trigger: RunTrigger, onChange?: CompositionListener): Promise<RebuildResult[]> {
  return asRebuilds(await refreshSegmentsWithErrors(db, ids, { trigger, onChange }));
}

/** Rebuilds every active periodic segment together, dependencies first; throws the first failure. */
export async function rebuildAllPeriodic(db: Database, trigger: RunTrigger, onChange?: CompositionListener): Promise<RebuildResult[]> {
  return asRebuilds(await refreshSegmentsWithErrors(db, 'all-periodic', { trigger, onChange }));
}
