import { AppError } from '../../errors/app-error.js';
import type { Database, Queryable, SqlValue } from '../../storage/database.js';
import { membersQuery } from './rule-engine.js';
import type { Segment } from './segment.schema.js';
import { sqlTimestamp } from './segments.repository.js';
import { replaceMembers } from './composition.js';

/** Reading compositions (dynamic ones computed, stored ones read), history, and manual edits. */

export interface MemberPage {
  readonly ids: string[];
  readonly total: number;
}

/** The SQL of a segment's current member ids: its rule for a dynamic segment, its stored list otherwise. */
export async function compositionQuery(db: Database, segment: Segment, asOf?: string): Promise<{ sql: string; params: SqlValue[] }> {
  if (segment.method === 'dynamic') {
    const source = await membersQuery(db, segment, asOf);
    // Custom SQL is refused for dynamic segments on save, so a dynamic source is always a query.
    if ('ids' in source) throw new AppError('CUSTOM_SQL_DYNAMIC', { id: segment.id });
    return { sql: source.sql, params: [...source.params] };
  }
  if (asOf) return historyQuery(segment.id, asOf);
  return { sql: 'SELECT member_id AS id FROM segment_members WHERE segment_id = $1', params: [segment.id] };
}

/**
 * Members of a stored segment as of the end of a date, from its history: those whose last
 * event on or before that date is "entered".
 */
export function historyQuery(segmentId: string, date: string): { sql: string; params: SqlValue[] } {
  return {
    sql: `SELECT member_id AS id FROM (
            SELECT member_id, event, ROW_NUMBER() OVER (PARTITION BY member_id ORDER BY occurred_at DESC, CASE event WHEN 'left' THEN 0 ELSE 1 END) AS rn
            FROM segment_history WHERE segment_id = $1 AND occurred_at < CAST($2 AS DATE) + 1
          ) h WHERE rn = 1 AND event = 'entered'`,
    params: [segmentId, date],
  };
}

import type { MemberSort } from '../../model/segment-vocabulary.js';

export { MEMBER_SORTS, type MemberSort } from '../../model/segment-vocabulary.js';
export interface MemberOrder {
  readonly sort: MemberSort;
  readonly order: 'asc' | 'desc';
}

export async function memberIds(
  db: Database,
  segment: Segment,
  page: { limit: number; offset: number },
  asOf?: string,
  order: MemberOrder = { sort: 'id', order: 'asc' },
): Promise<MemberPage> {
  const query = await compositionQuery(db, segment, asOf);
  const [count] = await db.query<{ n: number }>(`SELECT COUNT(*) AS n FROM (${query.sql}) q`, query.params);
  const direction = order.order === 'desc' ? 'DESC' : 'ASC';
  const table = segment.kind === 'product' ? 'products' : 'partners';
  // Identifiers come from the fixed lists above, never from the request.
  const sql =
    order.sort === 'name'
      ? `SELECT q.id FROM (${query.sql}) q JOIN ${table} e ON e.id = q.id ORDER BY e.name ${direction}, q.id ${direction}`
      : `SELECT id FROM (${query.sql}) q ORDER BY id ${direction}`;
  const rows = await db.query<{ id: string }>(`${sql} LIMIT ${Math.trunc(page.limit)} OFFSET ${Math.trunc(page.offset)}`, query.params);
  return { ids: rows.map((r) => r.id), total: count?.n ?? 0 };
}

export async function segmentSize(db: Database, segment: Segment): Promise<number> {
  const query = await compositionQuery(db, segment);
  const [count] = await db.query<{ n: number }>(`SELECT COUNT(*) AS n FROM (${query.sql}) q`, query.params);
  return count?.n ?? 0;
}

function requireManual(segment: Segment): void {
  if (segment.method !== 'manual') throw new AppError('SEGMENT_NOT_MANUAL', { id: segment.id, method: segment.method });
}

async function checkMembersExist(tx: Queryable, segment: Segment, ids: readonly string[]): Promise<void> {
  const table = segment.kind === 'product' ? 'products' : 'partners';
  const unique = [...new Set(ids)];
  const found = new Set<string>();
  for (let i = 0; i < unique.length; i += 1000) {
    const chunk = unique.slice(i, i + 1000);
    const rows = await tx.query<{ id: string }>(`SELECT id FROM ${table} WHERE id IN (${chunk.map((_, j) => `$${j + 1}`).join(', ')})`, chunk);
    for (const r of rows) found.add(r.id);
  }
  const missing = unique.filter((id) => !found.has(id));
  if (missing.length) throw new AppError('ENTITY_NOT_FOUND', { entity: segment.kind, id: missing.slice(0, 20).join(', '), missing });
}

/** Adds members to a manual segment; ids already there are left as they are. Returns how many were added. */
export async function addMembers(db: Database, segment: Segment, ids: readonly string[]): Promise<number> {
  requireManual(segment);
  return db.transaction(async (tx) => {
    await checkMembersExist(tx, segment, ids);
    const existing = new Set(
      (await tx.query<{ id: string }>('SELECT member_id AS id FROM segment_members WHERE segment_id = $1', [segment.id])).map((r) => r.id),
    );
    const fresh = [...new Set(ids)].filter((id) => !existing.has(id));
    const at = sqlTimestamp();
    for (let i = 0; i < fresh.length; i += 500) {
      const chunk = fresh.slice(i, i + 500);
      const params: SqlValue[] = [segment.id, at, ...chunk];
      const values = chunk.map((_, j) => `($1, $${j + 3}, CAST($2 AS TIMESTAMP))`).join(', ');
      await tx.run(`INSERT INTO segment_members (segment_id, member_id, added_at) VALUES ${values}`, params);
      const events = chunk.map((_, j) => `($1, $${j + 3}, 'entered', CAST($2 AS TIMESTAMP), NULL)`).join(', ');
      await tx.run(`INSERT INTO segment_history (segment_id, member_id, event, occurred_at, run_id) VALUES ${events}`, params);
    }
    return fresh.length;
  });
}

/** Removes members from a manual segment. Returns how many were removed. */
export async function removeMembers(db: Database, segment: Segment, ids: readonly string[]): Promise<number> {
  requireManual(segment);
  return db.transaction(async (tx) => {
    const unique = [...new Set(ids)];
    const at = sqlTimestamp();
    let removed = 0;
    for (let i = 0; i < unique.length; i += 500) {
      const chunk = unique.slice(i, i + 500);
      const list = chunk.map((_, j) => `$${j + 2}`).join(', ');
      const params: SqlValue[] = [segment.id, ...chunk];
      const present = await tx.query<{ id: string }>(
        `SELECT member_id AS id FROM segment_members WHERE segment_id = $1 AND member_id IN (${list})`,
        params,
      );
      if (!present.length) continue;
      await tx.run(
        `INSERT INTO segment_history (segment_id, member_id, event, occurred_at, run_id) SELECT segment_id, member_id, 'left', CAST($${chunk.length + 2} AS TIMESTAMP), NULL FROM segment_members WHERE segment_id = $1 AND member_id IN (${list})`,
        [...params, at],
      );
      await tx.run(`DELETE FROM segment_members WHERE segment_id = $1 AND member_id IN (${list})`, params);
      removed += present.length;
    }
    return removed;
  });
}

/** "Fill by rule" of a manual segment: adds the matching members, or replaces the composition with them. */
export async function fillByRule(db: Database, segment: Segment, options: { replace: boolean; asOf?: string }): Promise<{ added: number; removed: number; size: number }> {
  requireManual(segment);
  if (segment.rule === null && segment.sql === null) throw new AppError('SEGMENT_HAS_NO_RULE', { id: segment.id });
  const source = await membersQuery(db, segment, options.asOf);
  if (options.replace) {
    const result = await db.transaction((tx) => replaceMembers(tx, segment.id, source, null, new Date()));
    return { added: result.entered, removed: result.left, size: result.size };
  }
  const ids = 'ids' in source ? [...source.ids] : (await db.query<{ id: string }>(`SELECT DISTINCT id FROM (${source.sql}) q`, source.params)).map((r) => r.id);
  const added = await addMembers(db, segment, ids);
  return { added, removed: 0, size: await segmentSize(db, segment) };
}
