import type { Dialect } from '../../sql/dialect.js';
import type { Migration } from '../migrate.js';

/**
 * Incremental refresh (issue 20, docs/segments.md "Incremental refresh").
 *
 * - `partner_changes`: the dirty set — partners whose facts a rule may read changed since the
 *   segments were last brought current. Written by imports and syncs in their own transaction
 *   (and by changes of a stored segment that other rules read); `partner_id` NULL stands for
 *   every partner (a directory changed). `mark` names the writing transaction, so a refresh
 *   clears exactly the rows it read. `due_on` (NULL: now) holds back a fact dated after today
 *   until its date, when it starts to count.
 * - `segment_baselines`: which refresh pass last brought a segment current, under which
 *   definition (`fingerprint`) and as of which date: a segment whose definition changed, that
 *   missed a pass, or (its rule moving with the date) was evaluated on another day, is
 *   evaluated in full rather than for the dirty partners only.
 * - `refresh_passes`: the passes that consumed dirty marks, numbered.
 *
 * No keys on DuckDB (migration 7): one process writes them.
 */
export const partnerChanges: Migration = {
  version: 23,
  name: 'partner changes',
  up(d: Dialect): string[] {
    const text = d.columnType('text');
    const ts = d.columnType('timestamp');
    const date = d.columnType('date');
    const keyed = d.indexesOnRewrittenTables;
    return [
      `CREATE TABLE partner_changes (
        partner_id ${text},
        mark ${text} NOT NULL,
        due_on ${date}
      )`,
      `CREATE TABLE segment_baselines (
        segment_id ${text} NOT NULL${keyed ? ' PRIMARY KEY' : ''},
        fingerprint ${text} NOT NULL,
        pass BIGINT NOT NULL,
        as_of ${date} NOT NULL
      )`,
      `CREATE TABLE refresh_passes (
        pass BIGINT NOT NULL${keyed ? ' PRIMARY KEY' : ''},
        mode ${text} NOT NULL,
        as_of ${date} NOT NULL,
        partners BIGINT NOT NULL,
        finished_at ${ts} NOT NULL
      )`,
    ];
  },
};
