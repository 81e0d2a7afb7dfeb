import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import ExcelJS from 'exceljs';
import { AppError } from '../errors/app-error.js';
import type { CsvBatch } from './csv-records.js';
import { decimalFromNumber } from './value-parsers.js';

/** Rows handed on per batch (as readCsv's batches). */
const BATCH_ROWS = 2_000;

/** Excel keeps 15 significant digits; more are binary noise (0.1 + 0.2 = 0.30000000000000004). */
const EXCEL_DIGITS = 15;

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/**
 * A cell as the text the row builder reads, as Excel stores it: numbers in canonical decimal
 * text (`1234.5`), dates as `YYYY-MM-DD` (with ` HH:MM:SS` when the cell has a time of day),
 * booleans `true`/`false`, rich text and hyperlinks as their text, formulas as their result.
 * exceljs reads a date cell's serial number as UTC, so the date is taken in UTC.
 */
export function cellText(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') {
    const text = decimalFromNumber(Number(value.toPrecision(EXCEL_DIGITS)));
    return text === undefined || text === 'range' ? String(value) : text;
  }
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) return '';
    const date = `${pad(value.getUTCFullYear(), 4)}-${pad(value.getUTCMonth() + 1)}-${pad(value.getUTCDate())}`;
    const h = value.getUTCHours();
    const m = value.getUTCMinutes();
    const s = value.getUTCSeconds();
    return h || m || s ? `${date} ${pad(h)}:${pad(m)}:${pad(s)}` : date;
  }
  if ('richText' in value) return value.richText.map((part) => part.text).join('');
  if ('error' in value) return String(value.error);
  if ('formula' in value || 'sharedFormula' in value) return cellText((value as ExcelJS.CellFormulaValue).result);
  if ('text' in value) return typeof value.text === 'string' ? value.text : cellText(value.text);
  return '';
}

/** A row's cells as text, from column A to its last cell (empty cells as ''). */
function rowTexts(row: ExcelJS.Row): string[] {
  const values = row.values;
  const list = Array.isArray(values) ? values : [];
  const out: string[] = [];
  for (let i = 1; i < list.length; i++) out.push(cellText(list[i]).trim());
  while (out.length && out[out.length - 1] === '') out.pop();
  return out;
}

export interface XlsxOptions {
  /** The sheet to read, by name (any case); the workbook's first sheet when not given. */
  readonly sheet?: string | undefined;
}

/** The zip of an .xlsx file starts with "PK\x03\x04"; an old .xls (OLE) with D0 CF 11 E0. */
function checkSignature(head: Uint8Array): void {
  if (head.length >= 4 && head[0] === 0xd0 && head[1] === 0xcf && head[2] === 0x11 && head[3] === 0xe0) {
    throw new AppError('IMPORT_BAD_FORMAT', { format: 'XLSX', reason: 'it is an old Excel 97–2003 .xls workbook; save it as .xlsx (Excel Workbook) or CSV' });
  }
  if (head.length < 4 || head[0] !== 0x50 || head[1] !== 0x4b || head[2] !== 0x03 || head[3] !== 0x04) {
    throw new AppError('IMPORT_BAD_FORMAT', { format: 'XLSX', reason: 'it is not an .xlsx workbook (an Excel file is a zip archive starting with "PK")' });
  }
}

/**
 * Reads one sheet of an .xlsx workbook with exceljs's streaming reader: the first row with a
 * value is the header, the rows below it come in batches, each with its row number as Excel
 * shows it (so errors name the rows people see). Empty rows are skipped. The workbook is read
 * as it arrives; sheets stored before the shared strings (as exceljs and Excel write them) are spooled to a
 * temporary file by exceljs.
 */
export async function* readXlsx(input: AsyncIterable<Uint8Array | string>, options: XlsxOptions = {}): AsyncGenerator<{ header: string[]; line: number; sheet: string } | CsvBatch> {
  const source = input[Symbol.asyncIterator]();
  let head = Buffer.alloc(0);
  while (head.length < 4) {
    const next = await source.next();
    if (next.done) break;
    head = Buffer.concat([head, toBuffer(next.value)]);
  }
  if (head.length === 0) throw new AppError('IMPORT_EMPTY', { reason: 'the file is empty' });
  checkSignature(head);
  // The bytes are pumped by hand: pipe() would not pass an error of the input (a cut-off
  // upload) on to the unzipper, which would then wait for ever. The input's error ends the
  // zip early and is thrown in place of the unzipper's own.
  const zip = new PassThrough();
  let inputError: unknown;
  const pump = (async () => {
    try {
      if (!zip.write(head)) await once(zip, 'drain');
      for (let next = await source.next(); !next.done; next = await source.next()) {
        if (!zip.write(toBuffer(next.value))) await once(zip, 'drain');
      }
    } catch (error) {
      inputError = error;
    } finally {
      zip.end();
    }
  })();
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(zip, {
    worksheets: 'emit',
    sharedStrings: 'cache',
    styles: 'cache', // number formats tell dates from numbers
    hyperlinks: 'ignore',
    entries: 'ignore',
  });
  try {
    yield* sheetRows(reader, options);
  } catch (error) {
    if (inputError !== undefined) throw inputError;
    throw error;
  } finally {
    zip.destroy();
    await pump;
  }
  if (inputError !== undefined) throw inputError;
}

/**
 * Reads a sheet that is not wanted to its end. exceljs spools a sheet stored before the shared
 * strings to a temporary file, opens it when it hands the sheet out and deletes it when asked for
 * the next one: a sheet passed over unread has its file deleted before the open completes, and
 * the open's ENOENT then came as an uncaught error that could stop the server.
 */
async function skip(worksheet: AsyncIterable<ExcelJS.Row>): Promise<void> {
  for await (const row of worksheet) void row;
}

const toBuffer = (chunk: Uint8Array | string): Buffer => (typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));

async function* sheetRows(reader: ExcelJS.stream.xlsx.WorkbookReader, options: XlsxOptions): AsyncGenerator<{ header: string[]; line: number; sheet: string } | CsvBatch> {
  const wanted = options.sheet?.trim().toLowerCase();
  const names: string[] = [];
  let found = false;
  try {
    for await (const sheet of reader) {
      const worksheet = sheet as unknown as ExcelJS.Worksheet & AsyncIterable<ExcelJS.Row>;
      const name = worksheet.name;
      names.push(name);
      const model = (reader as unknown as { model?: { sheets?: { name: string }[] } }).model;
      const first = model?.sheets?.[0]?.name ?? name;
      if (found || (wanted === undefined ? name !== first : name.toLowerCase() !== wanted)) {
        await skip(worksheet);
        continue;
      }
      found = true;
      let header: string[] | undefined;
      let batch: CsvBatch = { records: [], lines: [] };
      for await (const row of worksheet) {
        const texts = rowTexts(row);
        if (texts.length === 0) continue;
        if (!header) {
          header = texts;
          yield { header, line: row.number, sheet: name };
          continue;
        }
        // Excel stores no cell for an empty one: a row ending in empty cells is short.
        while (texts.length < header.length) texts.push('');
        batch.records.push(texts);
        batch.lines.push(row.number);
        if (batch.records.length >= BATCH_ROWS) {
          yield batch;
          batch = { records: [], lines: [] };
        }
      }
      if (batch.records.length) yield batch;
      if (!header) throw new AppError('IMPORT_EMPTY', { reason: `sheet "${name}" is empty` });
    }
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw new AppError('IMPORT_BAD_FORMAT', { format: 'XLSX', reason: `the workbook cannot be read (${(error as Error).message})` });
  }
  if (!found) {
    if (wanted === undefined) throw new AppError('IMPORT_EMPTY', { reason: 'the workbook has no sheet' });
    throw new AppError('IMPORT_BAD_FORMAT', { format: 'XLSX', reason: `it has no sheet "${options.sheet}"; its sheets: ${names.map((n) => `"${n}"`).join(', ')}` });
  }
}
