/**
 * Refresh at scale (issue 7): many periodic segments refreshed together from shared passes
 * over the facts versus one query per segment, one partner checked against all of them, peak
 * memory, and how the batch grows with partners and with segments.
 *
 * The section adds its own segments (ids `bench-refresh-…`) and new partners: on DuckDB to a
 * copy of the demo file, dropped when it ends; on PostgreSQL to the demo schema, removing them
 * when it ends. The company's data is left as it was.
 */
import { randomUUID } from 'node:crypto';
import { refreshSegments, type RefreshReport } from '../domain/segments/batch-refresh.js';
import { checkPartnerAgainstSegments, preparePartnerChecks } from '../domain/segments/check-on-create.js';
import { keepMembershipsInMemory } from '../domain/segments/membership-copy.js';
import { rebuildSegment } from '../domain/segments/rebuild.js';
import { dependencyOrder } from '../domain/segments/dependencies.js';
import { getSegment } from '../domain/segments/segments.repository.js';
import { createServices } from '../app/services.js';
import type { Database } from '../storage/database.js';
import type { BenchContext, BenchEngine, BenchFigure, BenchScale, BenchSection } from './bench-section.js';
import { readVocabulary, realisticSegments } from './segment-templates.js';
import { sql } from '../sql/sql.js';

const PREFIX = 'bench-refresh-';
const TARGET_BATCH_MS = 5000;
const TARGET_SPEEDUP = 5;
const TARGET_CHECK_P99_MS = 20;
const TARGET_PEAK_MIB = 4096;
const TARGET_POSTGRES_RATIO = 5;
const BATCH_METRIC = 'batch refresh of 100 segments';

/** Which sizes the curves use; the environment can shorten or extend them. */
function curveOptions(): { partners: number[]; segments: number[]; checks: number; oneByOne: number; segmentsCurvePartners: number | null } {
  const list = (name: string, fallback: number[]) =>
    process.env[name]
      ? process.env[name]
          .split(',')
          .map(Number)
          .filter((n) => n > 0)
      : fallback;
  return {
    partners: list('SEGMENTA_BENCH_REFRESH_PARTNERS', [100_000, 1_000_000]),
    segments: list('SEGMENTA_BENCH_REFRESH_SEGMENTS', [10, 100, 1000]),
    checks: Number(process.env.SEGMENTA_BENCH_REFRESH_CHECKS ?? 200),
    // One query per segment takes long on PostgreSQL: time this many and scale to all 100.
    oneByOne: Math.min(100, Number(process.env.SEGMENTA_BENCH_REFRESH_ONE_BY_ONE ?? 100)),
    // The curve by segments at a smaller company keeps 1000 segments' compositions in minutes.
    segmentsCurvePartners: process.env.SEGMENTA_BENCH_REFRESH_SEGMENTS_AT ? Number(process.env.SEGMENTA_BENCH_REFRESH_SEGMENTS_AT) : null,
  };
}

const quantile = (values: readonly number[], q: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
};
const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

/** Peak resident memory of this process while `fn` runs (DuckDB runs inside it). */
async function withPeakMemory<T>(fn: () => Promise<T>): Promise<{ result: T; peakMiB: number }> {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 20);
  try {
    const result = await fn();
    peak = Math.max(peak, process.memoryUsage().rss);
    return { result, peakMiB: peak / 2 ** 20 };
  } finally {
    clearInterval(timer);
  }
}

async function timed<T>(fn: () => Promise<T>): Promise<{ result: T; ms: number }> {
  const started = performance.now();
  const result = await fn();
  return { result, ms: performance.now() - started };
}

/** The last day with sales: the evaluation date, so that periods hold facts whatever the data's dates. */
async function lastSaleDate(db: Database): Promise<string> {
  const [row] = await db.query<{ d: string | null }>('SELECT MAX(date) AS d FROM sales');
  return row?.d ?? new Date().toISOString().slice(0, 10);
}

async function removeBenchRows(db: Database): Promise<void> {
  const like = `${PREFIX}%`;
  for (const table of ['segment_history', 'segment_members', 'segment_runs', 'segment_schedule_claims']) {
    await db.run(sql`DELETE FROM ${sql.raw(table)} WHERE segment_id LIKE ${like}`);
  }
  await db.run(sql`DELETE FROM segments WHERE id LIKE ${like}`);
  await db.run(sql`DELETE FROM partners WHERE id LIKE ${like}`);
}

/**
 * The demo to measure on, and how to leave it as it was. DuckDB works on a copy of the file,
 * dropped afterwards: deleting millions of memberships from its indexes takes longer (15
 * minutes at 1M partners) than copying the file. PostgreSQL removes the section's rows.
 */
async function benchDatabase(ctx: BenchContext, engine: BenchEngine, scale: Partial<BenchScale> = {}): Promise<{ db: Database; done: () => Promise<void> }> {
  if (engine === 'duckdb') {
    const db = await ctx.openDemoCopy(engine, scale);
    return { db, done: () => db.close() };
  }
  const db = await ctx.openDemo(engine, scale);
  await removeBenchRows(db);
  return { db, done: () => removeBenchRows(db) };
}

/** Creates `count` realistic periodic segments; returns their ids. */
async function addSegments(db: Database, count: number, tag: string): Promise<string[]> {
  const vocabulary = await readVocabulary(db);
  const segments = realisticSegments(count, vocabulary, 1, `${PREFIX}${tag}-`);
  const { segments: service } = createServices(db);
  for (const segment of segments) await service.create(segment);
  return segments.map((s) => s.id);
}

interface EngineRun {
  readonly engine: BenchEngine;
  readonly firstMs: number;
  readonly batchMs: number;
  readonly report: RefreshReport;
  readonly oneByOneMs: number;
  /** How many of the 100 were timed one by one (the time is scaled to 100). */
  readonly oneByOneTimed: number;
  readonly peakMiB: number;
  readonly newPartner: readonly number[];
  readonly existingPartner: readonly number[];
}

/** The main measurements on one engine at the run's scale. */
async function measureEngine(ctx: BenchContext, engine: BenchEngine, checks: number, oneByOneCount: number): Promise<EngineRun> {
  const { db, done } = await benchDatabase(ctx, engine);
  try {
    const asOf = await lastSaleDate(db);
    const ids = await addSegments(db, 100, 'main');
    ctx.log(`[refresh ${engine}] 100 segments created; evaluating as of ${asOf}`);
    // First run: every composition is written. Second: the steady state of a scheduled refresh.
    const first = await timed(() => refreshSegments(db, ids, { trigger: 'cli', asOf }));
    ctx.log(`[refresh ${engine}] first batch ${Math.round(first.ms)} ms (${first.result.distinctMeasures} measures, ${first.result.factScans} passes)`);
    const batch = await withPeakMemory(() => timed(() => refreshSegments(db, ids, { trigger: 'cli', asOf })));
    const failed = batch.result.result.segments.filter((s) => s.status !== 'ok');
    if (failed.length) throw new Error(`refresh failed for ${failed.map((f) => `${f.segmentId}: ${f.error}`).join('; ')}`);
    ctx.log(`[refresh ${engine}] batch ${Math.round(batch.result.ms)} ms, peak ${Math.round(batch.peakMiB)} MiB`);
    const ordered = dependencyOrder(await Promise.all(ids.map((id) => getSegment(db, id))));
    const sample = ordered.slice(0, oneByOneCount);
    const oneByOne = await timed(async () => {
      for (const segment of sample) await rebuildSegment(db, segment, 'cli', { asOf });
    });
    const oneByOneMs = (oneByOne.ms * ordered.length) / sample.length;
    ctx.log(`[refresh ${engine}] one query per segment: ${sample.length} in ${Math.round(oneByOne.ms)} ms → ${Math.round(oneByOneMs)} ms for ${ordered.length}`);

    // One partner against all segments: partners just created (no facts yet), and existing ones,
    // with the compositions the checks read kept in memory as the server keeps them.
    keepMembershipsInMemory(db);
    await preparePartnerChecks(db, { asOf });
    const newPartner: number[] = [];
    for (let i = 0; i < checks + 5; i++) {
      const id = `${PREFIX}${randomUUID()}`;
      await db.run(
        sql`INSERT INTO partners (id, name, role_customer, role_supplier, role_competitor, role_other, legal_form, deleted) VALUES (${id}, ${`Новый партнёр ${i}`}, TRUE, FALSE, FALSE, FALSE, ${i % 3 ? 'company' : 'person'}, FALSE)`,
      );
      const { ms } = await timed(() => checkPartnerAgainstSegments(db, id, { asOf }));
      if (i >= 5) newPartner.push(ms);
    }
    const all = (await db.query<{ id: string }>(sql`SELECT id FROM partners WHERE id NOT LIKE ${`${PREFIX}%`}`)).map((r) => r.id);
    const existingPartner: number[] = [];
    for (let i = 0; i < checks; i++) {
      const id = all[(i * 7_919 + 13) % all.length]!;
      existingPartner.push((await timed(() => checkPartnerAgainstSegments(db, id, { asOf }))).ms);
    }
    ctx.log(
      `[refresh ${engine}] check p50/p99 ${round(quantile(newPartner, 0.5))}/${round(quantile(newPartner, 0.99))} ms (new), ${round(quantile(existingPartner, 0.5))}/${round(quantile(existingPartner, 0.99))} ms (existing)`,
    );
    return {
      engine,
      firstMs: first.ms,
      batchMs: batch.result.ms,
      report: batch.result.result,
      oneByOneMs,
      oneByOneTimed: sample.length,
      peakMiB: batch.peakMiB,
      newPartner,
      existingPartner,
    };
  } finally {
    await done();
  }
}

/** The batch time (steady state) of `segments` segments on a company of the given scale. */
async function curvePoint(ctx: BenchContext, engine: BenchEngine, scale: Partial<BenchScale>, segments: number, tag: string): Promise<{ ms: number; report: RefreshReport }> {
  const { db, done } = await benchDatabase(ctx, engine, scale);
  try {
    const asOf = await lastSaleDate(db);
    const ids = await addSegments(db, segments, tag);
    await refreshSegments(db, ids, { trigger: 'cli', asOf });
    const { result, ms } = await timed(() => refreshSegments(db, ids, { trigger: 'cli', asOf }));
    ctx.log(`[refresh ${engine}] ${scale.partners ?? ctx.scale.partners} partners, ${segments} segments: ${Math.round(ms)} ms`);
    return { ms, report: result };
  } finally {
    await done();
  }
}

/** A curve point, or null when it failed: the figures measured before it are kept. */
async function pointOrNull<T>(ctx: BenchContext, measure: () => Promise<T>): Promise<T | null> {
  try {
    return await measure();
  } catch (error) {
    ctx.log(`[refresh] a curve point FAILED: ${error instanceof Error ? error.message : String(error)}`);
    return null;
  }
}

export const refreshSection: BenchSection = {
  name: 'refresh',
  title: 'Refresh at scale: many segments from shared scans, one partner against all',
  async run(ctx) {
    const figures: BenchFigure[] = [];
    const options = curveOptions();
    const runs: EngineRun[] = [];
    for (const engine of ctx.engines) {
      const run = await measureEngine(ctx, engine, options.checks, options.oneByOne);
      runs.push(run);
      const duck = engine === 'duckdb';
      const speedup = run.oneByOneMs / run.batchMs;
      const p99 = quantile(run.newPartner, 0.99);
      figures.push(
        { metric: 'batch refresh of 100 segments, first run (writes every composition)', engine, value: Math.round(run.firstMs), unit: 'ms' },
        {
          metric: BATCH_METRIC,
          engine,
          value: Math.round(run.batchMs),
          unit: 'ms',
          ...(duck ? { target: `≤ ${TARGET_BATCH_MS} ms`, met: run.batchMs <= TARGET_BATCH_MS } : {}),
        },
        { metric: 'of which the measures table', engine, value: run.report.measuresMs, unit: 'ms' },
        { metric: 'distinct measures of the 100 segments', engine, value: run.report.distinctMeasures, unit: 'measures' },
        { metric: 'passes over the fact tables', engine, value: run.report.factScans, unit: 'passes' },
        {
          metric: run.oneByOneTimed < 100 ? `the same segments, one query each (${run.oneByOneTimed} timed, scaled to 100)` : 'the same segments, one query each',
          engine,
          value: Math.round(run.oneByOneMs),
          unit: 'ms',
        },
        {
          metric: 'batch speed-up over one query per segment',
          engine,
          value: round(speedup),
          unit: '×',
          ...(duck ? { target: `≥ ${TARGET_SPEEDUP}×`, met: speedup >= TARGET_SPEEDUP } : {}),
        },
        { metric: 'check of one new partner against all segments, p50', engine, value: round(quantile(run.newPartner, 0.5)), unit: 'ms' },
        {
          metric: 'check of one new partner against all segments, p99',
          engine,
          value: round(p99),
          unit: 'ms',
          ...(duck ? { target: `≤ ${TARGET_CHECK_P99_MS} ms`, met: p99 <= TARGET_CHECK_P99_MS } : {}),
        },
        { metric: 'check of one existing partner against all segments, p50', engine, value: round(quantile(run.existingPartner, 0.5)), unit: 'ms' },
        { metric: 'check of one existing partner against all segments, p99', engine, value: round(quantile(run.existingPartner, 0.99)), unit: 'ms' },
      );
      if (duck) {
        figures.push({
          metric: 'peak memory of the process during the batch',
          engine,
          value: Math.round(run.peakMiB),
          unit: 'MiB',
          target: `≤ ${TARGET_PEAK_MIB} MiB`,
          met: run.peakMiB <= TARGET_PEAK_MIB,
        });
      }
    }
    // Scaling curves: partners (20 sale lines each) with 100 segments; segments at the run's scale.
    for (const engine of ctx.engines) {
      const main = runs.find((r) => r.engine === engine)!;
      for (const partners of options.partners) {
        // The run's own scale was measured above: the same 100 segments, the same data.
        const point = partners === ctx.scale.partners ? { ms: main.batchMs } : await pointOrNull(ctx, () => curvePoint(ctx, engine, { partners, sales: partners * 20 }, 100, `p${partners}`));
        if (!point) continue;
        const { ms } = point;
        figures.push({ metric: `by partners: batch refresh of 100 segments at ${partners} partners`, engine, value: Math.round(ms), unit: 'ms' });
      }
      const at = options.segmentsCurvePartners;
      const atScale = at === null || at === ctx.scale.partners ? {} : { partners: at, sales: at * 20 };
      const where = at === null ? '' : ` at ${at} partners`;
      for (const segments of options.segments) {
        const point = segments === 100 && at === null ? { ms: main.batchMs, report: main.report } : await pointOrNull(ctx, () => curvePoint(ctx, engine, atScale, segments, `s${segments}`));
        if (!point) continue;
        figures.push(
          { metric: `by segments: batch refresh of ${segments} segments${where}`, engine, value: Math.round(point.ms), unit: 'ms' },
          { metric: `by segments: distinct measures of ${segments} segments${where}`, engine, value: point.report.distinctMeasures, unit: 'measures' },
        );
      }
    }
    return figures;
  },
  compare(figures) {
    const batch = (engine: BenchEngine) => figures.find((f) => f.engine === engine && f.metric === BATCH_METRIC)?.value;
    const duck = batch('duckdb');
    const pg = batch('postgres');
    if (duck === undefined || pg === undefined) return [];
    const ratio = pg / duck;
    // Both batch times on the line of the ratio, so the comparison reads without scrolling.
    const side = `PostgreSQL ${Math.round(pg).toLocaleString('en-US')} ms / DuckDB ${Math.round(duck).toLocaleString('en-US')} ms`;
    return [{ metric: `batch refresh of 100 segments: ${side}`, value: round(ratio, 2), unit: '×', target: `≤ ${TARGET_POSTGRES_RATIO}×`, met: ratio <= TARGET_POSTGRES_RATIO }];
  },
};
