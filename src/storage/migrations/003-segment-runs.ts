import type { Dialect } from '../../sql/dialect.js';
import type { Migration } from '../migrate.js';

/** Rebuild runs of stored segments and the history of who entered and left (SPEC §2 periodic). */
export const segmentRuns: Migration = {
  version: 3,
  name: 'segment runs and history',
  up(d: Dialect): string[] {
    const text = d.columnType('text');
    const ts = d.columnType('timestamp');
    const int = d.columnType('integer');
    return [
      'CREATE SEQUENCE segment_runs_seq',
      `CREATE TABLE segment_runs (
        id BIGINT NOT NULL DEFAULT nextval('segment_runs_seq') PRIMARY KEY,
        segment_id ${text} NOT NULL,
        trigger ${text} NOT NULL,
        started_at ${ts} NOT NULL,
        finished_at ${ts},
        status ${text} NOT NULL,
        size ${int},
        entered ${int},
        left_count ${int},
        duration_ms ${int},
        error ${text}
      )`,
      `CREATE TABLE segment_history (
        segment_id ${text} NOT NULL,
        member_id ${text} NOT NULL,
        event ${text} NOT NULL,
        occurred_at ${ts} NOT NULL,
        run_id BIGINT
      )`,
      // One row per scheduled firing: the process that inserts it runs the rebuild, so several
      // server processes on one PostgreSQL run each scheduled rebuild once.
      `CREATE TABLE segment_schedule_claims (segment_id ${text} NOT NULL, slot ${ts} NOT NULL, claimed_by ${text} NOT NULL, PRIMARY KEY (segment_id, slot))`,
      'CREATE INDEX segment_history_segment_idx ON segment_history (segment_id, occurred_at)',
      'CREATE INDEX segment_runs_segment_idx ON segment_runs (segment_id, started_at)',
    ];
  },
};
