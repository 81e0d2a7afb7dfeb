import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type ExcelJS from 'exceljs';
import { AppError } from '../errors/app-error.js';
import type { CsvBatch } from './csv-records.js';
import { decimalFromNumber } from './value-parsers.js';
import { ZipFile } from './zip-file.js';

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
  /** Where the upload is spooled (in a folder of its own, removed afterwards); the system's temporary folder by default. */
  readonly spoolRoot?: string | undefined;
}

/** The zip of an .xlsx file starts with "PK\x03\x04"; an old .xls (OLE) with D0 CF 11 E0. */
function checkSignature(head: Uint8Array): void {
  if (head.length >= 4 && head[0] === 0xd0 && head[1] === 0xcf && head[2] === 0x11 && head[3] === 0xe0) {
    // Excel also stores a password-protected .xlsx in an OLE container.
    throw new AppError('IMPORT_BAD_FORMAT', {
      format: 'XLSX',
      reason: 'it is an old Excel 97–2003 .xls workbook, or one protected by a password; save it as .xlsx (Excel Workbook, no password) or CSV',
    });
  }
  if (head.length < 4 || head[0] !== 0x50 || head[1] !== 0x4b || head[2] !== 0x03 || head[3] !== 0x04) {
    throw new AppError('IMPORT_BAD_FORMAT', { format: 'XLSX', reason: 'it is not an .xlsx workbook (an Excel file is a zip archive starting with "PK")' });
  }
}

const badWorkbook = (reason: string) => new AppError('IMPORT_BAD_FORMAT', { format: 'XLSX', reason });

/**
 * Reads one sheet of an .xlsx workbook: the first row with a value is the header, the rows below
 * it come in batches, each with its row number as Excel shows it (so errors name the rows people
 * see). Empty rows are skipped.
 *
 * A sheet's cells need the workbook's shared strings and styles (number formats tell a date from
 * a number), and exceljs and Excel store the sheets before those in the zip. exceljs's streaming
 * reader, reading the zip front to back, spools such sheets to temporary files and reads them
 * after the rest, and that breaks: with five or more sheets its loop over the entries ends early,
 * so the workbook (exceljs's order) or the styles (Excel's order) are never read. So the upload is
 * spooled to a temporary file (streamed, removed afterwards, also on an error or an early stop),
 * its zip directory is read, and exceljs's own parsers are handed the parts in the order they
 * need: the relationships, the workbook, the shared strings, the styles, then only the wanted
 * sheet, streamed row by row. Memory holds the shared strings and one batch of rows, never the
 * sheet; sheets not asked for are not read at all.
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
  const dir = await mkdtemp(join(options.spoolRoot ?? tmpdir(), 'segmenta-xlsx-'));
  try {
    const file = join(dir, 'workbook.xlsx');
    // An error of the input (a cut-off upload) is thrown as it is.
    await pipeline(async function* () {
      yield head;
      for (let next = await source.next(); !next.done; next = await source.next()) yield toBuffer(next.value);
    }, createWriteStream(file));
    yield* readWorkbook(file, options);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const toBuffer = (chunk: Uint8Array | string): Buffer => (typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));

/** A relationship of a part (`_rels/*.rels`) as exceljs reads it. */
interface Relationship {
  readonly Id: string;
  readonly Type: string;
  readonly Target: string;
}

type WorksheetReader = ExcelJS.Worksheet & AsyncIterable<ExcelJS.Row>;

/**
 * The parsers of exceljs's WorkbookReader (exceljs 4.4), each reading one part of the workbook;
 * its typings leave them out. `parse()`, which drives them in the zip's order, is not used. They
 * are not exceljs's public API: package.json pins exceljs, and test/import-xlsx.test.ts reads
 * workbooks through them (sheets by name, dates by their styles, shared strings).
 */
interface WorkbookParsers {
  readonly workbookRels?: Relationship[];
  readonly model?: { readonly sheets?: readonly { readonly id: number; readonly name: string; readonly rId: string }[] };
  _parseRels(entry: Readable): Promise<void>;
  _parseWorkbook(entry: Readable): Promise<void>;
  _parseSharedStrings(entry: Readable): AsyncIterable<unknown>;
  _parseStyles(entry: Readable): Promise<void>;
  _parseWorksheet(entry: Readable, sheetNo: string): Iterable<{ readonly value: WorksheetReader }>;
}

/** A part's path from a relationship's target: relative to the folder of the part it belongs to, or absolute. */
const partPath = (from: string, target: string): string => (target.startsWith('/') ? target.slice(1) : posix.join(posix.dirname(from), target));

async function* readWorkbook(file: string, options: XlsxOptions): AsyncGenerator<{ header: string[]; line: number; sheet: string } | CsvBatch> {
  let zip: ZipFile;
  try {
    zip = await ZipFile.open(file);
  } catch (error) {
    // unzipper says FILE_ENDED when the directory at the zip's end is missing.
    const detail = (error as Error).message === 'FILE_ENDED' ? '' : ` (${(error as Error).message})`;
    throw badWorkbook(`it is cut off or damaged: its zip directory cannot be read${detail}`);
  }
  try {
    yield* sheetRows(await openSheet(zip, options.sheet));
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw badWorkbook(`the workbook cannot be read (${(error as Error).message})`);
  } finally {
    await zip.close();
  }
}

/** Reads the parts a sheet's cells depend on, then opens the wanted sheet (streamed). */
async function openSheet(zip: ZipFile, sheet: string | undefined): Promise<WorksheetReader> {
  // Loaded on first use: at start-up ExcelJS would cost every process (CLI command, test file,
  // child) about 0.1–0.25 s of CPU, workbook or not.
  const { default: ExcelJS } = await import('exceljs');
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(Readable.from([]), {
    worksheets: 'emit',
    sharedStrings: 'cache',
    styles: 'cache', // number formats tell dates from numbers
    hyperlinks: 'ignore',
    entries: 'ignore',
  });
  const parsers = reader as unknown as WorkbookParsers;
  // As text: exceljs decodes each chunk of bytes on its own, so a Cyrillic letter split between
  // two chunks came out as two U+FFFD; the stream's decoder keeps the split bytes for the next.
  const text = async (path: string) => (await zip.read(path)).setEncoding('utf8');
  const relationsOf = async (part: string): Promise<Relationship[]> => {
    const rels = posix.join(posix.dirname(part), '_rels', `${posix.basename(part)}.rels`);
    if (!zip.has(rels)) return [];
    await parsers._parseRels(await text(rels));
    return parsers.workbookRels ?? [];
  };
  const ofType = (rels: Relationship[], type: string) => rels.find((rel) => rel.Type.endsWith(`/${type}`));

  const officeDocument = ofType(await relationsOf(''), 'officeDocument');
  const book = officeDocument ? partPath('', officeDocument.Target) : 'xl/workbook.xml';
  if (!zip.has(book)) throw badWorkbook(`it has no workbook part (${book})`);
  const bookRels = await relationsOf(book); // last: the worksheet parser looks names up in these
  await parsers._parseWorkbook(await text(book));
  const sharedStrings = ofType(bookRels, 'sharedStrings');
  if (sharedStrings) for await (const event of parsers._parseSharedStrings(await text(partPath(book, sharedStrings.Target)))) void event;
  const styles = ofType(bookRels, 'styles');
  if (styles) await parsers._parseStyles(await text(partPath(book, styles.Target)));

  // Chart sheets are listed with the worksheets; they have no rows.
  const sheets = (parsers.model?.sheets ?? []).flatMap((entry) => {
    const rel = bookRels.find((r) => r.Id === entry.rId && r.Type.endsWith('/worksheet'));
    return rel ? [{ ...entry, path: partPath(book, rel.Target) }] : [];
  });
  const wanted = sheet?.trim().toLowerCase();
  const chosen = wanted === undefined ? sheets[0] : sheets.find((entry) => entry.name.toLowerCase() === wanted);
  if (!chosen) {
    if (wanted === undefined) throw new AppError('IMPORT_EMPTY', { reason: 'the workbook has no sheet' });
    throw badWorkbook(`it has no sheet "${sheet}"; its sheets: ${sheets.map((entry) => `"${entry.name}"`).join(', ')}`);
  }
  if (!zip.has(chosen.path)) throw badWorkbook(`sheet "${chosen.name}" is missing from the file (${chosen.path})`);
  const [event] = [...parsers._parseWorksheet(await text(chosen.path), String(chosen.id))];
  if (!event) throw new Error('exceljs did not open the sheet');
  event.value.name = chosen.name;
  return event.value;
}

/** The sheet's rows: the header, then batches of rows with their row numbers. */
async function* sheetRows(worksheet: WorksheetReader): AsyncGenerator<{ header: string[]; line: number; sheet: string } | CsvBatch> {
  const name = worksheet.name;
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
