import { z } from 'zod';
import { SYNC_STAGES } from './driver.js';

/**
 * What the connector routes take and answer (the routes validate with these and describe them
 * in the OpenAPI document; a web UI imports the types). Settings are per kind (for `1c` see
 * docs/connectors-1c.md); the secret is write-only: answers say only whether it is set.
 */

const schedule = z.string().min(1).max(200).nullable().describe('When to sync: a cron expression or "every N minutes"; null: only by hand');
const settings = z.record(z.string(), z.unknown()).describe("The kind's non-secret settings (for 1c: url, user, timezone, profile…)");
const secret = z.string().min(1).max(4096).describe('The password or token; stored encrypted, never answered');

export const newConnectorSchema = z.strictObject({
  kind: z.string().min(1).max(40).describe('1c, bitrix24'),
  name: z.string().min(1).max(200),
  settings,
  secret,
  schedule: schedule.optional(),
  enabled: z.boolean().optional(),
});
export type NewConnector = z.output<typeof newConnectorSchema>;

export const connectorPatchSchema = z.strictObject({
  name: z.string().min(1).max(200).optional(),
  settings: settings.optional().describe('Settings to change (merged with the stored ones)'),
  secret: secret.optional(),
  schedule: schedule.optional(),
  enabled: z.boolean().optional(),
});
export type ConnectorPatch = z.output<typeof connectorPatchSchema>;

export const syncCountsSchema = z.object({ read: z.number(), inserted: z.number(), updated: z.number(), deleted: z.number(), refused: z.number() });

export const connectorRunSchema = z
  .object({
    id: z.string(),
    connectorId: z.string(),
    trigger: z.string().describe('api, cli, schedule'),
    mode: z.enum(['full', 'incremental']),
    status: z.enum(['running', 'succeeded', 'failed']),
    stage: z.string().describe('The last stage reached'),
    startedAt: z.string(),
    finishedAt: z.string().nullable(),
    durationMs: z.number().nullable(),
    requests: z.number().describe('Requests made to the system'),
    totals: syncCountsSchema,
    counts: z.record(z.string(), syncCountsSchema).describe('Per entity: partners, sales…'),
    refusals: z.array(z.object({ entity: z.string(), id: z.string().nullable(), reason: z.string() })).describe('Rows not written and why (the first 200)'),
    error: z
      .object({ code: z.string(), message: z.string(), details: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).describe('object, status, reason…: which object failed and how') })
      .nullable(),
  })
  .meta({ id: 'ConnectorRun' });
export type ConnectorRun = z.output<typeof connectorRunSchema>;

export const connectorSchema = z
  .object({
    id: z.string(),
    kind: z.string(),
    name: z.string(),
    description: z.string().describe('The connection in one line (never the secret)'),
    settings: z.record(z.string(), z.unknown()),
    secret: z.object({ set: z.boolean() }).describe('Only whether a secret is stored'),
    schedule: z.string().nullable(),
    nextSyncAt: z.string().nullable().describe('When the schedule fires next (on a server that runs schedules)'),
    enabled: z.boolean(),
    createdAt: z.string(),
    updatedAt: z.string(),
    lastRun: connectorRunSchema.nullable(),
  })
  .meta({ id: 'Connector' });
export type ConnectorView = z.output<typeof connectorSchema>;

export const connectionTestSchema = z
  .object({
    ok: z.boolean(),
    message: z.string(),
    published: z.array(z.string()).describe('Objects of the profile the system publishes'),
    missing: z.array(z.string()).describe('Objects the sync needs that are not published'),
    optionalMissing: z.array(z.string()).describe('Objects only publishing needs, not published'),
    error: z
      .object({ code: z.string(), message: z.string(), details: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).describe('object, status, reason…: which object failed and how') })
      .nullable()
      .describe('Why the system could not be reached or signed in to'),
  })
  .meta({ id: 'ConnectionTest' });
export type ConnectionTestView = z.output<typeof connectionTestSchema>;

export const syncJobSchema = z
  .object({
    id: z.string().describe('Poll GET /api/connectors/{id}/jobs/{jobId}'),
    type: z.literal('connector-sync'),
    subject: z.string().describe('The connector'),
    status: z.enum(['running', 'succeeded', 'failed']),
    stage: z.enum(SYNC_STAGES),
    stages: z.array(z.enum(SYNC_STAGES)),
    progress: z.number().min(0).max(1),
    startedAt: z.string(),
    finishedAt: z.string().nullable(),
    elapsedMs: z.number(),
    expectedMs: z.number().nullable(),
    result: connectorRunSchema.nullable(),
    error: z.object({ code: z.string(), message: z.string(), details: z.record(z.string(), z.unknown()) }).nullable(),
  })
  .meta({ id: 'ConnectorSyncJob' });

export const syncBodySchema = z.strictObject({ full: z.boolean().optional().describe('Read everything again instead of only what changed') });

export const publicationSchema = z
  .object({
    connectorId: z.string(),
    segmentId: z.string(),
    remoteId: z
      .string()
      .nullable()
      .describe("The item in the system (1C: the Catalog_СегментыПартнеров item's Ref_Key; Bitrix24 and amoCRM: `<companies' item>|<contacts' item>`, see docs/connectors-crm.md)"),
    members: z.number().nullable(),
    publishedAt: z.string().nullable(),
    error: z.string().nullable().describe('Why the last publication failed'),
    byEvents: z.boolean().describe("Published by a subscription's connector-publish action (as its deliveries go), not after each generation"),
  })
  .meta({ id: 'Publication' });
export type PublicationView = z.output<typeof publicationSchema>;

export const newPublicationSchema = z.strictObject({ segmentId: z.string().min(1).max(200) });
