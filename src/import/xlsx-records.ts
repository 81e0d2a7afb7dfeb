import ExcelJS from 'exceljs';
import { AppError } from '../errors/app-error.js';
import type { CsvBatch } from './csv-records.js';

/** An XLSX file is read whole (a zip cannot be streamed from its start): larger ones are refused. */
export const MAX_XLSX_BYTES = 64 * 1024 * 1024;
const BATCH = 5_000;

const bad = (reason: string) => new AppError('IMPORT_BAD_FORMAT', { format: 'XLSX', reason });

/** A cell as the text a CSV would hold: numbers with a ".", dates as YYYY-MM-DD, formulas by their result. */
export function cellText(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return String(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'string') return value;
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  if ('richText' in value) return value.richText.map((r) => r.text).join('');
  if ('result' in value) return cellText(value.result ?? null);
  if ('text' in value) return String(value.text);
  if ('error' in value) return '';
  return '';
}

/**
 * The first sheet of an XLSX book as CSV-like records: its first non-empty row is the header,
 * each later row a record with its sheet row number as its line (empty rows skipped).
 */
export async function* readXlsx(chunks: AsyncIterable<Uint8Array | string>, onBytes: (n: number) => void): AsyncGenerator<{ header: string[] } | CsvBatch> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of chunks) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : Buffer.from(chunk);
    size += buf.length;
    if (size > MAX_XLSX_BYTES) throw bad(`the file is over ${MAX_XLSX_BYTES / 2 ** 20} MiB; save it as CSV`);
    parts.push(buf);
    onBytes(buf.length);
  }
  if (size === 0) throw new AppError('IMPORT_EMPTY', { reason: 'the file is empty' });
  const book = new ExcelJS.Workbook();
  try {
    await book.xlsx.load(Buffer.concat(parts) as unknown as ArrayBuffer);
  } catch (error) {
    throw bad(`not an XLSX workbook (${error instanceof Error ? error.message : String(error)})`);
  }
  const sheet = book.worksheets[0];
  if (!sheet) throw new AppError('IMPORT_EMPTY', { reason: 'the workbook has no sheet' });
  let width = 0;
  let records: string[][] = [];
  let lines: number[] = [];
  let headerSeen = false;
  for (let r = 1; r <= sheet.rowCount; r++) {
    const row = sheet.getRow(r);
    if (!row.hasValues) continue;
    if (!headerSeen) {
      width = row.cellCount;
      headerSeen = true;
      yield { header: Array.from({ length: width }, (_, c) => cellText(row.getCell(c + 1).value).trim()) };
      continue;
    }
    records.push(Array.from({ length: Math.max(width, row.cellCount) }, (_, c) => cellText(row.getCell(c + 1).value)));
    lines.push(r);
    if (records.length >= BATCH) {
      yield { records, lines };
      records = [];
      lines = [];
    }
  }
  if (!headerSeen) throw new AppError('IMPORT_EMPTY', { reason: 'no header row' });
  if (records.length) yield { records, lines };
}
