import { MAX_HIERARCHY_DEPTH } from '../domain/hierarchy/closure.js';
import type { EntityDef } from '../model/entities.js';
import type { Queryable } from '../sql/queryable.js';
import { sql } from '../sql/sql.js';
import { MAX_LISTED_ERRORS, type RowError } from './import-report.js';
import type { PositionOf } from './reference-check.js';
import type { RowErrorLog } from './row-errors.js';
import type { Staging } from './staging.js';

/**
 * Finds staged rows of a hierarchy (partner groups, regions, product groups) that would be
 * their own ancestor once imported — through other rows of the file or rows already stored —
 * and logs each as a bad row naming the cycle: `"a" would be its own ancestor: a → b → a`.
 * With `remove`, deletes them from staging. Returns how many rows were removed.
 */
export async function checkCycles(db: Queryable, entity: EntityDef, staging: Staging, label: string, errors: RowErrorLog, positionOf: PositionOf, remove: boolean): Promise<number> {
  const s = staging.table;
  // The parent of each node as it would be after the import: the file's row, else the stored one.
  const merged = `merged AS (
      SELECT id, parent_id FROM ${s}
      UNION ALL
      SELECT t.id, t.parent_id FROM ${entity.table} t WHERE NOT EXISTS (SELECT 1 FROM ${s} f WHERE f.id = t.id)
    )`;
  const cycles = `${s}_cycles`;
  await db.run(
    `CREATE TEMPORARY TABLE ${cycles} AS
     WITH RECURSIVE ${merged},
     walk (start_id, node_id, depth) AS (
       SELECT id, parent_id, 1 FROM ${s} WHERE parent_id IS NOT NULL
       UNION ALL
       SELECT w.start_id, m.parent_id, w.depth + 1
       FROM walk w JOIN merged m ON m.id = w.node_id
       WHERE w.node_id <> w.start_id AND m.parent_id IS NOT NULL AND w.depth < ${MAX_HIERARCHY_DEPTH}
     )
     SELECT DISTINCT start_id AS id FROM walk WHERE node_id = start_id`,
  );
  const rows = await db.query<{ id: string; parent_id: string; _row: number; _line: number }>(
    `SELECT id, parent_id, _row, ${staging.lineColumn} AS _line FROM ${s} WHERE id IN (SELECT id FROM ${cycles}) ORDER BY _row`,
  );
  const parents = new Map(
    (await db.query<{ id: string; parent_id: string }>(`WITH ${merged} SELECT id, parent_id FROM merged WHERE id IN (SELECT id FROM ${cycles})`)).map((r) => [r.id, r.parent_id]),
  );
  // Dropped on success only: after a failed statement PostgreSQL refuses more until the rollback, which drops it anyway.
  if (remove) await db.run(`DELETE FROM ${s} WHERE id IN (SELECT id FROM ${cycles})`);
  await db.run(`DROP TABLE ${cycles}`);
  if (rows.length === 0) return 0;
  // A cycle may run through stored rows: look their parents up as the path reaches them.
  const parentOf = async (id: string): Promise<string | undefined> => {
    if (!parents.has(id)) {
      const [row] = await db.query<{ parent_id: string | null }>(sql`WITH ${sql.raw(merged)} SELECT parent_id FROM merged WHERE id = ${id}`);
      parents.set(id, row?.parent_id ?? '');
    }
    return parents.get(id) || undefined;
  };
  const listed: RowError[] = [];
  for (const row of rows.slice(0, MAX_LISTED_ERRORS)) {
    const path = [row.id];
    for (let node = await parentOf(row.id); node !== undefined && path.length <= MAX_HIERARCHY_DEPTH; node = await parentOf(node)) {
      path.push(node);
      if (node === row.id) break;
    }
    listed.push({
      ...positionOf(row._row, row._line),
      column: label,
      value: row.parent_id,
      reason: `"${row.id}" would be its own ancestor: ${path.join(' → ')}`,
      code: 'ownAncestor',
      params: { id: row.id, path: path.join(' → ') },
    });
  }
  errors.addFound(rows.length, listed);
  return remove ? rows.length : 0;
}
