import { isAppError } from '../errors/app-error.js';
import type { SubscriptionStore } from '../domain/actions/subscriptions.js';
import type { SubscriptionInput } from '../domain/actions/subscription.schema.js';
import { findSegment } from '../domain/segments/segments.repository.js';

/** Where the demo's webhook points until someone sets a real target (`.invalid` never resolves). */
export const DEMO_WEBHOOK_PLACEHOLDER = 'https://receiver.example.invalid/segmenta';

/**
 * The demo's ready-made webhook (issue 18): a partner newly in overdue receivables is POSTed to
 * an endpoint — entries only, not the segment's first generation (the debtors already known).
 * Disabled, with a placeholder address: enabling it is refused until a target is set.
 */
export const DEMO_SUBSCRIPTION: SubscriptionInput = {
  id: 'overdue-receivables-webhook',
  name: 'Пример: вебхук о новой просрочке — задайте адрес и включите',
  segmentIds: ['overdue-receivables'],
  eventTypes: ['segment.member.entered'],
  skipFirstGeneration: true,
  batchSize: 100,
  enabled: false,
  action: { kind: 'webhook', url: DEMO_WEBHOOK_PLACEHOLDER },
};

/** Creates the demo subscription when its segment exists and it does not; null when there is no key to seal its secret. */
export async function createDemoSubscription(subscriptions: SubscriptionStore): Promise<string | null> {
  if (!(await findSegment(subscriptions.db, DEMO_SUBSCRIPTION.segmentIds[0]!))) return null;
  try {
    await subscriptions.create(DEMO_SUBSCRIPTION);
    return DEMO_SUBSCRIPTION.id;
  } catch (error) {
    if (isAppError(error) && (error.code === 'SUBSCRIPTION_EXISTS' || error.code === 'SECRET_KEY_MISSING')) return null;
    throw error;
  }
}
