import type { Dialect } from '../../sql/dialect.js';
import type { Migration } from '../migrate.js';

/**
 * Connectors to outside systems (docs/connectors-1c.md; 1C first, CRMs later): the connections
 * with their non-secret settings as JSON and their secret encrypted (AES-256-GCM, see
 * docs/security.md), their sync runs with counts and reasons, their sync state (cursors as
 * named JSON values; object marks such as 1C's DataVersion per object, with a value such as
 * the partner an analytics key stands for), the segments published through them, and the claims
 * of scheduled syncs (one process runs each firing). Runs, state and marks are rewritten by every
 * sync: on DuckDB they carry no key or index (migration 7); the writers keep them unique.
 */
export const connectorsSchema: Migration = {
  version: 12,
  name: 'connectors',
  up(d: Dialect): string[] {
    const text = d.columnType('text');
    const ts = d.columnType('timestamp');
    const int = d.columnType('integer');
    const bool = d.columnType('boolean');
    const key = (columns: string) => (d.indexesOnRewrittenTables ? `, PRIMARY KEY (${columns})` : '');
    const statements = [
      `CREATE TABLE connectors (
        id ${text} NOT NULL PRIMARY KEY,
        kind ${text} NOT NULL,
        name ${text} NOT NULL,
        settings ${text} NOT NULL,
        secret ${text},
        schedule ${text},
        enabled ${bool} NOT NULL DEFAULT true,
        created_at ${ts} NOT NULL DEFAULT CURRENT_TIMESTAMP,
        updated_at ${ts} NOT NULL DEFAULT CURRENT_TIMESTAMP
      )`,
      `CREATE TABLE connector_runs (
        id ${text} NOT NULL,
        connector_id ${text} NOT NULL,
        trigger ${text} NOT NULL,
        mode ${text} NOT NULL,
        status ${text} NOT NULL,
        stage ${text} NOT NULL,
        started_at ${ts} NOT NULL,
        finished_at ${ts},
        duration_ms ${int},
        requests ${int} NOT NULL DEFAULT 0,
        read_count ${int} NOT NULL DEFAULT 0,
        inserted ${int} NOT NULL DEFAULT 0,
        updated ${int} NOT NULL DEFAULT 0,
        deleted ${int} NOT NULL DEFAULT 0,
        refused ${int} NOT NULL DEFAULT 0,
        counts ${text} NOT NULL DEFAULT '{}',
        refusals ${text} NOT NULL DEFAULT '[]',
        error_code ${text},
        error ${text}${key('id')}
      )`,
      `CREATE TABLE connector_state (
        connector_id ${text} NOT NULL,
        name ${text} NOT NULL,
        value ${text} NOT NULL${key('connector_id, name')}
      )`,
      `CREATE TABLE connector_objects (
        connector_id ${text} NOT NULL,
        resource ${text} NOT NULL,
        ref ${text} NOT NULL,
        version ${text},
        value ${text}${key('connector_id, resource, ref')}
      )`,
      `CREATE TABLE connector_publications (
        connector_id ${text} NOT NULL,
        segment_id ${text} NOT NULL,
        remote_id ${text},
        members ${int},
        published_at ${ts},
        error ${text},
        created_at ${ts} NOT NULL DEFAULT CURRENT_TIMESTAMP${key('connector_id, segment_id')}
      )`,
      `CREATE TABLE connector_schedule_claims (connector_id ${text} NOT NULL, slot ${ts} NOT NULL, claimed_by ${text} NOT NULL, PRIMARY KEY (connector_id, slot))`,
    ];
    if (d.usesSecondaryIndexes) statements.push('CREATE INDEX connector_runs_connector_idx ON connector_runs (connector_id, started_at)');
    return statements;
  },
};
