import type { ActionHandler, DeliveryOutcome } from './actions.js';
import { parseMessage, type ParsedMessage } from './message-events.js';
import type { ActionKind, SubscriptionAction } from './subscription.schema.js';
import type { StoredSubscription } from './subscriptions.js';

/** What a handler of messages starts each delivery from. */
export interface MessageDelivery<K extends ActionKind> {
  readonly subscription: StoredSubscription;
  /** The subscription's action, of the handler's kind. */
  readonly action: Extract<SubscriptionAction, { kind: K }>;
  readonly message: ParsedMessage;
  /** An attempt's outcome, timed from the start of the delivery (never `gone`: only a webhook's 410 is). */
  outcome(ok: boolean, excerpt: string, error?: string | null): DeliveryOutcome;
}

/**
 * A handler of one action kind that reads the message's events (crm-task, connector-publish,
 * segmenta-task): the action checked to be its own kind, the body parsed, the outcome timed.
 *
 * @example
 * messageHandler('connector-publish', async ({ action, message, outcome }) => outcome(true, `published ${message.segment?.id} through ${action.connectorId}`))
 */
export function messageHandler<K extends ActionKind>(kind: K, deliver: (delivery: MessageDelivery<K>) => Promise<DeliveryOutcome>): ActionHandler {
  return {
    kind,
    async deliver(subscription, message) {
      const started = performance.now();
      const action = subscription.action;
      if (action.kind !== kind) throw new Error(`the ${kind} handler got a ${action.kind} action`);
      return deliver({
        subscription,
        action: action as Extract<SubscriptionAction, { kind: K }>,
        message: parseMessage(message.body),
        outcome: (ok, excerpt, error = null) => ({ ok, gone: false, status: null, excerpt, error, durationMs: performance.now() - started }),
      });
    },
  };
}
