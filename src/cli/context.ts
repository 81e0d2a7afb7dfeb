import type { Command } from 'commander';
import type { Database } from '../storage/database.js';
import { openDatabase } from '../storage/open-database.js';

/** Options every command has (set on the root program). */
export interface GlobalOptions {
  readonly db?: string;
}

/** Opens the database the global options name, runs fn, and closes it. */
export async function withDatabase<T>(command: Command, fn: (db: Database) => Promise<T>): Promise<T> {
  const options = command.optsWithGlobals<GlobalOptions>();
  const db = await openDatabase(options.db ? { path: options.db } : {});
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

/** Parses a whole positive number option, or fails with a clear message. */
export function positiveInt(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a whole number above 0, got "${value}"`);
    return n;
  };
}
