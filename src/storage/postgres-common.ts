/** What the two PostgreSQL adapters (pg and PGlite) share: value parsing, COPY encoding, the custom SQL role, the manager scope. */
import { AppError } from '../errors/app-error.js';
import { NULL_INT, type ColumnValues, type SqlValue } from '../sql/queryable.js';
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

/** The role a manager's reads run as: SELECT only, neither owner nor BYPASSRLS (migration 10). */
export const SCOPED_ROLE = 'segmenta_scoped';
/** A NOINHERIT role holding SCOPED_ROLE, granted to Segmenta's user: SET ROLE without inheriting its policies. */
export const SCOPED_ROLE_GATE = 'segmenta_scoped_gate';
/** The transaction's manager scope, a JSON array of manager ids, read by the row-level security policies. */
export const MANAGER_IDS_SETTING = 'segmenta.manager_ids';

/**
 * Inside a transaction, sets the manager scope and switches to SCOPED_ROLE until it ends (both
 * SET LOCAL, in one round trip); PARTNER_SCOPE_UNAVAILABLE when the role is missing or this user
 * may not take it. The ids go as a JSON array, so that an empty list is a scope that sees nothing,
 * not the unset setting of the system's own work.
 */
export async function enterPartnerScope(query: (sql: string, params: readonly SqlValue[]) => Promise<unknown>, managerIds: readonly string[]): Promise<void> {
  try {
    await query(`SELECT set_config('${MANAGER_IDS_SETTING}', $1, true), set_config('role', '${SCOPED_ROLE}', true)`, [JSON.stringify(managerIds)]);
  } catch (error) {
    // 22023: invalid_parameter_value (no such role); 42501: insufficient_privilege (not granted).
    const code = (error as { code?: string }).code;
    if (code === '22023' || code === '42704' || code === '42501') throw new AppError('PARTNER_SCOPE_UNAVAILABLE', { role: SCOPED_ROLE });
    throw error;
  }
}

/**
 * Run on a connection after a scoped transaction: the role and scope end with the transaction,
 * unless something inside set them for the session; no connection goes back to the pool so.
 */
export const LEAVE_PARTNER_SCOPE = `RESET ROLE; RESET ${MANAGER_IDS_SETTING}`;

/** Leaving a scoped read on a connection whose own role is `role` (PGlite run as another role), else the session's. */
export const leavePartnerScope = (role?: string): string => (role ? `SET ROLE ${quoteIdent(role)}; RESET ${MANAGER_IDS_SETTING}` : LEAVE_PARTNER_SCOPE);

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

/**
 * Whether COPY FROM must go through a temporary table: PostgreSQL refuses COPY FROM into a table
 * under row-level security for the current user — with FORCE (migration 10), the owner too,
 * unless superuser or BYPASSRLS — though an INSERT of the same rows passes its policies.
 */
export const ROW_SECURITY_ACTIVE = 'SELECT row_security_active($1) AS active';

let copyStagingCount = 0;

/**
 * COPY `columns` of `table` into a new temporary table of the same columns, then INSERT them
 * into `table`: the statements to run before the COPY, the COPY's target, and the statements
 * after (the last drops the temporary table; run it also when something failed).
 */
export function copyThroughStaging(table: string, columns: readonly string[]): { before: string[]; target: string; after: string[]; drop: string } {
  const target = `segmenta_copy_${process.pid}_${++copyStagingCount}`;
  const list = columns.map(quoteIdent).join(', ');
  const drop = `DROP TABLE IF EXISTS pg_temp.${target}`;
  return {
    before: [`CREATE TEMPORARY TABLE ${target} AS SELECT ${list} FROM ${quoteIdent(table)} WITH NO DATA`],
    target,
    after: [`INSERT INTO ${quoteIdent(table)} (${list}) SELECT ${list} FROM pg_temp.${target}`, drop],
    drop,
  };
}

export const copyStatement = (table: string, columns: readonly string[], source: string, format: 'csv' | 'binary' = 'csv'): string =>
  `COPY ${quoteIdent(table)} (${columns.map(quoteIdent).join(', ')}) FROM ${source} WITH (FORMAT ${format})`;
