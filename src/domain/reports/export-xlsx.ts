import { PassThrough } from 'node:stream';
import { exportStyle, reportWords, type ExportLanguage } from './export-locale.js';
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
 * With a language (export-locale.ts) the sheets, headings and the about sheet are in it, money is
 * rounded to kopecks, dates are Excel dates shown dd.mm.yyyy (Russian) and booleans Да/Нет.
 */
export async function reportToXlsx(result: ReportResult, language?: ExportLanguage | null): Promise<Buffer> {
  const style = exportStyle(language);
  const words = reportWords(result, language);
  const output = new PassThrough();
  const chunks: Buffer[] = [];
  output.on('data', (chunk: Buffer) => chunks.push(chunk));
  const ended = new Promise<void>((resolve, reject) => {
    output.on('end', resolve);
    output.on('error', reject);
  });
  // Loaded on first use: at start-up ExcelJS would cost every process (CLI command, test file,
  // child) about 0.1–0.25 s of CPU, workbook or not.
  const { default: ExcelJS } = await import('exceljs');
  const book = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: output, useStyles: true, useSharedStrings: false });
  book.creator = 'Segmenta';
  book.created = new Date(result.generatedAt);
  const taken = new Set<string>();
  for (const table of result.tables) {
    const sheet = book.addWorksheet(sheetName(words.table(table), taken, table.name), { views: [{ state: 'frozen', ySplit: 1 }] });
    sheet.columns = table.columns.map((c) => {
      const header = words.column(table, c);
      const numFmt = style.language ? style.numFmt(c.type) : FORMATS[c.type];
      return { header, key: c.key, width: Math.min(60, Math.max(10, header.length + 2)), ...(numFmt ? { style: { numFmt } } : {}) };
    });
    sheet.getRow(1).font = { bold: true };
    for (const row of table.rows) sheet.addRow(Object.fromEntries(table.columns.map((c) => [c.key, style.xlsx(row[c.key] ?? null, c.type)]))).commit();
    if (table.total > table.rows.length) {
      sheet.addRow([]).commit();
      sheet.addRow([words.cut(table.rows.length, table.total)]).commit();
    }
    sheet.commit();
  }
  const about = book.addWorksheet(sheetName(words.about.sheet, taken));
  about.columns = [
    { header: words.about.field, key: 'field', width: 28 },
    { header: words.about.value, key: 'value', width: 60 },
  ];
  about.getRow(1).font = { bold: true };
  const plain = (value: string | number | boolean | null) => style.xlsx(value, 'text');
  about.addRow({ field: words.about.report, value: style.language ? words.title : result.report });
  if (!style.language) about.addRow({ field: 'title', value: result.title });
  about.addRow({ field: words.about.generatedAt, value: plain(result.generatedAt) });
  for (const [key, value] of Object.entries(result.parameters)) {
    about.addRow({ field: `${words.about.parameter} ${key}`, value: Array.isArray(value) ? value.join(', ') : plain(value as string | number | boolean | null) });
  }
  for (const [key, value] of Object.entries(result.summary)) about.addRow({ field: key, value: plain(value) });
  about.commit();
  await book.commit();
  await ended;
  return Buffer.concat(chunks);
}
