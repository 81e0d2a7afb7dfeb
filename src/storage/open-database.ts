import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { AppError } from '../errors/app-error.js';
import { backupFolder, listBackups } from './backup.js';
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
    const duck = await DuckDBDatabase.open(path).catch((error: unknown) => {
      throw isDamagedFile(error) ? damaged(path, error) : error;
    });
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

/** DuckDB's error when a block of the file does not match its checksum. */
const isDamagedFile = (error: unknown): error is Error => error instanceof Error && /Corrupt database file/i.test(error.message);

/** A damaged file, said in plain words with the way back: the newest backup, or how to have one. */
function damaged(path: string, error: Error): AppError {
  const folder = backupFolder(process.env);
  const [newest] = listBackups(folder);
  const advice = newest
    ? `Restore the newest backup with "segmenta restore ${newest} --db ${path} --force": the damaged file is moved aside, not deleted; what was written after that backup must be imported or refreshed again.`
    : `No backup was found in ${folder}. Keep the damaged file, start from a new database (import the data again) and set SEGMENTA_BACKUP_CRON so that backups are taken.`;
  return new AppError('DATABASE_DAMAGED', { path, reason: error.message.split('\n')[0]!.replace(/^IO Error: /, ''), advice, backup: newest ?? null });
}
