import { z } from 'zod';
import { csiNps, csiNpsRequestSchema } from '../../domain/analytics/csi-nps.js';
import {
  applyLifecycleSegments,
  getLifecycleSettings,
  lifecycleSegmentsRequestSchema,
  lifecycleSettingsPatchSchema,
  lifecycleSummary,
  saveLifecycleSettings,
} from '../../domain/analytics/lifecycle.js';
import {
  applyMatrixSegments,
  deleteMatrix,
  getMatrix,
  listMatrices,
  matrixIdSchema,
  matrixInputSchema,
  matrixScatter,
  matrixSegmentsRequestSchema,
  saveMatrix,
} from '../../domain/analytics/matrix.js';
import { getRenewSettings, refreshRenewIndex, renewSettingsPatchSchema, renewStatus, saveRenewSettings } from '../../domain/analytics/renew-index.js';
import {
  applyRfmTemplates,
  getRfmSettings,
  refreshRfm,
  RFM_TEMPLATES,
  rfmSegmentsRequestSchema,
  rfmSettingsPatchSchema,
  rfmStatus,
  rfmTemplateRule,
  type RfmTemplate,
  saveRfmSettings,
} from '../../domain/analytics/rfm.js';
import {
  appliedSegmentsSchema,
  csiNpsResultSchema,
  lifecycleSettingsOutSchema,
  lifecycleSummarySchema,
  matrixSchema,
  matrixScatterSchema,
  renewRefreshResultSchema,
  renewSettingsOutSchema,
  renewStatusSchema,
  rfmRefreshResultSchema,
  rfmSettingsOutSchema,
  rfmStatusSchema,
  rfmTemplateSchema,
  SCORE_SETS,
  type RfmTemplateView,
  scoreRunSchema,
} from '../../domain/analytics/analytics.schema.js';
import { listScoreRuns } from '../../domain/analytics/score-runs.js';
import { SCORES } from '../../rules/vocabulary/scores.js';
import { auditId, type AuditSpec } from '../audit.js';
import { scopeOf } from '../access.js';
import type { RouteModule } from '../context.js';
import { asOfQuery, booleanQuery, errorSchema } from '../schemas.js';

const errors = { 400: errorSchema, 404: errorSchema, 409: errorSchema, 422: errorSchema };
const tags = ['analytics'];

const asOfBody = z.object({ ...asOfQuery });

const templateView = (template: RfmTemplate): RfmTemplateView => {
  const { descriptionRu: _ru, ...t } = template;
  return { ...t, name: { ...t.name }, r: [t.r[0], t.r[1]], f: [t.f[0], t.f[1]], rule: rfmTemplateRule(template) };
};

export const analyticsRoutes: RouteModule = (app, ctx) => {
  const { db } = ctx;
  const { scoreScheduler, segments } = ctx.services;
  const next = (set: 'rfm' | 'renew') => scoreScheduler?.nextRun(set)?.toISOString() ?? null;
  // The audit log records settings (one of a kind each: rfm, renew, lifecycle) and matrices before and after.
  const settingsAudit = (id: 'rfm' | 'renew' | 'lifecycle', load: () => Promise<unknown>): AuditSpec => ({ entity: 'analytics-settings', id: auditId.fixed(id), load });
  const scoresAudit = (id: 'rfm' | 'renew'): AuditSpec => ({ entity: 'analytics-scores', action: 'analytics-scores.refresh', id: auditId.fixed(id) });
  const matrixAudit: AuditSpec = { entity: 'matrix', load: (id) => getMatrix(db, id), keep: ['key'] };

  app.get(
    '/analytics/scores',
    {
      config: { access: 'manager' },
      schema: { tags, summary: 'Score names rules may read ({"score": name})', response: { 200: z.object({ items: z.array(z.object({ name: z.string(), description: z.string() })) }) } },
    },
    async () => ({ items: SCORES.list().map((s) => ({ name: s.name, description: s.description })) }),
  );

  app.get(
    '/analytics/runs',
    {
      config: { access: 'manager' },
      schema: {
        tags,
        summary: 'Score refresh runs (RFM, renew index), newest first',
        querystring: z.object({ scoreSet: z.enum(SCORE_SETS).optional(), limit: z.coerce.number().int().min(1).max(500).default(50) }),
        response: { 200: z.object({ items: z.array(scoreRunSchema) }) },
      },
    },
    async (request) => ({ items: await listScoreRuns(request.db, request.query.scoreSet, request.query.limit) }),
  );

  // ---- RFM ----------------------------------------------------------------------------------

  app.get(
    '/analytics/rfm',
    {
      config: { access: 'manager' },
      schema: { tags, summary: 'RFM settings, last refresh and how many partners are scored (a manager: of own partners)', response: { 200: rfmStatusSchema } },
    },
    async (request) => ({
      ...(await rfmStatus(request.db, scopeOf(request))),
      nextRunAt: next('rfm'),
    }),
  );

  app.put(
    '/analytics/rfm/settings',
    {
      config: { access: 'analyst', audit: settingsAudit('rfm', () => getRfmSettings(db)) },
      schema: { tags, summary: 'Change the RFM window, bins, schedule (the fields given)', body: rfmSettingsPatchSchema, response: { 200: rfmSettingsOutSchema, ...errors } },
    },
    async (request) => {
      const settings = await saveRfmSettings(db, request.body);
      await scoreScheduler?.reschedule('rfm');
      return settings;
    },
  );

  app.post(
    '/analytics/rfm/refresh',
    {
      config: { access: 'analyst', heavy: true, audit: scoresAudit('rfm') },
      schema: {
        tags,
        summary: 'Recompute the RFM scores now (as of asOf), then generate the periodic segments on them',
        body: asOfBody.optional(),
        response: {
          200: rfmRefreshResultSchema,
          ...errors,
        },
      },
    },
    async (request) => {
      const result = await refreshRfm(db, { trigger: 'api', ...(request.body?.asOf ? { asOf: request.body.asOf } : {}) });
      return { ...result, segments: [...result.segments] };
    },
  );

  app.get(
    '/analytics/rfm/templates',
    {
      config: { access: 'manager' },
      schema: {
        tags,
        summary: 'The named RFM segments: bands of R and F (1–5) and the rule of each',
        response: {
          200: z.object({ items: z.array(rfmTemplateSchema) }),
        },
      },
    },
    async () => ({ items: RFM_TEMPLATES.map(templateView) }),
  );

  app.post(
    '/analytics/rfm/segments',
    {
      config: { access: 'analyst', audit: { entity: 'segment', action: 'segment.apply-rfm' } },
      schema: { tags, summary: 'Create (or update) the named RFM segments as rule segments on rfm.r and rfm.f', body: rfmSegmentsRequestSchema, response: { 200: appliedSegmentsSchema, ...errors } },
    },
    async (request) => ({ items: await applyRfmTemplates(segments, request.body) }),
  );

  // ---- renew index --------------------------------------------------------------------------

  app.get(
    '/analytics/renew',
    {
      config: { access: 'manager' },
      schema: { tags, summary: 'Renew-index settings, last refresh and how many partners have an index (a manager: of own partners)', response: { 200: renewStatusSchema } },
    },
    async (request) => ({
      ...(await renewStatus(request.db, scopeOf(request))),
      nextRunAt: next('renew'),
    }),
  );

  app.put(
    '/analytics/renew/settings',
    {
      config: { access: 'analyst', audit: settingsAudit('renew', () => getRenewSettings(db)) },
      schema: { tags, summary: 'Choose the 1–5 properties the renew index sums, and its schedule', body: renewSettingsPatchSchema, response: { 200: renewSettingsOutSchema, ...errors } },
    },
    async (request) => {
      const settings = await saveRenewSettings(db, request.body);
      await scoreScheduler?.reschedule('renew');
      return settings;
    },
  );

  app.post(
    '/analytics/renew/refresh',
    {
      config: { access: 'analyst', heavy: true, audit: scoresAudit('renew') },
      schema: {
        tags,
        summary: 'Recompute renew.index now',
        body: asOfBody.optional(),
        response: {
          200: renewRefreshResultSchema,
          ...errors,
        },
      },
    },
    async (request) => {
      const result = await refreshRenewIndex(db, { trigger: 'api', ...(request.body?.asOf ? { asOf: request.body.asOf } : {}) });
      return { ...result, properties: [...result.properties], segments: [...result.segments] };
    },
  );

  // ---- matrices -----------------------------------------------------------------------------

  const matrixParams = z.object({ id: matrixIdSchema });
  const plainMatrix = (m: Awaited<ReturnType<typeof getMatrix>>) => ({ ...m, quadrants: { ...m.quadrants } });

  app.get(
    '/analytics/matrices',
    { config: { access: 'manager' }, schema: { tags, summary: 'BCG-style matrices', response: { 200: z.object({ items: z.array(matrixSchema) }) } } },
    async (request) => ({
      items: (await listMatrices(request.db)).map(plainMatrix),
    }),
  );

  app.get('/analytics/matrices/:id', { config: { access: 'manager' }, schema: { tags, summary: 'One matrix', params: matrixParams, response: { 200: matrixSchema, ...errors } } }, async (request) =>
    plainMatrix(await getMatrix(request.db, request.params.id)),
  );

  app.put(
    '/analytics/matrices/:id',
    {
      config: { access: 'analyst', audit: { ...matrixAudit, action: 'matrix.save' } },
      schema: {
        tags,
        summary: 'Create or replace a matrix: two axes (score, number property or measure) with thresholds, quadrant names',
        params: matrixParams,
        body: matrixInputSchema,
        response: { 200: matrixSchema, ...errors },
      },
    },
    async (request) => plainMatrix(await saveMatrix(db, request.params.id, request.body)),
  );

  app.delete(
    '/analytics/matrices/:id',
    { config: { access: 'analyst', audit: matrixAudit }, schema: { tags, summary: 'Delete a matrix (its quadrant segments stay)', params: matrixParams, response: { 204: z.null(), ...errors } } },
    async (request, reply) => {
      await deleteMatrix(db, request.params.id);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/analytics/matrices/:id/segments',
    {
      config: { access: 'analyst', audit: { entity: 'segment', action: 'segment.apply-matrix', keep: ['key'] } },
      schema: {
        tags,
        summary: 'Create (or update) one rule segment per quadrant: <matrix>-<quadrant key>',
        params: matrixParams,
        body: matrixSegmentsRequestSchema,
        response: { 200: appliedSegmentsSchema, ...errors },
      },
    },
    async (request) => ({ items: await applyMatrixSegments(segments, request.params.id, request.body) }),
  );

  app.get(
    '/analytics/matrices/:id/scatter',
    {
      config: { access: 'manager', heavy: true },
      schema: {
        tags,
        summary: 'Partners per quadrant and the placed partners with x, y and quadrant (also the matrix-scatter report; a manager: own partners)',
        params: matrixParams,
        querystring: z.object({ ...asOfQuery, limit: z.coerce.number().int().min(1).max(1_000_000).default(10_000) }),
        response: {
          200: matrixScatterSchema,
          ...errors,
        },
      },
    },
    async (request) => {
      const scatter = await matrixScatter(request.db, scopeOf(request), request.params.id, { limit: request.query.limit, ...(request.query.asOf ? { asOf: request.query.asOf } : {}) });
      return { ...scatter, matrix: plainMatrix(scatter.matrix), quadrants: [...scatter.quadrants], points: [...scatter.points] };
    },
  );

  // ---- CSI / NPS ----------------------------------------------------------------------------

  app.get(
    '/analytics/csi-nps',
    {
      config: { access: 'manager', heavy: true },
      schema: {
        tags,
        summary: "CSI (answers 8–10 ÷ 1–3) and NPS (% 9–10 − % 0–6) from survey interactions: whole base, per segment, per manager, by quarter (a manager: own partners' answers)",
        querystring: z.object({
          from: csiNpsRequestSchema.shape.from,
          to: csiNpsRequestSchema.shape.to,
          ...asOfQuery,
          types: z.string().optional().describe('Survey interaction types, comma-separated (default survey)'),
          segments: z.string().optional().describe('Segment ids, comma-separated'),
          byManager: booleanQuery.optional(),
        }),
        response: { 200: csiNpsResultSchema, ...errors },
      },
    },
    async (request) => {
      const q = request.query;
      const list = (v: string | undefined) =>
        v
          ? v
              .split(',')
              .map((s) => s.trim())
              .filter(Boolean)
          : undefined;
      const types = list(q.types);
      const result = await csiNps(request.db, scopeOf(request), {
        ...(q.from ? { from: q.from } : {}),
        ...(q.to ? { to: q.to } : {}),
        ...(q.asOf ? { asOf: q.asOf } : {}),
        ...(types ? { types } : {}),
        segments: list(q.segments) ?? [],
        byManager: q.byManager ?? false,
      });
      return { ...result, types: [...result.types], rows: [...result.rows] };
    },
  );

  // ---- lifecycle ----------------------------------------------------------------------------

  app.get(
    '/analytics/lifecycle',
    {
      config: { access: 'manager', heavy: true },
      schema: {
        tags,
        summary: 'Lifecycle settings, the rule of each stage, and how many partners each holds on asOf (a manager: of own partners)',
        querystring: z.object({ ...asOfQuery }),
        response: {
          200: lifecycleSummarySchema,
          ...errors,
        },
      },
    },
    async (request) => lifecycleSummary(request.db, scopeOf(request), request.query.asOf),
  );

  app.put(
    '/analytics/lifecycle/settings',
    {
      config: { access: 'analyst', audit: settingsAudit('lifecycle', () => getLifecycleSettings(db)) },
      schema: {
        tags,
        summary: 'Change the lifecycle rules (months; a stage rule, or null for its default)',
        body: lifecycleSettingsPatchSchema,
        response: { 200: lifecycleSettingsOutSchema, ...errors },
      },
    },
    async (request) => saveLifecycleSettings(db, request.body),
  );

  app.post(
    '/analytics/lifecycle/segments',
    {
      config: { access: 'analyst', audit: { entity: 'segment', action: 'segment.apply-lifecycle' } },
      schema: {
        tags,
        summary: 'Create (or update) the segments lifecycle-current, lifecycle-refused, lifecycle-churned',
        body: lifecycleSegmentsRequestSchema,
        response: { 200: appliedSegmentsSchema, ...errors },
      },
    },
    async (request) => ({ items: await applyLifecycleSegments(segments, request.body) }),
  );

  app.get('/analytics/lifecycle/settings', { config: { access: 'manager' }, schema: { tags, summary: 'Lifecycle settings', response: { 200: lifecycleSettingsOutSchema } } }, async (request) =>
    getLifecycleSettings(request.db),
  );
};
