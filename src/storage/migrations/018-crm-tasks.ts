import type { Dialect } from '../../sql/dialect.js';
import type { Migration } from '../migrate.js';

/**
 * The tasks the events' `crm-task` action made in a CRM (docs/events.md, "CRM tasks"): one row
 * per subscription and event (an entry of a partner), written right after the CRM made the task,
 * so a message sent again (a retry after a failure midway, a resend) makes no second task for an
 * event it already served. A partner the CRM does not know is recorded with the reason and no
 * task. On DuckDB without a key (migration 7); the action's writer keeps rows unique.
 */
export const crmTasks: Migration = {
  version: 18,
  name: 'crm tasks',
  up(d: Dialect): string[] {
    const text = d.columnType('text');
    const ts = d.columnType('timestamp');
    return [
      `CREATE TABLE crm_tasks (
        subscription_id ${text} NOT NULL,
        event_id ${text} NOT NULL,
        connector_id ${text} NOT NULL,
        partner_id ${text} NOT NULL,
        remote_id ${text},
        skipped ${text},
        created_at ${ts} NOT NULL${d.indexesOnRewrittenTables ? ',\n        PRIMARY KEY (subscription_id, event_id)' : ''}
      )`,
    ];
  },
};
