import type { EntityName } from '../model/entities.js';
import type { Queryable } from '../sql/queryable.js';

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
 * Given as `ImportOptions.onImported` (the composition root turns it into the `facts.imported`
 * event). Runs inside the import's transaction, after its rows are written and before it commits, so
 * what a listener writes (e.g. segment memberships of new partners) commits or rolls back with
 * the import. A listener that throws fails the import.
 */
export type ImportListener = (tx: Queryable, event: ImportedEvent) => Promise<void> | void;

/** Most ids in one event. */
export const IMPORTED_IDS_CHUNK = 10_000;
