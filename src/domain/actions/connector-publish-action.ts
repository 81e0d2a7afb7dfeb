import type { PublishResult } from '../../connectors/driver.js';
import type { ActionHandler } from './actions.js';
import { messageHandler } from './message-handler.js';

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
  return messageHandler('connector-publish', async ({ action, message, outcome }) => {
    if (message.type !== 'segment.members.changed' || !message.segment) {
      await publisher.checkPublisher(action.connectorId);
      return outcome(true, `a test event: connector ${action.connectorId} can publish; nothing published`);
    }
    try {
      const result = await publisher.publishForEvents(action.connectorId, message.segment.id);
      return outcome(true, `published through connector ${action.connectorId}: ${result.members} member(s), ${result.added} added, ${result.removed} removed`);
    } catch (error) {
      // Kept short of a stack: the delivery log shows it to people.
      return outcome(false, '', error instanceof Error ? error.message : String(error));
    }
  });
}
