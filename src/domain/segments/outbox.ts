import { createTemporaryTable } from '../../sql/compile/rule-set.js';
import type { Queryable } from '../../sql/queryable.js';
import { sql, type Sql } from '../../sql/sql.js';

/**
 * The events outbox (issue 18, docs/events.md): every change of a stored segment's composition
 * records, in the transaction that writes it, a `segment_changes` row (the segment's next
 * composition version) and — when an enabled subscription watches the segment — one
 * `segment_events` row per partner who entered or left. compositions.ts calls it from the one
 * place compositions change, so no path (a batch refresh, the scheduler, a job, terms, analytics,
 * check on create, manual edits) can skip it. A generation's events are one INSERT … SELECT from
 * its delta tables, not rows built in JavaScript, in member order: a message reads a range of
 * members, which DuckDB's zone maps (no index there) then find without scanning them all.
 */

/** The segments an enabled subscription watches, as a subquery with one column `segment_id`. */
const WATCHED = `SELECT DISTINCT ss.segment_id FROM event_subscription_segments ss JOIN event_subscriptions s ON s.id = ss.subscription_id WHERE s.enabled`;

/** A member event's id: derived from (segment, composition version, transition, partner). */
export const eventId = (segmentId: string, version: number, transition: string, memberId: string): string => `evt_${segmentId}_${version}_${transition}_${memberId}`;

/**
 * After a swap (its tables `refresh_counts`, `refresh_entered`, `refresh_left` and the runs):
 * records each changed segment's change and, where watched, its events.
 */
export async function recordSwapEvents(tx: Queryable, at: string): Promise<void> {
  const when = sql`CAST(${at} AS TIMESTAMP)`;
  await createTemporaryTable(tx, 'refresh_versions', {
    sql:
      'SELECT c.segment_id, c.run_id, c.entered, c.left_count, COALESCE(v.version, 0) + 1 AS version, v.version IS NULL AS first_generation, ' +
      `w.segment_id IS NOT NULL AS watched FROM refresh_counts c ` +
      'LEFT JOIN (SELECT ch.segment_id, MAX(ch.version) AS version FROM segment_changes ch JOIN refresh_counts rc ON rc.segment_id = ch.segment_id GROUP BY ch.segment_id) v ON v.segment_id = c.segment_id ' +
      `LEFT JOIN (${WATCHED}) w ON w.segment_id = c.segment_id WHERE c.entered + c.left_count > 0`,
    params: [],
  });
  await tx.run(
    sql`INSERT INTO segment_changes (segment_id, version, run_id, occurred_at, first_generation, entered, left_count, watched, dispatched)
     SELECT segment_id, version, run_id, ${when}, first_generation, entered, left_count, watched, NOT watched FROM refresh_versions`,
  );
  for (const [table, transition] of [
    ['refresh_entered', 'entered'],
    ['refresh_left', 'left'],
  ] as const) {
    await tx.run(
      sql`INSERT INTO segment_events (segment_id, version, transition, member_id, occurred_at)
       SELECT d.segment_id, v.version, ${transition}, d.member_id, ${when} FROM ${sql.raw(table)} d JOIN refresh_versions v ON v.segment_id = d.segment_id AND v.watched
       ORDER BY d.segment_id, d.member_id`,
    );
  }
  await tx.run('DROP TABLE IF EXISTS refresh_versions');
}

/**
 * A small change (check on create, a manual edit) of one segment: its change row and, where
 * watched, its events. Call inside the transaction that wrote it (the segment's writer).
 */
export async function recordSmallChange(tx: Queryable, segmentId: string, at: string, entered: readonly string[], left: readonly string[]): Promise<void> {
  if (entered.length + left.length === 0) return;
  const when = sql`CAST(${at} AS TIMESTAMP)`;
  const [row] = await tx.query<{ version: number | null; watched: number }>(
    sql`SELECT (SELECT MAX(version) FROM segment_changes WHERE segment_id = ${segmentId}) AS version,
      (SELECT COUNT(*) FROM (${sql.raw(WATCHED)}) w WHERE w.segment_id = ${segmentId}) AS watched`,
  );
  const previous = row?.version === null || row?.version === undefined ? null : Number(row.version);
  const version = (previous ?? 0) + 1;
  const watched = Number(row?.watched ?? 0) > 0;
  await tx.run(
    sql`INSERT INTO segment_changes (segment_id, version, run_id, occurred_at, first_generation, entered, left_count, watched, dispatched)
     VALUES (${segmentId}, ${version}, NULL, ${when}, ${previous === null}, ${entered.length}, ${left.length}, ${watched}, ${!watched})`,
  );
  if (!watched) return;
  for (const [ids, transition] of [
    [entered, 'entered'],
    [left, 'left'],
  ] as const) {
    for (let i = 0; i < ids.length; i += 500) {
      const chunk = ids.slice(i, i + 500);
      await tx.run(
        sql`INSERT INTO segment_events (segment_id, version, transition, member_id, occurred_at) VALUES ${sql.join(chunk.map((id) => sql`(${segmentId}, ${version}, ${transition}, ${id}, ${when})`))}`,
      );
    }
  }
}

/**
 * A segment's composition version, 0 before its first change: every change of a stored
 * composition writes the next one in its transaction (above), so the in-process copies of
 * compositions (order facts, memberships) check theirs against it instead of hashing members.
 */
export function compositionVersion(segmentId: Sql): Sql {
  return sql`coalesce((SELECT MAX(v.version) FROM segment_changes v WHERE v.segment_id = ${segmentId}), 0)`;
}
