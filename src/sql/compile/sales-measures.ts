import type { RuleCatalog } from '../../rules/catalog.js';
import type { Dialect } from '../dialect.js';
import type { CompiledQuery } from './compile-rule.js';
import type { MeasureColumn } from './measure-columns.js';
import { RuleCompiler } from './rule-compiler.js';

export interface SalesMeasuresOptions {
  readonly dialect: Dialect;
  readonly catalog: RuleCatalog;
  /** The evaluation date, 'YYYY-MM-DD' (resolved). */
  readonly asOf: string;
  /** A table with the columns of `sales`: the lines whose measures are computed. */
  readonly salesTable: string;
}

/**
 * The sales measures of a batch plan's columns over another table of sale lines, one row per
 * partner having lines there, each column under the plan's name and computed as the plan
 * computes it (the same fact scans, the table substituted): an incremental pass adds them to
 * the measures kept from the full batch (src/domain/segments/measure-base.ts). Columns of
 * other sources are left out.
 *
 * @example
 * compileSalesMeasures(plan.measureColumns, { dialect, catalog, asOf: '2025-06-30', salesTable: 'refresh_new_lines' })
 * // → { sql: 'SELECT t0.id AS partner_id, COALESCE(t1.c0, 0) AS m0 FROM (SELECT DISTINCT partner_id AS id FROM refresh_new_lines) t0
 * //        LEFT JOIN (SELECT t2.partner_id, SUM(t2.revenue) AS c0 FROM refresh_new_lines t2 WHERE t2.date <= $1 GROUP BY t2.partner_id) t1 …' }
 */
export function compileSalesMeasures(columns: readonly Pick<MeasureColumn, 'spec' | 'names'>[], options: SalesMeasuresOptions): CompiledQuery {
  const compiler = new RuleCompiler(options);
  const scope = compiler.scope({ kind: 'partner', table: `(SELECT DISTINCT partner_id AS id FROM ${options.salesTable})`, salesTable: options.salesTable });
  const select = [`${scope.root}.id AS partner_id`];
  for (const { spec, names } of columns) {
    if (spec.source !== 'sales') continue;
    const left = scope.measures.leftSide(spec);
    if (left.kind === 'scalar') select.push(`${left.sql} AS ${names[0]}`);
    else if (left.kind === 'ratio') select.push(`${left.numerator} AS ${names[0]}`, `${left.denominator} AS ${names[1]}`);
    else throw new Error(`a measure has no ${left.kind} value`);
  }
  return compiler.params.finalize(`SELECT ${select.join(', ')} FROM ${scope.from()}`);
}
