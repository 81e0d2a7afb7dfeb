import type { ActionHandler, DeliveryOutcome, OutgoingMessage } from '../actions/actions.js';
import { parseMessage } from '../actions/message-events.js';
import { partnerValues } from '../actions/partner-values.js';
import type { TaskActionConfig } from '../actions/subscription.schema.js';
import type { StoredSubscription } from '../actions/subscriptions.js';
import { placeholders, renderTemplate } from '../actions/templates.js';
import type { Queryable } from '../../sql/queryable.js';
import type { TaskStore } from './tasks.js';

/**
 * The `segmenta-task` action (issue 22): an entry opens a task for the partner's manager (one
 * open per partner × subscription), an exit closes it with a note when the subscription asks.
 * Idempotent, so the dispatcher's retries (at least once) make no duplicates.
 */
export function taskAction(db: Queryable, tasks: TaskStore): ActionHandler {
  return {
    kind: 'segmenta-task',
    async deliver(subscription: StoredSubscription, message: OutgoingMessage): Promise<DeliveryOutcome> {
      const started = performance.now();
      const config = subscription.action as TaskActionConfig;
      const parsed = parseMessage(message.body);
      const done = (excerpt: string): DeliveryOutcome => ({ ok: true, gone: false, status: null, excerpt, error: null, durationMs: performance.now() - started });
      if (parsed.type !== 'segment.members.changed' || parsed.segment?.kind !== 'partner') return done('a test event: no task made');
      const segmentName = parsed.segment.name ?? parsed.segment.id;
      const entered = parsed.events.filter((e) => e.type === 'segment.member.entered' && e.partner).map((e) => ({ id: e.id, partnerId: e.partner!.id }));
      const left = parsed.events.filter((e) => e.type === 'segment.member.left' && e.partner).map((e) => e.partner!.id);
      let made: string[] = [];
      if (entered.length > 0) {
        const needs = new Set([...placeholders(config.title), ...placeholders(config.description)]);
        const values = await partnerValues(
          db,
          entered.map((e) => e.partnerId),
          segmentName,
          needs,
        );
        const entries = entered.flatMap((e) => {
          const facts = values.get(e.partnerId);
          if (!facts) return [];
          return [{ partnerId: e.partnerId, eventId: e.id, title: renderTemplate(config.title, facts.values), description: renderTemplate(config.description, facts.values) }];
        });
        made = await tasks.openForEntries(subscription.id, parsed.segment.id, config.dueInDays, entries);
      }
      const closed = config.autoClose ? await tasks.closeForExits(subscription.id, left, `Closed by itself: the partner left the segment «${segmentName}»`) : [];
      return done(`tasks made: ${made.length}, closed: ${closed.length}`);
    },
  };
}
