import { createReadStream } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { EntityDef, ScalarField } from '../model/entities.js';
import type { Queryable } from '../sql/queryable.js';
import type { ColumnMap } from './column-map.js';
import { readCsv } from './csv-records.js';
import { lineOfRecord, scanCsvFile, type LineShift } from './csv-file-scan.js';
import { textLimit } from './field-coercers.js';
import type { CsvDelimiter } from './import-format.js';
import type { RowBuilder } from './row-builder.js';
import type { Staging } from './staging.js';
import { TextInput, type TextEncoding } from './text-input.js';

/**
 * The fast path of a CSV import (issue 20): a plain UTF-8 file on this machine is read by the
 * database's own CSV reader (parallel, native) instead of parsed value by value in Node, and
 * its values are checked and converted in SQL. SQL takes only the values it can convert
 * exactly as the coercers of field-coercers.ts would (`2024-03-01`, `1234.50`, an id); every
 * other row — a bad value, a missing one, `1 234,50`, `31.12.2023` — goes through the
 * RowBuilder like any row of the usual path, so errors keep their codes, texts and lines and
 * the results are the same. Chosen by importFile when all of this holds, invisibly:
 *
 * - the engine reads files (Dialect.csvFileScan: DuckDB);
 * - the entity's fields are text, decimals and dates without allowed values or bounds (sale
 *   lines, settlements, directories); roles, properties and composite ids take the usual path;
 * - the file is plain (csv-file-scan.ts): else the usual reader words what is wrong.
 */

/** A CSV file the fast path can read, with what its first look found. */
export interface PlainCsvFile {
  readonly path: string;
  readonly header: string[];
  readonly delimiter: CsvDelimiter;
  readonly records: number;
  readonly shifts: readonly LineShift[];
  readonly bytes: number;
}

/** Thrown when the engine's reader disagrees with the scan: the import is run again the usual way. */
export class NotPlainAfterAll extends Error {}

const FAST_TYPES = new Set<ScalarField['type']>(['text', 'date', 'decimal']);

/** Whether the entity's values can all be checked in SQL (see the module comment). */
export function fastPathFits(entity: EntityDef): boolean {
  if (entity.properties || entity.key) return false;
  return entity.fields.every((f) => f.kind === 'scalar' && FAST_TYPES.has(f.type) && !f.values && f.min === undefined && f.max === undefined);
}

/** Bytes read for the header: a header longer than this takes the usual path. */
const HEADER_BYTES = 1 << 20;

/**
 * The file, when the fast path can import it into `db`: else undefined, and the usual path
 * reads it (and refuses it, when it must, in its own words).
 */
export async function plainCsvFile(
  db: Queryable,
  path: string,
  entity: EntityDef,
  options: { readonly delimiter?: CsvDelimiter | undefined; readonly encoding?: TextEncoding | undefined; readonly bytes: number },
  onScanned: (bytes: number, records: number) => void = () => undefined,
): Promise<PlainCsvFile | undefined> {
  if (!db.dialect.csvFileScan || !fastPathFits(entity)) return undefined;
  if (options.encoding !== undefined && options.encoding !== 'utf-8') return undefined;
  const file = isAbsolute(path) ? path : resolve(path);
  // The engine's reader takes a pattern or an address: a plain path only.
  if (/[*?[\]{}]|:\/\//.test(file)) return undefined;
  const head = await readHeader(file, options.delimiter);
  if (!head) return undefined;
  const scan = await scanCsvFile(file, head.delimiter, head.header.length, onScanned);
  if (!scan.plain) return undefined;
  return { path: file, header: head.header, delimiter: head.delimiter, records: scan.records, shifts: scan.shifts, bytes: options.bytes };
}

/** The header and delimiter as readCsv finds them, or undefined (no header, not text: the usual path says why). */
async function readHeader(path: string, delimiter: CsvDelimiter | undefined): Promise<{ header: string[]; delimiter: CsvDelimiter } | undefined> {
  const stream = createReadStream(path, { end: HEADER_BYTES - 1 });
  try {
    for await (const item of readCsv(new TextInput('csv').decode(stream as AsyncIterable<Buffer>), { delimiter })) {
      if ('header' in item) return { header: item.header, delimiter: item.delimiter };
      return undefined;
    }
    return undefined;
  } catch {
    return undefined;
  } finally {
    stream.destroy();
  }
}

/** Rows read back from SQL per batch of the usual path. */
const LEFTOVER_BATCH = 10_000;

/**
 * Loads the file into staging: the engine reads every record into a scratch table with a flag
 * saying whether SQL converts the whole row exactly; those rows are inserted converted, the
 * others handed to the builder (`readRow`, from RowBuilder.csvHeader) with their lines.
 */
export async function loadPlainCsv(
  tx: Queryable,
  file: PlainCsvFile,
  map: ColumnMap,
  builder: RowBuilder,
  readRow: (record: readonly string[], source: { ordinal: number; line: number; element: undefined }) => void,
  staging: Staging,
): Promise<void> {
  const scanSql = tx.dialect.csvFileScan!;
  const width = file.header.length;
  const raw = `import_raw_${randomBytes(6).toString('hex')}`;
  const cols = Array.from({ length: width }, (_, i) => `c${i}`);
  // The file column of each staging slot (the header check has refused doubled columns).
  const sourceOf = new Map<number, { column: string; field: ScalarField }>();
  file.header.forEach((heading, i) => {
    const name = heading.trim();
    const target = name === '' ? undefined : map.resolve(name);
    if (target?.kind === 'scalar') sourceOf.set(target.slot, { column: cols[i]!, field: target.field });
  });
  const required = new Set(map.requiredFields().map((f) => map.slotOf(f)));
  const checks = [...sourceOf].map(([slot, { column, field }]) => exactly(column, field, required.has(slot)));
  // A record of only delimiters is blank (not a row); one with no required value is never converted here.
  if (required.size === 0) checks.push(`NOT (${cols.map((c) => `${c} IS NULL`).join(' AND ')})`);
  const values = map.columns.map((_, slot) => {
    const source = sourceOf.get(slot);
    return source ? converted(source.column, source.field) : 'NULL';
  });

  const exact = checks.length ? checks.join(' AND ') : 'TRUE';
  // Records numbered in file order as read (a streaming window: no sort, no copy of the file).
  const numbered = `(SELECT *, row_number() OVER () - 1 AS _i FROM ${scanSql(file.path, { delimiter: file.delimiter, columns: width, skipLines: 1 })})`;
  const shifted = file.shifts.length > 0;
  try {
    if (shifted) await insertNumberedByWindow(tx, file, raw, numbered, values, exact, staging);
    else await insertNumberedByPosition(tx, file, values, exact, staging);
  } catch (error) {
    throw new NotPlainAfterAll(`the database's CSV reader refused ${file.path}: ${(error as Error).message}`);
  }
  const [count] = await tx.query<{ n: number }>(`SELECT COUNT(*) AS n FROM ${staging.table}`);
  const taken = Number(count?.n ?? 0);
  builder.rowCount += taken;
  for (const [slot] of sourceOf) builder.present[slot] = true;
  if (taken === file.records) {
    if (shifted) await tx.run(`DROP TABLE IF EXISTS ${raw}_shifts`);
    return;
  }

  // The rest (a file's bad rows, unusual values, blank records), read again and handed to the
  // builder in file order, as the usual path would.
  await tx.run(`CREATE ${tx.dialect.stagingTable} ${raw} AS SELECT _i, ${cols.join(', ')} FROM ${numbered} WHERE NOT (${exact})`);
  const [rest] = await tx.query<{ n: number }>(`SELECT COUNT(*) AS n FROM ${raw}`);
  if (taken + Number(rest?.n ?? 0) !== file.records) {
    throw new NotPlainAfterAll(`the database's CSV reader read ${taken + Number(rest?.n ?? 0)} records of ${file.path}, the scan ${file.records}`);
  }
  let after = -1;
  for (;;) {
    const rows = await tx.query<Record<string, string | null> & { _i: number }>(
      `SELECT CAST(_i AS INTEGER) AS _i, ${cols.join(', ')} FROM ${raw} WHERE _i > ${after} ORDER BY _i LIMIT ${LEFTOVER_BATCH}`,
    );
    for (const row of rows) {
      const record = cols.map((c) => row[c] ?? '');
      if (record.every((v) => v === '')) continue; // blank: skipped, as readCsv does
      const at = lineOfRecord(row._i, file.shifts);
      readRow(record, { ordinal: at, line: at, element: undefined });
    }
    const batch = builder.take();
    await staging.append(batch.rows, batch.propertyRows);
    if (rows.length < LEFTOVER_BATCH) break;
    after = rows[rows.length - 1]!._i;
  }
  await tx.run(`DROP TABLE IF EXISTS ${raw}`);
  if (shifted) await tx.run(`DROP TABLE IF EXISTS ${raw}_shifts`);
}

/**
 * Every record into staging in file order, its converted values where SQL converts the whole
 * row exactly (`_row` 0 for now) and none where not (`_row` -1). A table created in this
 * transaction and filled by one order-preserving insert (DuckDB's preserve_insertion_order)
 * holds record n at rowid base + n, so its line is rowid - base + 2. Numbering so costs a
 * fraction of `row_number() OVER ()`, which ran the read and the insert on one thread and
 * doubled the insert's CPU time. The other records are then dropped: read again with their text.
 */
async function insertNumberedByPosition(tx: Queryable, file: PlainCsvFile, values: readonly string[], exact: string, staging: Staging): Promise<void> {
  const scan = tx.dialect.csvFileScan!(file.path, { delimiter: file.delimiter, columns: file.header.length, skipLines: 1 });
  const taken = values.map((v) => (v === 'NULL' ? v : `CASE WHEN _exact THEN ${v.replaceAll('{r}', 'r')} END`));
  await tx.run(`INSERT INTO ${staging.table} (${staging.columns.join(', ')}) SELECT ${taken.join(', ')}, CASE WHEN _exact THEN 0 ELSE -1 END FROM (SELECT *, ${exact} AS _exact FROM ${scan}) r`);
  // Rows not yet committed are numbered from a high base (DuckDB's MAX_ROW_ID); they must be contiguous.
  const [ids] = await tx.query<{ base: string | null; span: number | null; n: number }>(
    `SELECT CAST(MIN(rowid) AS VARCHAR) AS base, MAX(rowid) - MIN(rowid) + 1 AS span, COUNT(*) AS n FROM ${staging.table}`,
  );
  if (!ids?.base) return;
  if (Number(ids.span) !== Number(ids.n)) throw new Error(`staged rows are not numbered one after another (${ids.n} rows over ${ids.span} row ids)`);
  await tx.run(`UPDATE ${staging.table} SET _row = CAST(rowid - ${BigInt(ids.base)} + 2 AS INTEGER) WHERE _row = 0`);
  await tx.run(`DELETE FROM ${staging.table} WHERE _row = -1`);
}

/** Quoted line breaks push lines down: records numbered by a window, their lines shifted (csv-file-scan.ts). */
async function insertNumberedByWindow(tx: Queryable, file: PlainCsvFile, raw: string, numbered: string, values: readonly string[], exact: string, staging: Staging): Promise<void> {
  await tx.run(`CREATE ${tx.dialect.stagingTable} ${raw}_shifts (record BIGINT, extra BIGINT)`);
  await tx.appendColumns(`${raw}_shifts`, ['record', 'extra'], [Float64Array.from(file.shifts, (s) => s.record), Float64Array.from(file.shifts, (s) => s.extra)], file.shifts.length);
  await tx.run(
    `INSERT INTO ${staging.table} (${staging.columns.join(', ')}) SELECT ${values.map((v) => v.replaceAll('{r}', 'r')).join(', ')}, r._i + 2 + COALESCE(s.extra, 0)
     FROM ${numbered} r ASOF LEFT JOIN ${raw}_shifts s ON r._i >= s.record WHERE ${exact}`,
  );
}

const DIGITS_14 = '-?[0-9]{1,14}';

/**
 * SQL: true when the text column `c` holds a value the field's coercer takes and turns into
 * exactly `converted(c)` — conservatively: anything unusual is false and goes to the coercer.
 * (The reader gives an empty field as NULL; a text field's empty value is null too.)
 */
function exactly(c: string, field: ScalarField, required: boolean): string {
  let value: string;
  switch (field.type) {
    case 'text': {
      // Not blank (the coercer's isEmpty), not too long (bytes ≥ UTF-16 units), no NUL.
      const max = textLimit(field);
      value = `ascii(${c}) > 32 AND ascii(${c}) <> 160 AND strlen(${c}) <= ${max} AND NOT contains(${c}, chr(0))`;
      break;
    }
    case 'date':
      // YYYY-MM-DD of a real day, year 1000 on: the coercer hands such text back as it is.
      value = `strlen(${c}) = 10 AND regexp_full_match(${c}, '[0-9]{4}-[0-9]{2}-[0-9]{2}') AND ${c} >= '1000' AND TRY_CAST(${c} AS DATE) IS NOT NULL`;
      break;
    case 'decimal':
      // 1234.5 or 1234,5 with at most 14 digits before the separator (parseDecimalText's plain forms).
      value = `regexp_full_match(${c}, '${DIGITS_14}([.,][0-9]+)?')`;
      break;
    default:
      throw new Error(`no exact SQL conversion for ${field.type} fields`);
  }
  return required ? `(${c} IS NOT NULL AND ${value})` : `(${c} IS NULL OR (${value}))`;
}

/** SQL: the staging value of a column whose value `exactly` accepted (read from alias `{r}`). */
function converted(c: string, field: ScalarField): string {
  return field.type === 'decimal' ? `replace({r}.${c}, ',', '.')` : `{r}.${c}`;
}
