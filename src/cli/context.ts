import type { Command } from 'commander';
import { createServices, type Services } from '../app/services.js';
import { resolveSecretKey } from '../domain/access/secret-key-file.js';
import type { Database } from '../storage/database.js';
import { openDatabase } from '../storage/open-database.js';

/** Options every command has (set on the root program). */
export interface GlobalOptions {
  readonly db?: string;
}

/**
 * Opens the database the global options name, wires its services (src/app/services.ts), runs
 * fn, and closes it. The CLI is its administrator's tool: custom SQL segments may be saved.
 */
export async function withDatabase<T>(command: Command, fn: (db: Database, services: Services) => Promise<T>): Promise<T> {
  const options = command.optsWithGlobals<GlobalOptions>();
  const db = await openDatabase(options.db ? { path: options.db } : {});
  try {
    // One key seals webhook and connector secrets, kept next to the database file the command names (docs/security.md).
    const secretKey = resolveSecretKey(db);
    const services = createServices(db, { allowCustomSql: true, events: { secretKey } });
    // A generation by a command publishes its segment to 1C when it is published (docs/connectors-1c.md).
    await services.connectors.watchPublications();
    return await fn(db, services);
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
