import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { PartnerScope } from '../access/principal.js';
import { AppError } from '../../errors/app-error.js';
import { ENTITIES } from '../../model/entities.js';
import { rowToRecord } from '../../model/records.js';
import { sql } from '../../sql/sql.js';
import type { Database } from '../../storage/database.js';
import { memberIds } from '../segments/member-pages.js';
import type { Segment } from '../segments/segment.schema.js';
import { getSegment } from '../segments/segments.repository.js';
import { csvRow } from './export-csv.js';
import { exportStyle, type ExportLanguage } from './export-locale.js';
import { peopleColumns, propertiesBetween, type MemberCell, type MemberColumn } from './member-columns.js';

export type { MemberCell, MemberColumn } from './member-columns.js';
import type { CellValue } from './report.js';

/**
 * A segment's members as a file (CSV or XLSX), written while they are read: records are read
 * 5,000 at a time and each page is written before the next is read, waiting when the client
 * reads slower than we write, and giving other requests their turn between pages. A client that
 * goes away stops the export at the next page. Memory holds the member ids and one page; the
 * event loop is never held for more than one page (a 470,000-member XLSX once froze the
 * server for six minutes).
 */

/** An Excel sheet's rows: 1,048,576, one of them the header. */
export const XLSX_MAX_MEMBERS = 1_048_575;

const PAGE_SIZE = 5000;
/** XLSX rows cost ~0.1–0.4 ms each to format: other requests get a turn after this many. */
const ROWS_BETWEEN_BREATHS = 500;

/** Largest composition a members export reads (CSV has no other limit). */
const MAX_MEMBERS = 10_000_000;

let running = 0;
/** How many member exports are writing right now (a client that left ends its export). */
export const memberExportsRunning = (): number => running;

export interface MembersExport {
  readonly segment: Segment;
  readonly columns: readonly MemberColumn[];
  readonly ids: readonly string[];
  /** The file's language (null: field names and ISO values, `,`). */
  readonly language: ExportLanguage | null;
  /** Whether pages read the members' additional properties (files for people show them as columns). */
  readonly properties: boolean;
}

/**
 * The segment, its columns and member ids (of a partner segment, those the scope sees); refuses
 * before anything is written when there are more than `maxMembers`. With a language the columns
 * are for people (member-columns.ts): headings in it, names of groups, regions, managers next to
 * their codes, the additional properties as columns.
 */
export async function prepareMembersExport(
  db: Database,
  scope: PartnerScope,
  id: string,
  asOf: string | undefined,
  maxMembers = MAX_MEMBERS,
  language: ExportLanguage | null = null,
): Promise<MembersExport> {
  const segment = await getSegment(db, id);
  const page = await memberIds(db, scope, segment, { limit: maxMembers, offset: 0 }, asOf);
  if (page.total > maxMembers) throw new AppError('EXPORT_TOO_LARGE', { id, size: page.total, limit: maxMembers });
  const entity = segment.kind === 'product' ? ENTITIES.products : ENTITIES.partners;
  if (!language) {
    const columns = entity.fields.map((f): MemberColumn => ({ header: f.name, type: 'text', value: (r) => (r[f.name] ?? null) as MemberCell }));
    return { segment, columns, ids: page.ids, language: null, properties: false };
  }
  return { segment, columns: await peopleColumns(db, segment.kind, language), ids: page.ids, language, properties: true };
}

/** Signals that the reader went away: the export stops at its next page. */
export interface ExportControl {
  readonly gone: () => boolean;
}

/**
 * The members' records, a page at a time. The ids come sorted by the engine (ORDER BY id), so a
 * page is read as one range of ids, `id BETWEEN first AND last` in the same collation, instead
 * of 5,000 bound parameters; rows in the range that are not members are skipped (over the whole
 * export, at most the table once).
 */
async function* pages(db: Database, exp: MembersExport, control: ExportControl): AsyncGenerator<MemberCell[][]> {
  const entity = exp.segment.kind === 'product' ? ENTITIES.products : ENTITIES.partners;
  const none: ReadonlyMap<string, CellValue> = new Map();
  for (let i = 0; i < exp.ids.length && !control.gone(); i += PAGE_SIZE) {
    const ids = exp.ids.slice(i, i + PAGE_SIZE);
    const [first, last] = [ids[0]!, ids[ids.length - 1]!];
    const rows = await db.query(sql`SELECT * FROM ${sql.raw(entity.table)} WHERE id >= ${first} AND id <= ${last}`);
    const byId = new Map(rows.map((row) => [String(row.id), row]));
    const properties = exp.properties ? await propertiesBetween(db, exp.segment.kind, first, last) : new Map<string, Map<string, CellValue>>();
    const cells: MemberCell[][] = [];
    for (const id of ids) {
      const row = byId.get(id);
      if (!row) continue;
      const record = rowToRecord(entity, row);
      cells.push(exp.columns.map((c) => c.value(record, properties.get(id) ?? none)));
    }
    yield cells;
  }
}

/** Waits for the reader to catch up (or to go), then lets other requests run. */
async function breathe(output: Writable, control: ExportControl): Promise<void> {
  if (output.writableNeedDrain && !control.gone()) await Promise.race([once(output, 'drain'), once(output, 'close')]);
  await new Promise((resolve) => setImmediate(resolve));
}

const joined =
  (separator: string) =>
  (value: MemberCell): CellValue =>
    Array.isArray(value) ? value.join(separator) : (value as CellValue);

/**
 * Members as CSV (UTF-8 with BOM, RFC 4180, formula-like text neutralised). Without a language:
 * field names, lists joined with "|", `,`. In Russian: `;`, Russian headings, dd.mm.yyyy, Да/Нет
 * and a decimal comma, so Excel under a Russian locale opens it in columns.
 */
export async function writeMembersCsv(db: Database, exp: MembersExport, output: Writable, control: ExportControl): Promise<void> {
  await track(output, control, async () => {
    const style = exportStyle(exp.language);
    const cell = joined(exp.language ? ', ' : '|');
    output.write(
      `\uFEFF${csvRow(
        exp.columns.map((c) => c.header),
        style.separator,
      )}\r\n`,
    );
    for await (const rows of pages(db, exp, control)) {
      output.write(
        rows
          .map(
            (row) =>
              `${csvRow(
                row.map((value, i) => style.csv(cell(value), exp.columns[i]!.type)),
                style.separator,
              )}\r\n`,
          )
          .join(''),
      );
      await breathe(output, control);
    }
    if (!control.gone()) output.end();
  });
}

/** Members as an Excel workbook: a bold header (field names, or headings in the file's language), one row per member, lists joined with ", ". */
export async function writeMembersXlsx(db: Database, exp: MembersExport, output: Writable, control: ExportControl): Promise<void> {
  await track(output, control, async () => {
    // Loaded on first use: at start-up ExcelJS would cost every process (CLI command, test file,
    // child) about 0.1–0.25 s of CPU, workbook or not.
    const { default: ExcelJS } = await import('exceljs');
    const book = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: output, useStyles: true, useSharedStrings: false });
    // Sheet names: at most 31 characters, none of : \ / ? * [ ].
    const sheet = book.addWorksheet(exp.segment.name.replace(/[:\\/?*[\]]/g, ' ').slice(0, 31) || 'members');
    const style = exportStyle(exp.language);
    sheet.columns = exp.columns.map((c, i) => {
      const numFmt = style.language ? style.numFmt(c.type) : undefined;
      return { header: c.header, key: String(i), width: i === 1 ? 40 : 16, ...(numFmt ? { style: { numFmt } } : {}) };
    });
    sheet.getRow(1).font = { bold: true };
    sheet.getRow(1).commit();
    const cell = joined(', ');
    for await (const rows of pages(db, exp, control)) {
      // Rows are formatted synchronously: let other requests in every few hundred.
      for (let i = 0; i < rows.length; i += ROWS_BETWEEN_BREATHS) {
        for (const row of rows.slice(i, i + ROWS_BETWEEN_BREATHS)) sheet.addRow(row.map((value, c) => style.xlsx(cell(value), exp.columns[c]!.type))).commit();
        await breathe(output, control);
        if (control.gone()) return;
      }
    }
    if (control.gone()) return;
    sheet.commit();
    // Finishes the zip, which ends the output.
    await book.commit();
  });
}

/** Counts the export while it runs; destroys the output on failure or when the reader left (no truncated file looks whole). */
async function track(output: Writable, control: ExportControl, write: () => Promise<void>): Promise<void> {
  running++;
  try {
    await write();
    if (control.gone()) output.destroy();
  } catch (error) {
    output.destroy(error instanceof Error ? error : new Error(String(error)));
  } finally {
    running--;
  }
}
