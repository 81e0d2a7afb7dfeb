import type { Queryable } from '../sql/queryable.js';
import { quote } from './field-coercers.js';
import { MAX_LISTED_ERRORS, type RowError } from './import-report.js';
import type { PositionOf } from './reference-check.js';
import type { RowErrorLog } from './row-errors.js';
import type { Staging } from './staging.js';

/**
 * Prices are set in set-by-hand price types only: a derived type's prices are computed from its
 * base (docs/sales-terms.md#prices). Staged rows naming a derived type are logged as bad rows
 * (`price type "wholesale" is derived from "retail": …`) and, with `remove`, left out.
 */
export async function checkDerivedPriceRows(db: Queryable, staging: Staging, label: string, errors: RowErrorLog, positionOf: PositionOf, remove: boolean): Promise<number> {
  const s = staging.table;
  const derived = `EXISTS (SELECT 1 FROM price_types t WHERE t.id = ${s}.price_type_id AND t.base_type_id IS NOT NULL)`;
  const [count] = await db.query<{ n: number }>(`SELECT COUNT(*) AS n FROM ${s} WHERE ${derived}`);
  const bad = Number(count?.n ?? 0);
  if (bad === 0) return 0;
  const rows = await db.query<{ _row: number; _line: number; value: string; base: string }>(
    `SELECT _row, ${staging.lineColumn} AS _line, price_type_id AS value, (SELECT t.base_type_id FROM price_types t WHERE t.id = ${s}.price_type_id) AS base
     FROM ${s} WHERE ${derived} ORDER BY _row LIMIT ${MAX_LISTED_ERRORS}`,
  );
  const listed: RowError[] = rows.map((row) => ({
    ...positionOf(row._row, row._line),
    column: label,
    value: row.value,
    reason: `price type ${quote(row.value)} is derived from ${quote(row.base)}: its prices are computed, import them into ${quote(row.base)}`,
  }));
  errors.addFound(bad, listed, bad);
  if (!remove) return 0;
  await db.run(`DELETE FROM ${s} WHERE ${derived}`);
  return bad;
}
