import type { PostOutcome } from './http-post.js';
import type { StoredSubscription } from './subscriptions.js';
import type { ActionKind } from './subscription.schema.js';

/**
 * One message to an action: its id (the `webhook-id`, the same on every attempt) and its JSON
 * body. A message is a batch of events of one change of one segment, or a test event.
 */
export interface OutgoingMessage {
  readonly id: string;
  readonly body: string;
}

/** What an attempt gave; `gone` (HTTP 410) disables the subscription. */
export interface DeliveryOutcome extends PostOutcome {
  readonly ok: boolean;
  readonly gone: boolean;
}

/**
 * An action kind: how a message reaches its target. The dispatcher owns the queue, the retries
 * and the log; a handler only tries once. `crm-task`, `connector-publish` and `segmenta-task` join as
 * handlers of their own (their outcome: ok, or an error the retry schedule repeats).
 */
export interface ActionHandler {
  readonly kind: ActionKind;
  deliver(subscription: StoredSubscription, message: OutgoingMessage): Promise<DeliveryOutcome>;
}
