import { AppError } from '../errors/app-error.js';
import type { Database } from '../storage/database.js';

/** Imports waiting or running, per database and entity: each waits for the one before it. */
const queues = new WeakMap<Database, Map<string, Promise<void>>>();

/**
 * Runs imports of one entity into one database one at a time, in the order they came.
 * Two imports of the same rows at once would both insert them (a primary-key violation on
 * PostgreSQL, "Conflict on update" on DuckDB); in turn, the second simply finds them stored.
 */
export async function inTurn<T>(db: Database, entity: string, work: () => Promise<T>): Promise<T> {
  let byEntity = queues.get(db);
  if (!byEntity) queues.set(db, (byEntity = new Map()));
  const before = byEntity.get(entity) ?? Promise.resolve();
  const run = before.then(work);
  const settled = run.then(
    () => undefined,
    () => undefined,
  );
  byEntity.set(entity, settled);
  try {
    return await run;
  } finally {
    if (byEntity.get(entity) === settled) byEntity.delete(entity);
  }
}

/**
 * A write conflict with another process's import (the lock above covers this process only):
 * PostgreSQL's unique violation, serialization failure or deadlock; DuckDB's optimistic
 * transaction conflicts. Answered 409 (try again), not 500.
 */
export function asImportConflict(error: unknown, entity: string): AppError | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : '';
  const conflict =
    code === '23505' ||
    code === '40001' ||
    code === '40P01' ||
    /Conflict on (update|tuple deletion|insert)|PRIMARY KEY or UNIQUE constraint violat|duplicate key value violates unique constraint/i.test(message);
  return conflict ? new AppError('IMPORT_CONFLICT', { entity }) : undefined;
}
