import { z } from 'zod';
import { SEGMENT_METHODS } from '../../model/segment-vocabulary.js';
import { QUADRANT_POSITIONS, SCORE_SETS } from './analytics-vocabulary.js';

/**
 * The API shapes of the analytics (docs/analytics.md), one zod schema each: the routes validate
 * and document with them, and the web UI imports the types inferred from them. Only zod and
 * other plain modules are imported here, so the browser's typecheck can follow it.
 */

export { SCORE_SETS, QUADRANT_POSITIONS, type ScoreSet, type QuadrantPosition } from './analytics-vocabulary.js';

export const RUN_STATUSES = ['running', 'ok', 'failed'] as const;

/** A score refresh (GET /api/analytics/runs). */
export const scoreRunSchema = z
  .object({
    id: z.number(),
    scoreSet: z.enum(SCORE_SETS),
    trigger: z.string(),
    asOf: z.string(),
    settings: z.unknown(),
    startedAt: z.string(),
    finishedAt: z.string().nullable(),
    status: z.enum(RUN_STATUSES),
    scored: z.number().nullable(),
    durationMs: z.number().nullable(),
    error: z.string().nullable(),
  })
  .meta({ id: 'ScoreRun' });
export type ScoreRun = z.output<typeof scoreRunSchema>;

/** A segment generated after a score refresh. */
export const segmentRebuildSchema = z.object({
  segmentId: z.string(),
  runId: z.number(),
  size: z.number(),
  entered: z.number(),
  left: z.number(),
  durationMs: z.number(),
});

/** A segment an analysis created or updated (POST …/segments). */
export const appliedSegmentSchema = z.object({
  id: z.string(),
  name: z.string(),
  action: z.enum(['created', 'updated']),
  method: z.enum(SEGMENT_METHODS),
  size: z.number().nullable().describe('Members after generation; null for dynamic segments'),
});
export type AppliedSegment = z.output<typeof appliedSegmentSchema>;
export const appliedSegmentsSchema = z.object({ items: z.array(appliedSegmentSchema) });

const statusShape = {
  lastRun: scoreRunSchema.nullable(),
  scored: z.number().describe('Partners with these scores now'),
  nextRunAt: z.string().nullable().describe('Next scheduled refresh (in `segmenta serve`)'),
};

// ---- RFM --------------------------------------------------------------------------------------

export const rfmSettingsOutSchema = z.object({
  window: z.record(z.string(), z.unknown()).describe('A period of the rule language, e.g. {"last": {"months": 12}}'),
  bins: z.number(),
  schedule: z.string().nullable(),
  rebuildSegments: z.boolean(),
});

export const rfmStatusSchema = z.object({ settings: rfmSettingsOutSchema, ...statusShape });
export type RfmStatusView = z.output<typeof rfmStatusSchema>;

export const rfmRefreshResultSchema = z.object({
  runId: z.number(),
  asOf: z.string(),
  window: z.object({ from: z.string().nullable(), to: z.string() }),
  bins: z.number(),
  scored: z.number().describe('Customers scored (partners with purchases in the window)'),
  durationMs: z.number(),
  segments: z.array(segmentRebuildSchema).describe('Periodic segments on RFM scores generated after the refresh'),
});
export type RfmRefreshResultView = z.output<typeof rfmRefreshResultSchema>;

/** A named RFM segment: inclusive bands of R and F (1–5), and its rule. */
export const rfmTemplateSchema = z.object({
  key: z.string(),
  name: z.object({ en: z.string(), ru: z.string() }),
  r: z.tuple([z.number(), z.number()]),
  f: z.tuple([z.number(), z.number()]),
  description: z.string(),
  rule: z.unknown(),
});
export type RfmTemplateView = z.output<typeof rfmTemplateSchema>;

// ---- renew index ------------------------------------------------------------------------------

export const renewSettingsOutSchema = z.object({ properties: z.array(z.string()), schedule: z.string().nullable(), rebuildSegments: z.boolean() });
export const renewStatusSchema = z.object({ settings: renewSettingsOutSchema, ...statusShape });

export const renewRefreshResultSchema = z.object({
  runId: z.number(),
  asOf: z.string(),
  properties: z.array(z.string()),
  scored: z.number(),
  outOfRange: z.number().describe('Property values outside 1–5, summed as they are'),
  durationMs: z.number(),
  segments: z.array(segmentRebuildSchema),
});

// ---- matrices ---------------------------------------------------------------------------------

const axisSourceOutSchema = z.union([
  z.object({ score: z.string() }),
  z.object({ property: z.string() }),
  z.object({ measure: z.string(), period: z.record(z.string(), z.unknown()).optional(), where: z.record(z.string(), z.unknown()).optional() }),
]);
const axisOutSchema = z.object({ label: z.string(), source: axisSourceOutSchema, threshold: z.number() });
const quadrantOutSchema = z.object({ key: z.string(), name: z.string() });

export const matrixSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string(),
    x: axisOutSchema,
    y: axisOutSchema,
    filter: z.unknown().optional(),
    quadrants: z.object({ highHigh: quadrantOutSchema, highLow: quadrantOutSchema, lowHigh: quadrantOutSchema, lowLow: quadrantOutSchema }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Matrix' });
export type MatrixView = z.output<typeof matrixSchema>;

export const scatterPointSchema = z.object({ partnerId: z.string(), name: z.string(), x: z.number(), y: z.number(), quadrant: z.string() });
export type ScatterPoint = z.output<typeof scatterPointSchema>;

export const matrixScatterSchema = z.object({
  matrix: matrixSchema,
  asOf: z.string(),
  quadrants: z.array(z.object({ position: z.enum(QUADRANT_POSITIONS), key: z.string(), name: z.string(), partners: z.number() })),
  total: z.number().describe('Partners placed in all; `points` holds the first `limit` by id'),
  points: z.array(scatterPointSchema),
});
export type MatrixScatterView = z.output<typeof matrixScatterSchema>;

// ---- CSI / NPS --------------------------------------------------------------------------------

export const satisfactionRowSchema = z.object({
  scope: z.enum(['all', 'segment', 'manager']),
  key: z.string().nullable().describe('Segment or manager id; null for the whole base (and partners without a manager)'),
  name: z.string(),
  quarter: z.string().describe('YYYY-Qn, or "total" for the whole period'),
  responses: z.number(),
  promoters: z.number().describe('Answers 9–10'),
  passives: z.number().describe('Answers 7–8'),
  detractors: z.number().describe('Answers 0–6'),
  csiHigh: z.number().describe('CSI\'s "attract": 8–10'),
  csiLow: z.number().describe('CSI\'s "detract": 1–3'),
  scoreSum: z.number(),
  csi: z.number().nullable(),
  nps: z.number().nullable(),
  averageScore: z.number().nullable(),
});
export type SatisfactionRow = z.output<typeof satisfactionRowSchema>;

export const csiNpsResultSchema = z.object({ from: z.string(), to: z.string(), types: z.array(z.string()), rows: z.array(satisfactionRowSchema) });
export type CsiNpsResult = z.output<typeof csiNpsResultSchema>;

// ---- lifecycle --------------------------------------------------------------------------------

export const lifecycleSettingsOutSchema = z.object({ months: z.number(), current: z.unknown().optional(), refused: z.unknown().optional(), churned: z.unknown().optional() });

export const lifecycleSummarySchema = z.object({
  asOf: z.string(),
  settings: lifecycleSettingsOutSchema,
  rules: z.object({ current: z.unknown(), refused: z.unknown(), churned: z.unknown() }),
  counts: z.object({ current: z.number(), refused: z.number(), churned: z.number() }).describe("Partners each stage's rule selects on asOf"),
});
export type LifecycleSummaryView = z.output<typeof lifecycleSummarySchema>;
