import { createHash } from 'node:crypto';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { postgresDialect } from '../sql/dialects/postgres.js';
import { toStatement, type ColumnValues, type Queryable, type Row, type SqlValue, type Statement } from '../sql/queryable.js';
import type { PartnerScope } from '../domain/access/principal.js';
import { QueryTimeoutError, type Database, type Session } from './database.js';
import {
  COPY_BINARY_HEADER,
  COPY_BINARY_TRAILER,
  copyStatement,
  copyThroughStaging,
  encodeCopyBinaryColumns,
  encodeCopyCsv,
  enterCustomSqlRole,
  enterPartnerScope,
  LEAVE_PARTNER_SCOPE,
  PG_PARSERS,
  quoteIdent,
  RELEASE_SESSION_STATE,
  ROW_SECURITY_ACTIVE,
} from './postgres-common.js';
import { runInTransaction, type TransactionControl } from './transaction.js';

const typeParsers = {
  getTypeParser: ((oid: number, format?: string) => PG_PARSERS[oid] ?? pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

const COPY_BATCH = 50_000;

/**
 * The name a statement is prepared under on each connection (pg prepares a name once per
 * connection, then only binds and executes it): the same text, the same name. PostgreSQL plans
 * it again only when a custom plan would be better than the generic one it keeps.
 */
const preparedName = (text: string): string => `segmenta_${createHash('sha1').update(text).digest('hex').slice(0, 24)}`;

/**
 * Named prepared statements, unless SEGMENTA_PG_PREPARED_STATEMENTS=off: behind a pooler that
 * hands one server connection to many clients between transactions (PgBouncer in transaction
 * mode before 1.21, or without `max_prepared_statements`) a name prepared on one server
 * connection is unknown on the next (docs/storage.md).
 */
const namedStatements = (): boolean => process.env.SEGMENTA_PG_PREPARED_STATEMENTS !== 'off';

class PgQueryable implements Queryable {
  readonly dialect = postgresDialect;
  /** The last statement sent on a pooled client (see inTurn). */
  private turn: Promise<unknown> = Promise.resolve();

  constructor(protected readonly client: pg.Pool | pg.PoolClient) {}

  async query<T extends Row = Row>(statement: string | Statement, values?: readonly SqlValue[]): Promise<T[]> {
    const { text, params, prepare } = toStatement(statement, values);
    const name = prepare && namedStatements() ? preparedName(text) : undefined;
    const result = await this.inTurn(() => this.client.query({ text, values: params as unknown[], types: typeParsers, ...(name ? { name } : {}) }));
    return result.rows as T[];
  }

  async run(statement: string | Statement, values?: readonly SqlValue[]): Promise<void> {
    const { text, params } = toStatement(statement, values);
    await this.inTurn(() => this.client.query({ text, values: params as unknown[], types: typeParsers }));
  }

  /**
   * One connection (a session, a transaction) runs one statement at a time: statements sent
   * together (readParts) wait for the one before: pg deprecates overlapping queries on a
   * client (pg 9 removes them). A pool spreads them over its connections.
   */
  private inTurn<T>(send: () => Promise<T>): Promise<T> {
    if (!('release' in this.client)) return send();
    const sent = this.turn.then(send, send);
    this.turn = sent.catch(() => undefined);
    return sent;
  }

  appendRows(table: string, columns: readonly string[], rows: readonly (readonly (string | null)[])[]): Promise<void> {
    return this.copy(table, columns, 'csv', rows.length, (from, to) => encodeCopyCsv(rows.slice(from, to), columns.length));
  }

  appendColumns(table: string, columns: readonly string[], values: readonly ColumnValues[], length: number): Promise<void> {
    if (values.length !== columns.length) throw new Error(`appendColumns: ${columns.length} columns but ${values.length} value arrays`);
    return this.copy(table, columns, 'binary', length, (from, to) => encodeCopyBinaryColumns(values, from, to), {
      header: COPY_BINARY_HEADER,
      trailer: COPY_BINARY_TRAILER,
    });
  }

  /**
   * COPY … FROM STDIN of `length` rows into `table`, encoded a batch at a time, waiting for the
   * stream to drain; through a temporary table where row-level security refuses COPY FROM.
   */
  private async copy(
    table: string,
    columns: readonly string[],
    format: 'csv' | 'binary',
    length: number,
    encode: (from: number, to: number) => string | Buffer,
    framing: { header: Buffer; trailer: Buffer } | undefined = undefined,
  ): Promise<void> {
    if (length === 0) return;
    const client = 'release' in this.client ? this.client : await this.client.connect();
    try {
      const { rows } = await client.query<{ active: boolean }>(ROW_SECURITY_ACTIVE, [quoteIdent(table)]);
      if (rows[0]?.active !== true) return await this.copyInto(client, copyStatement(table, columns, 'STDIN', format), length, encode, framing);
      const staging = copyThroughStaging(table, columns);
      try {
        for (const statement of staging.before) await client.query(statement);
        await this.copyInto(client, copyStatement(staging.target, columns, 'STDIN', format), length, encode, framing);
        for (const statement of staging.after) await client.query(statement);
      } catch (error) {
        await client.query(staging.drop).catch(() => undefined);
        throw error;
      }
    } finally {
      if (client !== this.client) client.release();
    }
  }

  private async copyInto(
    client: pg.PoolClient,
    statement: string,
    length: number,
    encode: (from: number, to: number) => string | Buffer,
    framing: { header: Buffer; trailer: Buffer } | undefined,
  ): Promise<void> {
    const stream = client.query(copyFrom(statement));
    await new Promise<void>((resolve, reject) => {
      stream.on('error', reject);
      stream.on('finish', resolve);
      if (framing) stream.write(framing.header);
      let from = 0;
      const writeMore = (): void => {
        while (from < length) {
          const to = Math.min(length, from + COPY_BATCH);
          const ok = stream.write(encode(from, to));
          from = to;
          if (!ok) {
            stream.once('drain', writeMore);
            return;
          }
        }
        if (framing) stream.write(framing.trailer);
        stream.end();
      };
      writeMore();
    });
  }
}

/** BEGIN / COMMIT / ROLLBACK on one client of the pool. */
const transactionsOn = (client: pg.PoolClient): TransactionControl => ({
  begin: () => client.query('BEGIN'),
  commit: () => client.query('COMMIT'),
  rollback: () => client.query('ROLLBACK'),
});

/** One pooled client; BEGIN / COMMIT on it keep its temporary tables visible. */
class PgSession extends PgQueryable implements Session {
  constructor(private readonly own: pg.PoolClient) {
    super(own);
  }

  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    // `this` is known to afterTransaction meanwhile (work that must follow the commit).
    return runInTransaction(transactionsOn(this.own), () => fn(this), this);
  }
}

export class PostgresDatabase extends PgQueryable implements Database {
  private constructor(
    private readonly pool: pg.Pool,
    readonly description: string,
  ) {
    super(pool);
  }

  /** Other processes may write to the same server: no in-process count can tell. */
  readonly localWrites = null;

  /**
   * Connects to a PostgreSQL server. `schema`, when given, is created if missing and set as
   * the search path of every connection (tests use one schema each).
   */
  static async connect(url: string, options: { schema?: string } = {}): Promise<PostgresDatabase> {
    const pool = new pg.Pool({
      connectionString: url,
      max: 8,
      ...(options.schema ? { options: `-c search_path=${options.schema}` } : {}),
    });
    // An idle client losing its connection must not crash the process.
    pool.on('error', () => undefined);
    if (options.schema) await pool.query(`CREATE SCHEMA IF NOT EXISTS "${options.schema}"`);
    else await pool.query('SELECT 1');
    const safeUrl = url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
    return new PostgresDatabase(pool, `postgres:${safeUrl}${options.schema ? `#${options.schema}` : ''}`);
  }

  async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      const tx = new PgQueryable(client);
      return await runInTransaction(transactionsOn(client), () => fn(tx), tx);
    } finally {
      client.release();
    }
  }

  async scoped<T>(scope: PartnerScope, fn: (q: Queryable) => Promise<T>): Promise<T> {
    if (scope.all) return fn(this);
    const client = await this.pool.connect();
    let healthy = true;
    try {
      const control: TransactionControl = {
        begin: () => client.query('BEGIN'),
        // The role and the scope end with the transaction; the resets make sure (same round trip).
        commit: () => client.query(`COMMIT; ${LEAVE_PARTNER_SCOPE}`),
        rollback: () => client.query(`ROLLBACK; ${LEAVE_PARTNER_SCOPE}`),
      };
      return await runInTransaction(control, async () => {
        await enterPartnerScope((text, params) => client.query(text, params as unknown[]), scope.managerIds);
        return fn(new PgQueryable(client));
      });
    } catch (error) {
      // A connection whose role could not be reset is not given back to the pool.
      healthy = await client.query(LEAVE_PARTNER_SCOPE).then(
        () => true,
        () => false,
      );
      throw error;
    } finally {
      client.release(!healthy);
    }
  }

  async session<T>(fn: (session: Session) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let healthy = true;
    try {
      return await fn(new PgSession(client));
    } finally {
      // The client goes back to the pool: its temporary tables must not go with it.
      await client.query('DISCARD TEMP').catch(() => {
        healthy = false;
      });
      client.release(!healthy);
    }
  }

  async queryReadOnly<T extends Row = Row>(sql: string, params: readonly SqlValue[], timeoutMs: number): Promise<T[]> {
    const client = await this.pool.connect();
    let healthy = true;
    try {
      await client.query('BEGIN READ ONLY');
      await client.query(`SET LOCAL statement_timeout = ${Math.max(1, Math.trunc(timeoutMs))}`);
      await enterCustomSqlRole((q) => client.query(q));
      return await new PgQueryable(client).query<T>(sql, params);
    } catch (error) {
      // 57014: query_canceled, raised by statement_timeout.
      if ((error as { code?: string }).code === '57014') throw new QueryTimeoutError(timeoutMs);
      throw error;
    } finally {
      // The role and settings end with the transaction; locks are released; a connection that
      // cannot be cleaned is not given back to the pool.
      await client.query('ROLLBACK').catch(() => {
        healthy = false;
      });
      if (healthy)
        await client.query(RELEASE_SESSION_STATE).catch(() => {
          healthy = false;
        });
      client.release(!healthy);
    }
  }

  /** PostgreSQL checkpoints by itself. */
  async checkpoint(): Promise<void> {}

  async close(): Promise<void> {
    await this.pool.end();
  }
}
