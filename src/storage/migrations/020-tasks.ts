import type { Dialect } from '../../sql/dialect.js';
import type { Migration } from '../migrate.js';
import { SCOPED_ROLE } from '../postgres-common.js';
import { enableFunction, READABLE, UNSCOPED } from './010-row-level-security.js';

/**
 * Tasks for managers inside Segmenta (issue 22, docs/tasks-and-mailings.md).
 *
 * - `tasks`: one row per task — its partner, the partner's manager when it was made, the user it
 *   is assigned to, the subscription, segment and event that made it (none for a task made by
 *   hand), title, description, deadline, status (open / done / cancelled), the result.
 * - `task_history`: every change of a task (made, closed, cancelled, reopened, edited), by whom.
 *
 * Tasks change status, so on DuckDB they carry no key (migration 7); their writer keeps ids
 * unique. On PostgreSQL a partial unique index keeps one open task per partner × subscription
 * even with several server processes, and a manager's scoped reads see only the tasks of their
 * own partners (row-level security: a task whose partner the scoped role sees).
 */

/** The tables a manager's scoped reads (PostgreSQL) need beyond migration 16's. */
export const TASK_READABLE = [...READABLE, 'price_types', 'prices', 'tasks', 'task_history'];

const TASK_POLICIES = ['tasks', 'task_history']
  .map(
    (table) => `
    IF NOT EXISTS (SELECT 1 FROM pg_policies WHERE schemaname = current_schema() AND tablename = '${table}' AND policyname = 'segmenta_manager_scope') THEN
      CREATE POLICY segmenta_manager_scope ON ${table} FOR SELECT TO ${SCOPED_ROLE} USING (${table === 'tasks' ? 'partner_id IN (SELECT id FROM partners)' : 'task_id IN (SELECT id FROM tasks)'});
    END IF;`,
  )
  .join('');

export const tasksSchema: Migration = {
  version: 20,
  name: 'tasks for managers',
  up(d: Dialect): string[] {
    const text = d.columnType('text');
    const ts = d.columnType('timestamp');
    const date = d.columnType('date');
    const keyed = d.indexesOnRewrittenTables;
    const statements = [
      `CREATE TABLE tasks (
        id ${text} NOT NULL${keyed ? ' PRIMARY KEY' : ''},
        partner_id ${text} NOT NULL,
        manager_id ${text},
        assignee_user_id ${text},
        assignee_login ${text},
        subscription_id ${text},
        segment_id ${text},
        event_id ${text},
        title ${text} NOT NULL,
        description ${text} NOT NULL,
        due_date ${date} NOT NULL,
        status ${text} NOT NULL,
        result ${text},
        created_at ${ts} NOT NULL,
        created_by ${text} NOT NULL,
        updated_at ${ts} NOT NULL,
        closed_at ${ts},
        closed_by ${text}
      )`,
      `CREATE TABLE task_history (
        task_id ${text} NOT NULL,
        changed_at ${ts} NOT NULL,
        actor ${text} NOT NULL,
        action ${text} NOT NULL,
        status ${text} NOT NULL,
        note ${text}
      )`,
    ];
    if (d.usesSecondaryIndexes) {
      statements.push(
        "CREATE UNIQUE INDEX tasks_one_open_idx ON tasks (subscription_id, partner_id) WHERE status = 'open' AND subscription_id IS NOT NULL",
        'CREATE INDEX tasks_partner_id_idx ON tasks (partner_id)',
        'CREATE INDEX tasks_manager_idx ON tasks (manager_id, status, due_date)',
        'CREATE INDEX task_history_idx ON task_history (task_id)',
      );
    }
    if (d.name === 'postgres') {
      statements.push(
        ...['tasks', 'task_history'].flatMap((table) => [
          `ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`,
          `ALTER TABLE ${table} FORCE ROW LEVEL SECURITY`,
          `CREATE POLICY segmenta_unscoped ON ${table} USING (${UNSCOPED}) WITH CHECK (${UNSCOPED})`,
        ]),
        enableFunction(TASK_READABLE, 'CREATE OR REPLACE FUNCTION').replace('\n    RETURN true;', `${TASK_POLICIES}\n    RETURN true;`),
        `DO $$ BEGIN EXECUTE format('ALTER FUNCTION segmenta_enable_manager_scope() SET search_path = %I', current_schema()); END $$`,
        'SELECT segmenta_enable_manager_scope()',
      );
    }
    return statements;
  },
};
