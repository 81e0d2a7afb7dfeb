import { ENTITIES } from '../../model/entities.js';
import { csvRow } from '../reports/export-csv.js';
import type { CellValue } from '../reports/report.js';
import { rowToRecord, type EntityRecord } from '../../model/records.js';
import type { Queryable } from '../../sql/queryable.js';
import { sql } from '../../sql/sql.js';
import type { SegmentKind } from './segment.schema.js';

/** Full records (partners or products) for a page of member ids, in the ids' order. */
export async function memberRecords(db: Queryable, kind: SegmentKind, ids: readonly string[]): Promise<EntityRecord[]> {
  if (ids.length === 0) return [];
  const entity = kind === 'product' ? ENTITIES.products : ENTITIES.partners;
  const rows = await db.query(sql`SELECT * FROM ${sql.raw(entity.table)} WHERE id IN (${sql.list(ids)})`);
  const byId = new Map(rows.map((row) => [String(row.id), rowToRecord(entity, row)]));
  return ids.map((id) => byId.get(id)).filter((r): r is EntityRecord => r !== undefined);
}

/** CSV text of records (RFC 4180 quoting; lists joined with "|"; formula-like text neutralised, see csvCell). */
export function recordsToCsv(records: readonly EntityRecord[], columns: readonly string[]): string {
  const cell = (value: unknown): CellValue => (Array.isArray(value) ? value.join('|') : value !== null && typeof value === 'object' ? JSON.stringify(value) : ((value ?? null) as CellValue));
  const lines = [csvRow(columns), ...records.map((r) => csvRow(columns.map((c) => cell(r[c]))))];
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}
