import type { Dialect } from '../../sql/dialect.js';
import type { Migration } from '../migrate.js';

/**
 * What connectors bring besides facts (docs/connectors-1c.md): the segments a connector reads
 * from the system (1C's own partner segments, kept as read-only manual segments: which segment
 * stands for which item of the system), and the details of a failed run's error (the object,
 * the HTTP status, the system's own message) as JSON, so the runs show more than the code.
 * Rewritten by every sync: on DuckDB without a key (migration 7); the sync keeps it unique.
 */
export const connectorSegments: Migration = {
  version: 17,
  name: 'connector segments',
  up(d: Dialect): string[] {
    const text = d.columnType('text');
    const key = d.indexesOnRewrittenTables ? ', PRIMARY KEY (connector_id, remote_id)' : '';
    return [
      `CREATE TABLE connector_segments (
        connector_id ${text} NOT NULL,
        remote_id ${text} NOT NULL,
        segment_id ${text} NOT NULL${key}
      )`,
      `ALTER TABLE connector_runs ADD COLUMN error_details ${text}`,
    ];
  },
};
