/**
 * How the scheduling module writes moments and names into its SQL.
 *
 * `sqlTimestamp` is the same as the one in domain/segments/segments.repository.ts; it is here
 * so that scheduling does not import a domain. Both belong in src/sql once it has a home for them.
 */

/** A moment as a TIMESTAMP literal both engines read alike ('2026-01-01 03:00:00.000', UTC), for CAST($n AS TIMESTAMP). */
export const sqlTimestamp = (date: Date = new Date()): string => date.toISOString().replace('T', ' ').replace('Z', '');

/** A table or column name written into SQL: only the module's own lower-case constants pass. */
export function identifier(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`not an SQL name the scheduler writes: ${JSON.stringify(name)}`);
  return name;
}
