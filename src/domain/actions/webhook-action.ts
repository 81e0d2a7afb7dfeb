import type { ActionHandler, DeliveryOutcome, OutgoingMessage } from './actions.js';
import { postJson } from './http-post.js';
import { signedHeaders } from './signing.js';
import type { StoredSubscription } from './subscriptions.js';
import type { TargetGuard } from './target-guard.js';

/** Standard Webhooks' time-out: an endpoint has 15 seconds to answer. */
export const WEBHOOK_TIMEOUT_MS = 15_000;

/** The webhook action: a signed POST (Standard Webhooks); 2xx delivers, 410 disables. */
export function webhookAction(guard: TargetGuard, timeoutMs = WEBHOOK_TIMEOUT_MS, now: () => Date = () => new Date()): ActionHandler {
  return {
    kind: 'webhook',
    async deliver(subscription: StoredSubscription, message: OutgoingMessage): Promise<DeliveryOutcome> {
      if (subscription.action.kind !== 'webhook') throw new Error(`the webhook handler got a ${subscription.action.kind} action`);
      const timestamp = Math.floor(now().getTime() / 1000);
      const headers = signedHeaders(subscription.secrets, message.id, timestamp, message.body);
      if (subscription.action.kind !== 'webhook') throw new Error(`subscription ${subscription.id} is not a webhook`);
      const outcome = await postJson(subscription.action.url, message.body, headers, guard, timeoutMs);
      const ok = outcome.status !== null && outcome.status >= 200 && outcome.status < 300;
      return { ...outcome, ok, gone: outcome.status === 410 };
    },
  };
}
