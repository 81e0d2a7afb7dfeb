import { scopedMemberIds } from '../access/partner-scope-sql.js';
import type { PartnerScope } from '../access/principal.js';
import type { Database } from '../../storage/database.js';
import { sql, type Sql } from '../../sql/sql.js';
import { compositionQuery } from './membership-source.js';
import type { Segment } from './segment.schema.js';
import type { MemberSort } from '../../model/segment-vocabulary.js';

/**
 * Reading compositions: a page of member ids (dynamic ones computed, stored ones read), and
 * sizes — of a partner segment, only the members in the caller's scope (docs/security.md).
 */

export interface MemberPage {
  readonly ids: string[];
  readonly total: number;
}

export { MEMBER_SORTS, type MemberSort } from '../../model/segment-vocabulary.js';
export interface MemberOrder {
  readonly sort: MemberSort;
  readonly order: 'asc' | 'desc';
}

/** The ids of a segment's current members (as of a date: from history, or the rule's) that the scope sees. */
export async function scopedComposition(db: Database, scope: PartnerScope, segment: Segment, asOf?: string): Promise<Sql> {
  return scopedMemberIds(scope, segment.kind, sql.embed(await compositionQuery(db, segment, asOf)));
}

export async function memberIds(
  db: Database,
  scope: PartnerScope,
  segment: Segment,
  page: { limit: number; offset: number },
  asOf?: string,
  order: MemberOrder = { sort: 'id', order: 'asc' },
): Promise<MemberPage> {
  const query = await scopedComposition(db, scope, segment, asOf);
  const [count] = await db.query<{ n: number }>(sql`SELECT COUNT(*) AS n FROM (${query}) q`);
  const direction = sql.raw(order.order === 'desc' ? 'DESC' : 'ASC');
  const table = sql.raw(segment.kind === 'product' ? 'products' : 'partners');
  // Identifiers come from the fixed lists above, never from the request.
  const select =
    order.sort === 'name'
      ? sql`SELECT q.id FROM (${query}) q JOIN ${table} e ON e.id = q.id ORDER BY e.name ${direction}, q.id ${direction}`
      : sql`SELECT id FROM (${query}) q ORDER BY id ${direction}`;
  const rows = await db.query<{ id: string }>(sql`${select} LIMIT ${sql.raw(String(Math.trunc(page.limit)))} OFFSET ${sql.raw(String(Math.trunc(page.offset)))}`);
  return { ids: rows.map((r) => r.id), total: count?.n ?? 0 };
}

/** How many members a segment has now, of those the scope sees. */
export async function segmentSize(db: Database, scope: PartnerScope, segment: Segment): Promise<number> {
  const query = await scopedComposition(db, scope, segment);
  const [count] = await db.query<{ n: number }>(sql`SELECT COUNT(*) AS n FROM (${query}) q`);
  return count?.n ?? 0;
}
