import type { Dialect } from '../../sql/dialect.js';
import type { Migration } from '../migrate.js';

/**
 * The audit log (docs/security.md#audit-log): one row per write through the API or the CLI —
 * who (a user, an API key, or the operating-system user of a CLI command), when, what action
 * on which entity, and the entity's state before and after as JSON text with secrets redacted.
 * Rows are only ever appended. On DuckDB the table has no key constraint or index (like the
 * tables of migration 7: DuckDB's indexes are not crash-safe); the sequence keeps ids unique.
 */
export const auditLog: Migration = {
  version: 11,
  name: 'audit log',
  up(d: Dialect): string[] {
    const text = d.columnType('text');
    const ts = d.columnType('timestamp');
    const int = d.columnType('integer');
    const key = d.indexesOnRewrittenTables ? ' PRIMARY KEY' : '';
    const statements = [
      'CREATE SEQUENCE audit_log_seq',
      `CREATE TABLE audit_log (
        id BIGINT NOT NULL DEFAULT nextval('audit_log_seq')${key},
        occurred_at ${ts} NOT NULL,
        actor_kind ${text} NOT NULL,
        actor_id ${text},
        actor_name ${text},
        action ${text} NOT NULL,
        entity ${text} NOT NULL,
        entity_id ${text},
        method ${text},
        route ${text},
        before_state ${text},
        after_state ${text},
        status ${int} NOT NULL
      )`,
    ];
    if (d.usesSecondaryIndexes) {
      statements.push('CREATE INDEX audit_log_occurred_idx ON audit_log (occurred_at)', 'CREATE INDEX audit_log_entity_idx ON audit_log (entity, entity_id)');
    }
    return statements;
  },
};
