import { PGlite, type ParserOptions } from '@electric-sql/pglite';
import { postgresDialect } from '../sql/dialects/postgres.js';
import { toStatement, type ColumnValues, type Queryable, type Row, type SqlValue, type Statement } from '../sql/queryable.js';
import type { PartnerScope } from '../domain/access/principal.js';
import { QueryTimeoutError, SerialQueue, WriteCounter, type Database, type Session, type WriteTracker } from './database.js';
import {
  COPY_BINARY_HEADER,
  COPY_BINARY_TRAILER,
  copyStatement,
  copyThroughStaging,
  encodeCopyBinaryColumns,
  encodeCopyCsv,
  enterCustomSqlRole,
  enterPartnerScope,
  leavePartnerScope,
  PG_PARSERS,
  quoteIdent,
  RELEASE_SESSION_STATE,
  ROW_SECURITY_ACTIVE,
} from './postgres-common.js';

type PGliteLike = Pick<PGlite, 'query' | 'exec'>;

const parsers: ParserOptions = PG_PARSERS;

class PGliteQueryable implements Queryable {
  readonly dialect = postgresDialect;
  constructor(
    protected readonly db: PGliteLike,
    private readonly queue: SerialQueue | null,
    protected readonly writes: WriteTracker,
  ) {}

  private serial<T>(job: () => Promise<T>): Promise<T> {
    return this.queue ? this.queue.run(job) : job();
  }

  query<T extends Row = Row>(statement: string | Statement, values?: readonly SqlValue[]): Promise<T[]> {
    const { text: sql, params } = toStatement(statement, values);
    return this.writes.afterQuery(
      sql,
      this.serial(async () => {
        const result = await this.db.query<T>(sql, params as unknown[], { parsers });
        return result.rows;
      }),
    );
  }

  run(statement: string | Statement, values?: readonly SqlValue[]): Promise<void> {
    const { text: sql, params } = toStatement(statement, values);
    return this.writes.after(
      this.serial(async () => {
        await this.db.query(sql, params as unknown[], { parsers });
      }),
      sql,
    );
  }

  appendRows(table: string, columns: readonly string[], rows: readonly (readonly (string | null)[])[]): Promise<void> {
    if (rows.length === 0) return Promise.resolve();
    return this.writes.after(
      this.serial(() => this.copy(table, columns, 'csv', new Blob([encodeCopyCsv(rows, columns.length)]))),
      `INSERT INTO ${table}`,
    );
  }

  appendColumns(table: string, columns: readonly string[], values: readonly ColumnValues[], length: number): Promise<void> {
    if (values.length !== columns.length) throw new Error(`appendColumns: ${columns.length} columns but ${values.length} value arrays`);
    if (length === 0) return Promise.resolve();
    return this.writes.after(
      this.serial(() => this.copy(table, columns, 'binary', new Blob([COPY_BINARY_HEADER, encodeCopyBinaryColumns(values, 0, length), COPY_BINARY_TRAILER]))),
      `INSERT INTO ${table}`,
    );
  }

  /** COPY FROM the blob into `table`; through a temporary table where row-level security refuses COPY FROM. */
  private async copy(table: string, columns: readonly string[], format: 'csv' | 'binary', blob: Blob): Promise<void> {
    const { rows } = await this.db.query<{ active: boolean }>(ROW_SECURITY_ACTIVE, [quoteIdent(table)]);
    if (rows[0]?.active !== true) {
      await this.db.query(copyStatement(table, columns, "'/dev/blob'", format), [], { blob });
      return;
    }
    const staging = copyThroughStaging(table, columns);
    try {
      for (const statement of staging.before) await this.db.query(statement);
      await this.db.query(copyStatement(staging.target, columns, "'/dev/blob'", format), [], { blob });
      for (const statement of staging.after) await this.db.query(statement);
    } catch (error) {
      await this.db.query(staging.drop).catch(() => undefined);
      throw error;
    }
  }
}

/** PostgreSQL compiled to WebAssembly, in process: the PostgreSQL engine for `npm test` with nothing installed. */
export class PGliteDatabase extends PGliteQueryable implements Database {
  private constructor(
    private readonly pglite: PGlite,
    private readonly lock: SerialQueue,
    readonly description: string,
    /** What ends a scoped read on the one connection (see `scoped`). */
    private readonly leaveScope: string,
  ) {
    const writes = new WriteCounter();
    super(pglite, lock, writes);
    this.localWrites = writes;
  }

  readonly localWrites: WriteCounter;

  /**
   * An in-memory PGlite, or one kept in a directory; as the superuser `postgres` unless `username`
   * names another role of that directory (tests of a service that is not superuser: PGlite takes
   * that role with SET ROLE, and appends need it to hold pg_read_server_files, for COPY FROM
   * its /dev/blob). `from` (see `dump`) starts it as a copy of another one's data, without initdb.
   */
  static async open(dataDir?: string, options: { username?: string; from?: Blob } = {}): Promise<PGliteDatabase> {
    const pglite = await PGlite.create({ ...(dataDir ? { dataDir } : {}), ...(options.username ? { username: options.username } : {}), ...(options.from ? { loadDataDir: options.from } : {}) });
    // PGlite's session user stays postgres: a scoped read ends by going back to `username`, not by RESET ROLE.
    const leaveScope = leavePartnerScope(options.username);
    return new PGliteDatabase(pglite, new SerialQueue(), `pglite:${dataDir ?? 'memory'}`, leaveScope);
  }

  /** The whole data directory as a tarball, for `open(dataDir, from)`. */
  dump(): Promise<Blob> {
    return this.lock.run(() => this.pglite.dumpDataDir('none'));
  }

  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    // PGlite has one connection: the transaction holds it until it ends.
    const writes = this.localWrites.transaction();
    return writes.ended(this.lock.run(() => this.pglite.transaction((tx) => fn(new PGliteQueryable(tx, null, writes)))));
  }

  scoped<T>(scope: PartnerScope, fn: (q: Queryable) => Promise<T>): Promise<T> {
    if (scope.all) return fn(this);
    // Not counted as a write: the scoped role may write no table but temporary ones.
    return this.lock.run(async () => {
      try {
        return await this.pglite.transaction(async (tx) => {
          await enterPartnerScope((text, params) => tx.query(text, params as unknown[]), scope.managerIds);
          return fn(new PGliteQueryable(tx, null, this.writes));
        });
      } finally {
        // The role and the scope end with the transaction; this makes sure on the one connection.
        await this.pglite.exec(this.leaveScope);
      }
    });
  }

  session<T>(fn: (session: Session) => Promise<T>): Promise<T> {
    // One connection: the session holds it until it ends.
    return this.lock.run(async () => {
      const session = Object.assign(new PGliteQueryable(this.pglite, null, this.writes), {
        transaction: <R>(inner: (tx: Queryable) => Promise<R>) => {
          const writes = this.localWrites.transaction();
          return writes.ended(this.pglite.transaction((tx) => inner(new PGliteQueryable(tx, null, writes))));
        },
      });
      try {
        return await fn(session);
      } finally {
        await this.pglite.exec('DISCARD TEMP').catch(() => undefined);
      }
    });
  }

  queryReadOnly<T extends Row = Row>(sql: string, params: readonly SqlValue[], timeoutMs: number): Promise<T[]> {
    return this.lock.run(async () => {
      try {
        return await this.pglite.transaction(async (tx) => {
          await tx.query('SET TRANSACTION READ ONLY');
          await tx.query(`SET LOCAL statement_timeout = ${Math.max(1, Math.trunc(timeoutMs))}`);
          await enterCustomSqlRole((q) => tx.query(q));
          const result = await tx.query<T>(sql, params as unknown[], { parsers });
          await tx.rollback();
          return result.rows;
        });
      } catch (error) {
        if ((error as { code?: string }).code === '57014') throw new QueryTimeoutError(timeoutMs);
        throw error;
      } finally {
        // The one connection is everyone's: no advisory lock may outlive the query.
        await this.pglite.query(RELEASE_SESSION_STATE).catch(() => undefined);
      }
    });
  }

  /** PostgreSQL checkpoints by itself. */
  async checkpoint(): Promise<void> {}

  async close(): Promise<void> {
    await this.pglite.close();
  }
}
