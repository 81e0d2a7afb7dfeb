import { ENTITIES } from '../../model/entities.js';
import type { Queryable } from '../../sql/queryable.js';

/** The reference books a partner or product points into: what the UI shows names from and filters by. */
export const DIRECTORY_NAMES = ['partnerGroups', 'regions', 'partnerTypes', 'managers', 'productGroups'] as const;
export type DirectoryName = (typeof DIRECTORY_NAMES)[number];

export interface DirectoryItem {
  readonly id: string;
  readonly name: string;
  /** Parent id in a hierarchy (groups, regions); null at the top and in flat directories. */
  readonly parent: string | null;
}

/** Every entry of a directory, by name then id. Directories are small (hundreds, not millions). */
export async function listDirectory(db: Queryable, name: DirectoryName): Promise<DirectoryItem[]> {
  const entity = ENTITIES[name];
  const parent = entity.hierarchy ? 'parent_id' : 'NULL';
  const rows = await db.query<{ id: string; name: string; parent: string | null }>(
    `SELECT id, name, ${parent} AS parent FROM ${entity.table} ORDER BY name, id`,
  );
  return rows.map((row) => ({ id: row.id, name: row.name, parent: row.parent ?? null }));
}
