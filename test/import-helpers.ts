/** Shared helpers of the import suites. */
import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import { importData, type ImportOptions } from '../src/import/importer.js';
import type { ImportReport } from '../src/import/import-report.js';
import { ENTITIES, ENTITY_NAMES } from '../src/model/entities.js';
import type { Row } from '../src/sql/queryable.js';
import type { Database } from '../src/storage/database.js';

/** Imports a file given as text (in two chunks, so no test relies on one chunk being the file). */
export function importText(db: Database, text: string, options: Omit<ImportOptions, 'format'> & { format?: ImportOptions['format'] }): Promise<ImportReport> {
  const bytes = Buffer.from(text);
  const half = Math.floor(bytes.length / 2);
  return importData(db, [bytes.subarray(0, half), bytes.subarray(half)], { format: 'csv', ...options });
}

/** The error an import failed with (AppError details included). */
export async function importFailure(promise: Promise<unknown>): Promise<{ code: string; message: string; details: Record<string, unknown> }> {
  try {
    await promise;
  } catch (error) {
    const e = error as { code: string; message: string; details: Record<string, unknown> };
    return { code: e.code, message: e.message, details: e.details };
  }
  throw new Error('expected the import to fail');
}

/** Empties every table of the data model. */
export async function clearData(db: Database): Promise<void> {
  for (const name of ENTITY_NAMES) {
    const entity = ENTITIES[name];
    await db.run(`DELETE FROM ${entity.table}`);
    if (entity.hierarchy) await db.run(`DELETE FROM ${entity.table}_closure`);
    if (entity.properties) await db.run(`DELETE FROM ${entity.properties.table}`);
  }
  await db.run('DELETE FROM property_definitions');
}

export const rowsOf = (db: Database, table: string, columns = '*', orderBy = '1'): Promise<Row[]> => db.query(`SELECT ${columns} FROM ${table} ORDER BY ${orderBy}`);

export const PARTNERS_CSV = 'id;name;roles\np1;ООО "Ромашка";customer\np2;ИП Иванов;customer|supplier\n';
export const PRODUCTS_CSV = 'id,name,unit\ng1,Гвозди,кг\ng2,Шурупы,шт\n';

/** An .xlsx workbook made with exceljs: sheets of rows (the first row the header). */
export async function workbook(sheets: Record<string, unknown[][]>): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  for (const [name, rows] of Object.entries(sheets)) {
    const sheet = book.addWorksheet(name);
    for (const row of rows) sheet.addRow(row);
  }
  return Buffer.from(await book.xlsx.writeBuffer());
}

/**
 * The same workbook with its zip entries in the order Excel stores them: the workbook and its
 * relationships first, then the sheets, then the shared strings, theme and styles (exceljs
 * writes the workbook last).
 */
export async function inExcelOrder(xlsx: Buffer): Promise<Buffer> {
  const source = await JSZip.loadAsync(xlsx);
  const rank = (path: string) => ['[Content_Types].xml', '_rels/.rels', 'xl/workbook.xml', 'xl/_rels/workbook.xml.rels'].indexOf(path) + 1 || (path.startsWith('xl/worksheets/') ? 5 : 6);
  const paths = Object.values(source.files)
    .filter((entry) => !entry.dir)
    .map((entry) => entry.name)
    .sort((a, b) => rank(a) - rank(b));
  const target = new JSZip();
  for (const path of paths) target.file(path, await source.file(path)!.async('nodebuffer'));
  return target.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });
}

/** The paths of a zip's entries, in the order they are stored. */
export async function zipOrder(zip: Buffer): Promise<string[]> {
  return Object.values((await JSZip.loadAsync(zip)).files)
    .filter((entry) => !entry.dir)
    .map((entry) => entry.name);
}
