import { ENTITIES } from '../../model/entities.js';
import type { Queryable } from '../../sql/queryable.js';
import type { DirectoryItem, DirectoryName } from './directory.schema.js';

export { DIRECTORY_NAMES, type DirectoryItem, type DirectoryName } from './directory.schema.js';

/** Every entry of a directory, by name then id. Directories are small (hundreds, not millions). */
export async function listDirectory(db: Queryable, name: DirectoryName): Promise<DirectoryItem[]> {
  const entity = ENTITIES[name];
  const parent = entity.hierarchy ? 'parent_id' : 'NULL';
  const rows = await db.query<{ id: string; name: string; parent: string | null }>(`SELECT id, name, ${parent} AS parent FROM ${entity.table} ORDER BY name, id`);
  return rows.map((row) => ({ id: row.id, name: row.name, parent: row.parent ?? null }));
}
