import type { EntityName } from '../model/entities.js';
import type { Queryable } from '../storage/database.js';

/** What an import changed: ids of the rows it inserted or updated (never the unchanged ones). */
export interface ImportedEvent {
  readonly entity: EntityName;
  /**
   * Inserted or updated ids, sorted. A large import calls a listener several times, with at
   * most IMPORTED_IDS_CHUNK ids each time.
   */
  readonly changedIds: readonly string[];
}

/**
 * Runs inside the import's transaction, after its rows are written and before it commits, so
 * what a listener writes (e.g. segment memberships of new partners) commits or rolls back with
 * the import. A listener that throws fails the import.
 */
export type ImportListener = (tx: Queryable, event: ImportedEvent) => Promise<void> | void;

/** Most ids in one event. */
export const IMPORTED_IDS_CHUNK = 10_000;

const listeners = new Set<ImportListener>();

/**
 * Registers a listener for every later import; returns the function that unregisters it.
 *
 * @example
 * const stop = onImported(async (tx, { entity, changedIds }) => {
 *   if (entity === 'partners') await checkOnCreateSegments(tx, changedIds);
 * });
 */
export function onImported(listener: ImportListener): () => void {
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
  };
}

export const hasImportListeners = (): boolean => listeners.size > 0;

/** Calls every listener with one chunk of changed ids, one after the other. */
export async function notifyImported(tx: Queryable, event: ImportedEvent): Promise<void> {
  for (const listener of [...listeners]) await listener(tx, event);
}
