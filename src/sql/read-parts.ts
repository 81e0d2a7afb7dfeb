import type { Queryable, Row } from './queryable.js';
import { sql, type Sql } from './sql.js';

/**
 * Point reads of several tables issued together: each its own statement, all sent at once, so
 * that a pool (PostgreSQL) runs them on several connections and the wait is the longest one,
 * not the sum; an engine of one connection (DuckDB, PGlite, a transaction) runs them in turn.
 * One UNION ALL statement of the same reads was slower on both engines (PostgreSQL planned it
 * for 12 ms each time; DuckDB's zone maps served its parts less well).
 */

export interface ReadPart {
  readonly name: string;
  readonly from: Sql;
  readonly where: Sql;
  /** Each column: an expression over `from` (a column name, usually), read under `name`. */
  readonly columns: readonly { readonly name: string; readonly expression: string }[];
}

/** Each part's rows (column names as given), by part name. */
export async function readParts(q: Queryable, parts: readonly ReadPart[]): Promise<Map<string, Row[]>> {
  const rows = await Promise.all(
    parts.map((part) => q.query(sql`SELECT ${sql.raw(part.columns.map((c) => (c.expression === c.name ? c.name : `${c.expression} AS ${c.name}`)).join(', '))} FROM ${part.from} WHERE ${part.where}`)),
  );
  return new Map(parts.map((part, i) => [part.name, rows[i]!]));
}
