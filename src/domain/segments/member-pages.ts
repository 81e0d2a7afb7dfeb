import type { Database } from '../../storage/database.js';
import { compositionQuery } from './membership-source.js';
import type { Segment } from './segment.schema.js';
import type { MemberSort } from '../../model/segment-vocabulary.js';

/** Reading compositions: a page of member ids (dynamic ones computed, stored ones read), and sizes. */

export interface MemberPage {
  readonly ids: string[];
  readonly total: number;
}

export { MEMBER_SORTS, type MemberSort } from '../../model/segment-vocabulary.js';
export interface MemberOrder {
  readonly sort: MemberSort;
  readonly order: 'asc' | 'desc';
}

export async function memberIds(db: Database, segment: Segment, page: { limit: number; offset: number }, asOf?: string, order: MemberOrder = { sort: 'id', order: 'asc' }): Promise<MemberPage> {
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
