import type { FieldType } from '../../model/entities.js';
import { baseDialect, type Dialect } from '../dialect.js';

const types: Record<FieldType, string> = {
  text: 'VARCHAR',
  decimal: 'DECIMAL(18,4)',
  integer: 'INTEGER',
  date: 'DATE',
  timestamp: 'TIMESTAMP',
  boolean: 'BOOLEAN',
};

export const duckdbDialect: Dialect = {
  ...baseDialect,
  name: 'duckdb',
  columnType: (type) => types[type],
  cast: (sql, type) => `CAST(${sql} AS ${types[type]})`,
  addDays: (date, days) => `CAST(${date} + CAST(${days} AS INTEGER) AS DATE)`,
  daysBetween: (from, to) => `date_diff('day', ${from}, ${to})`,
  monthDay: (date) => `(month(${date}) * 100 + day(${date}))`,
  temporaryTableAs: (name, select) => [`CREATE TEMPORARY TABLE ${name} AS ${select}`],
  // The native UNPIVOT reads each column once; a lateral VALUES join is several times slower here.
  // Each column's name joined to its label at once: a second join of the 10.8M pairs at 1M
  // partners (name → position → label) cost 0.7–2.9 s more CPU (docs/benchmarks.md).
  trueColumns: (table, key, columns) =>
    `SELECT u.${key} AS key, p.label FROM (UNPIVOT ${table} ON ${columns.map((c) => c.column).join(', ')} INTO NAME name VALUE value) u ` +
    `JOIN (VALUES ${columns.map((c) => `('${c.column}', ${c.label})`).join(', ')}) p(name, label) ON p.name = u.name WHERE u.value`,
  // DuckDB keeps its statistics current as it writes.
  analyze: () => [],
  checkpoint: () => ['CHECKPOINT'],
  usesSecondaryIndexes: false,
  bulkLoadsInOneTransaction: false,
  // UBIGINT; SUM gives HUGEINT.
  hash64: (text) => `hash(${text})`,
  // hash() takes any number of values of any type: no casts to text (4–8× faster on 1M rows).
  hashRow: (columns) => `hash(${columns.join(', ')})`,
  // ART indexes on rewritten tables broke WAL replay after kills (docs/storage.md).
  indexesOnRewrittenTables: false,
  keepsMeasureBase: true,
  rowId: 'rowid',
  // No sniffing: the importer has read the header and checked every record (csv-file-scan.ts).
  csvFileScan: (path, { delimiter, columns, skipLines }) =>
    `read_csv('${path.replaceAll("'", "''")}', auto_detect = false, header = false, skip = ${skipLines}, delim = '${delimiter.replaceAll("'", "''")}', quote = '"', escape = '"', ` +
    `strict_mode = true, null_padding = false, columns = {${Array.from({ length: columns }, (_, i) => `'c${i}': 'VARCHAR'`).join(', ')}})`,
  stagingTable: 'TABLE',
  // NULL ids left out: one would make NOT IN unknown for every value.
  absentId: (value, table) => `${value} NOT IN (SELECT id FROM ${table} WHERE id IS NOT NULL)`,
  transactionLock: null,
  skipLocked: '',
  // One expression per part instead of a typed slot per column (issue 20, session 14). JSON
  // keeps each value's text: decimals as their digits, dates and timestamps as DuckDB prints them.
  rowAsJson: {
    row: (columns) => `CAST(json_array(${columns.join(', ')}) AS VARCHAR)`,
    value: (type, value) => {
      if (value === null || value === undefined) return null;
      switch (type) {
        case 'timestamp':
          return duckdbTimestampToIso(String(value));
        case 'decimal':
        case 'integer':
          return Number(value);
        case 'boolean':
          return value === true || value === 'true';
        default:
          return String(value);
      }
    },
  },
  // No FILTER: DuckDB evaluates a CASE inside the sum more cheaply (its sums are read through COALESCE).
  filteredSum: (value, condition) => `SUM(CASE WHEN ${condition} THEN ${value} ELSE 0 END)`,
  memberKey: {
    type: 'UBIGINT',
    of: (id) => `CASE WHEN strlen(${id}) BETWEEN 1 AND 8 AND NOT contains(${id}, chr(0)) THEN CAST('0x' || hex(${id}) AS UBIGINT) END`,
  },
};

/** DuckDB prints 'YYYY-MM-DD HH:MM:SS[.ffffff][+00]'; timestamps are stored in UTC: ISO with milliseconds. */
export function duckdbTimestampToIso(text: string): string {
  const m = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})(\.\d+)?/.exec(text);
  if (!m) return text;
  const ms = (m[3] ?? '.000').slice(0, 4).padEnd(4, '0');
  return `${m[1]}T${m[2]}${ms}Z`;
}
