/**
 * A probe, not product code (docs/benchmarks.md "Measures kept between passes, session 12"):
 * what the incremental pass of section `incremental` would cost if the full batch's measures
 * were kept on disk and moved by the new lines only, against the rules' query of today's pass,
 * each statement timed in process CPU (DuckDB's threads are in-process) on a copy of a demo.
 *
 *   npx tsx src/bench/delta-probe.ts .bench/demo-v2-100000_2000000_1.duckdb   (env CHANGED, LINES)
 *
 * The combination is priced, not checked: every measure column is added (the days measures
 * would take the least or greatest), so hits computed here are not compared with anything.
 */
import { createServices } from '../app/services.js';
import { refreshSegments } from '../domain/segments/batch-refresh.js';
import { importData } from '../import/importer.js';
import { loadRuleCatalog } from '../rules/catalog.js';
import { checkRule } from '../rules/check-rule.js';
import { compileMemberChecks, planBatch, type NamedRule } from '../sql/compile/rule-set.js';
import type { Queryable, SqlValue } from '../sql/queryable.js';
import { DuckDBDatabase } from '../storage/duckdb-database.js';
import { migrate } from '../storage/migrate.js';
import { changedPartnersAndProducts, copyDuckDBFile, newSaleLinesCsv, removeDuckDBFile } from './new-sale-lines.js';
import { readVocabulary, realisticSegments } from './segment-templates.js';

const PREFIX = 'bench-incr-';
const NEW_LINES = Number(process.env.LINES ?? 50_000);
const CHANGED = Number(process.env.CHANGED ?? 10_000);
const ROUNDS = 2;

async function cpu(label: string, q: Queryable, statement: string, params: readonly SqlValue[] = []): Promise<number> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await q.run(statement, params);
  const c = process.cpuUsage(c0);
  const ms = (c.user + c.system) / 1000;
  console.log(`${label.padEnd(62)} cpu ${ms.toFixed(0).padStart(6)} ms  wall ${(performance.now() - t0).toFixed(0).padStart(6)} ms`);
  return ms;
}

/** 128-bit sums (DECIMAL(38,4), HUGEINT) as 64-bit: DuckDB compresses these, and reads them 4× cheaper. */
async function narrowSelect(q: Queryable, table: string): Promise<string> {
  const types = await q.query<{ column_name: string; data_type: string }>(`SELECT column_name, data_type FROM duckdb_columns() WHERE table_name = '${table}'`);
  return types.map(({ column_name: c, data_type: t }) => (t.startsWith('DECIMAL(38') ? `CAST(${c} AS DECIMAL(18,4)) AS ${c}` : t === 'HUGEINT' ? `CAST(${c} AS BIGINT) AS ${c}` : c)).join(', ');
}

const source = process.argv[2];
if (!source) throw new Error('usage: npx tsx src/bench/delta-probe.ts <demo .duckdb>');
const path = `${source}.probe-${process.pid}.duckdb`;
copyDuckDBFile(source, path);
const db = await DuckDBDatabase.open(path);
try {
  await migrate(db);
  const [{ d } = { d: '' }] = await db.query<{ d: string }>('SELECT CAST(MAX(date) AS VARCHAR) AS d FROM sales');
  const asOf = d;
  const segments = realisticSegments(100, await readVocabulary(db), 1, PREFIX);
  const services = createServices(db);
  for (const segment of segments) await services.segments.create(segment);
  const ids = segments.map((s) => s.id);
  await refreshSegments(db, ids, { trigger: 'cli', asOf });
  const catalog = await loadRuleCatalog(db);
  const rules: NamedRule[] = [];
  for (const s of segments) {
    const checked = checkRule(s.rule, { kind: 'partner', catalog, parameters: s.parameters ?? {}, segmentId: s.id });
    if (checked.ok) rules.push({ id: s.id, rule: checked.rule });
  }
  const options = { dialect: db.dialect, catalog, kind: 'partner' as const, asOf, ruleSegments: { ids: new Set(ids), keepStored: false } };
  const plan = planBatch(rules, { ...options, table: 'refresh_measures' });
  console.log(`rules ${rules.length}, distinct measures ${plan.distinctMeasures}, fact scans ${plan.factScans}`);

  console.log('--- the full batch: its measures table, temporary (today) or kept on disk');
  await db.session(async (s) => {
    for (let i = 0; i < ROUNDS; i++) {
      await s.run('DROP TABLE IF EXISTS refresh_measures');
      await cpu('measures as a TEMP table (today)', s, `CREATE TEMPORARY TABLE refresh_measures AS ${plan.measures.sql}`, plan.measures.params);
      await s.run('DROP TABLE IF EXISTS measure_store');
      await cpu('measures kept on disk, computed into it (CREATE TABLE)', s, `CREATE TABLE measure_store AS ${plan.measures.sql}`, plan.measures.params);
      await cpu('  CHECKPOINT', s, 'CHECKPOINT');
      await cpu('the TEMP table copied to disk, 64-bit sums', s, `CREATE OR REPLACE TABLE measure_narrow AS SELECT ${await narrowSelect(s, 'measure_store')} FROM refresh_measures`);
      await cpu('  CHECKPOINT', s, 'CHECKPOINT');
      const narrowed = (await narrowSelect(s, 'measure_store')).replaceAll('CAST(', 'TRY_CAST(');
      await cpu('measures computed straight into a 64-bit table on disk', s, `CREATE OR REPLACE TABLE measure_straight AS SELECT ${narrowed} FROM (${plan.measures.sql}) q`, plan.measures.params);
      await cpu('  CHECKPOINT', s, 'CHECKPOINT');
      await s.run('DROP TABLE measure_straight');
      await cpu('the TEMP table copied to disk, as it is (128-bit sums)', s, 'CREATE OR REPLACE TABLE measure_copy AS SELECT * FROM refresh_measures');
      await cpu('  CHECKPOINT', s, 'CHECKPOINT');
      await s.run('DROP TABLE measure_copy');
    }
  });

  // FULL_ONLY: the full batch's part alone.
  if (!process.env.FULL_ONLY) await pass(rules, plan, options);
} finally {
  await db.close();
  removeDuckDBFile(path);
}

/** The import, then today's rules query against the delta path's statements. */
async function pass(rules: readonly NamedRule[], plan: ReturnType<typeof planBatch>, options: Omit<Parameters<typeof compileMemberChecks>[1], 'members'>): Promise<void> {
  const { asOf } = options;
  const { partners, products } = await changedPartnersAndProducts(db, CHANGED);
  await importData(db, [newSaleLinesCsv(partners, products, asOf, NEW_LINES, PREFIX)], { entity: 'sales', format: 'csv' });

  await db.session(async (s) => {
    await s.run('CREATE TEMPORARY TABLE refresh_dirty AS SELECT DISTINCT partner_id FROM partner_changes WHERE partner_id IS NOT NULL');
    // What an import would write in its own transaction: a copy of its new lines.
    await cpu(`the ${NEW_LINES} new lines copied to a side table (import)`, s, `CREATE TABLE sales_appended AS SELECT * FROM sales WHERE id LIKE '${PREFIX}%'`);
    await s.run('CREATE TEMPORARY TABLE refresh_measures AS SELECT * FROM measure_store');
    const hits = compileMemberChecks(rules, { ...options, members: { subquery: 'SELECT partner_id FROM refresh_dirty' } });
    // The columns warm, as the section's full batch and reference leave them.
    await s.run('CREATE OR REPLACE TEMPORARY TABLE warm AS SELECT COUNT(*), SUM(revenue), MAX(document), MAX(product_id) FROM sales');
    // The measures query over the new lines only, for the changed partners only, other fact tables left out (unchanged).
    const deltaSql = plan.measures.sql
      .replaceAll(/FROM sales (t\d+)/g, 'FROM sales_appended $1')
      .replace(/FROM partners (t\d+)/, 'FROM (SELECT * FROM partners WHERE id IN (SELECT partner_id FROM refresh_dirty)) $1')
      .replaceAll(/FROM (interactions|deals|settlements) (t\d+)/g, 'FROM (SELECT * FROM $1 WHERE FALSE) $2');
    const cols = (await s.query<{ column_name: string }>(`SELECT column_name FROM duckdb_columns() WHERE table_name = 'measure_store'`)).map((r) => r.column_name).filter((c) => c !== 'id');
    const measureCols = cols.filter((c) => /^m\d+/.test(c));
    const combined = cols.map((c) => (measureCols.includes(c) ? `COALESCE(m.${c}, 0) + COALESCE(d.${c}, 0) AS ${c}` : `m.${c}`)).join(', ');
    for (let i = 0; i < ROUNDS; i++) {
      console.log(`--- the pass, round ${i + 1}`);
      await s.run('DROP TABLE IF EXISTS refresh_hits');
      const today = await cpu('TODAY: the rules for the changed partners (refresh_hits)', s, `CREATE TEMPORARY TABLE refresh_hits AS ${hits.sql}`, hits.params);
      const delta = await cpu('delta: the measures of the new lines only', s, `CREATE OR REPLACE TEMPORARY TABLE refresh_delta AS ${deltaSql}`, plan.measures.params);
      const docs = await cpu(
        'delta: no stored line shares (partner, document) with a new one',
        s,
        'CREATE OR REPLACE TEMPORARY TABLE refresh_doccheck AS SELECT COUNT(*) AS n FROM sales s SEMI JOIN (SELECT DISTINCT partner_id, document FROM sales_appended) a ON a.partner_id = s.partner_id AND a.document = s.document',
      );
      const [check] = await s.query<{ n: number }>('SELECT n FROM refresh_doccheck');
      console.log(`   lines sharing (partner, document) with a new one: ${check?.n} (the new lines themselves: ${NEW_LINES})`);
      await cpu(
        'kept rows of the changed partners: the TEMP table (bound)',
        s,
        'CREATE OR REPLACE TEMPORARY TABLE probe_x AS SELECT m.* FROM refresh_measures m SEMI JOIN refresh_dirty r ON r.partner_id = m.id',
      );
      await cpu(
        'kept rows of the changed partners: on disk, 128-bit sums',
        s,
        'CREATE OR REPLACE TEMPORARY TABLE probe_x AS SELECT m.* FROM measure_store m SEMI JOIN refresh_dirty r ON r.partner_id = m.id',
      );
      const narrow = await cpu(
        'kept rows of the changed partners: on disk, 64-bit sums',
        s,
        'CREATE OR REPLACE TEMPORARY TABLE probe_x AS SELECT m.* FROM measure_narrow m SEMI JOIN refresh_dirty r ON r.partner_id = m.id',
      );
      await cpu('  a full read of the kept table, 128-bit sums', s, 'CREATE OR REPLACE TEMPORARY TABLE probe_y AS SELECT * FROM measure_store');
      const combine = await cpu(
        '(A) kept (128-bit) + delta for the changed partners',
        s,
        `CREATE OR REPLACE TEMPORARY TABLE refresh_combined AS SELECT m.id, ${combined} FROM measure_store m SEMI JOIN refresh_dirty r ON r.partner_id = m.id LEFT JOIN refresh_delta d ON d.id = m.id`,
      );
      await s.run('DROP TABLE IF EXISTS refresh_hits');
      const overCombined = await cpu(
        'the rules over the combined measures',
        s,
        `CREATE TEMPORARY TABLE refresh_hits AS ${plan.hits.sql.replaceAll('refresh_measures', 'refresh_combined')}`,
        plan.hits.params,
      );
      // No automatic checkpoint inside the timed statements: it is priced on its own below.
      await s.run("PRAGMA wal_autocheckpoint = '10GB'");
      await s.run('BEGIN');
      const update = await cpu(
        '(A) kept measures updated in place',
        s,
        `UPDATE measure_store SET ${measureCols.map((c) => `${c} = c.${c}`).join(', ')} FROM refresh_combined c WHERE measure_store.id = c.id`,
      );
      const commit = await cpu('(A) COMMIT', s, 'COMMIT');
      const checkpoint = await cpu('(A) CHECKPOINT (rewrites every row group updated)', s, 'CHECKPOINT');
      await s.run('CREATE TABLE IF NOT EXISTS measure_deltas AS SELECT * FROM refresh_delta WHERE FALSE');
      const append = await cpu('(B) the delta appended to a table of deltas', s, 'INSERT INTO measure_deltas SELECT * FROM refresh_delta');
      const a = delta + docs + combine + overCombined + update + commit;
      const b = delta + docs + narrow + overCombined + append;
      console.log(`   TODAY ${today.toFixed(0)} ms | (A) updated in place ${a.toFixed(0)} ms + checkpoint ${checkpoint.toFixed(0)} ms | (B) 64-bit base kept, deltas appended ${b.toFixed(0)} ms`);
    }
    // The documents check when zone maps cannot skip: stored documents under partners that never had them.
    await s.run(
      'CREATE TEMPORARY TABLE pairs_stored AS SELECT b.partner_id, a.document FROM (SELECT row_number() OVER () AS i, document FROM sales USING SAMPLE 50000 ROWS) a JOIN (SELECT row_number() OVER () AS i, partner_id FROM sales USING SAMPLE 50000 ROWS) b USING (i)',
    );
    for (let i = 0; i < ROUNDS; i++) {
      await cpu(
        'documents check, 50k stored documents (no zone map skips)',
        s,
        'CREATE OR REPLACE TEMPORARY TABLE refresh_doccheck AS SELECT COUNT(*) AS n FROM sales s SEMI JOIN pairs_stored a ON a.partner_id = s.partner_id AND a.document = s.document',
      );
    }
  });
}
