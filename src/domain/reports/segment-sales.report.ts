import { z } from 'zod';
import { addMonths, startOf } from '../../rules/calendar.js';
import { resolveAsOf } from '../../sql/compile/compile-rule.js';
import { partnerInScope } from '../access/partner-scope-sql.js';
import { sql } from '../../sql/sql.js';
import { column, defineReport, fullTable, type CellValue } from './report.js';
import { asOfParam, dateParam, membersAsOfParam, segmentParam } from './report-params.js';
import { reportMembers, reportSegment } from './report-segments.js';

const MONTH = 'CAST(EXTRACT(YEAR FROM s.date) AS INTEGER) * 100 + CAST(EXTRACT(MONTH FROM s.date) AS INTEGER)';

/** Every month from the one holding `from` to the one holding `to`, as yyyymm numbers. */
function monthsBetween(from: string, to: string): number[] {
  const months: number[] = [];
  for (let day = startOf(from, 'month'); day <= to; day = addMonths(day, 1)) months.push(Number(day.slice(0, 4)) * 100 + Number(day.slice(5, 7)));
  return months;
}

/**
 * Sales of a segment's partners (or of a product segment's products) by month: revenue, cost,
 * gross profit (revenue − cost; a line without cost counts 0), quantity, purchase documents and
 * buying partners. Returns (negative lines) reduce the sums in the month they are dated.
 */
export const segmentSalesReport = defineReport({
  name: 'segment-sales',
  title: 'Sales of a segment by month',
  description: "Revenue, gross profit and quantity of the segment's partners (or products) by month; months without sales show zeros",
  params: z.object({
    segment: segmentParam,
    from: dateParam.optional().describe('First day (default: the first day of the month 11 months before asOf)'),
    to: dateParam.optional().describe('Last day (default asOf)'),
    asOf: asOfParam.describe('The end of the default period; a dynamic segment is evaluated on it (default today)'),
    membersAsOf: membersAsOfParam,
  }),
  async run(db, scope, params) {
    const segment = await reportSegment(db, 'segment-sales', params.segment);
    const asOf = resolveAsOf(params.asOf);
    const to = params.to ?? asOf;
    const from = params.from ?? addMonths(startOf(asOf, 'month'), -11);
    // A partner segment's members are already the scope's; a product segment's sales are filtered by partner.
    const members = await reportMembers(db, scope, segment, asOf, params.membersAsOf);
    const key = sql.raw(segment.kind === 'product' ? 's.product_id' : 's.partner_id');
    const rows = await db.query<{ month: number; revenue: number; cost: number; quantity: number; documents: number; partners: number }>(
      sql`SELECT ${sql.raw(MONTH)} AS month, SUM(s.revenue) AS revenue, SUM(COALESCE(s.cost, 0)) AS cost, SUM(s.quantity) AS quantity,
         COUNT(DISTINCT CASE WHEN s.quantity >= 0 THEN s.partner_id || '/' || s.document END) AS documents,
         COUNT(DISTINCT s.partner_id) AS partners
       FROM sales s
       WHERE s.date >= CAST(${from} AS DATE) AND s.date <= CAST(${to} AS DATE) AND ${key} IN (SELECT id FROM (${members}) m)
         ${segment.kind === 'product' ? sql`AND ${partnerInScope(scope, sql`s.partner_id`)}` : sql.empty}
       GROUP BY 1`,
    );
    const byMonth = new Map(rows.map((r) => [Number(r.month), r]));
    const totals = { revenue: 0, cost: 0, quantity: 0 };
    const table: Record<string, CellValue>[] = monthsBetween(from, to).map((m) => {
      const r = byMonth.get(m);
      const revenue = Number(r?.revenue ?? 0);
      const cost = Number(r?.cost ?? 0);
      const quantity = Number(r?.quantity ?? 0);
      totals.revenue += revenue;
      totals.cost += cost;
      totals.quantity += quantity;
      return {
        month: `${Math.floor(m / 100)}-${String(m % 100).padStart(2, '0')}`,
        revenue,
        cost,
        grossProfit: revenue - cost,
        quantity,
        documents: Number(r?.documents ?? 0),
        partners: Number(r?.partners ?? 0),
      };
    });
    const round4 = (n: number) => Math.round(n * 10_000) / 10_000;
    return {
      parameters: { segment: segment.id, from, to, asOf, membersAsOf: params.membersAsOf ?? null },
      summary: {
        segment: segment.id,
        segmentName: segment.name,
        kind: segment.kind,
        revenue: round4(totals.revenue),
        cost: round4(totals.cost),
        grossProfit: round4(totals.revenue - totals.cost),
        quantity: round4(totals.quantity),
      },
      tables: [
        fullTable(
          'months',
          'By month',
          [
            column('month', 'Month'),
            column('revenue', 'Revenue', 'number'),
            column('cost', 'Cost', 'number'),
            column('grossProfit', 'Gross profit', 'number'),
            column('quantity', 'Quantity', 'number'),
            column('documents', 'Documents', 'integer'),
            column('partners', 'Partners who bought', 'integer'),
          ],
          table,
        ),
      ],
    };
  },
});
