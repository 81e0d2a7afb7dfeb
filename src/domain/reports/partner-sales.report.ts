import { z } from 'zod';
import { addMonths, startOf } from '../../rules/calendar.js';
import { loadRuleCatalog } from '../../rules/catalog.js';
import { resolveAsOf } from '../../sql/compile/compile-rule.js';
import { sql } from '../../sql/sql.js';
import { compileValues } from '../analytics/condition-values.js';
import { getPartner } from '../partners/partners.repository.js';
import { column, defineReport, fullTable, type CellValue } from './report.js';
import { asOfParam } from './report-params.js';

const MONTH = 'CAST(EXTRACT(YEAR FROM s.date) AS INTEGER) * 100 + CAST(EXTRACT(MONTH FROM s.date) AS INTEGER)';
const SETTLEMENTS = ['settlements.receivable', 'settlements.payable', 'settlements.overdueReceivable', 'settlements.maxDaysOverdue'] as const;

/**
 * One partner's sales and settlements, as 1C's partner card sums them up: revenue, gross profit
 * and purchases by month over the last 12 months, and on the date what the partner owes, what is
 * overdue and for how long — with the rule language's meaning of each measure (docs/rules.md),
 * so the card and a segment on "overdue > 0" agree. A partner outside the scope is not found.
 */
export const partnerSalesReport = defineReport({
  name: 'partner-sales',
  title: 'Sales and settlements of a partner',
  description: "A partner's revenue, gross profit and purchases by month (the last 12 months), its debt and overdue debt on a date",
  params: z.object({
    partner: z.string().min(1).describe('Partner id'),
    asOf: asOfParam.describe('The last day of the 12 months and the date of the balances (default today)'),
  }),
  async run(db, scope, params) {
    const partner = await getPartner(db, scope, params.partner);
    const asOf = resolveAsOf(params.asOf);
    const from = addMonths(startOf(asOf, 'month'), -11);
    const rows = await db.query<{ month: number; revenue: number; cost: number; documents: number }>(
      sql`SELECT ${sql.raw(MONTH)} AS month, SUM(s.revenue) AS revenue, SUM(COALESCE(s.cost, 0)) AS cost,
         COUNT(DISTINCT CASE WHEN s.quantity >= 0 THEN s.document END) AS documents
       FROM sales s WHERE s.partner_id = ${partner.id as string} AND s.date >= CAST(${from} AS DATE) AND s.date <= CAST(${asOf} AS DATE)
       GROUP BY 1`,
    );
    const byMonth = new Map(rows.map((r) => [Number(r.month), r]));
    const months: Record<string, CellValue>[] = [];
    const totals = { revenue: 0, cost: 0, documents: 0 };
    for (let day = from; day <= asOf; day = addMonths(day, 1)) {
      const r = byMonth.get(Number(day.slice(0, 4)) * 100 + Number(day.slice(5, 7)));
      const revenue = Number(r?.revenue ?? 0);
      const cost = Number(r?.cost ?? 0);
      const documents = Number(r?.documents ?? 0);
      totals.revenue += revenue;
      totals.cost += cost;
      totals.documents += documents;
      months.push({ month: day.slice(0, 7), revenue, grossProfit: revenue - cost, documents });
    }
    const values = compileValues({
      conditions: SETTLEMENTS.map((measure) => ({ json: { measure, op: 'filled' }, path: measure })),
      filter: { json: { attr: 'id', op: 'eq', value: partner.id }, path: 'partner' },
      kind: 'partner',
      catalog: await loadRuleCatalog(db),
      dialect: db.dialect,
      asOf,
    });
    const [balances] = await db.query<{ v0: number | null; v1: number | null; v2: number | null; v3: number | null }>(sql`SELECT q.v0, q.v1, q.v2, q.v3 FROM (${sql.embed(values)}) q`);
    const round = (n: number) => Math.round(n * 100) / 100;
    const receivable = Number(balances?.v0 ?? 0);
    const payable = Number(balances?.v1 ?? 0);
    return {
      parameters: { partner: partner.id as string, asOf },
      summary: {
        partner: partner.id as string,
        partnerName: partner.name as string,
        from,
        to: asOf,
        revenue: round(totals.revenue),
        grossProfit: round(totals.revenue - totals.cost),
        documents: totals.documents,
        receivable,
        payable,
        balance: round(receivable - payable),
        overdueReceivable: Number(balances?.v2 ?? 0),
        maxDaysOverdue: Number(balances?.v3 ?? 0),
      },
      tables: [
        fullTable(
          'months',
          'By month',
          [column('month', 'Month'), column('revenue', 'Revenue', 'number'), column('grossProfit', 'Gross profit', 'number'), column('documents', 'Documents', 'integer')],
          months,
        ),
      ],
    };
  },
});
