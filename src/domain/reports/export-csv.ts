import { AppError } from '../../errors/app-error.js';
import type { CellValue, ReportResult, ReportTable } from './report.js';

/** The table a CSV export writes: the one named, or the report's first. */
export function pickTable(result: ReportResult, name?: string): ReportTable {
  const table = name ? result.tables.find((t) => t.name === name) : result.tables[0];
  if (!table) throw new AppError('REPORT_TABLE_NOT_FOUND', { report: result.report, table: name ?? '', tables: result.tables.map((t) => t.name).join(', ') });
  return table;
}

const cell = (value: CellValue): string => {
  if (value === null) return '';
  const text = String(value);
  return /[",;\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
};

/**
 * One report table as CSV: UTF-8 with a byte-order mark (so Excel reads Cyrillic), a header of
 * column titles, comma-separated, RFC 4180 quoting, CRLF line ends, numbers with a decimal point
 * and full precision, shares as fractions (0.25), empty for no value.
 */
export function tableToCsv(table: ReportTable): string {
  const lines = [table.columns.map((c) => cell(c.title)).join(','), ...table.rows.map((row) => table.columns.map((c) => cell(row[c.key] ?? null)).join(','))];
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}
