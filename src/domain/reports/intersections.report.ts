import { z } from 'zod';
import { AppError } from '../../errors/app-error.js';
import { sql, type Sql } from '../../sql/sql.js';
import type { Segment } from '../segments/segment.schema.js';
import { listSegments } from '../segments/segments.repository.js';
import { column, defineReport, fullTable, type CellValue } from './report.js';
import { limitParam, listParam, membersAsOfParam } from './report-params.js';
import { memberTable, reportMembers, reportSegment } from './report-segments.js';

const MAX_SEGMENTS = 50;

/** The column of a segment: prefixed, so that no segment id can clash with another column. */
export const segmentKey = (id: string): string => `s:${id}`;

/**
 * Intersections of stored (periodic, manual) segments, as 1C's "пересечение сегментов": how many
 * members every pair shares (the diagonal: each segment's size), and the members that are in
 * two or more of them, with the segments each is in.
 */
export const intersectionsReport = defineReport({
  name: 'intersections',
  title: 'Intersections of segments',
  description: 'Overlap counts of every pair of stored segments, and the members in two or more of them',
  params: z.object({
    segments: listParam.optional().describe(`Segment ids, comma-separated (default: every active stored partner segment, at most ${MAX_SEGMENTS})`),
    membersAsOf: membersAsOfParam,
    limit: limitParam,
  }),
  async run(db, scope, params) {
    let segments: Segment[];
    if (params.segments && params.segments.length) {
      segments = [];
      for (const id of [...new Set(params.segments)]) segments.push(await reportSegment(db, 'intersections', id, { stored: true }));
    } else {
      segments = (await listSegments(db, { kind: 'partner', archived: false })).filter((s) => s.method !== 'dynamic').slice(0, MAX_SEGMENTS);
    }
    if (segments.length > MAX_SEGMENTS) {
      throw new AppError('VALIDATION_FAILED', { summary: `at most ${MAX_SEGMENTS} segments`, issues: [{ path: 'segments', message: `at most ${MAX_SEGMENTS}` }] });
    }
    const kind = segments[0]?.kind ?? 'partner';
    for (const s of segments) {
      if (s.kind !== kind) throw new AppError('REPORT_SEGMENT_KIND', { report: 'intersections', expected: kind, id: s.id, kind: s.kind });
    }
    const ids = segments.map((s) => s.id);
    const parts: Sql[] = [];
    for (const segment of segments) {
      const members = await reportMembers(db, scope, segment, undefined, params.membersAsOf);
      parts.push(sql`SELECT ${segment.id} AS segment_id, id AS member_id FROM (${members}) q`);
    }
    const pairs = new Map<string, number>();
    let overlapping = 0;
    let listed: Record<string, CellValue>[] = [];
    if (parts.length) {
      const m = sql`WITH m AS (${sql.join(parts, sql` UNION ALL `)})`;
      for (const r of await db.query<{ a: string; b: string; n: number }>(
        sql`${m} SELECT x.segment_id AS a, y.segment_id AS b, COUNT(*) AS n FROM m x JOIN m y ON x.member_id = y.member_id GROUP BY 1, 2`,
      )) {
        pairs.set(`${r.a}\u0000${r.b}`, Number(r.n));
      }
      const multi = sql`SELECT member_id, COUNT(*) AS k, STRING_AGG(segment_id, ',' ORDER BY segment_id) AS list FROM m GROUP BY member_id HAVING COUNT(*) >= 2`;
      const [count] = await db.query<{ n: number }>(sql`${m} SELECT COUNT(*) AS n FROM (${multi}) o`);
      overlapping = Number(count?.n ?? 0);
      const rows = await db.query<{ member_id: string; name: string; k: number; list: string }>(
        sql`${m} SELECT o.member_id, e.name, o.k, o.list FROM (${multi}) o JOIN ${sql.raw(memberTable(kind))} e ON e.id = o.member_id ORDER BY o.member_id LIMIT ${sql.raw(String(Math.trunc(params.limit)))}`,
      );
      listed = rows.map((r) => {
        const inSegments = new Set(r.list.split(','));
        return {
          memberId: r.member_id,
          name: r.name,
          segments: Number(r.k),
          ...Object.fromEntries(ids.map((id) => [segmentKey(id), inSegments.has(id) ? 1 : 0])),
        };
      });
    }
    const overlapRows = segments.map((a) => ({
      segment: a.id,
      name: a.name,
      ...Object.fromEntries(ids.map((b) => [segmentKey(b), pairs.get(`${a.id}\u0000${b}`) ?? 0])),
    }));
    const segmentColumns = segments.map((s) => column(segmentKey(s.id), s.name, 'integer'));
    return {
      parameters: { segments: ids, membersAsOf: params.membersAsOf ?? null, limit: params.limit },
      summary: { segments: ids.length, kind, membersInOverlaps: overlapping },
      tables: [
        fullTable('overlaps', 'Members in both segments (diagonal: segment size)', [column('segment', 'Segment'), column('name', 'Name'), ...segmentColumns], overlapRows),
        {
          name: 'members',
          title: 'Members in two or more of the segments (1: in that segment)',
          columns: [column('memberId', 'Id'), column('name', 'Name'), column('segments', 'Segments', 'integer'), ...segmentColumns],
          rows: listed,
          total: overlapping,
        },
      ],
    };
  },
});
