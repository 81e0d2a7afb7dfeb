import type { ActionHandler } from '../actions/actions.js';
import { ruleValuesOf } from '../actions/message-events.js';
import { messageHandler } from '../actions/message-handler.js';
import type { EventValue } from '../actions/event-values.js';
import { templateValues } from '../actions/template-values.js';
import type { TaskActionConfig } from '../actions/subscription.schema.js';
import { placeholders, renderTemplate } from '../actions/templates.js';
import type { Queryable } from '../../sql/queryable.js';
import { sql } from '../../sql/sql.js';
import type { TaskStore } from './tasks.js';

/**
 * The `segmenta-task` action (issue 22): an entry opens a task for the partner's manager (one
 * open per partner × subscription), an exit closes it with a note when the subscription asks.
 * Idempotent, so the dispatcher's retries (at least once) make no duplicates.
 */
/** Renders a subscription's task for each entry and opens those not open yet; returns the ids made. */
async function openTasks(
  db: Queryable,
  tasks: TaskStore,
  subscriptionId: string,
  config: TaskActionConfig,
  segment: { id: string; name: string },
  entered: readonly { id: string; partnerId: string }[],
  rule?: ReadonlyMap<string, Readonly<Record<string, EventValue>>>,
): Promise<string[]> {
  if (entered.length === 0) return [];
  const needs = new Set([...placeholders(config.title), ...placeholders(config.description)]);
  const values = await templateValues(
    db,
    entered.map((e) => e.partnerId),
    segment.name,
    needs,
    rule ? { rule } : {},
  );
  const entries = entered.flatMap((e) => {
    const facts = values.get(e.partnerId);
    if (!facts) return [];
    return [{ partnerId: e.partnerId, eventId: e.id, title: renderTemplate(config.title, facts.values), description: renderTemplate(config.description, facts.values) }];
  });
  return tasks.openForEntries(subscriptionId, segment.id, config.dueInDays, entries);
}

/**
 * Opens a subscription's tasks for a segment's current members (a subscription made after the
 * segment was generated: the demo's), 500 at a time; returns how many were made.
 */
export async function openTasksForMembers(db: Queryable, tasks: TaskStore, subscriptionId: string, config: TaskActionConfig, segment: { id: string; name: string }): Promise<number> {
  const members = await db.query<{ member_id: string }>(sql`SELECT member_id FROM segment_members WHERE segment_id = ${segment.id} ORDER BY member_id`);
  let made = 0;
  for (let i = 0; i < members.length; i += 500) {
    const chunk = members.slice(i, i + 500).map((m) => ({ id: `member_${segment.id}_${m.member_id}`, partnerId: m.member_id }));
    made += (await openTasks(db, tasks, subscriptionId, config, segment, chunk)).length;
  }
  return made;
}

export function taskAction(db: Queryable, tasks: TaskStore): ActionHandler {
  return messageHandler('segmenta-task', async ({ subscription, action: config, message, outcome }) => {
    if (message.type !== 'segment.members.changed' || message.segment?.kind !== 'partner') return outcome(true, 'a test event: no task made');
    const segmentName = message.segment.name ?? message.segment.id;
    const entries = message.events.filter((e) => e.type === 'segment.member.entered' && e.partner);
    const entered = entries.map((e) => ({ id: e.id, partnerId: e.partner!.id }));
    const left = message.events.filter((e) => e.type === 'segment.member.left' && e.partner).map((e) => e.partner!.id);
    const made = await openTasks(db, tasks, subscription.id, config, { id: message.segment.id, name: segmentName }, entered, ruleValuesOf(entries));
    const closed = config.autoClose ? await tasks.closeForExits(subscription.id, left, `Closed by itself: the partner left the segment «${segmentName}»`) : [];
    return outcome(true, `tasks made: ${made.length}, closed: ${closed.length}`);
  });
}
