/**
 * The contract between `npm run bench` (src/bench/main.ts) and each benchmark section.
 * A section measures one thing (demo generation, import, order pricing, reports, batch refresh)
 * and returns figures; main prints them and writes them to bench-results/latest.json so
 * docs/benchmarks.md can quote a real run.
 */
import type { Database } from '../storage/database.js';

export type BenchEngine = 'duckdb' | 'postgres';

export interface BenchScale {
  readonly partners: number;
  readonly sales: number;
  readonly seed: number;
}

export interface BenchContext {
  readonly scale: BenchScale;
  /** Engines to measure: DuckDB always; PostgreSQL when DATABASE_URL is set. */
  readonly engines: readonly BenchEngine[];
  /**
   * A database holding the demo company at `scale` (or the given one), generated once and
   * reused by later sections and runs. Sections must not change its data; open a scratch
   * database with `openScratch` for writes.
   */
  openDemo(engine: BenchEngine, scale?: Partial<BenchScale>): Promise<Database>;
  /**
   * A throw-away copy of the demo database of a scale (DuckDB: a copy of the file, removed on
   * close), for work that would take longer to undo than to copy: millions of memberships are
   * slow to delete from DuckDB's indexes. The demo must not be open. PostgreSQL: the demo
   * itself (the caller cleans up).
   */
  openDemoCopy(engine: BenchEngine, scale?: Partial<BenchScale>): Promise<Database>;
  /** An empty migrated database, dropped on close. */
  openScratch(engine: BenchEngine): Promise<Database>;
  /** Progress line on stderr. */
  log(message: string): void;
}

export interface BenchFigure {
  readonly metric: string;
  readonly engine?: BenchEngine;
  readonly value: number;
  readonly unit: string;
  /** The target as written in the issue, e.g. '≤ 5 ms'. */
  readonly target?: string;
  readonly met?: boolean;
}

export interface BenchSection {
  /** Short id used by `npm run bench -- --only <name>`. */
  readonly name: string;
  readonly title: string;
  run(ctx: BenchContext): Promise<BenchFigure[]>;
  /**
   * Figures that compare engines, from the figures of every engine's run (each engine runs in
   * a process of its own, so `run` sees one engine at a time).
   */
  compare?(figures: readonly BenchFigure[]): BenchFigure[];
}
