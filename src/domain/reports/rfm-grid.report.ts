import { ALL_PARTNERS } from '../access/principal.js';
import { z } from 'zod';
import { partnerInScope } from '../access/partner-scope-sql.js';
import { sql } from '../../sql/sql.js';
import { getRfmSettings } from '../analytics/rfm.js';
import { lastScoreRun } from '../analytics/score-runs.js';
import { column, defineReport, fullTable, type CellValue } from './report.js';
import { segmentParam } from './report-params.js';
import { reportMembers, reportSegment } from './report-segments.js';

/**
 * The RFM grid (SPEC §6): customers by recency score (rows, best on top) × frequency score
 * (columns), each cell with how many customers and their revenue in the RFM window
 * (`rfm.monetary`), from the stored scores of the last refresh.
 */
export const rfmGridReport = defineReport({
  name: 'rfm-grid',
  title: 'RFM grid: recency × frequency',
  description: 'Customers and their revenue in each cell of recency score × frequency score, from the last RFM refresh',
  params: z.object({
    segment: segmentParam.optional().describe("Only this segment's partners (its current composition)"),
  }),
  async run(db, scope, params) {
    const run = await lastScoreRun(db, 'rfm');
    const runBins = (run?.settings as { bins?: number } | undefined)?.bins;
    const bins = runBins ?? (await getRfmSettings(db)).bins;
    let filter = sql.empty;
    if (params.segment) {
      const segment = await reportSegment(db, 'rfm-grid', params.segment, { kind: 'partner' });
      // The scores query below applies the scope; the segment's members need not again.
      filter = sql`AND s.partner_id IN (SELECT id FROM (${await reportMembers(db, ALL_PARTNERS, segment, undefined)}) m)`;
    }
    // One scan of the scores, pivoted per partner, then counted per cell.
    const cells = await db.query<{ r: number; f: number; n: number; revenue: number | null }>(
      sql`SELECT r, f, COUNT(*) AS n, SUM(m) AS revenue FROM (
         SELECT s.partner_id, MAX(CASE WHEN s.score = 'rfm.r' THEN s.value END) AS r, MAX(CASE WHEN s.score = 'rfm.f' THEN s.value END) AS f,
           MAX(CASE WHEN s.score = 'rfm.monetary' THEN s.value END) AS m
         FROM partner_scores s WHERE s.score IN ('rfm.r', 'rfm.f', 'rfm.monetary') AND ${partnerInScope(scope, sql`s.partner_id`)} ${filter}
         GROUP BY s.partner_id) p
       WHERE r IS NOT NULL AND f IS NOT NULL
       GROUP BY r, f`,
    );
    const top = Math.max(bins, ...cells.map((c) => Number(c.r)), ...cells.map((c) => Number(c.f)));
    const key = (r: number, f: number) => `${r}/${f}`;
    const byCell = new Map(cells.map((c) => [key(Number(c.r), Number(c.f)), { n: Number(c.n), revenue: Number(c.revenue ?? 0) }]));
    const customers = cells.reduce((sum, c) => sum + Number(c.n), 0);
    const revenue = cells.reduce((sum, c) => sum + Number(c.revenue ?? 0), 0);
    const scores = Array.from({ length: top }, (_, i) => i + 1);
    const fColumns = scores.map((f) => column(`f${f}`, `F${f}`, 'number'));
    const empty = { n: 0, revenue: 0 };
    const grid = (pick: (cell: { n: number; revenue: number }) => number): Record<string, CellValue>[] =>
      [...scores].reverse().map((r) => ({
        r: `R${r}`,
        ...Object.fromEntries(scores.map((f) => [`f${f}`, pick(byCell.get(key(r, f)) ?? empty)])),
        total: scores.reduce((sum, f) => sum + pick(byCell.get(key(r, f)) ?? empty), 0),
      }));
    const round4 = (n: number) => Math.round(n * 10_000) / 10_000;
    const long: Record<string, CellValue>[] = [];
    for (const r of [...scores].reverse()) {
      for (const f of scores) {
        const c = byCell.get(key(r, f)) ?? empty;
        long.push({ r, f, customers: c.n, revenue: round4(c.revenue), customerShare: customers ? c.n / customers : 0, revenueShare: revenue ? c.revenue / revenue : 0 });
      }
    }
    return {
      parameters: { segment: params.segment ?? null },
      summary: { bins: top, customers, revenue: round4(revenue), asOf: run?.asOf ?? null, refreshedAt: run?.finishedAt ?? null },
      tables: [
        fullTable(
          'customers',
          'Customers by R (rows) × F (columns)',
          [column('r', 'R'), ...fColumns.map((c) => ({ ...c, type: 'integer' as const })), column('total', 'Total', 'integer')],
          grid((c) => c.n),
        ),
        fullTable(
          'revenue',
          'Revenue in the RFM window by R × F',
          [column('r', 'R'), ...fColumns, column('total', 'Total', 'number')],
          grid((c) => round4(c.revenue)),
        ),
        fullTable(
          'cells',
          'Cells',
          [
            column('r', 'R', 'integer'),
            column('f', 'F', 'integer'),
            column('customers', 'Customers', 'integer'),
            column('revenue', 'Revenue', 'number'),
            column('customerShare', 'Share of customers', 'share'),
            column('revenueShare', 'Share of revenue', 'share'),
          ],
          long,
        ),
      ],
    };
  },
});
