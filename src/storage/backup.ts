import { copyFileSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { AppError } from '../errors/app-error.js';
import type { Database } from './database.js';
import { DuckDBDatabase } from './duckdb-database.js';

/**
 * Backups of the embedded database (docs/storage.md): a consistent copy taken while the
 * database is in use (DuckDB `COPY FROM DATABASE` reads one snapshot, sequences included) into
 * a new file, written under a temporary name and renamed when complete, so that a kill
 * mid-backup never leaves a file that looks whole. PostgreSQL has pg_dump for this.
 */

/** Timestamped backups in a folder: `segmenta-20250630T020000Z.duckdb`. */
const BACKUP_NAME = /^segmenta-\d{8}T\d{6}Z(-\d+)?\.duckdb$/;

export interface BackupOptions {
  /** In a folder, keep only the newest `keep` timestamped backups (older ones are deleted). */
  readonly keep?: number;
  readonly now?: Date;
}

export interface BackupResult {
  readonly file: string;
  readonly bytes: number;
  /** Older timestamped backups deleted by `keep`. */
  readonly removed: readonly string[];
}

const quote = (text: string): string => `'${text.replaceAll("'", "''")}'`;

/**
 * Copies the database into `dest`: a file, or a folder (existing, or written with a trailing
 * slash) that gets a timestamped file.
 */
export async function backupDatabase(db: Database, dest: string, options: BackupOptions = {}): Promise<BackupResult> {
  if (!(db instanceof DuckDBDatabase) || db.path === ':memory:') throw new AppError('BACKUP_NOT_SUPPORTED', { database: db.description });
  const intoFolder = dest.endsWith('/') || (existsSync(dest) && statSync(dest).isDirectory());
  const file = intoFolder ? freeName(dest, options.now ?? new Date()) : dest;
  if (existsSync(file)) throw new AppError('BACKUP_INVALID', { path: file, reason: 'a file of that name exists already; choose another name or a folder' });
  mkdirSync(dirname(file), { recursive: true });
  const partial = `${file}.partial`;
  rmSync(partial, { force: true });
  await db.session(async (session) => {
    const [{ name }] = (await session.query<{ name: string }>('SELECT current_database() AS name')) as [{ name: string }];
    await session.run(`ATTACH ${quote(partial)} AS segmenta_backup`);
    try {
      await session.run(`COPY FROM DATABASE "${name.replaceAll('"', '""')}" TO segmenta_backup`);
    } finally {
      await session.run('DETACH segmenta_backup');
    }
  });
  renameSync(partial, file);
  const removed = intoFolder && options.keep ? pruneBackups(dirname(file), options.keep) : [];
  return { file, bytes: statSync(file).size, removed };
}

function freeName(folder: string, now: Date): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  let file = join(folder, `segmenta-${stamp}.duckdb`);
  for (let n = 2; existsSync(file); n++) file = join(folder, `segmenta-${stamp}-${n}.duckdb`);
  return file;
}

/** Where scheduled backups go: SEGMENTA_BACKUP_DIR, by default ./data/backups. */
export const backupFolder = (env: NodeJS.ProcessEnv): string => env.SEGMENTA_BACKUP_DIR ?? './data/backups';

/** The timestamped backups of a folder, newest first (none when there is no such folder). */
export function listBackups(folder: string): string[] {
  if (!existsSync(folder)) return [];
  return readdirSync(folder)
    .filter((name) => BACKUP_NAME.test(name))
    .sort()
    .reverse()
    .map((name) => join(folder, name));
}

/** Deletes all but the newest `keep` timestamped backups of a folder; returns the deleted. */
export function pruneBackups(folder: string, keep: number): string[] {
  const old = listBackups(folder).slice(keep);
  for (const path of old) rmSync(path);
  return old;
}

/**
 * Tables whose rows make a database "not empty" for restore: anything but the schema record;
 * null when the file does not open (damaged), which is replaced only with --force too.
 */
async function filledTables(path: string): Promise<string[] | null> {
  const instance = await DuckDBInstance.create(path, { access_mode: 'READ_ONLY' }).catch(() => null);
  if (!instance) return null;
  try {
    const connection = await instance.connect();
    try {
      const tables = (await connection.runAndReadAll("SELECT table_name FROM duckdb_tables() WHERE NOT temporary AND table_name <> 'schema_migrations' AND table_name <> 'terms_revision'"))
        .getRows()
        .map((r) => String(r[0]));
      const filled: string[] = [];
      for (const table of tables) {
        const rows = (await connection.runAndReadAll(`SELECT 1 FROM "${table}" LIMIT 1`)).getRows();
        if (rows.length) filled.push(table);
      }
      return filled;
    } finally {
      connection.closeSync();
    }
  } finally {
    instance.closeSync();
  }
}

export interface RestoreResult {
  readonly database: string;
  /** Where the database that was replaced went (--force), never deleted. */
  readonly replacedMovedTo: string | null;
}

/**
 * Replaces the DuckDB file `target` with the backup `source`. Refuses a target that holds data
 * unless `force`; the replaced file (and its log) is moved aside, not deleted. The target must
 * not be open elsewhere (DuckDB's file lock says so if it is).
 */
export async function restoreDatabase(source: string, target: string, options: { force?: boolean; now?: Date } = {}): Promise<RestoreResult> {
  if (!existsSync(source) || !statSync(source).isFile()) throw new AppError('BACKUP_INVALID', { path: source, reason: 'no such file' });
  try {
    const instance = await DuckDBInstance.create(source, { access_mode: 'READ_ONLY' });
    try {
      const connection = await instance.connect();
      const found = (await connection.runAndReadAll("SELECT 1 FROM duckdb_tables() WHERE table_name = 'schema_migrations'")).getRows();
      connection.closeSync();
      if (!found.length) throw new AppError('BACKUP_INVALID', { path: source, reason: 'it is a DuckDB file, but not a Segmenta database' });
    } finally {
      instance.closeSync();
    }
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw new AppError('BACKUP_INVALID', { path: source, reason: 'it is not a DuckDB database file' });
  }
  let replacedMovedTo: string | null = null;
  if (existsSync(target)) {
    const filled = await filledTables(target);
    if ((filled === null || filled.length) && !options.force) {
      const summary = filled === null ? 'it does not open: damaged' : `rows in ${filled.slice(0, 3).join(', ')}${filled.length > 3 ? ` and ${filled.length - 3} more tables` : ''}`;
      throw new AppError('RESTORE_TARGET_NOT_EMPTY', { database: target, summary, tables: filled ?? [] });
    }
    const stamp = (options.now ?? new Date())
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d+Z$/, 'Z');
    replacedMovedTo = `${target}.replaced-${stamp}`;
    renameSync(target, replacedMovedTo);
    if (existsSync(`${target}.wal`)) renameSync(`${target}.wal`, `${replacedMovedTo}.wal`);
  }
  mkdirSync(dirname(target), { recursive: true });
  copyFileSync(source, `${target}.restoring`);
  renameSync(`${target}.restoring`, target);
  return { database: target, replacedMovedTo };
}
