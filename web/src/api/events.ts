import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { apiGet, apiSend } from './client';
import type { ActionPatch, Delivery, DeliveryAttempt, EventType, Subscription } from '../../../src/domain/actions/subscription.schema';

// The shapes are the server's own (src/domain/actions/subscription.schema.ts), imported as types only.
export type { Delivery, DeliveryAttempt, EventType, Subscription } from '../../../src/domain/actions/subscription.schema';
/** A webhook's secret is shown once; the other kinds have none (null). */
export type CreatedSubscription = Subscription & { secret: string | null };
export type DeliveryDetail = Delivery & { attemptLog: DeliveryAttempt[] };

export interface NewSubscription {
  id: string;
  name: string;
  segmentIds: string[];
  eventTypes: EventType[];
  skipFirstGeneration: boolean;
  batchSize: number;
  enabled: boolean;
  action:
    | { kind: 'webhook'; url: string; secret?: string }
    | { kind: 'crm-task'; connectorId: string; title: string; description: string; deadlineDays: number }
    | { kind: 'connector-publish'; connectorId: string }
    | { kind: 'segmenta-task'; title: string; description: string; dueInDays: number; autoClose: boolean }
    | { kind: 'email'; defaultLanguage: 'ru' | 'en'; templates: Partial<Record<'ru' | 'en', { subject: string; html: string; text: string }>> };
}

export interface SubscriptionChange {
  name?: string;
  segmentIds?: string[];
  eventTypes?: EventType[];
  skipFirstGeneration?: boolean;
  batchSize?: number;
  enabled?: boolean;
  /** The action's settings to change, with its kind (which stays). */
  action?: ActionPatch;
}

const path = (id: string) => `/subscriptions/${encodeURIComponent(id)}`;

export function useSubscriptions(segmentId?: string, enabled = true) {
  return useQuery({
    queryKey: ['subscriptions', segmentId ?? null],
    queryFn: ({ signal }) => apiGet<{ items: Subscription[] }>('/subscriptions', segmentId ? { segmentId } : undefined, signal),
    enabled,
  });
}

export function useSubscription(id: string) {
  return useQuery({ queryKey: ['subscriptions', 'one', id], queryFn: ({ signal }) => apiGet<Subscription>(path(id), undefined, signal) });
}

export function useDeliveries(id: string) {
  return useQuery({
    queryKey: ['subscriptions', 'deliveries', id],
    queryFn: ({ signal }) => apiGet<{ items: Delivery[] }>(`${path(id)}/deliveries`, undefined, signal),
    // Pending messages change on their own: the dispatcher sends and retries them.
    refetchInterval: 5000,
  });
}

export function useDeliveryDetail(id: string, deliveryId: string | null) {
  return useQuery({
    queryKey: ['subscriptions', 'delivery', id, deliveryId],
    queryFn: ({ signal }) => apiGet<DeliveryDetail>(`${path(id)}/deliveries/${encodeURIComponent(deliveryId!)}`, undefined, signal),
    enabled: deliveryId !== null,
  });
}

function useInvalidating<T, V>(fn: (vars: V) => Promise<T>) {
  const client = useQueryClient();
  return useMutation({ mutationFn: fn, onSuccess: () => client.invalidateQueries({ queryKey: ['subscriptions'] }) });
}

export const useCreateSubscription = () => useInvalidating((body: NewSubscription) => apiSend<CreatedSubscription>('POST', '/subscriptions', body));
export const useChangeSubscription = () => useInvalidating(({ id, change }: { id: string; change: SubscriptionChange }) => apiSend<Subscription>('PATCH', path(id), change));
export const useDeleteSubscription = () => useInvalidating((id: string) => apiSend<null>('DELETE', path(id)));
export const useSendTest = () => useInvalidating((id: string) => apiSend<Delivery>('POST', `${path(id)}/test`));
export const useRotateSecret = () => useInvalidating((id: string) => apiSend<{ secret: string; previousValidUntil: string }>('POST', `${path(id)}/rotate-secret`, {}));
export const useResend = () =>
  useInvalidating(({ id, deliveryId }: { id: string; deliveryId: string }) => apiSend<Delivery>('POST', `${path(id)}/deliveries/${encodeURIComponent(deliveryId)}/resend`));
