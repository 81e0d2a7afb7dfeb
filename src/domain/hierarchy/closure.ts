import type { EntityDef } from '../../model/entities.js';
import type { Queryable } from '../../sql/queryable.js';

/** Deeper than any real catalogue; stops a parent cycle from recursing forever. */
export const MAX_HIERARCHY_DEPTH = 64;

/**
 * Rebuilds `<table>_closure`: every (ancestor, descendant, depth) pair, a node being its own
 * ancestor at depth 0. "In hierarchy" conditions (SPEC §3 inHierarchy) read it.
 */
export async function rebuildClosure(db: Queryable, entity: EntityDef): Promise<void> {
  if (!entity.hierarchy) throw new Error(`${entity.name} is not a hierarchy`);
  const closure = `${entity.table}_closure`;
  await db.run(`DELETE FROM ${closure}`);
  await db.run(
    `INSERT INTO ${closure} (ancestor_id, descendant_id, depth)
     WITH RECURSIVE up (ancestor_id, descendant_id, depth) AS (
       SELECT id, id, 0 FROM ${entity.table}
       UNION ALL
       SELECT n.parent_id, up.descendant_id, up.depth + 1
       FROM up JOIN ${entity.table} n ON n.id = up.ancestor_id
       WHERE n.parent_id IS NOT NULL AND up.depth < ${MAX_HIERARCHY_DEPTH}
     )
     SELECT ancestor_id, descendant_id, MIN(depth) FROM up GROUP BY ancestor_id, descendant_id`,
  );
}

/** Ids of nodes that are their own ancestor through parents (a cycle), which import refuses. Needs a fresh closure. */
export async function findCycles(db: Queryable, entity: EntityDef): Promise<string[]> {
  // x is on a cycle exactly when x is an ancestor of its own parent.
  const rows = await db.query<{ id: string }>(`SELECT n.id FROM ${entity.table} n JOIN ${entity.table}_closure c ON c.ancestor_id = n.id AND c.descendant_id = n.parent_id ORDER BY n.id`);
  return rows.map((r) => r.id);
}
