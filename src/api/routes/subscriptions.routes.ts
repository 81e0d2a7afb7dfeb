import { z } from 'zod';
import { listAttempts, listDeliveries } from '../../domain/actions/dispatcher.js';
import { DELIVERY_STATUSES, emailActionSchema, EVENT_TYPES, subscriptionInputSchema, subscriptionPatchSchema, taskActionSchema } from '../../domain/actions/subscription.schema.js';
import { isValidSecret } from '../../domain/actions/signing.js';
import { AppError } from '../../errors/app-error.js';
import type { AuditSpec } from '../audit.js';
import type { RouteModule } from '../context.js';
import { errorSchema } from '../schemas.js';

const tags = ['events'];
const ts = z.string().describe('An ISO timestamp');
export const subscriptionSchema = z.object({
  id: z.string(),
  name: z.string(),
  segmentIds: z.array(z.string()),
  eventTypes: z.array(z.enum(EVENT_TYPES)),
  skipFirstGeneration: z.boolean(),
  batchSize: z.number().int(),
  enabled: z.boolean(),
  disabledReason: z.string().nullable().describe('Why Segmenta disabled it (410 Gone, failing for 5 days)'),
  failingSince: ts.nullable(),
  action: z.union([
    z.object({ kind: z.literal('webhook'), url: z.string(), secretHint: z.string().describe('The end of the signing secret: whsec_…abcd') }),
    z.object({ kind: z.literal('crm-task'), connectorId: z.string(), title: z.string(), description: z.string(), deadlineDays: z.number().int() }),
    z.object({ kind: z.literal('connector-publish'), connectorId: z.string().describe('The connector the watched segments are published through') }),
    taskActionSchema,
    emailActionSchema,
  ]),
  createdAt: ts,
  updatedAt: ts,
});
export const deliverySchema = z.object({
  id: z.string().describe('The message id, sent as webhook-id on every attempt'),
  subscriptionId: z.string(),
  segmentId: z.string().nullable(),
  transition: z.enum(['entered', 'left']).nullable(),
  eventCount: z.number().int(),
  status: z.enum(DELIVERY_STATUSES),
  attempts: z.number().int(),
  nextAttemptAt: ts.nullable(),
  lastStatus: z.number().int().nullable(),
  lastError: z.string().nullable(),
  createdAt: ts,
  finishedAt: ts.nullable(),
});
const attemptSchema = z.object({
  attempt: z.number().int(),
  attemptedAt: ts,
  statusCode: z.number().int().nullable(),
  responseExcerpt: z.string().nullable().describe('The first kilobyte of the answer'),
  error: z.string().nullable(),
  durationMs: z.number().int(),
});
const idParams = z.object({ id: z.string() });
const deliveryParams = z.object({ id: z.string(), deliveryId: z.string() });
const errors = { 400: errorSchema, 404: errorSchema, 409: errorSchema };

/**
 * Event subscriptions and their deliveries (issue 18, docs/events.md): administrators and
 * analysts. A new subscription's secret (and a rotated one) is answered once and never again.
 */
export const subscriptionsRoutes: RouteModule = (app, ctx) => {
  const { subscriptions, dispatcher } = ctx.services;
  const audit: AuditSpec = { entity: 'subscription', load: (id) => subscriptions.get(id) };

  app.get(
    '/subscriptions',
    {
      config: { access: 'analyst' },
      schema: {
        tags,
        summary: 'Event subscriptions (segmentId: those watching that segment)',
        querystring: z.object({ segmentId: z.string().optional() }).strict(),
        response: { 200: z.object({ items: z.array(subscriptionSchema) }) },
      },
    },
    async (request) => ({ items: await subscriptions.list(ctx.db, request.query.segmentId ? { segmentId: request.query.segmentId } : {}) }),
  );

  app.post(
    '/subscriptions',
    {
      config: { access: 'analyst', audit },
      schema: {
        tags,
        summary:
          'Subscribe an action (a webhook, a CRM task, publishing through a connector, a task in Segmenta, an e-mail) to segments’ entries and exits; a webhook’s signing secret is shown this once',
        body: subscriptionInputSchema,
        response: {
          201: subscriptionSchema.extend({ secret: z.string().nullable().describe("A webhook's signing secret (whsec_…): keep it, it is not shown again; null for other kinds (they sign nothing)") }),
          ...errors,
          422: errorSchema,
        },
      },
    },
    async (request, reply) => {
      const { subscription, secret } = await subscriptions.create(request.body);
      return reply.status(201).send({ ...subscription, secret });
    },
  );

  app.get(
    '/subscriptions/:id',
    { config: { access: 'analyst' }, schema: { tags, summary: 'One subscription', params: idParams, response: { 200: subscriptionSchema, 404: errorSchema } } },
    async (request) => subscriptions.get(request.params.id),
  );

  app.patch(
    '/subscriptions/:id',
    {
      config: { access: 'analyst', audit },
      schema: {
        tags,
        summary: 'Change a subscription; enabling it again clears why it was disabled',
        params: idParams,
        body: subscriptionPatchSchema,
        response: { 200: subscriptionSchema, ...errors },
      },
    },
    async (request) => subscriptions.update(request.params.id, request.body),
  );

  app.delete(
    '/subscriptions/:id',
    { config: { access: 'analyst', audit }, schema: { tags, summary: 'Delete a subscription; its messages not delivered yet are dropped', params: idParams, response: { 204: z.null(), ...errors } } },
    async (request, reply) => {
      await subscriptions.delete(request.params.id);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/subscriptions/:id/rotate-secret',
    {
      config: { access: 'analyst', audit: { ...audit, action: 'subscription.rotate-secret' } },
      schema: {
        tags,
        summary: 'A new signing secret (given, or generated); the old one still signs every message for 24 hours',
        params: idParams,
        body: z.object({ secret: z.string().optional() }).strict().nullish(),
        response: { 200: z.object({ secret: z.string(), previousValidUntil: ts }), ...errors },
      },
    },
    async (request) => {
      const given = request.body?.secret ?? undefined;
      if (given !== undefined && !isValidSecret(given)) throw new AppError('VALIDATION_FAILED', { summary: 'secret: a Standard Webhooks secret: "whsec_" and base64 of at least 24 bytes' });
      return subscriptions.rotateSecret(request.params.id, given);
    },
  );

  app.post(
    '/subscriptions/:id/test',
    {
      config: { access: 'analyst', audit: false },
      schema: { tags, summary: 'Send a test event (type segment.test) now; answers its delivery', params: idParams, response: { 200: deliverySchema, ...errors } },
    },
    async (request) => dispatcher.sendTest(request.params.id),
  );

  app.get(
    '/subscriptions/:id/deliveries',
    {
      config: { access: 'analyst' },
      schema: {
        tags,
        summary: 'The delivery log: messages, newest first',
        params: idParams,
        querystring: z.object({ status: z.enum(DELIVERY_STATUSES).optional(), limit: z.coerce.number().int().min(1).max(1000).default(100) }).strict(),
        response: { 200: z.object({ items: z.array(deliverySchema) }), 404: errorSchema },
      },
    },
    async (request) => {
      await subscriptions.get(request.params.id);
      return { items: await listDeliveries(ctx.db, request.params.id, { limit: request.query.limit, ...(request.query.status ? { status: request.query.status } : {}) }) };
    },
  );

  const deliveryOf = async (id: string, deliveryId: string) => {
    const delivery = await dispatcher.delivery(deliveryId);
    if (delivery.subscriptionId !== id) throw new AppError('DELIVERY_NOT_FOUND', { id: deliveryId });
    return delivery;
  };

  app.get(
    '/subscriptions/:id/deliveries/:deliveryId',
    {
      config: { access: 'analyst' },
      schema: {
        tags,
        summary: 'One message with its attempts (status, answer excerpt)',
        params: deliveryParams,
        response: { 200: deliverySchema.extend({ attemptLog: z.array(attemptSchema) }), 404: errorSchema },
      },
    },
    async (request) => ({ ...(await deliveryOf(request.params.id, request.params.deliveryId)), attemptLog: await listAttempts(ctx.db, request.params.deliveryId) }),
  );

  app.post(
    '/subscriptions/:id/deliveries/:deliveryId/resend',
    {
      config: { access: 'analyst', audit: { entity: 'delivery', action: 'delivery.resend', id: (request) => (request.params as { deliveryId: string }).deliveryId } },
      schema: { tags, summary: 'Send a message again now, with its same webhook-id (the retry schedule starts over)', params: deliveryParams, response: { 200: deliverySchema, ...errors } },
    },
    async (request) => {
      await deliveryOf(request.params.id, request.params.deliveryId);
      return dispatcher.resend(request.params.deliveryId);
    },
  );
};
