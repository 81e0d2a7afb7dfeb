import type { ActionHandler, DeliveryOutcome, OutgoingMessage } from '../actions/actions.js';
import type { EmailActionConfig } from '../actions/subscription.schema.js';
import type { StoredSubscription } from '../actions/subscriptions.js';
import type { Mailings } from './mailings.js';

/**
 * The `email` action (issue 22): each partner of a message gets the subscription's mail once.
 * A refused mail (SMTP 4xx/5xx) fails the attempt and the dispatcher retries on its schedule;
 * the mails already sent are not sent again (the send log).
 */
export function emailAction(mailings: Mailings): ActionHandler {
  return {
    kind: 'email',
    deliver: (subscription: StoredSubscription, message: OutgoingMessage): Promise<DeliveryOutcome> => mailings.deliver(subscription.id, subscription.action as EmailActionConfig, message),
  };
}
