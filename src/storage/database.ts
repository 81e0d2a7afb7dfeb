import type { PartnerScope } from '../domain/access/principal.js';
import type { Queryable, Row, SqlValue } from '../sql/queryable.js';

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
   * Runs a manager's read under their partner scope (docs/security.md, "Row-level security on
   * PostgreSQL"): the query layer filters by the scope on every engine; this adds the storage's
   * guard behind it. On PostgreSQL, fn's statements run in one transaction as the role
   * `segmenta_scoped` (neither owner nor BYPASSRLS) with the manager ids set for the transaction,
   * so that row-level security hides every other manager's partners and their facts, even from a
   * query that forgot the filter; an empty list sees no partner. fn must use only `q` (not the
   * database: on PGlite that would wait for the transaction forever). `{ all: true }` runs fn on
   * the database itself; DuckDB has no row-level security and runs fn as it is. Refused with
   * PARTNER_SCOPE_UNAVAILABLE when PostgreSQL lacks the role (see migration 10).
   */
  scoped<T>(scope: PartnerScope, fn: (q: Queryable) => Promise<T>): Promise<T>;
  /**
   * Runs one query in a read-only transaction that is cancelled after `timeoutMs` (custom SQL
   * segments), leaving nothing behind on the connection. On PostgreSQL it runs as the role
   * that may read only Segmenta's data (CUSTOM_SQL_ROLE; SandboxUnavailableError without it).
   * Rejects with a QueryTimeoutError when the limit is hit.
   */
  queryReadOnly<T extends Row = Row>(sql: string, params: readonly SqlValue[], timeoutMs: number): Promise<T[]>;
  /**
   * For data that only this process can change (DuckDB holds its file's lock, PGlite lives in
   * the process): counts the statements that may have written, so that in-process copies of
   * data know when to reload. null on PostgreSQL, where other processes write too.
   */
  readonly localWrites: WriteCounter | null;
  /**
   * Makes everything committed so far part of the database file (DuckDB `CHECKPOINT`), so that
   * its write-ahead log stays short: called after each refresh, import and demo load. A no-op
   * on PostgreSQL, which checkpoints by itself.
   */
  checkpoint(): Promise<void>;
  close(): Promise<void>;
}

/** A count of writes that only grows; equal twice, nothing it counts was written in between. */
export interface WriteCount {
  readonly value: number;
}

/**
 * A number that grows after every statement that may have written and after every transaction
 * ends. It grows once the statement has finished, so a copy read while it stayed the same
 * cannot miss a write that was already visible.
 */
export class WriteCounter implements WriteCount {
  private count = 0;
  private readonly scoped = new Map<string, { readonly names: RegExp; value: number }>();
  get value(): number {
    return this.count;
  }
  /**
   * The writes that may have touched these tables (issue 20): a copy of segments need not be
   * checked again after a partner was inserted. A write counts unless its text plainly writes
   * one named table (INSERT INTO / UPDATE / DELETE FROM) and names none of these anywhere; a
   * COMMIT, a statement of another shape or one whose text is unknown counts for every table.
   */
  of(tables: readonly string[]): WriteCount {
    const key = [...tables].sort().join(' ');
    let scoped = this.scoped.get(key);
    if (!scoped) {
      scoped = { names: new RegExp(`\\b(${tables.join('|')})\\b`, 'i'), value: 0 };
      this.scoped.set(key, scoped);
    }
    const found = scoped;
    return {
      get value() {
        return found.value;
      },
    };
  }
  /** Counts `statement` (its SQL `text`, when known) as a write when it has settled, whether it succeeded or failed. */
  after<T>(statement: Promise<T>, text?: string): Promise<T> {
    return statement.finally(() => {
      this.count++;
      const named = text !== undefined && NAMED_WRITE.test(text) ? text : null;
      for (const scoped of this.scoped.values()) if (named === null || scoped.names.test(named)) scoped.value++;
    });
  }
  /** Counts a query as a write unless it plainly only reads (a WITH may hide a DELETE). */
  afterQuery<T>(sql: string, query: Promise<T>): Promise<T> {
    return READ_ONLY_SQL.test(sql) ? query : this.after(query, sql);
  }
}

/** A statement that writes the one table it names first (its text may name others, e.g. in a subquery). */
const NAMED_WRITE = /^\s*(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s/i;
const READ_ONLY_SQL = /^\s*(SELECT|VALUES|SHOW|DESCRIBE|EXPLAIN)\b/i;

/** A query stopped by its time limit. */
export class QueryTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`the query ran longer than ${timeoutMs} ms and was stopped`);
    this.name = 'QueryTimeoutError';
  }
}

/**
 * PostgreSQL has no role that custom SQL can run as (migration 8 could not create it, or the
 * database user may not SET ROLE to it): custom SQL is refused rather than run unconfined.
 */
export class SandboxUnavailableError extends Error {
  constructor(readonly role: string) {
    super(`the role ${role} that custom SQL runs as is missing or not granted to this user`);
    this.name = 'SandboxUnavailableError';
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
