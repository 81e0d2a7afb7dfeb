import { existsSync, readdirSync, renameSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/**
 * What to do when DuckDB cannot replay a file's write-ahead log (docs/storage.md): move the log
 * aside under a timestamped name — never delete it — so that the file opens in the state of its
 * last checkpoint. Segmenta checkpoints after every refresh, import and demo load, so what is
 * lost is the work since the last of them.
 */

/** A write-ahead log that was moved aside because it could not be replayed. */
export interface WalRecovery {
  /** The database file. */
  readonly database: string;
  /** Where the log is now. */
  readonly movedTo: string;
  readonly bytes: number;
  /** DuckDB's reason, as it gave it. */
  readonly reason: string;
}

/** Whether the file has a write-ahead log beside it (left by a crash, or by a close without checkpoint). */
export const hasWal = (path: string): boolean => existsSync(`${path}.wal`);

/** DuckDB's error when a log cannot be replayed (a corrupt entry, or an assertion in replay). */
export const isUnreplayableWal = (error: unknown): boolean => error instanceof Error && /Failure while replaying WAL/i.test(error.message);

/** Marks the name of a log moved aside: `<file>.wal.unreplayable-<timestamp>`. */
const MOVED_MARK = '.wal.unreplayable-';

/** Moves `<path>.wal` aside; null when there is no log to move. */
export function moveWalAside(path: string, reason: string, now = new Date()): WalRecovery | null {
  const wal = `${path}.wal`;
  if (!existsSync(wal)) return null;
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  let movedTo = `${path}${MOVED_MARK}${stamp}`;
  for (let n = 2; existsSync(movedTo); n++) movedTo = `${path}${MOVED_MARK}${stamp}-${n}`;
  const bytes = statSync(wal).size;
  renameSync(wal, movedTo);
  return { database: path, movedTo, bytes, reason };
}

/** Logs moved aside for this database file, oldest first. */
export function movedAsideWals(path: string): { file: string; bytes: number; movedAt: Date }[] {
  const dir = dirname(path);
  const prefix = `${basename(path)}${MOVED_MARK}`;
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => name.startsWith(prefix))
    .map((name) => {
      const stat = statSync(join(dir, name));
      return { file: join(dir, name), bytes: stat.size, movedAt: stat.ctime };
    })
    .sort((a, b) => a.movedAt.getTime() - b.movedAt.getTime());
}

/** The plain-words account of a recovery, for the log of `serve` and the CLI. */
export function describeRecovery(r: WalRecovery): string {
  return (
    `The database ${r.database} could not replay its write-ahead log (${r.reason.split('\n')[0]}). ` +
    `The log (${r.bytes} bytes) was moved aside to ${r.movedTo}, not deleted, and the database was opened as of its last checkpoint: ` +
    `changes made after it (refreshes, imports, edits since the last completed one) are lost. ` +
    `Run "segmenta doctor --db ${r.database}" to see which runs were lost and to check the file.`
  );
}
