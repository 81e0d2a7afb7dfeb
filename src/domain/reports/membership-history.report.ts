import { z } from 'zod';
import { isScoped, partnerInScope } from '../access/partner-scope-sql.js';
import { sql } from '../../sql/sql.js';
import { segmentSize } from '../segments/member-pages.js';
import { column, defineReport, fullTable } from './report.js';
import { dateParam, limitParam, segmentParam } from './report-params.js';
import { memberTable, reportSegment } from './report-segments.js';

/**
 * Who entered and who left a stored segment, and when (each generation, check on create and
 * each manual edit records it): the events, newest first, and the count of each per day.
 */
export const membershipHistoryReport = defineReport({
  name: 'membership-history',
  title: 'Membership history of a segment',
  description: 'Who entered and who left a stored segment and when, with daily counts',
  params: z.object({
    segment: segmentParam,
    from: dateParam.optional().describe('First day (default: from the start)'),
    to: dateParam.optional().describe('Last day (default: up to now)'),
    limit: limitParam,
  }),
  async run(db, scope, params) {
    const segment = await reportSegment(db, 'membership-history', params.segment, { stored: true });
    const where = [sql`h.segment_id = ${segment.id}`];
    if (params.from) where.push(sql`h.occurred_at >= CAST(${params.from} AS DATE)`);
    if (params.to) where.push(sql`h.occurred_at < CAST(${params.to} AS DATE) + 1`);
    if (segment.kind === 'partner' && isScoped(scope)) where.push(partnerInScope(scope, sql`h.member_id`));
    const clause = sql.join(where, sql` AND `);
    const daily = await db.query<{ day: string; entered: number; left_count: number }>(
      sql`SELECT CAST(h.occurred_at AS DATE) AS day, SUM(CASE WHEN h.event = 'entered' THEN 1 ELSE 0 END) AS entered,
         SUM(CASE WHEN h.event = 'left' THEN 1 ELSE 0 END) AS left_count
       FROM segment_history h WHERE ${clause} GROUP BY 1 ORDER BY 1`,
    );
    const events = await db.query<{ at: string; member_id: string; name: string | null; event: string; run_id: number | null }>(
      sql`SELECT h.occurred_at AS at, h.member_id, e.name, h.event, h.run_id FROM segment_history h
       LEFT JOIN ${sql.raw(memberTable(segment.kind))} e ON e.id = h.member_id
       WHERE ${clause} ORDER BY h.occurred_at DESC, h.member_id, h.event LIMIT ${sql.raw(String(Math.trunc(params.limit)))}`,
    );
    const entered = daily.reduce((sum, d) => sum + Number(d.entered), 0);
    const left = daily.reduce((sum, d) => sum + Number(d.left_count), 0);
    return {
      parameters: { segment: segment.id, from: params.from ?? null, to: params.to ?? null, limit: params.limit },
      summary: { segment: segment.id, segmentName: segment.name, method: segment.method, entered, left, membersNow: await segmentSize(db, scope, segment) },
      tables: [
        {
          ...fullTable(
            'events',
            'Entered and left, newest first',
            [column('at', 'When'), column('memberId', 'Id'), column('name', 'Name'), column('event', 'Event'), column('runId', 'Generation run', 'integer')],
            events.map((e) => ({ at: e.at, memberId: e.member_id, name: e.name, event: e.event, runId: e.run_id })),
          ),
          total: entered + left,
        },
        fullTable(
          'days',
          'By day',
          [column('date', 'Date', 'date'), column('entered', 'Entered', 'integer'), column('left', 'Left', 'integer'), column('net', 'Net change', 'integer')],
          daily.map((d) => ({ date: d.day, entered: Number(d.entered), left: Number(d.left_count), net: Number(d.entered) - Number(d.left_count) })),
        ),
      ],
    };
  },
});
