import { ALL_PARTNERS } from '../access/principal.js';
import { z } from 'zod';
import { inChunks } from '../../sql/in-chunks.js';
import { partnerInScope } from '../access/partner-scope-sql.js';
import { sql } from '../../sql/sql.js';
import { getRenewSettings, RENEW_SCORE } from '../analytics/renew-index.js';
import { lastScoreRun } from '../analytics/score-runs.js';
import { column, defineReport, type CellValue } from './report.js';
import { limitParam, segmentParam } from './report-params.js';
import { reportMembers, reportSegment } from './report-segments.js';

/**
 * Leads ranked by the renew index (seed 002): whom to contact again first. Ties share a rank
 * (1, 2, 2, 4); within a tie, by name. Each chosen property is shown beside the index.
 */
export const renewRankingReport = defineReport({
  name: 'renew-ranking',
  title: 'Renew index ranking',
  description: 'Partners by renew index, highest first, with each property summed',
  params: z.object({
    segment: segmentParam.optional().describe('Only this segment (e.g. lifecycle-refused)'),
    limit: limitParam,
  }),
  async run(db, scope, params) {
    const settings = await getRenewSettings(db);
    const run = await lastScoreRun(db, 'renew');
    const properties = ((run?.settings as { properties?: string[] } | undefined)?.properties ?? settings.properties).slice();
    let filter = sql.empty;
    if (params.segment) {
      const segment = await reportSegment(db, 'renew-ranking', params.segment, { kind: 'partner' });
      // The scores query below applies the scope; the segment's members need not again.
      filter = sql`AND s.partner_id IN (SELECT id FROM (${await reportMembers(db, ALL_PARTNERS, segment, undefined)}) m)`;
    }
    // Ranked among the partners the scope sees.
    const ranked = sql`SELECT s.partner_id, s.value, RANK() OVER (ORDER BY s.value DESC) AS rank FROM partner_scores s
      WHERE s.score = ${RENEW_SCORE} AND ${partnerInScope(scope, sql`s.partner_id`)} ${filter}`;
    const rows = await db.query<{ partner_id: string; value: number; rank: number; name: string; manager_id: string | null; n: number }>(
      sql`SELECT q.partner_id, q.value, q.rank, p.name, p.manager_id, COUNT(*) OVER () AS n FROM (${ranked}) q JOIN partners p ON p.id = q.partner_id
       ORDER BY q.rank, p.name, q.partner_id LIMIT ${sql.raw(String(Math.trunc(params.limit)))}`,
    );
    const rankedCount = rows.length ? Number(rows[0]!.n) : 0;
    const values = new Map<string, number>();
    const ids = rows.map((r) => r.partner_id);
    await inChunks(ids, 1000, async (chunk) => {
      const found = await db.query<{ partner_id: string; name: string; value_number: number | null }>(
        sql`SELECT partner_id, name, value_number FROM partner_properties WHERE partner_id IN (${sql.list(chunk)}) AND name IN (${sql.list(properties)})`,
      );
      for (const f of found) if (f.value_number !== null) values.set(`${f.partner_id}\u0000${f.name}`, Number(f.value_number));
    });
    return {
      parameters: { segment: params.segment ?? null, limit: params.limit },
      summary: { ranked: rankedCount, properties: properties.join(', '), refreshedAt: run?.finishedAt ?? null },
      tables: [
        {
          name: 'ranking',
          title: 'Ranking',
          columns: [
            column('rank', 'Rank', 'integer'),
            column('partnerId', 'Id'),
            column('name', 'Partner'),
            column('manager', 'Manager'),
            column('index', 'Renew index', 'number'),
            ...properties.map((p) => column(`p:${p}`, p, 'number')),
          ],
          rows: rows.map((r) => ({
            rank: Number(r.rank),
            partnerId: r.partner_id,
            name: r.name,
            manager: r.manager_id,
            index: Number(r.value),
            ...Object.fromEntries(properties.map((p): [string, CellValue] => [`p:${p}`, values.get(`${r.partner_id}\u0000${p}`) ?? null])),
          })),
          total: rankedCount,
        },
      ],
    };
  },
});
