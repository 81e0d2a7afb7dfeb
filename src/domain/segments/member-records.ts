import { ENTITIES } from '../../model/entities.js';
import { rowToRecord, type EntityRecord } from '../../model/records.js';
import type { Queryable } from '../../storage/database.js';
import type { SegmentKind } from './segment.schema.js';

/** Full records (partners or products) for a page of member ids, in the ids' order. */
export async function memberRecords(db: Queryable, kind: SegmentKind, ids: readonly string[]): Promise<EntityRecord[]> {
  if (ids.length === 0) return [];
  const entity = kind === 'product' ? ENTITIES.products : ENTITIES.partners;
  const rows = await db.query(
    `SELECT * FROM ${entity.table} WHERE id IN (${ids.map((_, i) => `$${i + 1}`).join(', ')})`,
    ids,
  );
  const byId = new Map(rows.map((row) => [String(row.id), rowToRecord(entity, row)]));
  return ids.map((id) => byId.get(id)).filter((r): r is EntityRecord => r !== undefined);
}

/** CSV text of records (RFC 4180 quoting; lists joined with "|"). */
export function recordsToCsv(records: readonly EntityRecord[], columns: readonly string[]): string {
  const cell = (value: unknown): string => {
    if (value === null || value === undefined) return '';
    const text = Array.isArray(value) ? value.join('|') : typeof value === 'object' ? JSON.stringify(value) : String(value);
    return /[",;\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
  };
  const lines = [columns.join(','), ...records.map((r) => columns.map((c) => cell(r[c])).join(','))];
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}
