import { z } from 'zod';
import { AppError } from '../../errors/app-error.js';
import { loadRuleCatalog } from '../../rules/catalog.js';
import { resolveAsOf } from '../../sql/compile/compile-rule.js';
import type { DateRange } from '../../sql/compile/periods.js';
import type { Queryable } from '../../sql/queryable.js';
import { sql } from '../../sql/sql.js';
import { partnerInScope } from '../access/partner-scope-sql.js';
import type { PartnerScope } from '../access/principal.js';
import type { Database } from '../../storage/database.js';
import type { RebuildResult } from '../segments/rebuild.js';
import { segmentIdSchema } from '../segments/segment.schema.js';
import { applySegments, rebuildScoreDependents, type AppliedSegment, type AnalyticsSegmentMethod } from './analytics-segments.js';
import { compileValues } from './condition-values.js';
import { lastScoreRun, recordedScoreRun, replaceScores, type ScoreRun, type ScoreTrigger } from './score-runs.js';
import { parseSettings, readStoredSettings, settingsInvalid, writeSettings } from './settings.js';
import { resolveWindow, windowIssues, type WindowJson } from './window.js';
import { checkSchedule } from '../../scheduling/schedule.js';
import type { SegmentService } from '../segments/segments.service.js';

/**
 * RFM (SPEC §4, seed 002): recency, frequency and monetary value of each customer over a
 * window, each scored 1…bins by quantile among the customers with purchases in the window.
 * docs/analytics.md states the method; in short, with n such customers and `worse` the number
 * of them with a strictly worse value:
 *
 *     score = 1 + floor(bins × worse / n)
 *
 * so equal values always get the same score (the score of the first of them).
 */

export const RFM_SCORE_NAMES = ['rfm.r', 'rfm.f', 'rfm.m', 'rfm.recency', 'rfm.frequency', 'rfm.monetary', 'rfm.code'] as const;

export const DEFAULT_RFM_WINDOW: WindowJson = { last: { months: 12 } };

export const rfmSettingsSchema = z
  .object({
    window: z.record(z.string(), z.unknown()).default(DEFAULT_RFM_WINDOW).describe('A period of the rule language, e.g. {"last": {"months": 12}} (the default)'),
    bins: z.number().int().min(2).max(9).default(5).describe('Scores run from 1 to bins (default 5)'),
    schedule: z.string().nullable().default(null).describe('Refresh on a schedule (cron, or "every N seconds"); null: on demand only'),
    rebuildSegments: z.boolean().default(true).describe('After a refresh, generate the periodic segments whose rules read RFM scores'),
  })
  .strict();
export type RfmSettings = z.output<typeof rfmSettingsSchema>;

/** A change of the RFM settings: the fields to change. */
export const rfmSettingsPatchSchema = z
  .object({
    window: z.record(z.string(), z.unknown()).optional(),
    bins: z.number().int().min(2).max(9).optional(),
    schedule: z.string().nullable().optional(),
    rebuildSegments: z.boolean().optional(),
  })
  .strict();

function validate(settings: RfmSettings): RfmSettings {
  const issues = windowIssues(settings.window, 'window');
  if (settings.schedule) {
    const check = checkSchedule(settings.schedule);
    if (!check.ok) issues.push({ path: 'schedule', message: `not a valid schedule: ${check.reason}` });
  }
  if (issues.length) throw settingsInvalid('rfm', issues);
  return settings;
}

export async function getRfmSettings(db: Queryable): Promise<RfmSettings> {
  return parseSettings('rfm', rfmSettingsSchema, (await readStoredSettings(db, 'rfm')) ?? {});
}

/** Saves new settings (the fields given; the rest keep their current values). */
export async function saveRfmSettings(db: Queryable, patch: unknown): Promise<RfmSettings> {
  const current = await getRfmSettings(db);
  const merged = validate(parseSettings('rfm', rfmSettingsSchema, { ...current, ...(patch as object) }));
  await writeSettings(db, 'rfm', merged);
  return merged;
}

/** The three raw values, exactly as the rule language's measures over the window. */
const rawConditions = (window: WindowJson) => [
  { json: { measure: 'sales.daysSinceLast', period: window, op: 'filled' }, path: 'recency' },
  { json: { measure: 'sales.documents', period: window, op: 'filled' }, path: 'frequency' },
  { json: { measure: 'sales.revenue', period: window, op: 'filled' }, path: 'monetary' },
];

/** Customers: partners with at least one purchase document (a line with quantity ≥ 0) in the window. */
const customersFilter = (window: WindowJson) => ({ json: { measure: 'sales.documents', period: window, op: 'gt', value: 0 }, path: 'window' });

/** `1 + floor(bins × worse / n)` with integer comparisons only, the same on every engine. */
function binSql(worse: string, bins: number): string {
  const steps = Array.from({ length: bins - 1 }, (_, i) => `CASE WHEN ${worse} * ${bins} >= ${i + 1} * n THEN 1 ELSE 0 END`);
  return `(1 + ${steps.join(' + ')})`;
}

/** The SELECT of (partner_id, score, value) rows of every RFM score on `asOf`, and its parameters. */
export async function rfmScoresQuery(db: Queryable, settings: RfmSettings, asOf: string): Promise<{ sql: string; params: (string | number | boolean | null)[] }> {
  const values = compileValues({
    conditions: rawConditions(settings.window),
    filter: customersFilter(settings.window),
    kind: 'partner',
    catalog: await loadRuleCatalog(db),
    dialect: db.dialect,
    asOf,
    invalid: (issues) => settingsInvalid('rfm', issues),
  });
  const bins = settings.bins;
  const decimal = (sql: string) => db.dialect.cast(sql, 'decimal');
  // RANK() − 1 over "worst first" is the number of customers with a strictly worse value.
  const ranked = `SELECT v.id, v.v0 AS recency, v.v1 AS frequency, v.v2 AS monetary,
      RANK() OVER (ORDER BY v.v0 DESC) - 1 AS rw, RANK() OVER (ORDER BY v.v1) - 1 AS fw,
      RANK() OVER (ORDER BY v.v2) - 1 AS mw, COUNT(*) OVER () AS n
    FROM (${values.sql}) v`;
  const scored = `SELECT id, recency, frequency, monetary, ${binSql('rw', bins)} AS r, ${binSql('fw', bins)} AS f, ${binSql('mw', bins)} AS m FROM (${ranked}) ranked`;
  const names = RFM_SCORE_NAMES.map((name) => `('${name}')`).join(', ');
  const sql = `SELECT s.id AS partner_id, k.score, ${decimal(`CASE k.score
      WHEN 'rfm.r' THEN s.r WHEN 'rfm.f' THEN s.f WHEN 'rfm.m' THEN s.m
      WHEN 'rfm.recency' THEN s.recency WHEN 'rfm.frequency' THEN s.frequency WHEN 'rfm.monetary' THEN s.monetary
      ELSE 100 * s.r + 10 * s.f + s.m END`)} AS value
    FROM (${scored}) s CROSS JOIN (VALUES ${names}) k(score)`;
  return { sql, params: values.params };
}

export interface RfmRefreshResult {
  readonly runId: number;
  readonly asOf: string;
  readonly window: DateRange;
  readonly bins: number;
  /** Customers scored (partners with purchases in the window). */
  readonly scored: number;
  readonly durationMs: number;
  /** Periodic segments on RFM scores generated after the refresh. */
  readonly segments: readonly RebuildResult[];
}

/**
 * Recomputes every RFM score as of `asOf` (today by default) and replaces the stored ones in
 * one transaction: partners without purchases in the window lose their RFM scores (no value).
 */
export async function refreshRfm(db: Database, options: { asOf?: string; trigger: ScoreTrigger }): Promise<RfmRefreshResult> {
  const asOf = resolveAsOf(options.asOf);
  const settings = validate(await getRfmSettings(db));
  const window = resolveWindow(settings.window, asOf);
  const query = await rfmScoresQuery(db, settings, asOf);
  const run = await recordedScoreRun(db, 'rfm', options.trigger, asOf, settings, () =>
    db.transaction(async (tx) => {
      await replaceScores(tx, RFM_SCORE_NAMES, query.sql, query.params);
      const [count] = await tx.query<{ n: number }>(`SELECT COUNT(*) AS n FROM partner_scores WHERE score = 'rfm.r'`);
      return Number(count?.n ?? 0);
    }),
  );
  const segments = settings.rebuildSegments ? await rebuildScoreDependents(db, RFM_SCORE_NAMES) : [];
  return { runId: run.runId, asOf, window, bins: settings.bins, scored: run.scored, durationMs: run.durationMs, segments };
}

export interface RfmStatus {
  readonly settings: RfmSettings;
  readonly lastRun: ScoreRun | null;
  /** Partners with RFM scores now. */
  readonly scored: number;
}

/** The settings, the last refresh, and how many of the partners the scope sees are scored. */
export async function rfmStatus(db: Queryable, scope: PartnerScope): Promise<RfmStatus> {
  const [count] = await db.query<{ n: number }>(sql`SELECT COUNT(*) AS n FROM partner_scores s WHERE s.score = 'rfm.r' AND ${partnerInScope(scope, sql`s.partner_id`)}`);
  return { settings: await getRfmSettings(db), lastRun: await lastScoreRun(db, 'rfm'), scored: Number(count?.n ?? 0) };
}

// ---- named RFM segments -------------------------------------------------------------------

/** A named RFM segment: a band of R and F scores (1–5), inclusive. */
export interface RfmTemplate {
  readonly key: string;
  readonly name: { readonly en: string; readonly ru: string };
  readonly r: readonly [number, number];
  readonly f: readonly [number, number];
  readonly description: string;
  /** The description in Russian, for segments made from the Russian UI (issue 21). */
  readonly descriptionRu: string;
}

const t = (key: string, en: string, ru: string, r: [number, number], f: [number, number], description: string, descriptionRu: string): RfmTemplate =>
  Object.freeze({ key, name: { en, ru }, r, f, description, descriptionRu });

/**
 * The usual R × F map of named segments (the widely used 5 × 5 grid), with its "hibernating"
 * cells split into hibernating (R = 2) and lost (R = 1). Every one of the 25 cells belongs to
 * exactly one segment, so every scored customer is in exactly one.
 */
export const RFM_TEMPLATES: readonly RfmTemplate[] = [
  t('champions', 'Champions', 'Чемпионы', [5, 5], [4, 5], 'Bought very recently and buy often', 'Покупали совсем недавно и часто'),
  t('loyal', 'Loyal customers', 'Лояльные', [3, 4], [4, 5], 'Buy often, bought fairly recently', 'Покупают часто, последний раз — недавно'),
  t('potential-loyalists', 'Potential loyalists', 'Потенциально лояльные', [4, 5], [2, 3], 'Recent customers with a few purchases', 'Недавние клиенты с несколькими покупками'),
  t('new', 'New customers', 'Новые', [5, 5], [1, 1], 'Bought very recently, for the first time in the window', 'Впервые купили совсем недавно'),
  t('promising', 'Promising', 'Перспективные', [4, 4], [1, 1], 'Bought recently, once', 'Купили недавно, один раз'),
  t('need-attention', 'Need attention', 'Требуют внимания', [3, 3], [3, 3], 'Average recency and frequency', 'Средние давность и частота'),
  t('about-to-sleep', 'About to sleep', 'Засыпающие', [3, 3], [1, 2], 'Average recency, few purchases', 'Средняя давность, покупок мало'),
  t('at-risk', 'At risk', 'Под угрозой ухода', [1, 2], [3, 4], 'Bought fairly often, but long ago', 'Покупали довольно часто, но давно'),
  t('cant-lose', "Can't lose them", 'Нельзя потерять', [1, 2], [5, 5], 'Bought most often, but long ago', 'Покупали чаще всех, но давно'),
  t('hibernating', 'Hibernating', 'Спящие', [2, 2], [1, 2], 'Long ago and seldom', 'Давно и редко'),
  t('lost', 'Lost', 'Потерянные', [1, 1], [1, 2], 'Longest ago and seldom', 'Очень давно и редко'),
];

const band = (score: string, [low, high]: readonly [number, number]) => (low === high ? { score, op: 'eq', value: low } : { score, op: 'between', value: [low, high] });

/** The rule of a named segment. */
export const rfmTemplateRule = (template: RfmTemplate): unknown => ({ all: [band('rfm.r', template.r), band('rfm.f', template.f)] });

export const rfmSegmentsRequestSchema = z.object({
  method: z.enum(['periodic', 'dynamic']).default('periodic').describe('Periodic (generated now and after each RFM refresh) or dynamic'),
  prefix: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_-]{0,40}$/)
    .default('rfm-')
    .describe('Segment ids are prefix + template key'),
  templates: z.array(z.string()).optional().describe('Template keys to apply (default: all)'),
  language: z.enum(['en', 'ru']).default('en').describe('Language of the segment names and descriptions'),
  schedule: z.string().nullable().optional().describe("Periodic only: the segments' own schedule"),
});
export type RfmSegmentsRequest = z.output<typeof rfmSegmentsRequestSchema>;

/** Creates (or updates) the named RFM segments as rule segments on `rfm.r` and `rfm.f`. */
export async function applyRfmTemplates(segments: SegmentService, request: RfmSegmentsRequest): Promise<AppliedSegment[]> {
  const { db } = segments;
  const settings = await getRfmSettings(db);
  if (settings.bins !== 5) throw new AppError('RFM_TEMPLATES_NEED_FIVE_BINS', { bins: settings.bins });
  const unknown = (request.templates ?? []).filter((key) => !RFM_TEMPLATES.some((tpl) => tpl.key === key));
  if (unknown.length) {
    throw new AppError('VALIDATION_FAILED', {
      summary: `unknown RFM template(s) ${unknown.join(', ')}; known: ${RFM_TEMPLATES.map((tpl) => tpl.key).join(', ')}`,
      issues: unknown.map((key) => ({ path: 'templates', message: `no template "${key}"` })),
    });
  }
  const chosen = RFM_TEMPLATES.filter((tpl) => !request.templates || request.templates.includes(tpl.key));
  const drafts = chosen.map((tpl) => ({
    id: segmentIdSchema.parse(`${request.prefix}${tpl.key}`),
    name: `RFM: ${tpl.name[request.language]}`,
    description:
      request.language === 'ru'
        ? `${tpl.descriptionRu}. R ${tpl.r.join('–')}, F ${tpl.f.join('–')} (справка: docs/analytics.md)`
        : `${tpl.description}. R ${tpl.r.join('–')}, F ${tpl.f.join('–')} (docs/analytics.md)`,
    rule: rfmTemplateRule(tpl),
  }));
  const method: AnalyticsSegmentMethod = request.method;
  return applySegments(segments, drafts, { method, ...(request.schedule !== undefined ? { schedule: request.schedule } : {}) });
}
