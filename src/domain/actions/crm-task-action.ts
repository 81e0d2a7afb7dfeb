import type { TaskCreated, TaskRequest } from '../../connectors/driver.js';
import { AppError } from '../../errors/app-error.js';
import { sql } from '../../sql/sql.js';
import type { Database } from '../../storage/database.js';
import { sqlTimestamp } from '../segments/segments.repository.js';
import type { ActionHandler } from './actions.js';
import { ruleValuesOf } from './message-events.js';
import { messageHandler } from './message-handler.js';
import { templateValues } from './template-values.js';
import { placeholders, renderTemplate } from './templates.js';

/** Who makes the tasks: the connector service (a CRM connector's `createTask`). */
export interface TaskMaker {
  createTask(connectorId: string, task: TaskRequest): Promise<TaskCreated>;
}

/** The hour of the due day a task is due at, the server's local time. */
const DUE_HOUR = 18;

/** `deadlineDays` days after `now`, at 18:00 of the server's day, ISO 8601 with its offset. */
export function deadlineOf(now: Date, days: number): string {
  const due = new Date(now.getTime());
  due.setDate(due.getDate() + days);
  due.setHours(DUE_HOUR, 0, 0, 0);
  const offset = -due.getTimezoneOffset();
  const sign = offset >= 0 ? '+' : '-';
  const pad = (n: number) => String(Math.floor(Math.abs(n))).padStart(2, '0');
  return `${due.getFullYear()}-${pad(due.getMonth() + 1)}-${pad(due.getDate())}T${pad(DUE_HOUR)}:00:00${sign}${pad(offset / 60)}:${pad(offset % 60)}`;
}

/**
 * The `crm-task` action (docs/events.md, "CRM tasks"): for each entry of a partner into a
 * watched segment, a task in the CRM for the partner's responsible user, its title and
 * description filled from templates with the values every action's templates use
 * (template-values.ts: the partner, the segment, measures, properties, the rule's values). Once per entry: each task made is recorded under the
 * subscription and the event id (crm_tasks, migration 18) right after the CRM answers, and a
 * message sent again (a retry after a failure midway, a resend) skips the events it served.
 * Exits make no task. A partner the CRM does not know is recorded as skipped, with the reason.
 */
export function crmTaskAction(db: Database, tasks: TaskMaker, now: () => Date = () => new Date()): ActionHandler {
  return messageHandler('crm-task', async ({ subscription, action, message, outcome }) => {
    if (message.type !== 'segment.members.changed') return outcome(true, 'a test event: the crm-task action makes no task for it');
    const entries = message.events.filter((e) => e.type === 'segment.member.entered' && e.partner);
    if (!entries.length) return outcome(true, 'no entries: no task');
    const ids = entries.map((e) => e.id);
    const served = new Set(
      (await db.query<{ event_id: string }>(sql`SELECT event_id FROM crm_tasks WHERE subscription_id = ${subscription.id} AND event_id IN (${sql.list(ids)})`)).map((r) => r.event_id),
    );
    const partnerIds = [...new Set(entries.map((e) => e.partner!.id))];
    const needs = new Set([...placeholders(action.title), ...placeholders(action.description)]);
    const values = await templateValues(db, partnerIds, message.segment?.name ?? message.segment?.id ?? '', needs, { rule: ruleValuesOf(entries) });
    let made = 0;
    let skipped = 0;
    const deadline = deadlineOf(now(), action.deadlineDays);
    for (const event of entries) {
      if (served.has(event.id)) continue;
      const partner = event.partner!;
      const filled = values.get(partner.id)?.values ?? { partner: partner.name ?? partner.id, partnerId: partner.id };
      const record = (remoteId: string | null, reason: string | null) =>
        db.run(
          sql`INSERT INTO crm_tasks (subscription_id, event_id, connector_id, partner_id, remote_id, skipped, created_at)
           VALUES (${subscription.id}, ${event.id}, ${action.connectorId}, ${partner.id}, ${remoteId}, ${reason}, CAST(${sqlTimestamp(now())} AS TIMESTAMP))`,
        );
      try {
        const created = await tasks.createTask(action.connectorId, {
          partnerId: partner.id,
          title: renderTemplate(action.title, filled).slice(0, 250),
          description: renderTemplate(action.description, filled),
          deadline,
          idempotencyKey: `${subscription.id}/${event.id}`,
        });
        await record(created.remoteId, null);
        made++;
      } catch (error) {
        if (error instanceof AppError && error.code === 'CRM_PARTNER_NOT_LINKED') {
          await record(null, error.message.slice(0, 500));
          skipped++;
          continue;
        }
        const reason = error instanceof Error ? error.message : String(error);
        return outcome(false, `${made} task(s) made before the failure; the retry goes on from the next entry`, reason);
      }
    }
    const before = served.size ? `, ${served.size} made before` : '';
    return outcome(true, `${made} task(s) made${before}${skipped ? `, ${skipped} skipped (the CRM does not know the partner)` : ''}`);
  });
}
