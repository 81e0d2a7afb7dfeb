import {
  DOUBLE,
  type DuckDBConnection,
  DuckDBDataChunk,
  DuckDBInstance,
  DuckDBTypeId,
  INTEGER,
  VARCHAR,
  type DuckDBPreparedStatement,
  type DuckDBResultReader,
  type DuckDBType,
  type DuckDBValue,
} from '@duckdb/node-api';
import type { PartnerScope } from '../domain/access/principal.js';
import { duckdbDialect, duckdbTimestampToIso } from '../sql/dialects/duckdb.js';
import { hasWal, isUnreplayableWal, moveWalAside, type WalRecovery } from './wal-recovery.js';
import { NULL_INT, toStatement, type ColumnValues, type Queryable, type Row, type SqlValue, type Statement } from '../sql/queryable.js';
import { QueryTimeoutError, SerialQueue, WriteCounter, type Database, type Session, type TransactionWrites, type WriteTracker } from './database.js';
import { runInTransaction, type TransactionControl } from './transaction.js';

/** DuckDB values → the shared Row shape (numbers, 'YYYY-MM-DD', ISO timestamps). */
function convertValue(value: DuckDBValue, type: DuckDBType): SqlValue {
  if (value === null) return null;
  switch (type.typeId) {
    case DuckDBTypeId.BOOLEAN:
      return Boolean(value);
    case DuckDBTypeId.TINYINT:
    case DuckDBTypeId.SMALLINT:
    case DuckDBTypeId.INTEGER:
    case DuckDBTypeId.UTINYINT:
    case DuckDBTypeId.USMALLINT:
    case DuckDBTypeId.UINTEGER:
    case DuckDBTypeId.FLOAT:
    case DuckDBTypeId.DOUBLE:
      return Number(value);
    case DuckDBTypeId.BIGINT:
    case DuckDBTypeId.UBIGINT:
    case DuckDBTypeId.HUGEINT:
    case DuckDBTypeId.UHUGEINT:
      return Number(value);
    case DuckDBTypeId.DECIMAL:
      return Number(String(value));
    case DuckDBTypeId.TIMESTAMP:
    case DuckDBTypeId.TIMESTAMP_MS:
    case DuckDBTypeId.TIMESTAMP_S:
    case DuckDBTypeId.TIMESTAMP_NS:
    case DuckDBTypeId.TIMESTAMP_TZ:
      return duckdbTimestampToIso(String(value));
    default:
      return String(value);
  }
}

/** Rows per data chunk: DuckDB's vector size. */
const CHUNK_ROWS = 2048;

const chunkType = (values: ColumnValues): DuckDBType => (values instanceof Int32Array ? INTEGER : values instanceof Float64Array ? DOUBLE : VARCHAR);

/** One column's slice as chunk values: typed arrays pass as they are unless they hold a NULL marker. */
function chunkValues(values: ColumnValues, from: number, to: number): readonly DuckDBValue[] | Int32Array | Float64Array {
  if (values instanceof Int32Array) {
    const slice = values.subarray(from, to);
    return slice.includes(NULL_INT) ? Array.from(slice, (v) => (v === NULL_INT ? null : v)) : slice;
  }
  if (values instanceof Float64Array) {
    const slice = values.subarray(from, to);
    return slice.some(Number.isNaN) ? Array.from(slice, (v) => (Number.isNaN(v) ? null : v)) : slice;
  }
  return values.slice(from, to);
}

/**
 * The prepared statements of one long-lived connection, by SQL text, the most recently used
 * kept. Parsing, binding and optimizing a query is most of the cost of a point query (about
 * 20 ms for the 100-rule check of one partner); DuckDB rebinds a statement by itself when a
 * table it reads has changed.
 */
class PreparedStatements {
  private readonly byText = new Map<string, DuckDBPreparedStatement>();
  constructor(
    private readonly connection: DuckDBConnection,
    private readonly capacity = 64,
  ) {}

  async run(sql: string, params: readonly SqlValue[]): Promise<DuckDBResultReader> {
    let statement = this.byText.get(sql);
    if (statement) this.byText.delete(sql);
    else statement = await this.connection.prepare(sql);
    this.byText.set(sql, statement);
    if (this.byText.size > this.capacity) {
      const [oldest, evicted] = this.byText.entries().next().value!;
      this.byText.delete(oldest);
      evicted.destroySync();
    }
    statement.bind(params as DuckDBValue[]);
    return statement.runAndReadAll();
  }

  clear(): void {
    for (const statement of this.byText.values()) statement.destroySync();
    this.byText.clear();
  }
}

class DuckDBQueryable implements Queryable {
  readonly dialect = duckdbDialect;
  constructor(
    protected readonly connection: DuckDBConnection,
    protected readonly queue: SerialQueue,
    protected readonly writes: WriteTracker,
    /** Kept only on the database's own connection: transactions and sessions are short. */
    protected readonly prepared: PreparedStatements | null = null,
  ) {}

  query<T extends Row = Row>(statement: string | Statement, values?: readonly SqlValue[]): Promise<T[]> {
    const { text: sql, params } = toStatement(statement, values);
    return this.writes.afterQuery(
      sql,
      this.queue.run(async () => {
        // Queries with parameters are the ones repeated with other values (checks, pricing, pages).
        const reader = this.prepared && params.length > 0 ? await this.prepared.run(sql, params) : await this.connection.runAndReadAll(sql, params as DuckDBValue[]);
        const names = reader.columnNames();
        const types = reader.columnTypes();
        const rows: T[] = [];
        for (const values of reader.getRows()) {
          const row: Row = {};
          for (let i = 0; i < names.length; i++) row[names[i]!] = convertValue(values[i] ?? null, types[i]!);
          rows.push(row as T);
        }
        return rows;
      }),
    );
  }

  run(statement: string | Statement, values?: readonly SqlValue[]): Promise<void> {
    const { text: sql, params } = toStatement(statement, values);
    return this.writes.after(
      this.queue.run(async () => {
        await this.connection.run(sql, params as DuckDBValue[]);
      }),
      sql,
    );
  }

  appendRows(table: string, columns: readonly string[], rows: readonly (readonly (string | null)[])[]): Promise<void> {
    return this.writes.after(
      this.queue.run(async () => {
        // The appender fills every column of the table in order; callers name them all.
        const appender = await this.connection.createAppender(table);
        try {
          for (const row of rows) {
            for (let i = 0; i < columns.length; i++) {
              const v = row[i];
              if (v === null || v === undefined) appender.appendNull();
              else appender.appendVarchar(v);
            }
            appender.endRow();
          }
          appender.flushSync();
        } finally {
          appender.closeSync();
        }
      }),
      `INSERT INTO ${table}`,
    );
  }

  appendColumns(table: string, columns: readonly string[], values: readonly ColumnValues[], length: number): Promise<void> {
    if (values.length !== columns.length) throw new Error(`appendColumns: ${columns.length} columns but ${values.length} value arrays`);
    if (length === 0) return Promise.resolve();
    return this.writes.after(
      this.queue.run(async () => {
        // Data chunks copy typed arrays into DuckDB vectors whole: no per-value call for numbers.
        const types = values.map(chunkType);
        const appender = await this.connection.createAppender(table);
        try {
          for (let from = 0; from < length; from += CHUNK_ROWS) {
            const to = Math.min(length, from + CHUNK_ROWS);
            const chunk = DuckDBDataChunk.create(types, to - from);
            for (let c = 0; c < values.length; c++) chunk.setColumnValues(c, chunkValues(values[c]!, from, to) as readonly DuckDBValue[]);
            appender.appendDataChunk(chunk);
          }
          appender.flushSync();
        } finally {
          appender.closeSync();
        }
      }),
      `INSERT INTO ${table}`,
    );
  }
}

/**
 * The writes of a session: while one of its transactions is open, its statements (through the
 * session or the transaction: they are the same connection) are that transaction's.
 */
class SessionWrites implements WriteTracker {
  private open: TransactionWrites | null = null;
  constructor(private readonly counter: WriteCounter) {}
  after<T>(statement: Promise<T>, text?: string): Promise<T> {
    return (this.open ?? this.counter).after(statement, text);
  }
  afterQuery<T>(sql: string, query: Promise<T>): Promise<T> {
    return (this.open ?? this.counter).afterQuery(sql, query);
  }
  /** A transaction begins: the statements until `end` are its. */
  begin(): TransactionWrites {
    return (this.open = this.counter.transaction());
  }
  end(): void {
    this.open = null;
  }
}

/** A connection of its own; BEGIN / COMMIT on it keep its temporary tables visible. */
class DuckDBSession extends DuckDBQueryable implements Session {
  constructor(
    connection: DuckDBConnection,
    queue: SerialQueue,
    private readonly sessionWrites: SessionWrites,
  ) {
    super(connection, queue, sessionWrites);
  }

  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    const writes = this.sessionWrites.begin();
    // Through the session's own queue: a statement of fn still running is not overtaken.
    const statement = (text: string) => this.queue.run(() => this.connection.run(text));
    const control: TransactionControl = {
      begin: () => statement('BEGIN TRANSACTION'),
      commit: () => writes.ended(statement('COMMIT')),
      rollback: () => writes.ended(statement('ROLLBACK')),
    };
    return runInTransaction(control, () => fn(this), this).finally(() => this.sessionWrites.end());
  }
}

/** Default memory limit of a file database: DuckDB's own default (80 % of RAM) lets one
 * large import or refresh grow past the 4 GiB budget; with a file it can spill to disk instead. */
const DEFAULT_FILE_MEMORY_LIMIT = '3GB';

function duckdbOptions(path: string): Record<string, string> {
  const limit = process.env.SEGMENTA_DUCKDB_MEMORY_LIMIT;
  if (limit) return { memory_limit: limit };
  return path === ':memory:' ? {} : { memory_limit: DEFAULT_FILE_MEMORY_LIMIT };
}

export class DuckDBDatabase extends DuckDBQueryable implements Database {
  private constructor(
    private readonly instance: DuckDBInstance,
    connection: DuckDBConnection,
    readonly description: string,
    /** The file, or ':memory:'. */
    readonly path: string,
    /** Set when the file's write-ahead log could not be replayed and was moved aside on open. */
    readonly walRecovery: WalRecovery | null = null,
  ) {
    const writes = new WriteCounter();
    super(connection, new SerialQueue(), writes, new PreparedStatements(connection));
    this.localWrites = writes;
  }

  readonly localWrites: WriteCounter;

  /**
   * Opens (creating if needed) a DuckDB file, or an in-memory database for ':memory:'. A
   * write-ahead log that cannot be replayed is moved aside (see wal-recovery.ts) and the file
   * opened as of its last checkpoint; `walRecovery` then says so. A log that was replayed is
   * written into the file at once.
   */
  static async open(path: string): Promise<DuckDBDatabase> {
    let instance: DuckDBInstance;
    let recovery: WalRecovery | null = null;
    const replays = path !== ':memory:' && hasWal(path);
    try {
      instance = await DuckDBInstance.create(path, duckdbOptions(path));
    } catch (error) {
      recovery = path !== ':memory:' && isUnreplayableWal(error) ? moveWalAside(path, (error as Error).message) : null;
      if (!recovery) throw error;
      instance = await DuckDBInstance.create(path, duckdbOptions(path));
    }
    const connection = await instance.connect();
    const db = new DuckDBDatabase(instance, connection, `duckdb:${path}`, path, recovery);
    // DuckDB 1.5 replays a log's changes to a secondary index (sales_partner_idx…) into the
    // index only once something loads it; the checkpoint it makes on close writes the index
    // without them, and index scans then miss those rows for good (duckdb/duckdb#23788,
    // #23848). A checkpoint asked for now writes them (test/durability.test.ts).
    if (replays && !recovery) await db.checkpoint();
    return db;
  }

  /** Writes the log into the file, so that a kill later has little log to replay. */
  async checkpoint(): Promise<void> {
    // Another transaction still open (an import while a refresh ends) refuses a checkpoint: the
    // next one, or DuckDB's own, folds the log in then; this refresh or import has succeeded.
    await this.run('CHECKPOINT').catch((error: unknown) => {
      if (!/other write transactions active/i.test(String(error))) throw error;
    });
  }

  async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    // A transaction gets its own connection so that it does not interleave with other work.
    const connection = await this.instance.connect();
    const writes = this.localWrites.transaction();
    const tx = new DuckDBQueryable(connection, new SerialQueue(), writes);
    const control: TransactionControl = {
      begin: () => connection.run('BEGIN TRANSACTION'),
      commit: () => writes.ended(connection.run('COMMIT')),
      rollback: () => connection.run('ROLLBACK'),
    };
    try {
      return await runInTransaction(control, () => fn(tx), tx);
    } finally {
      connection.closeSync();
    }
  }

  /** DuckDB has no row-level security: the query layer alone applies a manager's scope. */
  scoped<T>(_scope: PartnerScope, fn: (q: Queryable) => Promise<T>): Promise<T> {
    return fn(this);
  }

  async session<T>(fn: (session: Session) => Promise<T>): Promise<T> {
    // Temporary tables belong to the connection and go with it.
    const connection = await this.instance.connect();
    try {
      return await fn(new DuckDBSession(connection, new SerialQueue(), new SessionWrites(this.localWrites)));
    } finally {
      connection.closeSync();
    }
  }

  async queryReadOnly<T extends Row = Row>(sql: string, params: readonly SqlValue[], timeoutMs: number): Promise<T[]> {
    // Its own connection, so that interrupting it stops nothing else; rolled back whatever happens.
    const connection = await this.instance.connect();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      connection.interrupt();
    }, timeoutMs);
    try {
      await connection.run('BEGIN TRANSACTION');
      return await new DuckDBQueryable(connection, new SerialQueue(), this.localWrites).query<T>(sql, params);
    } catch (error) {
      if (timedOut) throw new QueryTimeoutError(timeoutMs);
      throw error;
    } finally {
      clearTimeout(timer);
      await connection.run('ROLLBACK').catch(() => undefined);
      connection.closeSync();
    }
  }

  async close(): Promise<void> {
    this.prepared?.clear();
    this.connection.closeSync();
    this.instance.closeSync();
  }
}
