import { existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { importFile } from '../import/index.js';
import type { Database } from '../storage/database.js';
import type { BenchEngine, BenchFigure, BenchSection } from './bench-section.js';
import { BENCH_DIR } from './context.js';
import { scaleKey } from './scale.js';

/**
 * Import throughput from CSV (issue 2): the demo company's sale lines exported to a CSV file
 * (`BENCH_IMPORT_LINES`, default all of them), then imported with `importFile` — the code
 * behind `segmenta import sales` — into an empty database on each engine, after the
 * directories, products and partners the lines refer to. Target (DuckDB, issue 20): ≥ 300,000
 * lines/s. On DuckDB the sale lines take the fast path of plain CSV files (csv-file-load.ts).
 */
export const importSection: BenchSection = {
  name: 'import',
  title: 'CSV import throughput',
  async run(ctx) {
    const lines = Math.min(ctx.scale.sales, Number(process.env.BENCH_IMPORT_LINES ?? ctx.scale.sales));
    const files = await exportDemoCsv(ctx, lines);
    const figures: BenchFigure[] = [];
    for (const engine of ctx.engines) figures.push(...(await importInto(ctx, engine, files, lines)));
    return figures;
  },
};

/** Entities in import order (references first), with the SELECT that exports each from the demo. */
const EXPORTS: readonly { readonly entity: string; readonly select: (lines: number) => string }[] = [
  { entity: 'regions', select: () => 'SELECT id, name, parent_id AS parent FROM regions' },
  { entity: 'partnerGroups', select: () => 'SELECT id, name, parent_id AS parent FROM partner_groups' },
  { entity: 'productGroups', select: () => 'SELECT id, name, parent_id AS parent FROM product_groups' },
  { entity: 'partnerTypes', select: () => 'SELECT id, name FROM partner_types' },
  { entity: 'managers', select: () => 'SELECT id, name FROM managers' },
  { entity: 'products', select: () => 'SELECT id, name, group_id AS "group", brand, unit FROM products' },
  {
    entity: 'partners',
    select: () => `SELECT id, name,
      concat_ws('|', CASE WHEN role_customer THEN 'customer' END, CASE WHEN role_supplier THEN 'supplier' END, CASE WHEN role_competitor THEN 'competitor' END, CASE WHEN role_other THEN 'other' END) AS roles,
      legal_form AS "legalForm", group_id AS "group", region_id AS region, manager_id AS manager, type_id AS type,
      birth_date AS "birthDate", registered_at AS "registeredAt", deleted, email, phone FROM partners`,
  },
  {
    entity: 'sales',
    select: (lines) => `SELECT id, document, date, partner_id AS partner, product_id AS product, quantity, revenue, cost, manager_id AS manager FROM sales LIMIT ${Math.trunc(lines)}`,
  },
];

type CsvFiles = Record<string, string>;

/** Writes the CSV files once per scale and line count (DuckDB's COPY, from the cached demo). */
async function exportDemoCsv(ctx: Parameters<BenchSection['run']>[0], lines: number): Promise<CsvFiles> {
  const dir = join(BENCH_DIR, `import-${scaleKey(ctx.scale)}-${lines}`);
  const files: CsvFiles = Object.fromEntries(EXPORTS.map((e) => [e.entity, join(dir, `${e.entity}.csv`)]));
  if (EXPORTS.every((e) => existsSync(files[e.entity]!))) return files;
  mkdirSync(dir, { recursive: true });
  const demo = await ctx.openDemo('duckdb');
  try {
    for (const e of EXPORTS) {
      const file = files[e.entity]!;
      const partial = `${file}.part`;
      const started = performance.now();
      await demo.run(`COPY (${e.select(lines)}) TO '${resolve(partial).replaceAll("'", "''")}' (FORMAT csv, HEADER)`);
      renameSync(partial, file);
      ctx.log(`import: exported ${e.entity} to ${file} (${mb(file)} MB) in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    }
  } finally {
    await demo.close();
  }
  return files;
}

async function importInto(ctx: Parameters<BenchSection['run']>[0], engine: BenchEngine, files: CsvFiles, lines: number): Promise<BenchFigure[]> {
  const db: Database = await ctx.openScratch(engine);
  const figures: BenchFigure[] = [];
  try {
    for (const { entity } of EXPORTS) {
      const file = files[entity]!;
      const started = performance.now();
      let lastLog = started;
      const report = await importFile(db, file, {
        entity,
        onProgress: (p) => {
          const now = performance.now();
          if (now - lastLog < 10_000) return;
          lastLog = now;
          ctx.log(`import ${engine}: ${entity} ${p.rows.toLocaleString('en-US')} rows read (${((now - started) / 1000).toFixed(0)} s)`);
        },
      });
      const seconds = (performance.now() - started) / 1000;
      const rate = Math.round(report.rows / seconds);
      ctx.log(`import ${engine}: ${entity} ${report.inserted.toLocaleString('en-US')} rows in ${seconds.toFixed(1)} s (${rate.toLocaleString('en-US')} rows/s)`);
      if (entity === 'sales') {
        figures.push({
          metric: `import ${lines.toLocaleString('en-US')} sale lines from CSV (${mb(file)} MB)`,
          engine,
          value: rate,
          unit: 'lines/s',
          ...(engine === 'duckdb' ? { target: '≥ 300,000 lines/s', met: rate >= 300_000 } : {}),
        });
        figures.push({ metric: 'sale lines import time', engine, value: Math.round(seconds * 10) / 10, unit: 's' });
      } else if (entity === 'partners') {
        figures.push({ metric: `import ${report.rows.toLocaleString('en-US')} partners from CSV`, engine, value: rate, unit: 'rows/s' });
      }
    }
  } finally {
    await db.close();
  }
  return figures;
}

const mb = (file: string): number => Math.round(statSync(file).size / 1e6);
