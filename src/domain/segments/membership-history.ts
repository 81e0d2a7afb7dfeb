import { isScoped, partnerInScope } from '../access/partner-scope-sql.js';
import type { PartnerScope } from '../access/principal.js';
import type { Queryable } from '../../sql/queryable.js';
import { sql, type Sql } from '../../sql/sql.js';
import type { HistoryEvent as HistoryEventShown } from './segment-api.schema.js';
import type { Segment } from './segment.schema.js';

/** Reading `segment_history`: who entered and left a stored segment, and its members as of a past date. */

/** An event of the history as stored: the API adds the member's name (segment-api.schema.ts). */
export type HistoryEvent = Omit<HistoryEventShown, 'name'>;

/** The events of a stored segment, newest first; of a partner segment, only the scope's partners'. */
export async function listHistory(
  db: Queryable,
  scope: PartnerScope,
  segment: Pick<Segment, 'id' | 'kind'>,
  options: { from?: string; to?: string; memberId?: string; limit: number; offset: number },
): Promise<{ items: HistoryEvent[]; total: number }> {
  const where = [sql`segment_id = ${segment.id}`];
  if (options.from) where.push(sql`occurred_at >= CAST(${options.from} AS DATE)`);
  if (options.to) where.push(sql`occurred_at < CAST(${options.to} AS DATE) + 1`);
  if (options.memberId) where.push(sql`member_id = ${options.memberId}`);
  if (segment.kind === 'partner' && isScoped(scope)) where.push(partnerInScope(scope, sql`member_id`));
  const clause = sql.join(where, sql` AND `);
  const [count] = await db.query<{ n: number }>(sql`SELECT COUNT(*) AS n FROM segment_history WHERE ${clause}`);
  const rows = await db.query<{ member_id: string; event: string; at: string; run_id: number | null }>(
    sql`SELECT member_id, event, occurred_at AS at, run_id FROM segment_history WHERE ${clause} ORDER BY occurred_at DESC, member_id LIMIT ${sql.raw(String(Math.trunc(options.limit)))} OFFSET ${sql.raw(String(Math.trunc(options.offset)))}`,
  );
  return {
    items: rows.map((r) => ({ memberId: r.member_id, event: r.event as HistoryEvent['event'], at: r.at, runId: r.run_id })),
    total: count?.n ?? 0,
  };
}

/**
 * Members of a stored segment as of the end of a date, from its history: those whose last
 * event on or before that date is "entered".
 */
export function historyQuery(segmentId: string, date: string): Sql {
  return sql`SELECT member_id AS id FROM (
            SELECT member_id, event, ROW_NUMBER() OVER (PARTITION BY member_id ORDER BY occurred_at DESC, CASE event WHEN 'left' THEN 0 ELSE 1 END) AS rn
            FROM segment_history WHERE segment_id = ${segmentId} AND occurred_at < CAST(${date} AS DATE) + 1
          ) h WHERE rn = 1 AND event = 'entered'`;
}
