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

/** Counts the statements of a connection that may have written (a WriteCounter, or one transaction's share of it). */
export interface WriteTracker {
  /** Counts `statement` (its SQL `text`, when known) as a write when it has settled, whether it succeeded or failed. */
  after<T>(statement: Promise<T>, text?: string): Promise<T>;
  /** Counts a query as a write unless it plainly only reads (a WITH may hide a DELETE). */
  afterQuery<T>(sql: string, query: Promise<T>): Promise<T>;
}

/**
 * A number that grows after every statement that may have written and after every transaction
 * ends. It grows once the statement has finished, so a copy read while it stayed the same
 * cannot miss a write that was already visible.
 */
export class WriteCounter implements WriteCount, WriteTracker {
  private count = 0;
  private readonly scoped = new Map<string, { readonly tables: ReadonlySet<string>; value: number }>();
  get value(): number {
    return this.count;
  }
  /**
   * The writes that may have touched these tables (issue 20): a copy of segments need not be
   * checked again after a partner was inserted. A statement counts when the one table it plainly
   * writes (INSERT INTO / UPDATE / DELETE FROM / CREATE TEMP TABLE / DROP TABLE) is one of these;
   * a statement of another shape or whose text is unknown counts for every table, and a
   * transaction's COMMIT for every table its statements counted for.
   */
  of(tables: readonly string[]): WriteCount {
    const key = [...tables].sort().join(' ');
    let scoped = this.scoped.get(key);
    if (!scoped) {
      scoped = { tables: new Set(tables.map((t) => t.toLowerCase())), value: 0 };
      this.scoped.set(key, scoped);
    }
    const found = scoped;
    return {
      get value() {
        return found.value;
      },
    };
  }
  after<T>(statement: Promise<T>, text?: string): Promise<T> {
    return this.afterWriting(statement, tablesWritten(text));
  }
  afterQuery<T>(sql: string, query: Promise<T>): Promise<T> {
    return afterQueryOf(this, sql, query);
  }
  /** The writes of one transaction: its statements count as they settle, its end again for the tables they wrote. */
  transaction(): TransactionWrites {
    return new TransactionWrites(this);
  }
  /** Counts `statement`, once it has settled, as one write of these tables (EVERY_TABLE: of any). */
  afterWriting<T>(statement: Promise<T>, tables: WrittenTables): Promise<T> {
    return statement.finally(() => {
      this.count++;
      for (const scoped of this.scoped.values()) {
        if (tables === EVERY_TABLE || [...tables].some((t) => scoped.tables.has(t))) scoped.value++;
      }
    });
  }
}

/**
 * One transaction's share of a WriteCounter. A statement is counted when it settles, and the
 * transaction's end (commit or rollback) counts once more for the tables its statements wrote:
 * a copy read between a statement and the commit saw the data before it, and must read again.
 */
export class TransactionWrites implements WriteTracker {
  private readonly tables = new Set<string>();
  private everyTable = false;
  constructor(private readonly counter: WriteCounter) {}
  after<T>(statement: Promise<T>, text?: string): Promise<T> {
    const tables = tablesWritten(text);
    if (tables === EVERY_TABLE) this.everyTable = true;
    else for (const t of tables) this.tables.add(t);
    return this.counter.afterWriting(statement, tables);
  }
  afterQuery<T>(sql: string, query: Promise<T>): Promise<T> {
    return afterQueryOf(this, sql, query);
  }
  /** Counts the transaction's end (`ending`: its COMMIT, or the whole transaction) for what it wrote. */
  ended<T>(ending: Promise<T>): Promise<T> {
    return this.counter.afterWriting(ending, this.everyTable ? EVERY_TABLE : this.tables);
  }
}

/** A query counted as a write unless it plainly only reads (a WITH may hide a DELETE). */
const afterQueryOf = <T>(tracker: WriteTracker, sql: string, query: Promise<T>): Promise<T> => (READ_ONLY_SQL.test(sql) ? query : tracker.after(query, sql));

/** A write whose table cannot be told: it counts for every table. */
const EVERY_TABLE = 'every table';
/** The tables a statement may have written (lower case, without schema or quotes). */
type WrittenTables = ReadonlySet<string> | typeof EVERY_TABLE;
const NO_TABLE: WrittenTables = new Set();

/**
 * A statement that writes one table, named right after its verb (a subquery may read others; no
 * trigger or cascading key writes another table in Segmenta's schema). Group 2: the name.
 */
const NAMED_WRITE =
  /^\s*(INSERT\s+INTO|UPDATE|DELETE\s+FROM|CREATE\s+(?:TEMP|TEMPORARY)\s+TABLE(?:\s+IF\s+NOT\s+EXISTS)?|DROP\s+TABLE(?:\s+IF\s+EXISTS)?)\s+((?:"[^"]+"|[A-Za-z_][\w$]*)(?:\s*\.\s*(?:"[^"]+"|[A-Za-z_][\w$]*))*)/i;
const READ_ONLY_SQL = /^\s*(SELECT|VALUES|SHOW|DESCRIBE|EXPLAIN)\b/i;

/** The table a statement writes, or EVERY_TABLE when its text is unknown or its shape does not say. */
function tablesWritten(text: string | undefined): WrittenTables {
  if (text === undefined) return EVERY_TABLE;
  // A SELECT run for its effect (an advisory lock, nextval) writes no table.
  if (READ_ONLY_SQL.test(text)) return NO_TABLE;
  const name = NAMED_WRITE.exec(text)?.[2];
  if (name === undefined) return EVERY_TABLE;
  const last = name.split('.').pop()!.trim();
  return new Set([(last.startsWith('"') ? last.slice(1, -1) : last).toLowerCase()]);
}

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
