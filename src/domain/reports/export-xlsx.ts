import ExcelJS from 'exceljs';
import { PassThrough } from 'node:stream';
import type { ColumnType, ReportResult } from './report.js';

const FORMATS: Readonly<Record<ColumnType, string | undefined>> = {
  text: undefined,
  number: '#,##0.00##',
  integer: '#,##0',
  date: undefined,
  share: '0.00%',
};

/**
 * An Excel sheet name: the table's title when it fits in Excel's 31 characters, else its short
 * name; none of : \ / ? * [ ]; unique in the book.
 */
function sheetName(title: string, taken: Set<string>, short = title): string {
  const clean = (text: string) => text.replace(/[:\\/?*[\]]/g, ' ').trim();
  const base = (clean(title).length <= 31 ? clean(title) : clean(short).slice(0, 31)) || 'Sheet';
  let name = base;
  for (let i = 2; taken.has(name.toLowerCase()); i++) name = `${base.slice(0, 28)} ${i}`;
  taken.add(name.toLowerCase());
  return name;
}

/**
 * A report as an XLSX workbook: one sheet per table (bold, frozen header; numbers as numbers
 * with a number format; shares as percentages; dates as text YYYY-MM-DD so no time zone shifts
 * them), and a last sheet with the report's parameters and summary. Rows are streamed into the
 * zip as they are added, so a sheet of a million rows does not hold a million row objects.
 */
export async function reportToXlsx(result: ReportResult): Promise<Buffer> {
  const output = new PassThrough();
  const chunks: Buffer[] = [];
  output.on('data', (chunk: Buffer) => chunks.push(chunk));
  const ended = new Promise<void>((resolve, reject) => {
    output.on('end', resolve);
    output.on('error', reject);
  });
  const book = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: output, useStyles: true, useSharedStrings: false });
  book.creator = 'Segmenta';
  book.created = new Date(result.generatedAt);
  const taken = new Set<string>();
  for (const table of result.tables) {
    const sheet = book.addWorksheet(sheetName(table.title, taken, table.name), { views: [{ state: 'frozen', ySplit: 1 }] });
    sheet.columns = table.columns.map((c) => ({
      header: c.title,
      key: c.key,
      width: Math.min(60, Math.max(10, c.title.length + 2)),
      ...(FORMATS[c.type] ? { style: { numFmt: FORMATS[c.type]! } } : {}),
    }));
    sheet.getRow(1).font = { bold: true };
    for (const row of table.rows) sheet.addRow(Object.fromEntries(table.columns.map((c) => [c.key, row[c.key] ?? null]))).commit();
    if (table.total > table.rows.length) {
      sheet.addRow([]).commit();
      sheet.addRow([`Showing ${table.rows.length} of ${table.total} rows; raise the report's limit to export more`]).commit();
    }
    sheet.commit();
  }
  const about = book.addWorksheet(sheetName('Report', taken));
  about.columns = [
    { header: 'Field', key: 'field', width: 28 },
    { header: 'Value', key: 'value', width: 60 },
  ];
  about.getRow(1).font = { bold: true };
  about.addRow({ field: 'report', value: result.report });
  about.addRow({ field: 'title', value: result.title });
  about.addRow({ field: 'generatedAt', value: result.generatedAt });
  for (const [key, value] of Object.entries(result.parameters)) {
    about.addRow({ field: `parameter ${key}`, value: Array.isArray(value) ? value.join(', ') : (value as string | number | boolean | null) });
  }
  for (const [key, value] of Object.entries(result.summary)) about.addRow({ field: key, value });
  about.commit();
  await book.commit();
  await ended;
  return Buffer.concat(chunks);
}
