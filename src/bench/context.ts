import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { loadDemo, type DemoSummary } from '../demo/index.js';
import { sql } from '../sql/sql.js';
import type { Database } from '../storage/database.js';
import { DuckDBDatabase } from '../storage/duckdb-database.js';
import { migrate } from '../storage/migrate.js';
import { PostgresDatabase } from '../storage/postgres-database.js';
import type { BenchContext, BenchEngine, BenchScale } from './bench-section.js';
import { DEMO_CACHE_VERSION, scaleKey } from './scale.js';

/** Where cached demo databases and scratch files live (gitignored). */
export const BENCH_DIR = '.bench';

export interface BenchContextOptions {
  readonly scale: BenchScale;
  readonly engines: readonly BenchEngine[];
  readonly databaseUrl?: string | undefined;
  readonly log?: (message: string) => void;
}

/** The demo database of a scale, generated on first use and kept: a DuckDB file, or a PostgreSQL schema. */
export const demoFile = (scale: BenchScale): string => join(BENCH_DIR, `demo-v${DEMO_CACHE_VERSION}-${scaleKey(scale)}.duckdb`);
export const demoSchema = (scale: BenchScale): string => `bench_${scaleKey(scale)}`;

/**
 * Makes the demo database of a scale afresh — into a loading file/schema that replaces the
 * cached one only when complete — and reports how long it took. The `demo` section times this.
 */
export async function generateDemo(
  engine: BenchEngine,
  scale: BenchScale,
  options: { readonly databaseUrl?: string | undefined; readonly log: (message: string) => void },
): Promise<DemoSummary & { readonly stageSeconds: Record<string, number> }> {
  mkdirSync(BENCH_DIR, { recursive: true });
  const stages = new StageClock();
  const log = progressLogger(options.log, `demo ${engine}`);
  const progress = (p: { stage: string; done: number; total: number }) => {
    stages.at(p.stage);
    log(p);
  };
  const summary = await generateDemoInto(engine, scale, options, progress);
  stages.at('end');
  return { ...summary, stageSeconds: stages.seconds() };
}

/** Seconds spent in each progress stage. */
class StageClock {
  private current: string | undefined;
  private since = performance.now();
  private readonly spent = new Map<string, number>();
  at(stage: string): void {
    if (stage === this.current) return;
    const now = performance.now();
    if (this.current) this.spent.set(this.current, (this.spent.get(this.current) ?? 0) + (now - this.since) / 1000);
    this.current = stage;
    this.since = now;
  }
  seconds(): Record<string, number> {
    return Object.fromEntries([...this.spent].map(([stage, s]) => [stage, Math.round(s * 10) / 10]));
  }
}

async function generateDemoInto(
  engine: BenchEngine,
  scale: BenchScale,
  options: { readonly databaseUrl?: string | undefined },
  progress: (p: { stage: string; done: number; total: number }) => void,
): Promise<DemoSummary> {
  if (engine === 'duckdb') {
    const target = demoFile(scale);
    const loading = `${target.replace(/\.duckdb$/, '')}-loading.duckdb`;
    removeDuckDB(loading);
    const db = await DuckDBDatabase.open(loading);
    let summary: DemoSummary;
    try {
      await migrate(db);
      summary = await loadDemo(db, { ...scale, onProgress: progress });
    } finally {
      await db.close();
    }
    removeDuckDB(target);
    renameSync(loading, target);
    return summary;
  }
  const url = requireUrl(options.databaseUrl);
  const schema = demoSchema(scale);
  const loading = `${schema}_loading`;
  await adminQuery(url, `DROP SCHEMA IF EXISTS "${loading}" CASCADE`);
  const db = await PostgresDatabase.connect(url, { schema: loading });
  let summary: DemoSummary;
  try {
    await migrate(db);
    summary = await loadDemo(db, { ...scale, onProgress: progress });
  } finally {
    await db.close();
  }
  await adminQuery(url, `DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await adminQuery(url, `ALTER SCHEMA "${loading}" RENAME TO "${schema}"`);
  return summary;
}

/** A BenchContext: cached demo databases and scratch databases, all closed by `closeAll`. */
export function createBenchContext(options: BenchContextOptions): BenchContext & { closeAll(): Promise<void> } {
  const log = options.log ?? ((message: string) => process.stderr.write(`${message}\n`));
  const open: Database[] = [];
  const track = (db: Database, cleanup?: () => Promise<void>): Database => {
    let closed = false;
    const close = db.close.bind(db);
    const tracked = Object.assign(db, {
      close: async () => {
        if (closed) return;
        closed = true;
        await close();
        await cleanup?.();
      },
    });
    open.push(tracked);
    return tracked;
  };
  const ensureDuckDBDemo = async (scale: BenchScale): Promise<string> => {
    if (!existsSync(demoFile(scale))) {
      log(`demo: no cached DuckDB database for ${scaleKey(scale)}; generating ${demoFile(scale)}`);
      await generateDemo('duckdb', scale, { log });
    }
    return demoFile(scale);
  };
  const context: BenchContext & { closeAll(): Promise<void> } = {
    scale: options.scale,
    engines: options.engines,
    log,
    async openDemo(engine, partial = {}) {
      const scale = { ...options.scale, ...partial };
      if (engine === 'duckdb') {
        const db = await DuckDBDatabase.open(await ensureDuckDBDemo(scale));
        await migrate(db);
        return track(db);
      }
      const url = requireUrl(options.databaseUrl);
      const schema = demoSchema(scale);
      if (!(await schemaExists(url, schema))) {
        log(`demo: no cached PostgreSQL schema ${schema}; generating it (20 million lines take minutes)`);
        await generateDemo('postgres', scale, { databaseUrl: url, log });
      }
      const db = await PostgresDatabase.connect(url, { schema });
      await migrate(db);
      return track(db);
    },
    async openDemoCopy(engine, partial = {}) {
      if (engine !== 'duckdb') return context.openDemo(engine, partial);
      const source = await ensureDuckDBDemo({ ...options.scale, ...partial });
      const path = join(BENCH_DIR, `scratch-${randomBytes(5).toString('hex')}.duckdb`);
      copyFileSync(source, path);
      if (existsSync(`${source}.wal`)) copyFileSync(`${source}.wal`, `${path}.wal`);
      const db = await DuckDBDatabase.open(path);
      await migrate(db);
      return track(db, async () => removeDuckDB(path));
    },
    async openScratch(engine) {
      const suffix = randomBytes(5).toString('hex');
      if (engine === 'duckdb') {
        mkdirSync(BENCH_DIR, { recursive: true });
        const path = join(BENCH_DIR, `scratch-${suffix}.duckdb`);
        const db = await DuckDBDatabase.open(path);
        await migrate(db);
        return track(db, async () => removeDuckDB(path));
      }
      const url = requireUrl(options.databaseUrl);
      const schema = `bench_scratch_${suffix}`;
      const db = await PostgresDatabase.connect(url, { schema });
      await migrate(db);
      return track(db, () => adminQuery(url, `DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
    },
    async closeAll() {
      for (const db of open.splice(0)) await db.close();
    },
  };
  return context;
}

function requireUrl(url: string | undefined): string {
  if (!url) throw new Error('PostgreSQL benchmarks need DATABASE_URL=postgres://…');
  return url;
}

function removeDuckDB(path: string): void {
  for (const file of [path, `${path}.wal`]) rmSync(file, { force: true });
}

async function adminQuery(url: string, text: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

async function schemaExists(url: string, schema: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const query = sql`SELECT 1 FROM information_schema.schemata WHERE schema_name = ${schema}`;
    const result = await client.query(query.text, [...query.params]);
    return (result.rowCount ?? 0) > 0;
  } finally {
    await client.end();
  }
}

/** Logs a stage's progress every ~10% (and when a stage starts). */
function progressLogger(log: (message: string) => void, label: string): (p: { stage: string; done: number; total: number }) => void {
  let stage = '';
  let next = 0;
  const started = performance.now();
  return (p) => {
    if (p.stage !== stage) {
      stage = p.stage;
      next = 0;
    }
    if (p.total > 0 && p.done / p.total < next && p.done !== 0) return;
    next = Math.floor((p.done / Math.max(1, p.total)) * 10 + 1) / 10;
    log(`${label}: ${p.stage} ${p.done.toLocaleString('en-US')}/${p.total.toLocaleString('en-US')} (${((performance.now() - started) / 1000).toFixed(1)} s)`);
  };
}
