import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Database } from './database.js';
import { DuckDBDatabase } from './duckdb-database.js';
import { migrate } from './migrate.js';
import { PostgresDatabase } from './postgres-database.js';
import { describeRecovery } from './wal-recovery.js';

export const DEFAULT_DB_PATH = './data/segmenta.duckdb';

export interface OpenOptions {
  /** DuckDB file; default SEGMENTA_DB or ./data/segmenta.duckdb. Given explicitly (`--db`), it wins over DATABASE_URL. */
  readonly path?: string;
  /** postgres://… ; default DATABASE_URL. */
  readonly url?: string;
  /** Told, in plain words, when a write-ahead log could not be replayed and was moved aside; default: stderr. */
  readonly warn?: (message: string) => void;
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
    const duck = await DuckDBDatabase.open(path);
    if (duck.walRecovery) (options.warn ?? ((m) => process.stderr.write(`${m}\n`)))(describeRecovery(duck.walRecovery));
    db = duck;
  }
  try {
    // A migration's table rebuilds go into the file at once, not into a log to replay.
    if ((await migrate(db)).length) await db.checkpoint();
  } catch (error) {
    await db.close();
    throw error;
  }
  return db;
}
