import type { PartnerScope } from '../domain/access/principal.js';
import { toStatement, type ColumnValues, type Queryable, type Row, type SqlValue, type Statement } from '../sql/queryable.js';
import type { Database, Session, WriteCounter } from './database.js';

type ManagerScope = Extract<PartnerScope, { all: false }>;

/**
 * A manager's view of the database (docs/security.md, "Row-level security on PostgreSQL"): the
 * database a request of a manager reads through, so that PostgreSQL's row-level security guards
 * every one of its statements behind the query layer's own filter. Each `query` and `run` is one
 * `Database.scoped` transaction (as the role `segmenta_scoped`, the manager ids set locally);
 * `transaction(fn)` runs fn in one. The role may only read: a write through the view is refused
 * by the database. Nothing of a request's reads needs more, so what would need a connection of
 * its own or bulk writes (`session`, `appendRows`, `appendColumns`) is refused outright.
 *
 * Custom SQL (`queryReadOnly`) runs on the database as before, as its own read-only role: that
 * role under a manager scope would see none of the partners (the policies fail closed), and the
 * query layer scopes the ids it returns.
 */
class ScopedDatabase implements Database {
  readonly dialect;
  readonly description;

  constructor(
    /** The database itself: the system's own work and in-process copies of data use it (see `systemDatabase`). */
    readonly base: Database,
    readonly scope: ManagerScope,
  ) {
    this.dialect = base.dialect;
    this.description = `${base.description} (manager scope)`;
  }

  get localWrites(): WriteCounter | null {
    return this.base.localWrites;
  }

  query<T extends Row = Row>(statement: string | Statement, values?: readonly SqlValue[]): Promise<T[]> {
    const bound = toStatement(statement, values);
    return this.base.scoped(this.scope, (q) => q.query<T>(bound));
  }

  run(statement: string | Statement, values?: readonly SqlValue[]): Promise<void> {
    const bound = toStatement(statement, values);
    return this.base.scoped(this.scope, (q) => q.run(bound));
  }

  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.base.scoped(this.scope, fn);
  }

  /** Within the view, a narrower scope is the two scopes' common managers; never a wider one. */
  scoped<T>(scope: PartnerScope, fn: (q: Queryable) => Promise<T>): Promise<T> {
    const narrower: ManagerScope = scope.all ? this.scope : { all: false, managerIds: scope.managerIds.filter((id) => this.scope.managerIds.includes(id)) };
    return this.base.scoped(narrower, fn);
  }

  queryReadOnly<T extends Row = Row>(sql: string, params: readonly SqlValue[], timeoutMs: number): Promise<T[]> {
    return this.base.queryReadOnly<T>(sql, params, timeoutMs);
  }

  session<T>(_fn: (session: Session) => Promise<T>): Promise<T> {
    return Promise.reject(refused('session'));
  }

  appendRows(table: string, _columns: readonly string[], _rows: readonly (readonly (string | null)[])[]): Promise<void> {
    return Promise.reject(refused(`appendRows (${table})`));
  }

  appendColumns(table: string, _columns: readonly string[], _values: readonly ColumnValues[], _length: number): Promise<void> {
    return Promise.reject(refused(`appendColumns (${table})`));
  }

  /** Nothing to write to the file: the view only reads. */
  async checkpoint(): Promise<void> {}

  /** The view does not own the database: closing it is the server's. */
  close(): Promise<void> {
    return Promise.reject(refused('close'));
  }
}

const refused = (what: string): Error =>
  new Error(`${what} is not available to a manager's request: it reads through Database.scoped, one statement or transaction at a time (src/storage/scoped-database.ts)`);

/**
 * The database a request under `scope` reads: the manager's view on PostgreSQL (and PGlite);
 * the database itself for the scope of all partners (admins, analysts, keys without a manager
 * scope: no transaction more) and on DuckDB, which has no row-level security.
 */
export function scopedDatabase(db: Database, scope: PartnerScope): Database {
  if (scope.all || db.dialect.name !== 'postgres') return db;
  if (db instanceof ScopedDatabase) return new ScopedDatabase(db.base, { all: false, managerIds: scope.managerIds.filter((id) => db.scope.managerIds.includes(id)) });
  return new ScopedDatabase(db, scope);
}

/**
 * The database under a manager's view, or `q` itself: for in-process copies of data that serve
 * every caller (the order facts and the terms snapshot of pricing), which are the system's own
 * and are kept per database, not per request. Such a copy answers within the caller's scope itself.
 */
export function systemDatabase(q: Queryable): Queryable {
  return q instanceof ScopedDatabase ? q.base : q;
}
