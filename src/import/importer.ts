import { Readable } from 'node:stream';
import { findCycles, rebuildClosure } from '../domain/hierarchy/closure.js';
import { AppError } from '../errors/app-error.js';
import type { EntityDef } from '../model/entities.js';
import type { Queryable } from '../sql/queryable.js';
import { sql } from '../sql/sql.js';
import type { Database } from '../storage/database.js';
import { ColumnMap, type ColumnMapping } from './column-map.js';
import { readCsv, type CsvBatch } from './csv-records.js';
import { resolveImportEntity } from './entity-names.js';
import { checkCycles } from './hierarchy-check.js';
import type { CsvDelimiter, ImportFormat } from './import-format.js';
import { IMPORTED_IDS_CHUNK, type ImportListener } from './import-listeners.js';
import type { ImportProgress, ImportReport } from './import-report.js';
import { readJsonArray, readJsonLines } from './json-values.js';
import { PropertyTypes } from './property-types.js';
import { checkReferences, type PositionOf } from './reference-check.js';
import { RowBuilder, type SourceRow } from './row-builder.js';
import { RowErrorLog } from './row-errors.js';
import { Staging } from './staging.js';
import { changedIds, writeChanges } from './upsert.js';
import { asImportConflict, inTurn } from './import-lock.js';
import { TextInput, type TextEncoding } from './text-input.js';
import { readXlsx } from './xlsx-records.js';
import { loadPlainCsv, type PlainCsvFile } from './csv-file-load.js';
import { untilFailed, watchZip, type WatchedZip } from './zip-input.js';
import { checkDerivedPriceRows } from './price-rows-check.js';
import type { ImportPreview, PreviewColumn } from './import-preview.js';

export interface ImportOptions {
  /** Entity to import: `partners`, `sales`, `partnerGroups` (also `partner_groups`, `partner-groups`). */
  readonly entity: string;
  readonly format: ImportFormat;
  /** CSV delimiter; detected from the header line when not given. */
  readonly delimiter?: CsvDelimiter | undefined;
  /** Import the good rows and list the bad ones, instead of importing nothing. */
  readonly skipBad?: boolean | undefined;
  /** Rows per bulk append to staging (default 10,000). */
  readonly batchSize?: number | undefined;
  /** XLSX: the sheet to read, by name; the workbook's first sheet when not given. */
  readonly sheet?: string | undefined;
  /** The file's own headings mapped to columns (or null to leave one out); see ColumnMap. */
  readonly mapping?: ColumnMapping | undefined;
  /** The file's encoding when known (a Content-Type charset, `--encoding`); detected when not. */
  readonly encoding?: TextEncoding | undefined;
  /** Size of the input, when known, for progress. */
  readonly totalBytes?: number | undefined;
  /** Called as the file is read (after every few thousand rows). */
  readonly onProgress?: ((progress: ImportProgress) => void) | undefined;
  /**
   * Told the changed ids inside the transaction, like the listeners of import-listeners.ts:
   * the composition root passes its 'facts.imported' event here.
   */
  readonly onImported?: ImportListener | undefined;
}

/** What import reads: a byte stream (file, request body) or any iterable of chunks. */
export type ImportInput = Readable | AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>;

/** Rows per append: big enough to amortise a bulk load, small enough to die young in the garbage collector. */
const DEFAULT_BATCH = 10_000;

/**
 * Imports one entity's rows from a CSV, JSON-array or JSON Lines stream, upserting by id, all
 * or nothing, in one transaction (SPEC §1):
 *
 * 1. stream the file through a parser, coerce each row by the data model (types, allowed
 *    values, bounds, required fields, roles, properties) and bulk-load good rows into a
 *    temporary staging table, a batch at a time — the file is never held whole;
 * 2. in SQL: keep the last row of each id, check references (to stored rows or rows of the same
 *    file) and hierarchy cycles;
 * 3. with any bad row and no `skipBad`, fail with IMPORT_BAD_ROWS listing line, column, value and
 *    reason — nothing is written; with `skipBad`, leave the bad rows out;
 * 4. write only rows that are new or differ; rebuild the hierarchy closure; tell import
 *    listeners the changed ids; report counts.
 *
 * A column absent from the whole file keeps its stored values on update (null on insert).
 *
 * @example
 * const report = await importData(db, createReadStream('sales.csv'), { entity: 'sales', format: 'csv' });
 * // { entity: 'sales', format: 'csv', rows: 3, inserted: 3, updated: 0, unchanged: 0, … }
 */
export async function importData(db: Database, input: ImportInput, options: ImportOptions): Promise<ImportReport> {
  return (await run(db, input, options, undefined)).report;
}

/** Rows of the file a preview shows as parsed. */
export const PREVIEW_ROWS = 20;

/** Thrown inside a preview's transaction to roll it back, carrying what it found. */
class PreviewDone {
  constructor(readonly result: { report: ImportReport; preview: Omit<ImportPreview, 'report'> }) {}
}

/**
 * What importing the file would do, without importing it: the format, encoding, delimiter or
 * sheet found, how each heading maps (with suggestions for unknown ones), the first rows as
 * parsed, every bad row, and the counts an import would report. The import runs in full in a
 * transaction that is then rolled back, so references and duplicates are checked as for real;
 * unknown columns are left out and missing ones named instead of refusing the file.
 */
export async function previewImport(db: Database, input: ImportInput, options: ImportOptions, rows = PREVIEW_ROWS): Promise<ImportPreview> {
  const { report, preview } = await run(db, input, { ...options, onImported: undefined }, rows);
  return { ...preview!, report };
}

/**
 * Imports a plain CSV file the database reads itself (csv-file-load.ts): the same import as
 * importData's. Throws NotPlainAfterAll (nothing written) when the database's reader disagrees
 * with the scan; the caller then imports the file the usual way.
 */
export async function importPlainCsv(db: Database, file: PlainCsvFile, options: ImportOptions): Promise<ImportReport> {
  return (await run(db, [], options, undefined, file)).report;
}

async function run(
  db: Database,
  input: ImportInput,
  options: ImportOptions,
  previewRows: number | undefined,
  file?: PlainCsvFile,
): Promise<{ report: ImportReport; preview?: Omit<ImportPreview, 'report'> | undefined }> {
  const entity = resolveImportEntity(options.entity);
  const format = options.format;
  const { chunks, release } = openInput(input);
  const text = new TextInput(format === 'xlsx' ? 'csv' : format, options.encoding);
  const counted = format === 'xlsx' ? watchZip(chunks) : { chunks, bytes: 0 };
  const meta: FileMeta = { header: [] };

  try {
    const report = await inTurn(db, entity.name, () => db.transaction((tx) => importChunks(tx, entity, counted, text, options, previewRows, meta, file)));
    // Into the file now, so that a kill later has no long log to replay (docs/storage.md).
    if (report.inserted + report.updated > 0) await db.checkpoint();
    return { report };
  } catch (error) {
    if (error instanceof PreviewDone) return error.result;
    throw asImportConflict(error, entity.name) ?? error;
  } finally {
    release();
  }
}

/**
 * Imports into an open transaction, for work that writes several entities all or nothing (a
 * connector's sync, src/connectors/apply.ts): the same checks, upsert and listeners as
 * importData, but no turn taken (the caller holds the entities' turns, see `inTurn`), no
 * transaction of its own and no checkpoint.
 */
export async function importWithin(tx: Queryable, input: ImportInput, options: ImportOptions): Promise<ImportReport> {
  const entity = resolveImportEntity(options.entity);
  const { chunks, release } = openInput(input);
  const counted = options.format === 'xlsx' ? watchZip(chunks) : { chunks, bytes: 0 };
  try {
    return await importChunks(tx, entity, counted, new TextInput(options.format === 'xlsx' ? 'csv' : options.format, options.encoding), options, undefined, { header: [] });
  } finally {
    release();
  }
}

/** Where the file's text comes from; of an XLSX workbook, its bytes counted and watched (zip-input.ts). */
type CountedInput = WatchedZip | { readonly chunks: AsyncIterable<Uint8Array | string>; readonly bytes: number; readonly failed?: undefined };

/** What a preview reads off the file beside the rows: its delimiter or sheet, and its headings. */
interface FileMeta {
  delimiter?: string;
  sheet?: string;
  header: readonly string[];
}

/**
 * One import inside a transaction: parse into staging, check, write, tell the listeners. A
 * preview (`previewRows` given) ends by throwing PreviewDone, so its transaction rolls back.
 */
async function importChunks(
  tx: Queryable,
  entity: EntityDef,
  counted: CountedInput,
  text: TextInput,
  options: ImportOptions,
  previewRows: number | undefined,
  meta: FileMeta,
  file?: PlainCsvFile,
): Promise<ImportReport> {
  const format = options.format;
  const skipBad = options.skipBad ?? false;
  const batchSize = options.batchSize ?? DEFAULT_BATCH;
  const isPreview = previewRows !== undefined;
  const map = new ColumnMap(entity, options.mapping);
  const propertyTypes = entity.properties ? await PropertyTypes.load(tx, entity) : undefined;
  const errors = new RowErrorLog();
  const builder = new RowBuilder(map, propertyTypes, errors, format === 'json', previewRows ?? 0);
  const staging = await Staging.create(tx, map, format === 'json');

  // One append in flight while the next batch is parsed (PostgreSQL copies on its own core).
  let appending: Promise<void> = Promise.resolve();
  const flush = async () => {
    const batch = builder.take();
    await appending;
    appending = staging.append(batch.rows, batch.propertyRows);
    appending.catch(() => undefined);
  };
  const bytesRead = () => (file ? file.bytes : format === 'xlsx' ? counted.bytes : text.bytesRead);
  const progress = () => options.onProgress?.({ rows: builder.rowCount, bytesRead: bytesRead(), totalBytes: options.totalBytes });
  const afterBatch = async () => {
    if (builder.rows.length >= batchSize) await flush();
    progress();
  };

  try {
    if (file) {
      meta.header = file.header.map((h) => h.trim()).filter((h) => h !== '');
      meta.delimiter = file.delimiter;
      await loadPlainCsv(tx, file, map, builder, builder.csvHeader(file.header, { lenient: isPreview }), staging);
    } else {
      const records = counted.failed
        ? untilFailed(readXlsx(counted.chunks, { sheet: options.sheet }), counted.failed)
        : format === 'csv'
          ? readCsv(text.decode(counted.chunks), { delimiter: options.delimiter })
          : undefined;
      if (records) await readRecords(builder, records, afterBatch, isPreview, meta);
      else await readJson(builder, text.decode(counted.chunks), format, afterBatch);
    }
  } catch (error) {
    // Let a bulk load still running finish before the rollback uses the connection.
    await appending.catch(() => undefined);
    throw error;
  }
  await flush();
  await appending;
  progress();

  const positionOf: PositionOf = format === 'json' ? (row, line) => ({ line, element: row - 1 }) : (_row, line) => ({ line });
  const present = new Set(map.columns.filter((_, slot) => builder.present[slot]).map((c) => c.column));
  const columns = { present: (column: string) => present.has(column), label: (column: string) => builder.label(column) };

  const { staged, duplicates } = await staging.dropSupersededDuplicates();
  let removed = 0;
  for (;;) {
    let removedNow = await checkReferences(tx, entity, staging, columns, errors, positionOf, skipBad);
    if (entity.hierarchy && present.has('parent_id')) {
      removedNow += await checkCycles(tx, entity, staging, builder.label('parent_id'), errors, positionOf, skipBad);
    }
    if (entity.name === 'prices' && present.has('price_type_id')) {
      removedNow += await checkDerivedPriceRows(tx, staging, builder.label('price_type_id'), errors, positionOf, skipBad);
    }
    removed += removedNow;
    // Leaving out a row can strand rows of the file that pointed to it: look again.
    if (!skipBad || removedNow === 0 || !entity.hierarchy) break;
  }
  if (errors.errorCount > 0 && !skipBad && !isPreview) {
    throw new AppError('IMPORT_BAD_ROWS', {
      badRows: errors.badRows,
      errorCount: errors.errorCount,
      errors: errors.list(),
      errorsTruncated: errors.truncated,
    });
  }
  await staging.pruneOrphanProperties();

  const written = [...present].filter((column) => column !== 'id');
  const { inserted, updated, changedIn } = await writeChanges(tx, entity, staging, written, staged - removed);
  const newProperties = propertyTypes ? await recordNewProperties(tx, entity.name, staging, propertyTypes) : [];
  if (entity.hierarchy && inserted + updated > 0) {
    await rebuildClosure(tx, entity);
    const cycles = await findCycles(tx, entity);
    if (cycles.length) throw new Error(`import left a cycle in ${entity.table}: ${cycles.join(', ')}`);
  }
  if (inserted + updated > 0 && options.onImported && !isPreview) {
    for await (const ids of changedIds(tx, changedIn, IMPORTED_IDS_CHUNK)) await options.onImported(tx, { entity: entity.name, changedIds: ids });
  }
  await staging.drop();

  const report: ImportReport = {
    entity: entity.name,
    format,
    encoding: format === 'xlsx' ? null : text.encoding,
    rows: builder.rowCount,
    inserted,
    updated,
    unchanged: staged - removed - inserted - updated,
    duplicates,
    skipped: errors.badRows,
    errorCount: errors.errorCount,
    errors: errors.list(),
    errorsTruncated: errors.truncated,
    newProperties,
  };
  if (!isPreview) return report;
  const headings: PreviewColumn[] = meta.header.map((heading) => {
    const match = map.match(heading);
    if (match.how === 'skipped') return { heading, field: null, how: 'skipped', suggestions: [] };
    if (match.how === 'unknown') return { heading, field: null, how: 'unknown', suggestions: [...match.suggestions] };
    return { heading, field: match.field, how: match.how, suggestions: [] };
  });
  throw new PreviewDone({
    report,
    preview: {
      entity: entity.name,
      format,
      encoding: report.encoding,
      ...(meta.delimiter === undefined ? {} : { delimiter: meta.delimiter }),
      ...(meta.sheet === undefined ? {} : { sheet: meta.sheet }),
      columns: headings,
      missingColumns: builder.missingColumns,
      sample: builder.sample,
    },
  });
}

/**
 * The chunks of the input, read only once the import's turn has come. A stream gets an error
 * listener at once: a body cut off while the import waits (its turn, the database) must not be
 * an unhandled 'error' event that stops the process. Its errors then end the import as
 * IMPORT_ABORTED, rolled back. A caller's stream stays the caller's: left open (an HTTP request
 * body is drained by the server after the answer, not cut), and only one we made is destroyed.
 */
function openInput(input: ImportInput): { chunks: AsyncIterable<Uint8Array | string>; release: () => void } {
  const owned = !(input instanceof Readable);
  const source = input instanceof Readable ? input : Readable.from(input as AsyncIterable<Uint8Array | string>, { objectMode: false });
  source.on('error', () => undefined); // seen by the reader below; kept for errors after the import
  async function* chunks(): AsyncGenerator<Uint8Array | string> {
    try {
      yield* source.iterator({ destroyOnReturn: owned }) as AsyncIterable<Uint8Array | string>;
    } catch (error) {
      if (error instanceof AppError) throw error;
      throw new AppError('IMPORT_ABORTED', { reason: (error as Error).message || String(error) });
    }
  }
  return { chunks: chunks(), release: () => (owned ? source.destroy() : undefined) };
}

/** Hands the rows of a CSV file or a sheet to the builder; `afterBatch` runs after each parsed batch. */
async function readRecords(
  builder: RowBuilder,
  records: AsyncIterable<{ header: string[]; delimiter?: CsvDelimiter; line?: number; sheet?: string } | CsvBatch>,
  afterBatch: () => Promise<void>,
  lenient: boolean,
  meta: { delimiter?: string; sheet?: string; header: readonly string[] },
): Promise<void> {
  let readRow: ((record: readonly string[], source: SourceRow) => void) | undefined;
  for await (const item of records) {
    if ('header' in item) {
      meta.header = item.header.map((h) => h.trim()).filter((h) => h !== '');
      if (item.delimiter !== undefined) meta.delimiter = item.delimiter;
      if (item.sheet !== undefined) meta.sheet = item.sheet;
      readRow = builder.csvHeader(item.header, { lenient, headerLine: item.line ?? 1 });
      continue;
    }
    const { records: rows, lines } = item;
    for (let i = 0; i < rows.length; i++) readRow!(rows[i]!, { ordinal: lines[i]!, line: lines[i]!, element: undefined });
    await afterBatch();
  }
}

/** Hands the rows of a JSON array or JSON Lines file to the builder. */
async function readJson(builder: RowBuilder, text: AsyncIterable<string>, format: ImportFormat, afterBatch: () => Promise<void>): Promise<void> {
  const rows = format === 'json' ? readJsonArray(text) : readJsonLines(text);
  for await (const batch of rows) {
    for (const row of batch) {
      const position: SourceRow = { ordinal: row.element === undefined ? row.line : row.element + 1, line: row.line, element: row.element };
      if (row.invalid === undefined) builder.jsonValue(row.value, position);
      else builder.badRow(position, row.value, row.invalid);
    }
    await afterBatch();
  }
}

/** Stores the definitions of properties this import met first, for those that kept a value. */
async function recordNewProperties(tx: Queryable, entity: string, staging: Staging, types: PropertyTypes): Promise<{ name: string; type: string }[]> {
  const candidates = types.newDefinitions();
  if (candidates.length === 0 || !staging.propertyTable) return [];
  const used = new Set(
    (
      await tx.query<{ name: string }>(
        `SELECT DISTINCT name FROM ${staging.propertyTable} WHERE value_text IS NOT NULL OR value_number IS NOT NULL OR value_date IS NOT NULL OR value_boolean IS NOT NULL`,
      )
    ).map((r) => r.name),
  );
  const added = candidates.filter((d) => used.has(d.name));
  for (const { name, type } of added) {
    await tx.run(sql`INSERT INTO property_definitions (entity, name, type) VALUES (${entity}, ${name}, ${type}) ON CONFLICT DO NOTHING`);
  }
  return added;
}
