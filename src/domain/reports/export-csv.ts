import { AppError } from '../../errors/app-error.js';
import type { CellValue, ReportResult, ReportTable } from './report.js';

/** The table a CSV export writes: the one named, or the report's first. */
export function pickTable(result: ReportResult, name?: string): ReportTable {
  const table = name ? result.tables.find((t) => t.name === name) : result.tables[0];
  if (!table) throw new AppError('REPORT_TABLE_NOT_FOUND', { report: result.report, table: name ?? '', tables: result.tables.map((t) => t.name).join(', ') });
  return table;
}

/** Text that is a plain number (`-5`, `+3.25`, `1e-3`): a value, not a formula. */
const PLAIN_NUMBER = /^[-+]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][-+]?\d+)?$/;

/**
 * One CSV cell. Text a spreadsheet would run as a formula (starting with = + - @, a tab or a
 * carriage return) gets a leading `'` (OWASP's CSV-injection advice), so a partner named
 * `=HYPERLINK(…)` opens as text; numbers, and text that is just a number like `-5`, stay as they are.
 */
export function csvCell(value: CellValue | undefined): string {
  if (value === null || value === undefined) return '';
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text) && !PLAIN_NUMBER.test(text)) text = `'${text}`;
  return /[",;\n\r\t]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** Cells joined into one CSV line (without its line end). */
export const csvRow = (values: readonly (CellValue | undefined)[]): string => values.map(csvCell).join(',');

/**
 * One report table as CSV: UTF-8 with a byte-order mark (so Excel reads Cyrillic), a header of
 * column titles, comma-separated, RFC 4180 quoting, CRLF line ends, numbers with a decimal point
 * and full precision, shares as fractions (0.25), empty for no value.
 */
export function tableToCsv(table: ReportTable): string {
  const lines = [csvRow(table.columns.map((c) => c.title)), ...table.rows.map((row) => csvRow(table.columns.map((c) => row[c.key] ?? null)))];
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}
