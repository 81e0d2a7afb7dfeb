/** What the two PostgreSQL adapters (pg and PGlite) share: value parsing and COPY encoding. */
import { NULL_INT, type ColumnValues } from './database.js';

/** PostgreSQL type OIDs whose text form we parse ourselves. */
export const PG_TYPES = {
  int8: 20,
  int2: 21,
  int4: 23,
  float4: 700,
  float8: 701,
  numeric: 1700,
  date: 1082,
  timestamp: 1114,
  timestamptz: 1184,
} as const;

const timestampToIso = (text: string): string => {
  const m = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})(\.\d+)?/.exec(text);
  if (!m) return text;
  const ms = (m[3] ?? '.000').slice(0, 4).padEnd(4, '0');
  return `${m[1]}T${m[2]}${ms}Z`;
};

/** Parsers from PostgreSQL text to the shared Row shape. */
export const PG_PARSERS: Record<number, (text: string) => unknown> = {
  [PG_TYPES.int8]: Number,
  [PG_TYPES.numeric]: Number,
  [PG_TYPES.date]: (text) => text,
  [PG_TYPES.timestamp]: timestampToIso,
  [PG_TYPES.timestamptz]: (text) => new Date(text).toISOString(),
};

function csvField(value: string | null): string {
  if (value === null) return '';
  return `"${value.replaceAll('"', '""')}"`;
}

/** Rows as CSV for `COPY … WITH (FORMAT csv)`: an unquoted empty field is NULL, "" is an empty string. */
export function encodeCopyCsv(rows: readonly (readonly (string | null)[])[], width: number): string {
  const lines: string[] = [];
  for (const row of rows) {
    const fields: string[] = [];
    for (let i = 0; i < width; i++) fields.push(csvField(row[i] ?? null));
    lines.push(fields.join(','));
  }
  return lines.length ? lines.join('\n') + '\n' : '';
}

/** Columnar rows `from`…`to` as COPY CSV (see `ColumnValues`: NULL_INT and NaN are NULL). */
export function encodeCopyCsvColumns(values: readonly ColumnValues[], from: number, to: number): string {
  const lines: string[] = new Array<string>(to - from);
  const width = values.length;
  for (let r = from; r < to; r++) {
    let line = '';
    for (let c = 0; c < width; c++) {
      const column = values[c]!;
      if (c > 0) line += ',';
      if (column instanceof Int32Array) {
        const v = column[r]!;
        if (v !== NULL_INT) line += v;
      } else if (column instanceof Float64Array) {
        const v = column[r]!;
        if (!Number.isNaN(v)) line += v;
      } else {
        line += csvField((column as readonly (string | null)[])[r] ?? null);
      }
    }
    lines[r - from] = line;
  }
  return lines.length ? lines.join('\n') + '\n' : '';
}

export const quoteIdent = (name: string): string => `"${name.replaceAll('"', '""')}"`;

export const copyStatement = (table: string, columns: readonly string[], source: string): string =>
  `COPY ${quoteIdent(table)} (${columns.map(quoteIdent).join(', ')}) FROM ${source} WITH (FORMAT csv)`;
