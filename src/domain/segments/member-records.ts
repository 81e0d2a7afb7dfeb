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

/**
 * An Excel workbook of records: a header row of field names, then one row per record; lists
 * joined with ", ", additional properties as columns of their own.
 */
export async function recordsToXlsx(records: readonly EntityRecord[], columns: readonly string[], sheetName: string): Promise<Buffer> {
  const { default: ExcelJS } = await import('exceljs');
  const workbook = new ExcelJS.Workbook();
  // Sheet names: at most 31 characters, none of : \ / ? * [ ].
  const sheet = workbook.addWorksheet(sheetName.replace(/[:\\/?*[\]]/g, ' ').slice(0, 31) || 'members');
  const propertyNames = [...new Set(records.flatMap((r) => Object.keys((r.properties as Record<string, unknown> | undefined) ?? {})))].sort();
  sheet.columns = [...columns, ...propertyNames].map((name) => ({ header: name, key: name, width: name === 'name' ? 40 : 16 }));
  sheet.getRow(1).font = { bold: true };
  const cell = (value: unknown) => (Array.isArray(value) ? value.join(', ') : value === undefined ? null : value);
  for (const record of records) {
    const properties = (record.properties as Record<string, unknown> | undefined) ?? {};
    sheet.addRow([...columns.map((c) => cell(record[c])), ...propertyNames.map((p) => cell(properties[p]))]);
  }
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
