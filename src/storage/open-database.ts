import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Database } from './database.js';
import { DuckDBDatabase } from './duckdb-database.js';
import { migrate } from './migrate.js';
import { PostgresDatabase } from './postgres-database.js';

export const DEFAULT_DB_PATH = './data/segmenta.duckdb';

export interface OpenOptions {
  /** DuckDB file; default SEGMENTA_DB or ./data/segmenta.duckdb. Given explicitly (`--db`), it wins over DATABASE_URL. */
  readonly path?: string;
  /** postgres://… ; default DATABASE_URL. */
  readonly url?: string;
}

/** Opens the configured database (PostgreSQL if a URL is set, else the DuckDB file) and migrates it. */
export async function openDatabase(options: OpenOptions = {}): Promise<Database> {
  // An explicit file (`--db`) is what the user asked for now; DATABASE_URL is the standing default.
  const url = options.url ?? (options.path === undefined ? process.env.DATABASE_URL : undefined);
  let db: Database;
  if (url && /^postgres(ql)?:\/\//.test(url)) {
    db = await PostgresDatabase.connect(url);
  } else {
    const path = options.path ?? process.env.SEGMENTA_DB ?? DEFAULT_DB_PATH;
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    db = await DuckDBDatabase.open(path);
  }
  try {
    await migrate(db);
  } catch (error) {
    await db.close();
    throw error;
  }
  return db;
}
