import type { Dialect } from '../sql/dialect.js';

/** A value bound to a query parameter. */
export type SqlValue = string | number | boolean | null;
/** A row as returned by every adapter: numbers as numbers, dates as 'YYYY-MM-DD', timestamps as ISO strings. */
export type Row = Record<string, SqlValue>;

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
  /** Runs a query with `$1…$n` parameters and returns its rows, normalised (see Row). */
  query<T extends Row = Row>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  /** Runs a statement; returns nothing. */
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

/** One connection held for a piece of work: its temporary tables live until the session ends. */
export interface Session extends Queryable {
  /** Runs fn in one transaction on this session's connection (its temporary tables stay visible). */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
}

export interface Database extends Queryable {
  /** Short description for logs: engine and where. */
  readonly description: string;
  /** Runs fn in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /**
   * Runs fn on a connection of its own (a pool may hand each query to another one): for work
   * of many statements that shares temporary tables, with transactions of its own inside.
   * Temporary tables it creates are dropped when it ends.
   */
  session<T>(fn: (session: Session) => Promise<T>): Promise<T>;
  /**
   * Runs one query in a read-only transaction that is cancelled after `timeoutMs` (custom SQL
   * segments). Rejects with a QueryTimeoutError when the limit is hit.
   */
  queryReadOnly<T extends Row = Row>(sql: string, params: readonly SqlValue[], timeoutMs: number): Promise<T[]>;
  close(): Promise<void>;
}

/** A query stopped by its time limit. */
export class QueryTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`the query ran longer than ${timeoutMs} ms and was stopped`);
    this.name = 'QueryTimeoutError';
  }
}

/** Runs async jobs one at a time, in order: connections that cannot run two statements at once. */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();
  run<T>(job: () => Promise<T>): Promise<T> {
    const result = this.tail.then(job, job);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
