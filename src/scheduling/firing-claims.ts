import { hostname } from 'node:os';
import type { Queryable } from '../sql/queryable.js';
import { sql, type Sql } from '../sql/sql.js';
import { intervalSeconds } from './schedule.js';
import { identifier, sqlTimestamp } from './sql-text.js';

/**
 * A table of firing claims: one row per key and firing slot, primary key (key column, slot),
 * plus `claimed_by`. Table and column are the module's own constants, never user input.
 */
export interface ClaimsTable {
  readonly table: string;
  readonly keyColumn: string;
}

/** Who claimed a firing, for someone reading the claims table: host and process. */
const PROCESS = `${hostname()}:${process.pid}`;

/**
 * Firings claimed across processes: with several server processes on one PostgreSQL, each
 * fires every schedule; the first to insert the (key, slot) row runs the firing, the others
 * skip it. On DuckDB and PGlite one process owns the database, and the claim costs one insert.
 *
 * @example
 * const claims = new FiringClaims<string>(db, { table: 'segment_schedule_claims', keyColumn: 'segment_id' });
 * if (await claims.claim('birthday', 'every 1200 seconds', now)) await rebuild('birthday');
 * // INSERT INTO segment_schedule_claims (segment_id, slot, claimed_by)
 * //   VALUES ($1, CAST($2 AS TIMESTAMP), $3) ON CONFLICT DO NOTHING RETURNING segment_id
 */
export class FiringClaims<K extends string> {
  private readonly table: Sql;
  private readonly keyColumn: Sql;

  constructor(
    private readonly db: Queryable,
    claims: ClaimsTable,
  ) {
    this.table = sql.raw(identifier(claims.table));
    this.keyColumn = sql.raw(identifier(claims.keyColumn));
  }

  /** Claims the firing of `key`'s `schedule` at `now`; true for the one process that gets it. */
  async claim(key: K, schedule: string, now: Date): Promise<boolean> {
    const slot = sqlTimestamp(firingSlot(schedule, now));
    const rows = await this.db.query(
      sql`INSERT INTO ${this.table} (${this.keyColumn}, slot, claimed_by) VALUES (${key}, CAST(${slot} AS TIMESTAMP), ${PROCESS}) ON CONFLICT DO NOTHING RETURNING ${this.keyColumn}`,
    );
    return rows.length === 1;
  }
}

/**
 * The firing a moment belongs to, the same in every process: the cron second, or the
 * interval's bucket ("every 1200 seconds" fired at 10:07:13 and at 10:07:14 is one firing).
 */
export function firingSlot(schedule: string, now: Date): Date {
  const every = intervalSeconds(schedule);
  const ms = every ? every * 1000 : 1000;
  return new Date(Math.floor(now.getTime() / ms) * ms);
}
