import { z } from 'zod';
import { loadRuleCatalog } from '../../rules/catalog.js';
import { resolveAsOf } from '../../sql/compile/compile-rule.js';
import { managerInScope } from '../access/partner-scope-sql.js';
import { sql } from '../../sql/sql.js';
import { compileValues } from '../analytics/condition-values.js';
import { column, defineReport, fullTable } from './report.js';
import { asOfParam, limitParam, segmentParam } from './report-params.js';
import { reportSegment } from './report-segments.js';

const MEASURES = ['settlements.receivable', 'settlements.payable', 'settlements.overdueReceivable', 'settlements.maxDaysOverdue'] as const;

/**
 * Settlements with a segment's partners on a date, with the measures' exact meaning
 * (docs/rules.md): the balance of entries up to the date, what is overdue (payments settle the
 * oldest debts first) and for how long. Most overdue first.
 */
export const settlementsReport = defineReport({
  name: 'settlements',
  title: "Settlements with a segment's partners",
  description: 'Receivable, payable, overdue receivable and days overdue of each member on a date, most overdue first',
  params: z.object({
    segment: segmentParam,
    asOf: asOfParam.describe('The date of the balances (default today); the segment: its current composition'),
    nonZero: z
      .enum(['true', 'false'])
      .default('false')
      .transform((v) => v === 'true')
      .describe('Only partners with a balance'),
    limit: limitParam,
  }),
  async run(db, scope, params) {
    const segment = await reportSegment(db, 'settlements', params.segment, { kind: 'partner' });
    const asOf = resolveAsOf(params.asOf);
    const values = compileValues({
      conditions: MEASURES.map((measure) => ({ json: { measure, op: 'filled' }, path: measure })),
      ...(segment.method === 'dynamic' ? { filter: { json: { inSegment: segment.id }, path: 'segment' } } : { storedSegment: segment.id }),
      kind: 'partner',
      catalog: await loadRuleCatalog(db),
      dialect: db.dialect,
      asOf,
    });
    const nonZero = params.nonZero ? sql`AND (q.v0 <> 0 OR q.v1 <> 0)` : sql.empty;
    // One pass: the totals are window aggregates over every row, computed before the limit.
    const rows = await db.query<{
      id: string;
      name: string;
      manager_id: string | null;
      v0: number;
      v1: number;
      v2: number;
      v3: number;
      n: number;
      receivable: number;
      payable: number;
      overdue: number;
      late: number;
    }>(
      sql`SELECT q.id, p.name, p.manager_id, q.v0, q.v1, q.v2, q.v3, COUNT(*) OVER () AS n, SUM(q.v0) OVER () AS receivable, SUM(q.v1) OVER () AS payable,
         SUM(q.v2) OVER () AS overdue, SUM(CASE WHEN q.v2 > 0 THEN 1 ELSE 0 END) OVER () AS late
       FROM (${sql.embed(values)}) q JOIN partners p ON p.id = q.id WHERE ${managerInScope(scope, sql`p.manager_id`)} ${nonZero}
       ORDER BY q.v2 DESC, q.v3 DESC, q.v0 DESC, q.id LIMIT ${sql.raw(String(Math.trunc(params.limit)))}`,
    );
    const totals = rows[0];
    const receivable = Number(totals?.receivable ?? 0);
    const payable = Number(totals?.payable ?? 0);
    return {
      parameters: { segment: segment.id, asOf, nonZero: params.nonZero, limit: params.limit },
      summary: {
        segment: segment.id,
        segmentName: segment.name,
        partners: Number(totals?.n ?? 0),
        receivable,
        payable,
        balance: Math.round((receivable - payable) * 10_000) / 10_000,
        overdueReceivable: Number(totals?.overdue ?? 0),
        partnersOverdue: Number(totals?.late ?? 0),
      },
      tables: [
        {
          ...fullTable(
            'partners',
            'Settlements by partner',
            [
              column('partnerId', 'Id'),
              column('name', 'Partner'),
              column('manager', 'Manager'),
              column('receivable', 'Receivable (owes us)', 'number'),
              column('payable', 'Payable (we owe)', 'number'),
              column('balance', 'Balance', 'number'),
              column('overdueReceivable', 'Overdue receivable', 'number'),
              column('maxDaysOverdue', 'Days overdue', 'integer'),
            ],
            rows.map((r) => ({
              partnerId: r.id,
              name: r.name,
              manager: r.manager_id,
              receivable: Number(r.v0),
              payable: Number(r.v1),
              balance: Math.round((Number(r.v0) - Number(r.v1)) * 10_000) / 10_000,
              overdueReceivable: Number(r.v2),
              maxDaysOverdue: Number(r.v3),
            })),
          ),
          total: Number(totals?.n ?? 0),
        },
      ],
    };
  },
});
