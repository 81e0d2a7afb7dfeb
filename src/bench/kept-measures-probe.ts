/**
 * A probe, not product code (docs/benchmarks.md "Measures kept between passes, session 13:
 * built"): section `incremental`'s work on a copy of a demo, every statement timed in process
 * CPU (DuckDB's threads are in-process), the incremental pass run twice from the same state —
 * over the kept measures (the product's path) and, on a second copy, with the base's
 * description removed (today's path: the changed partners' facts read).
 *
 *   npx tsx src/bench/kept-measures-probe.ts .bench/demo-v2-1000000_20000000_1.duckdb   (env LINES, CHANGED, PASS_ONLY)
 */
import { DuckDBConnection } from '@duckdb/node-api';
import { createServices } from '../app/services.js';
import { refreshSegments, type RefreshReport } from '../domain/segments/batch-refresh.js';
import { createMeasuresForBase } from '../domain/segments/measure-base.js';
import { importData } from '../import/importer.js';
import { loadRuleCatalog } from '../rules/catalog.js';
import { checkRule } from '../rules/check-rule.js';
import { createTemporaryTable, planBatch, type NamedRule } from '../sql/compile/rule-set.js';
import { DuckDBDatabase } from '../storage/duckdb-database.js';
import { migrate } from '../storage/migrate.js';
import { changedPartnersAndProducts, copyDuckDBFile, newSaleLinesCsv, removeDuckDBFile } from './new-sale-lines.js';
import { readVocabulary, realisticSegments } from './segment-templates.js';

const PREFIX = 'bench-incr-';
const NEW_LINES = Number(process.env.LINES ?? 50_000);
const CHANGED = Number(process.env.CHANGED ?? 10_000);

/** CPU per statement, by a label of its text, while `recording` (runAndReadAll calls run: counted once, outermost). */
const spent = new Map<string, { n: number; cpu: number }>();
let recording = false;
let depth = 0;
const label = (sql: string): string =>
  sql
    .replace(/\s+/g, ' ')
    .replace(/'[^']*'/g, "'…'")
    .slice(0, 90);
for (const method of ['run', 'runAndReadAll'] as const) {
  const original = DuckDBConnection.prototype[method] as (...args: unknown[]) => Promise<unknown>;
  (DuckDBConnection.prototype as unknown as Record<string, unknown>)[method] = async function (this: DuckDBConnection, ...args: unknown[]) {
    if (!recording || depth > 0) return original.apply(this, args);
    const c0 = process.cpuUsage();
    depth++;
    try {
      return await original.apply(this, args);
    } finally {
      depth--;
      const c = process.cpuUsage(c0);
      const key = label(String(args[0]));
      const entry = spent.get(key) ?? { n: 0, cpu: 0 };
      entry.n++;
      entry.cpu += (c.user + c.system) / 1000;
      spent.set(key, entry);
    }
  };
}

async function traced<T>(title: string, fn: () => Promise<T>, top = 12): Promise<T> {
  spent.clear();
  recording = true;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  let result: T;
  try {
    result = await fn();
  } finally {
    recording = false;
  }
  const c = process.cpuUsage(c0);
  const cpu = (c.user + c.system) / 1000;
  const load = (await import('node:fs')).readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  console.log(`=== ${title}: cpu ${cpu.toFixed(0)} ms, wall ${(performance.now() - t0).toFixed(0)} ms (load ${load})`);
  const rows = [...spent.entries()].sort((a, b) => b[1].cpu - a[1].cpu);
  for (const [sql, { n, cpu: ms }] of rows.slice(0, top)) console.log(`  ${ms.toFixed(0).padStart(7)} ms ×${String(n).padEnd(3)} ${sql}`);
  const rest = rows.slice(top).reduce((sum, [, v]) => sum + v.cpu, 0);
  console.log(`  ${rest.toFixed(0).padStart(7)} ms in ${Math.max(0, rows.length - top)} other statements`);
  return result;
}

/** TX_ONLY: the probe stops after the measures' timings. */
class Done extends Error {}

const source = process.argv[2];
if (!source) throw new Error('usage: npx tsx src/bench/kept-measures-probe.ts <demo .duckdb>');
const kept = `${source}.kept-${process.pid}.duckdb`;
const today = `${source}.today-${process.pid}.duckdb`;
copyDuckDBFile(source, kept);
let ids: string[] = [];
let asOf = '';
const warm = 'CREATE OR REPLACE TEMPORARY TABLE warm AS SELECT COUNT(*), SUM(revenue), MAX(document), MAX(product_id), MAX(date), SUM(quantity), SUM(cost) FROM sales';
try {
  let db = await DuckDBDatabase.open(kept);
  await migrate(db);
  [{ d: asOf } = { d: '' }] = await db.query<{ d: string }>('SELECT CAST(MAX(date) AS VARCHAR) AS d FROM sales');
  const segments = realisticSegments(100, await readVocabulary(db), 1, PREFIX);
  const services = createServices(db);
  for (const segment of segments) await services.segments.create(segment);
  ids = segments.map((s) => s.id);
  await refreshSegments(db, ids, { trigger: 'cli', asOf });
  const txOnly = Boolean(process.env.TX_ONLY);
  if (txOnly) {
    // The batch's measures statement alone, autocommitted (no base) against inside the base's transaction with the side lines' snapshot.
    const catalog = await loadRuleCatalog(db);
    const rules: NamedRule[] = [];
    for (const s of segments) {
      const checked = checkRule(s.rule, { kind: 'partner', catalog, parameters: s.parameters ?? {}, segmentId: s.id });
      if (checked.ok) rules.push({ id: s.id, rule: checked.rule });
    }
    const plan = planBatch(rules, { dialect: db.dialect, catalog, kind: 'partner', asOf, ruleSegments: { ids: new Set(ids), keepStored: false }, table: 'refresh_measures' });
    await db.session(async (session) => {
      for (let round = 1; round <= 2; round++) {
        await traced(`round ${round}: the measures, autocommitted`, () => createTemporaryTable(session, 'refresh_measures', plan.measures), 2);
        await traced(`round ${round}: the measures, in the base's transaction`, () => createMeasuresForBase(session, 'refresh_measures', plan), 2);
      }
    });
  }
  // The full batch with and without its base (the dialect's switch flipped for the probe only), twice each.
  const dialect = db.dialect as { keepsMeasureBase: boolean };
  // PASS_ONLY: the passes alone (the full batch once, untimed).
  for (let round = 1; round <= (process.env.PASS_ONLY || txOnly ? 0 : 2); round++) {
    dialect.keepsMeasureBase = false;
    await traced(`round ${round}: full batch of the 100 segments (steady state), no base kept (before)`, () => refreshSegments(db, ids, { trigger: 'cli', asOf }), 6);
    dialect.keepsMeasureBase = true;
    await traced(`round ${round}: full batch of the 100 segments (steady state), keeping its measures`, () => refreshSegments(db, ids, { trigger: 'cli', asOf }), 8);
  }
  if (txOnly) {
    await db.close();
    throw new Done();
  }
  const { partners, products } = await changedPartnersAndProducts(db, CHANGED);
  await traced(
    `import of ${NEW_LINES} sale lines for ${partners.length} partners`,
    () => importData(db, [newSaleLinesCsv(partners, products, asOf, NEW_LINES, PREFIX)], { entity: 'sales', format: 'csv' }),
    6,
  );
  await db.checkpoint();
  await db.close();
  copyDuckDBFile(kept, today);

  const pass = async (path: string, title: string, prepare: (db: DuckDBDatabase) => Promise<void>): Promise<RefreshReport> => {
    db = await DuckDBDatabase.open(path);
    try {
      await prepare(db);
      // The columns warm, as the section's full batch and reference leave them.
      await db.run(warm);
      return await traced(title, () => refreshSegments(db, ids, { trigger: 'cli', asOf, mode: 'incremental' }), 16);
    } finally {
      await db.close();
    }
  };
  const delta = await pass(kept, 'incremental pass over the kept measures', async () => undefined);
  console.log(`  measuresKept ${delta.measuresKept}, partners ${delta.partners}`);
  const facts = await pass(today, 'incremental pass reading the facts (no base described: today)', async (d) => d.run('DELETE FROM measure_bases'));
  console.log(`  measuresKept ${facts.measuresKept}, partners ${facts.partners}`);
} catch (error) {
  if (!(error instanceof Done)) throw error;
} finally {
  removeDuckDBFile(kept);
  removeDuckDBFile(today);
}
