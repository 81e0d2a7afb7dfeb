/**
 * Runs the refresh section on its own, on the synthetic company (synthetic-company.ts) rather
 * than the demo: `node dist/bench/refresh-standalone.js` (or `npx tsx src/bench/refresh-standalone.ts`).
 * Datasets are generated once and kept: DuckDB files in .bench/, PostgreSQL schemas
 * `bench_synthetic_<partners>_<sales>` (when DATABASE_URL is set). Figures go to stdout and
 * .bench/refresh-results.json.
 *
 * SEGMENTA_BENCH_PARTNERS (default 1 000 000) and SEGMENTA_BENCH_SALES (20 × partners) set the
 * main scale; see refresh.bench.ts for the curve options.
 */
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { Database } from '../storage/database.js';
import { DuckDBDatabase } from '../storage/duckdb-database.js';
import { migrate } from '../storage/migrate.js';
import { PostgresDatabase } from '../storage/postgres-database.js';
import type { BenchContext, BenchEngine, BenchFigure, BenchScale } from './bench-section.js';
import { refreshSection } from './refresh.bench.js';
import { loadSyntheticCompany } from './synthetic-company.js';
import { sql } from '../sql/sql.js';

const DIR = process.env.SEGMENTA_BENCH_DIR ?? '.bench';
const AS_OF = '2025-06-30';
const url = process.env.DATABASE_URL;

const log = (message: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${message}\n`);

const partners = Number(process.env.SEGMENTA_BENCH_PARTNERS ?? 1_000_000);
const scale: BenchScale = { partners, sales: Number(process.env.SEGMENTA_BENCH_SALES ?? partners * 20), seed: 7 };
const engines: BenchEngine[] = (process.env.SEGMENTA_BENCH_ENGINES?.split(',') as BenchEngine[] | undefined) ?? (url ? ['duckdb', 'postgres'] : ['duckdb']);

const open = new Map<string, Database>();

/** A dataset finished loading when this table holds its scale. */
async function loaded(db: Database, s: BenchScale): Promise<boolean> {
  try {
    const [row] = await db.query<{ partners: number; sales: number }>('SELECT partners, sales FROM bench_dataset');
    return row?.partners === s.partners && row.sales === s.sales;
  } catch {
    return false;
  }
}

async function fill(db: Database, s: BenchScale): Promise<void> {
  log(`generating the synthetic company: ${s.partners} partners, ${s.sales} sale lines`);
  await loadSyntheticCompany(db, { partners: s.partners, sales: s.sales, seed: s.seed, asOf: AS_OF }, (m) => log(`  ${m}`));
  await db.run('CREATE TABLE bench_dataset (partners BIGINT, sales BIGINT)');
  await db.run(sql`INSERT INTO bench_dataset VALUES (${s.partners}, ${s.sales})`);
  for (const sql of db.dialect.checkpoint()) await db.run(sql);
}

async function openDemo(engine: BenchEngine, override: Partial<BenchScale> = {}): Promise<Database> {
  const s = { ...scale, ...override };
  const key = `${engine}:${s.partners}:${s.sales}`;
  const cached = open.get(key);
  if (cached) return cached;
  let db: Database;
  if (engine === 'duckdb') {
    mkdirSync(DIR, { recursive: true });
    const path = join(DIR, `synthetic-${s.partners}-${s.sales}.duckdb`);
    db = await DuckDBDatabase.open(path);
    await migrate(db);
    if (!(await loaded(db, s))) {
      await db.close();
      for (const suffix of ['', '.wal']) {
        try {
          (await import('node:fs')).rmSync(path + suffix);
        } catch {
          // not there
        }
      }
      db = await DuckDBDatabase.open(path);
      await migrate(db);
      await fill(db, s);
    }
  } else {
    const schema = `bench_synthetic_${s.partners}_${s.sales}`;
    db = await PostgresDatabase.connect(url!, { schema });
    await migrate(db);
    if (!(await loaded(db, s))) {
      await db.close();
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await admin.end();
      db = await PostgresDatabase.connect(url!, { schema });
      await migrate(db);
      await fill(db, s);
    }
  }
  open.set(key, db);
  return db;
}

async function openScratch(engine: BenchEngine): Promise<Database> {
  if (engine === 'duckdb') {
    const db = await DuckDBDatabase.open(':memory:');
    await migrate(db);
    return db;
  }
  const schema = `bench_scratch_${randomBytes(4).toString('hex')}`;
  const db = await PostgresDatabase.connect(url!, { schema });
  await migrate(db);
  const close = db.close.bind(db);
  return Object.assign(db, {
    close: async () => {
      await close();
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await admin.end();
    },
  });
}

/** A copy of a DuckDB dataset, removed on close (see BenchContext.openDemoCopy); PostgreSQL: the dataset. */
async function openDemoCopy(engine: BenchEngine, override: Partial<BenchScale> = {}): Promise<Database> {
  if (engine !== 'duckdb') return openDemo(engine, override);
  const s = { ...scale, ...override };
  const source = await openDemo(engine, override);
  await source.run('CHECKPOINT');
  await source.close();
  open.delete(`${engine}:${s.partners}:${s.sales}`);
  const path = join(DIR, `scratch-${randomBytes(4).toString('hex')}.duckdb`);
  copyFileSync(join(DIR, `synthetic-${s.partners}-${s.sales}.duckdb`), path);
  const db = await DuckDBDatabase.open(path);
  const close = db.close.bind(db);
  return Object.assign(db, {
    close: async () => {
      await close();
      for (const suffix of ['', '.wal']) rmSync(path + suffix, { force: true });
    },
  });
}

const ctx: BenchContext = { scale, engines, openDemo, openDemoCopy, openScratch, log };

const started = Date.now();
let figures: BenchFigure[];
try {
  figures = await refreshSection.run(ctx);
  figures.push(...(refreshSection.compare?.(figures) ?? []));
} finally {
  for (const db of open.values()) await db.close();
}
for (const f of figures) {
  const target = f.target ? `  (target ${f.target}: ${f.met ? 'met' : 'not met'})` : '';
  console.log(`${(f.engine ?? '').padEnd(8)} ${f.metric}: ${f.value} ${f.unit}${target}`);
}
mkdirSync(DIR, { recursive: true });
writeFileSync(join(DIR, 'refresh-results.json'), JSON.stringify({ section: refreshSection.name, scale, engines, at: new Date().toISOString(), durationMs: Date.now() - started, figures }, null, 2));
