import { z } from 'zod';
import {
  connectionTestSchema,
  connectorPatchSchema,
  connectorRunSchema,
  connectorSchema,
  newConnectorSchema,
  newPublicationSchema,
  publicationSchema,
  syncBodySchema,
  syncJobSchema,
} from '../../connectors/connector-api.schema.js';
import { CONNECTOR_SYNC_JOB } from '../../connectors/connectors.service.js';
import type { JobView } from '../../domain/jobs/job-registry.js';
import { AppError } from '../../errors/app-error.js';
import type { AuditSpec } from '../audit.js';
import type { RouteModule } from '../context.js';
import { errorSchema } from '../schemas.js';

const tags = ['connectors'];
const errors = { 400: errorSchema, 401: errorSchema, 403: errorSchema, 404: errorSchema, 409: errorSchema, 422: errorSchema, 502: errorSchema };
const idParams = z.object({ id: z.string().describe('The connector id') });

const jobBody = (job: JobView) => ({ ...job, stages: [...job.stages] }) as z.output<typeof syncJobSchema>;

/**
 * Connections to 1C (later CRMs), for admins (docs/connectors-1c.md): create, list, change,
 * delete, test, sync (a job with stages) and its runs, and the segments published through them.
 * Secrets are write-only: answers carry `"secret": {"set": true}`, never the secret.
 */
export const connectorsRoutes: RouteModule = (app, ctx) => {
  const { connectors } = ctx.services;
  const audit: AuditSpec = { entity: 'connector', load: connectors.auditLoader };

  app.get(
    '/connectors',
    { config: { access: 'admin' }, schema: { tags, summary: 'Every connector, with its last run', response: { 200: z.object({ items: z.array(connectorSchema) }), ...errors } } },
    async () => ({
      items: await connectors.list(),
    }),
  );

  app.post(
    '/connectors',
    {
      config: { access: 'admin', audit },
      schema: {
        tags,
        summary: 'Add a connector (kind 1c: settings url, user, timezone, profile…; secret: the 1C password, stored encrypted)',
        body: newConnectorSchema,
        response: { 201: connectorSchema, ...errors },
      },
    },
    async (request, reply) => reply.status(201).send(await connectors.create(request.body)),
  );

  app.get('/connectors/:id', { config: { access: 'admin' }, schema: { tags, summary: 'A connector', params: idParams, response: { 200: connectorSchema, ...errors } } }, async (request) =>
    connectors.get(request.params.id),
  );

  app.patch(
    '/connectors/:id',
    {
      config: { access: 'admin', audit },
      schema: { tags, summary: 'Change a connector: name, settings (merged), secret, schedule, enabled', params: idParams, body: connectorPatchSchema, response: { 200: connectorSchema, ...errors } },
    },
    async (request) => connectors.update(request.params.id, request.body),
  );

  app.delete(
    '/connectors/:id',
    {
      config: { access: 'admin', audit },
      schema: { tags, summary: 'Delete a connector with its runs, state and publications (the data it brought stays)', params: idParams, response: { 204: z.null(), ...errors } },
    },
    async (request, reply) => {
      await connectors.delete(request.params.id);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/connectors/:id/test',
    {
      config: { access: 'admin', audit: false },
      schema: {
        tags,
        summary: 'Test the connection: signs in, reads $metadata and says which objects of the profile are published and which are missing',
        params: idParams,
        response: { 200: connectionTestSchema, ...errors },
      },
    },
    async (request) => connectors.test(request.params.id),
  );

  app.post(
    '/connectors/:id/sync',
    {
      config: { access: 'admin', audit: { ...audit, action: 'connector.sync', after: 'response' } },
      schema: {
        tags,
        summary: 'Sync now, in the background: answers 202 with a job to poll at GET /api/connectors/{id}/jobs/{jobId}',
        description:
          'The first sync reads everything; later ones only what changed (catalogs by DataVersion, sale lines of the previous and the current month, receivables as a snapshot), unless `full` is asked.',
        params: idParams,
        body: syncBodySchema.nullish(),
        response: { 202: syncJobSchema, ...errors },
      },
    },
    async (request, reply) => {
      const job = await connectors.startSync(ctx.jobs, request.params.id, { trigger: 'api', ...(request.body?.full ? { full: true } : {}) });
      return reply.status(202).send(jobBody(job));
    },
  );

  app.get(
    '/connectors/:id/jobs/:jobId',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'A sync job: stage, estimated progress, and when finished the run or the error',
        params: idParams.extend({ jobId: z.string() }),
        response: { 200: syncJobSchema, ...errors },
      },
    },
    async (request) => {
      const job = ctx.jobs.get(request.params.jobId);
      if (job.type !== CONNECTOR_SYNC_JOB || job.subject !== request.params.id) throw new AppError('JOB_NOT_FOUND', { id: request.params.jobId });
      return jobBody(job);
    },
  );

  app.get(
    '/connectors/:id/runs',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'The last syncs, newest first: status, stage, counts read/inserted/updated/deleted/refused per entity, refusals with reasons, error',
        params: idParams,
        querystring: z.object({ limit: z.coerce.number().int().min(1).max(1000).default(20) }),
        response: { 200: z.object({ items: z.array(connectorRunSchema) }), ...errors },
      },
    },
    async (request) => {
      await connectors.get(request.params.id);
      return { items: await connectors.runs(request.params.id, request.query.limit) };
    },
  );

  app.get(
    '/connectors/:id/publications',
    {
      config: { access: 'admin' },
      schema: { tags, summary: 'Segments published through the connector', params: idParams, response: { 200: z.object({ items: z.array(publicationSchema) }), ...errors } },
    },
    async (request) => ({ items: await connectors.publications(request.params.id) }),
  );

  app.post(
    '/connectors/:id/publications',
    {
      config: { access: 'admin', audit: { entity: 'connectorPublication', id: (request) => (request.params as { id: string }).id, after: 'response' } },
      schema: {
        tags,
        summary:
          'Publish a stored segment (opt-in): now, and after each generation only the changed members (1C: an item of Catalog_СегментыПартнеров and the pairs of InformationRegister_ПартнерыСегмента)',
        params: idParams,
        body: newPublicationSchema,
        response: { 201: publicationSchema, ...errors },
      },
    },
    async (request, reply) => reply.status(201).send(await connectors.publish(request.params.id, request.body.segmentId)),
  );

  app.delete(
    '/connectors/:id/publications/:segmentId',
    {
      config: { access: 'admin', audit: { entity: 'connectorPublication', action: 'connectorPublication.delete' } },
      schema: {
        tags,
        summary: "Stop publishing a segment: its pairs are removed from the system's register",
        params: idParams.extend({ segmentId: z.string() }),
        response: { 204: z.null(), ...errors },
      },
    },
    async (request, reply) => {
      await connectors.unpublish(request.params.id, request.params.segmentId);
      return reply.status(204).send(null);
    },
  );
};
