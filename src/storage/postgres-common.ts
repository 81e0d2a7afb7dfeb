/** What the two PostgreSQL adapters (pg and PGlite) share: value parsing, COPY encoding, the custom SQL role. */
import { NULL_INT, type ColumnValues } from '../sql/queryable.js';
import { SandboxUnavailableError } from './database.js';

/** The role custom SQL runs as: SELECT on Segmenta's data tables only (migration 8). */
export const CUSTOM_SQL_ROLE = 'segmenta_custom_sql';

/**
 * Inside a read-only transaction, switches to CUSTOM_SQL_ROLE until the transaction ends;
 * SandboxUnavailableError when the role is missing or this user may not take it.
 */
export async function enterCustomSqlRole(query: (sql: string) => Promise<{ rows: unknown[] }>): Promise<void> {
  const { rows } = await query(`SELECT CASE WHEN EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${CUSTOM_SQL_ROLE}') THEN pg_has_role('${CUSTOM_SQL_ROLE}', 'MEMBER') ELSE false END AS ok`);
  if ((rows[0] as { ok?: boolean } | undefined)?.ok !== true) throw new SandboxUnavailableError(CUSTOM_SQL_ROLE);
  await query(`SET LOCAL ROLE ${CUSTOM_SQL_ROLE}`);
}

/**
 * Run on a connection after custom SQL: session-level advisory locks survive a rollback, so
 * none may stay with a pooled connection (the checker refuses the functions; this is the net).
 */
export const RELEASE_SESSION_STATE = 'SELECT pg_advisory_unlock_all()';

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

/** Start and end of a `COPY … WITH (FORMAT binary)` stream: the signature, flags and header extension (both 0); −1. */
export const COPY_BINARY_HEADER = Buffer.concat([Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'), Buffer.alloc(8)]);
export const COPY_BINARY_TRAILER = Buffer.from([0xff, 0xff]);

/**
 * Columnar rows `from`…`to` as tuples of PostgreSQL's binary COPY format (see `ColumnValues`:
 * NULL_INT, NaN and null are NULL): INTEGER as 4 bytes, DOUBLE PRECISION as 8, text as UTF-8.
 * Numbers are written as they are, never formatted as text — a tenth of the CPU of CSV.
 */
export function encodeCopyBinaryColumns(values: readonly ColumnValues[], from: number, to: number): Buffer {
  const width = values.length;
  let size = (to - from) * (2 + 4 * width);
  for (const column of values) {
    if (column instanceof Int32Array) {
      for (let r = from; r < to; r++) if (column[r] !== NULL_INT) size += 4;
    } else if (column instanceof Float64Array) {
      for (let r = from; r < to; r++) if (!Number.isNaN(column[r]!)) size += 8;
    } else {
      for (let r = from; r < to; r++) {
        const v = column[r];
        if (v !== null && v !== undefined) size += Buffer.byteLength(v);
      }
    }
  }
  const out = Buffer.allocUnsafe(size);
  let at = 0;
  for (let r = from; r < to; r++) {
    at = out.writeInt16BE(width, at);
    for (let c = 0; c < width; c++) {
      const column = values[c]!;
      if (column instanceof Int32Array) {
        const v = column[r]!;
        if (v === NULL_INT) at = out.writeInt32BE(-1, at);
        else at = out.writeInt32BE(v, out.writeInt32BE(4, at));
      } else if (column instanceof Float64Array) {
        const v = column[r]!;
        if (Number.isNaN(v)) at = out.writeInt32BE(-1, at);
        else at = out.writeDoubleBE(v, out.writeInt32BE(8, at));
      } else {
        const v = column[r];
        if (v === null || v === undefined) at = out.writeInt32BE(-1, at);
        else {
          const length = out.write(v, at + 4);
          out.writeInt32BE(length, at);
          at += 4 + length;
        }
      }
    }
  }
  return out;
}

export const quoteIdent = (name: string): string => `"${name.replaceAll('"', '""')}"`;

export const copyStatement = (table: string, columns: readonly string[], source: string, format: 'csv' | 'binary' = 'csv'): string =>
  `COPY ${quoteIdent(table)} (${columns.map(quoteIdent).join(', ')}) FROM ${source} WITH (FORMAT ${format})`;
