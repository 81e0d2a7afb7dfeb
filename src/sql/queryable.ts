/**
 * What SQL building and the storage adapters share: the values bound to parameters, the rows
 * that come back, and the interface queries run on. The adapters (src/storage) implement
 * `Queryable`; nothing here imports from storage, so the arrow points one way.
 */
import type { Dialect } from './dialect.js';

/** A value bound to a query parameter. */
export type SqlValue = string | number | boolean | null;
/** A row as returned by every adapter: numbers as numbers, dates as 'YYYY-MM-DD', timestamps as ISO strings. */
export type Row = Record<string, SqlValue>;

/** A statement ready to run: its text with `$1…$n` and the values bound to them (see `sql`). */
export interface Statement {
  readonly text: string;
  readonly params: readonly SqlValue[];
  /**
   * Kept prepared by its text on each connection that runs it, where the adapter would
   * otherwise parse and plan it every time (PostgreSQL: a named prepared statement): for the
   * few statements run again and again with other values (a one-partner check's reads). DuckDB
   * keeps every statement with parameters prepared anyway; PGlite runs it as it is.
   */
  readonly prepare?: boolean;
}

/**
 * One column of a columnar batch (see `appendColumns`): 32-bit integers (NULL_INT is NULL),
 * doubles (NaN is NULL), or texts (null is NULL).
 */
export type ColumnValues = Int32Array | Float64Array | readonly (string | null)[];

/** The Int32Array value that `appendColumns` stores as NULL. */
export const NULL_INT = -2147483648;

/** Queries and statements; the part shared by a database and an open transaction. */
export interface Queryable {
  readonly dialect: Dialect;
  /** Runs a query built with `sql` and returns its rows, normalised (see Row). */
  query<T extends Row = Row>(statement: Statement): Promise<T[]>;
  /** Runs a query with `$1…$n` parameters and returns its rows, normalised (see Row). */
  query<T extends Row = Row>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  /** Runs a statement built with `sql`; returns nothing. */
  run(statement: Statement): Promise<void>;
  /** Runs a statement with `$1…$n` parameters; returns nothing. */
  run(sql: string, params?: readonly SqlValue[]): Promise<void>;
  /**
   * Appends rows to a table in bulk (DuckDB appender, PostgreSQL COPY or unnest).
   * Values are text in the SQL literal form of the column type, or null.
   */
  appendRows(table: string, columns: readonly string[], rows: readonly (readonly (string | null)[])[]): Promise<void>;
  /**
   * Appends `length` rows given column by column: numbers stay numbers all the way (DuckDB
   * data chunks, PostgreSQL COPY), so generated data need not be formatted as text per value.
   * Every column of the table is given, in order; an Int32Array column must be INTEGER, a
   * Float64Array column DOUBLE PRECISION and a text column VARCHAR/TEXT. Generators load such
   * a staging table, then shape the real rows with one INSERT … SELECT.
   */
  appendColumns(table: string, columns: readonly string[], values: readonly ColumnValues[], length: number): Promise<void>;
}

/** The text and parameters of either form `query` and `run` accept: for the adapters. */
export const toStatement = (sql: string | Statement, params: readonly SqlValue[] = []): Statement => (typeof sql === 'string' ? { text: sql, params } : sql);
