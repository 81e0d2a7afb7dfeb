/**
 * Incremental refresh (issue 20): after importing 50k new sale lines for 10k partners, every
 * one of 100 periodic segments current again — the changed partners evaluated, the stored
 * compositions patched — against the one-pass reference (one scan of the sale lines with 8
 * filtered aggregates grouped by partner) measured in the same run, and the full batch.
 *
 * Works on a copy of the demo (DuckDB) or removes its rows afterwards (PostgreSQL).
 */
import { createServices } from '../app/services.js';
import { refreshSegments } from '../domain/segments/batch-refresh.js';
import { importData } from '../import/importer.js';
import { addDays } from '../rules/calendar.js';
import { createTemporaryTable } from '../sql/compile/rule-set.js';
import { sql } from '../sql/sql.js';
import type { Database } from '../storage/database.js';
import type { BenchContext, BenchEngine, BenchFigure, BenchSection } from './bench-section.js';
import { changedPartnersAndProducts, newSaleLinesCsv } from './new-sale-lines.js';
import { readVocabulary, realisticSegments } from './segment-templates.js';

const PREFIX = 'bench-incr-';
/** The issue's change: 50k lines for 10k partners (the environment may say otherwise at small scales). */
const NEW_LINES = Number(process.env.SEGMENTA_BENCH_INCREMENTAL_LINES ?? 50_000);
const CHANGED_PARTNERS = Number(process.env.SEGMENTA_BENCH_INCREMENTAL_PARTNERS ?? 10_000);
const TARGET_INCREMENTAL_MS = 1000;
const TARGET_BATCH_RATIO = 3;
const INCREMENTAL_METRIC = `after importing ${NEW_LINES} sale lines for ${CHANGED_PARTNERS} partners: 100 segments current (incremental pass)`;
const REFERENCE_METRIC = 'one-pass reference: one scan of the sale lines, 8 filtered aggregates by partner';

const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

async function timed<T>(fn: () => Promise<T>): Promise<{ result: T; ms: number }> {
  const started = performance.now();
  const result = await fn();
  return { result, ms: performance.now() - started };
}

async function removeBenchRows(db: Database): Promise<void> {
  const like = `${PREFIX}%`;
  for (const table of ['segment_history', 'segment_members', 'segment_runs', 'segment_changes', 'segment_baselines']) await db.run(sql`DELETE FROM ${sql.raw(table)} WHERE segment_id LIKE ${like}`);
  await db.run(sql`DELETE FROM segments WHERE id LIKE ${like}`);
  await db.run(sql`DELETE FROM sales WHERE id LIKE ${like}`);
  await db.run('DELETE FROM partner_changes');
}

/** One scan of the sale lines up to asOf with 8 filtered aggregates grouped by partner, into a temporary table. */
async function onePass(db: Database, asOf: string): Promise<number> {
  return db.session(async (session) => {
    const since = (days: number) => sql`date > CAST(${addDays(asOf, -days)} AS DATE)`;
    const query = sql`SELECT partner_id,
        SUM(revenue) FILTER (WHERE ${since(30)}) AS r30, SUM(revenue) FILTER (WHERE ${since(90)}) AS r90, SUM(revenue) FILTER (WHERE ${since(365)}) AS r365,
        SUM(quantity) FILTER (WHERE ${since(90)}) AS q90, COUNT(*) FILTER (WHERE ${since(180)}) AS n180, SUM(COALESCE(cost, 0)) FILTER (WHERE ${since(365)}) AS c365,
        MAX(date) FILTER (WHERE quantity >= 0) AS last_date, MIN(date) FILTER (WHERE quantity >= 0) AS first_date
      FROM sales WHERE date <= CAST(${asOf} AS DATE) GROUP BY partner_id`;
    const { ms } = await timed(() => createTemporaryTable(session, 'bench_one_pass', { sql: query.text, params: query.params }));
    await session.run('DROP TABLE IF EXISTS bench_one_pass');
    return ms;
  });
}

/** 50k new sale lines for 10k partners (fewer when the company is smaller), dated asOf, as CSV. */
async function newLines(db: Database, asOf: string): Promise<{ csv: string; partners: number }> {
  const { partners, products } = await changedPartnersAndProducts(db, CHANGED_PARTNERS);
  return { csv: newSaleLinesCsv(partners, products, asOf, NEW_LINES, PREFIX), partners: partners.length };
}

async function measure(ctx: BenchContext, engine: BenchEngine): Promise<BenchFigure[]> {
  const db = engine === 'duckdb' ? await ctx.openDemoCopy(engine) : await ctx.openDemo(engine);
  if (engine !== 'duckdb') await removeBenchRows(db);
  try {
    const [{ d } = { d: null }] = await db.query<{ d: string | null }>('SELECT MAX(date) AS d FROM sales');
    const asOf = d ?? new Date().toISOString().slice(0, 10);
    const segments = realisticSegments(100, await readVocabulary(db), 1, PREFIX);
    const services = createServices(db);
    for (const segment of segments) await services.segments.create(segment);
    const ids = segments.map((s) => s.id);
    await refreshSegments(db, ids, { trigger: 'cli', asOf });
    const full = await timed(() => refreshSegments(db, ids, { trigger: 'cli', asOf }));
    const reference = await onePass(db, asOf);
    ctx.log(`[incremental ${engine}] full batch ${Math.round(full.ms)} ms; one-pass reference ${Math.round(reference)} ms`);

    const { csv, partners } = await newLines(db, asOf);
    const imported = await timed(() => importData(db, [csv], { entity: 'sales', format: 'csv' }));
    const pass = await timed(() => refreshSegments(db, ids, { trigger: 'cli', asOf, mode: 'incremental' }));
    const failed = pass.result.segments.filter((s) => s.status !== 'ok');
    if (failed.length) throw new Error(`incremental refresh failed for ${failed.map((f) => `${f.segmentId}: ${f.error}`).join('; ')}`);
    const notInPass = pass.result.notInPass.length;
    ctx.log(
      `[incremental ${engine}] import ${Math.round(imported.ms)} ms; incremental pass ${Math.round(pass.ms)} ms over ${pass.result.partners ?? 'every'} partners (${notInPass} segments left to the daily pass; ${pass.result.measuresKept ? 'over the measures kept by the full batch' : "the changed partners' facts read"})`,
    );
    const duck = engine === 'duckdb';
    const ratio = full.ms / reference;
    return [
      { metric: REFERENCE_METRIC, engine, value: Math.round(reference), unit: 'ms' },
      { metric: 'full batch refresh of the 100 segments (steady state)', engine, value: Math.round(full.ms), unit: 'ms' },
      { metric: 'full batch / one-pass reference', engine, value: round(ratio, 2), unit: '×', ...(duck ? { target: `≤ ${TARGET_BATCH_RATIO}×`, met: ratio <= TARGET_BATCH_RATIO } : {}) },
      { metric: `import of ${NEW_LINES} sale lines for ${partners} partners`, engine, value: Math.round(imported.ms), unit: 'ms' },
      { metric: INCREMENTAL_METRIC, engine, value: Math.round(pass.ms), unit: 'ms', ...(duck ? { target: `≤ ${TARGET_INCREMENTAL_MS} ms`, met: pass.ms <= TARGET_INCREMENTAL_MS } : {}) },
      { metric: 'incremental pass / one-pass reference', engine, value: round(pass.ms / reference, 2), unit: '×' },
      { metric: 'partners the incremental pass evaluated', engine, value: pass.result.partners ?? 0, unit: 'partners' },
      { metric: 'segments left to the daily pass (scores, custom SQL, moved date)', engine, value: notInPass, unit: 'segments' },
    ];
  } finally {
    // The DuckDB copy goes with its file; PostgreSQL's demo stays open for the other sections.
    if (engine === 'duckdb') await db.close();
    else await removeBenchRows(db);
  }
}

export const incrementalSection: BenchSection = {
  name: 'incremental',
  title: 'Incremental refresh: 100 segments current after an import, against one pass over the facts',
  async run(ctx) {
    const figures: BenchFigure[] = [];
    for (const engine of ctx.engines) figures.push(...(await measure(ctx, engine)));
    return figures;
  },
  compare(figures) {
    const pass = (engine: BenchEngine) => figures.find((f) => f.engine === engine && f.metric === INCREMENTAL_METRIC)?.value;
    const reference = figures.find((f) => f.engine === 'postgres' && f.metric === REFERENCE_METRIC)?.value;
    const pg = pass('postgres');
    if (pg === undefined || reference === undefined) return [];
    // PostgreSQL's target is relative to its own one-pass reference.
    const ratio = pg / reference;
    return [{ metric: 'PostgreSQL incremental pass / its one-pass reference', value: round(ratio, 2), unit: '×', target: '≤ 10×', met: ratio <= 10 }];
  },
};
