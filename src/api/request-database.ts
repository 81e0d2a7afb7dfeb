import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { PartnerScope } from '../domain/access/principal.js';
import type { Database } from '../storage/database.js';
import { scopedDatabase } from '../storage/scoped-database.js';

/**
 * The database a request reads (docs/security.md, "Row-level security on PostgreSQL"): for a
 * manager on PostgreSQL (and PGlite), a view whose every statement runs under `Database.scoped`
 * — as the role `segmenta_scoped`, the manager ids set for the transaction — so that row-level
 * security guards each of the request's reads behind the query layer's filter. For everyone else
 * (and on DuckDB) the database itself. Routes read through `request.db`; writes, the audit log,
 * background jobs and in-process copies of data stay on the database.
 */

declare module 'fastify' {
  interface FastifyRequest {
    /** The database this request reads: its caller's scoped view, or the database itself. */
    readonly db: Database;
  }
}

/** Decorates every request with `db`, read from its principal when a handler asks (after authentication). */
export function installRequestDatabase(app: FastifyInstance, db: Database): void {
  // One view per principal's scope: made on the first read, not for requests that read nothing.
  const views = new WeakMap<PartnerScope, Database>();
  app.decorateRequest('db', {
    getter(this: FastifyRequest): Database {
      const scope = this.principal?.scope;
      if (!scope) return db;
      let view = views.get(scope);
      if (!view) views.set(scope, (view = scopedDatabase(db, scope)));
      return view;
    },
  });
}
