import { AppError } from '../../errors/app-error.js';
import { exportStyle, type ExportLanguage, type ReportWords } from './export-locale.js';
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
export const csvRow = (values: readonly (CellValue | undefined)[], separator: ',' | ';' = ','): string => values.map(csvCell).join(separator);

/**
 * One report table as CSV: UTF-8 with a byte-order mark (so Excel reads Cyrillic), a header of
 * column titles, RFC 4180 quoting, CRLF line ends, shares as fractions (0.25), empty for no
 * value. Without a language: comma-separated, numbers with a decimal point and full precision.
 * In a language (export-locale.ts): its headings, dates, Да/Нет and money in kopecks; Russian
 * is `;`-separated with a decimal comma.
 */
export function tableToCsv(table: ReportTable, language?: ExportLanguage | null, words?: ReportWords): string {
  const style = exportStyle(language);
  const heading = (c: ReportTable['columns'][number]) => (words ? words.column(table, c) : c.title);
  const lines = [
    csvRow(table.columns.map(heading), style.separator),
    ...table.rows.map((row) =>
      csvRow(
        table.columns.map((c) => style.csv(row[c.key] ?? null, c.type)),
        style.separator,
      ),
    ),
  ];
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}
