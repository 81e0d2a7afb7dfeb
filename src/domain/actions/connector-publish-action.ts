import type { PublishResult } from '../../connectors/driver.js';
import type { ActionHandler, DeliveryOutcome, OutgoingMessage } from './actions.js';
import { parseMessage } from './message-events.js';
import type { StoredSubscription } from './subscriptions.js';

/** Who publishes: the connector service (a connector's driver `publish`). */
export interface SegmentPublisher {
  /** Refuses a connector that does not exist or cannot publish segments. */
  checkPublisher(connectorId: string): Promise<void>;
  publishForEvents(connectorId: string, segmentId: string): Promise<PublishResult>;
}

/**
 * The `connector-publish` action (docs/events.md, "Publishing through a connector"): a message
 * of a watched segment's change publishes that segment through the connector — 1C's segment
 * register, a Bitrix24 or amoCRM company field — as its members are when the message is
 * delivered. The driver rewrites only what differs, so a retry or a resend (or a late message
 * after a newer one) writes nothing twice and the system ends up with the segment as it is now.
 * A failure (the system down, refusing the credentials) fails the attempt: the dispatcher
 * retries on its schedule and logs each attempt.
 */
export function connectorPublishAction(publisher: SegmentPublisher): ActionHandler {
  return {
    kind: 'connector-publish',
    async deliver(subscription: StoredSubscription, message: OutgoingMessage): Promise<DeliveryOutcome> {
      const started = performance.now();
      const action = subscription.action;
      if (action.kind !== 'connector-publish') throw new Error(`the connector-publish handler got a ${action.kind} action`);
      const done = (excerpt: string): DeliveryOutcome => ({ ok: true, gone: false, status: null, excerpt, error: null, durationMs: performance.now() - started });
      const parsed = parseMessage(message.body);
      if (parsed.type !== 'segment.members.changed' || !parsed.segment) {
        await publisher.checkPublisher(action.connectorId);
        return done(`a test event: connector ${action.connectorId} can publish; nothing published`);
      }
      try {
        const result = await publisher.publishForEvents(action.connectorId, parsed.segment.id);
        return done(`published through connector ${action.connectorId}: ${result.members} member(s), ${result.added} added, ${result.removed} removed`);
      } catch (error) {
        // Kept short of a stack: the delivery log shows it to people.
        const reason = error instanceof Error ? error.message : String(error);
        return { ok: false, gone: false, status: null, excerpt: '', error: reason, durationMs: performance.now() - started };
      }
    },
  };
}
