import { z } from 'zod';
import { loadRuleCatalog } from '../../rules/catalog.js';
import { checkRule } from '../../rules/check-rule.js';
import { issueMessageEn } from '../../rules/issues/messages.en.js';
import { resolveAsOf } from '../../sql/compile/compile-rule.js';
import { compileValues } from './condition-values.js';
import { partnerInScope } from '../access/partner-scope-sql.js';
import type { PartnerScope } from '../access/principal.js';
import { sql } from '../../sql/sql.js';
import type { Queryable } from '../../sql/queryable.js';
import type { Database } from '../../storage/database.js';
import { applySegments, type AppliedSegment } from './analytics-segments.js';
import { parseSettings, readStoredSettings, settingsInvalid, writeSettings, type SettingsIssue } from './settings.js';
import type { SegmentService } from '../segments/segments.service.js';

/**
 * The three blocks of a client base in seed 002: current clients, "refused" (leads who came to
 * us but never bought) and "churned" (clients who bought, then stopped). Each stage is a rule
 * of the rule language with the parameter `months` (default 12); the defaults below can be
 * replaced stage by stage. The stages become segments `lifecycle-current`, `-refused`, `-churned`.
 */

export const LIFECYCLE_STAGES = ['current', 'refused', 'churned'] as const;
export type LifecycleStage = (typeof LIFECYCLE_STAGES)[number];

const recent = { last: { months: { param: 'months' } } };
const notDeleted = { attr: 'deleted', op: 'eq', value: false };

/** The documented defaults (docs/analytics.md). */
export const DEFAULT_LIFECYCLE_RULES: Readonly<Record<LifecycleStage, unknown>> = {
  // Bought (a purchase document) within the last `months` months.
  current: { all: [notDeleted, { measure: 'sales.documents', period: recent, op: 'gt', value: 0 }] },
  // Never bought, but contacted us (an interaction or a deal); not a supplier or competitor.
  refused: {
    all: [
      notDeleted,
      { attr: 'roles', op: 'notIn', value: ['supplier', 'competitor'] },
      { measure: 'sales.documents', op: 'eq', value: 0 },
      {
        any: [
          { measure: 'interactions.count', op: 'gt', value: 0 },
          { measure: 'deals.count', op: 'gt', value: 0 },
        ],
      },
    ],
  },
  // Bought before, but not within the last `months` months.
  churned: {
    all: [notDeleted, { measure: 'sales.documents', op: 'gt', value: 0 }, { measure: 'sales.documents', period: recent, op: 'eq', value: 0 }],
  },
};

export const LIFECYCLE_NAMES: Readonly<Record<LifecycleStage, { en: string; ru: string }>> = {
  current: { en: 'Current clients', ru: 'Текущие клиенты' },
  refused: { en: 'Refused (leads who never bought)', ru: 'Отказ' },
  churned: { en: 'Churned clients', ru: 'Отток' },
};

export const lifecycleSettingsSchema = z
  .object({
    months: z.number().int().min(1).max(120).default(12).describe('The rules\' {"param": "months"}: how recent a purchase keeps a client current'),
    current: z.unknown().optional().describe('Rule of current clients (default: a purchase within `months` months)'),
    refused: z.unknown().optional().describe('Rule of refused leads (default: never bought, had an interaction or a deal)'),
    churned: z.unknown().optional().describe('Rule of churned clients (default: bought before, not within `months` months)'),
  })
  .strict();
export type LifecycleSettings = z.output<typeof lifecycleSettingsSchema>;

/** A change of the lifecycle settings: the fields to change; a stage's rule set to null returns to its default. */
export const lifecycleSettingsPatchSchema = z
  .object({
    months: z.number().int().min(1).max(120).optional(),
    current: z.unknown().optional(),
    refused: z.unknown().optional(),
    churned: z.unknown().optional(),
  })
  .strict();

/** The rule of each stage under the settings: the user's, or the default. */
export const lifecycleRules = (settings: LifecycleSettings): Record<LifecycleStage, unknown> => ({
  current: settings.current ?? DEFAULT_LIFECYCLE_RULES.current,
  refused: settings.refused ?? DEFAULT_LIFECYCLE_RULES.refused,
  churned: settings.churned ?? DEFAULT_LIFECYCLE_RULES.churned,
});

async function validate(db: Queryable, settings: LifecycleSettings): Promise<void> {
  const catalog = await loadRuleCatalog(db);
  const issues: SettingsIssue[] = [];
  const rules = lifecycleRules(settings);
  for (const stage of LIFECYCLE_STAGES) {
    const checked = checkRule(rules[stage], { kind: 'partner', catalog, parameters: { months: settings.months } });
    if (!checked.ok) for (const issue of checked.issues) issues.push({ path: `${stage}${issue.path.slice(1)}`, message: issueMessageEn(issue) });
  }
  if (issues.length) throw settingsInvalid('lifecycle', issues);
}

export async function getLifecycleSettings(db: Queryable): Promise<LifecycleSettings> {
  return parseSettings('lifecycle', lifecycleSettingsSchema, (await readStoredSettings(db, 'lifecycle')) ?? {});
}

/** Saves settings; a stage given as null goes back to its default rule. */
export async function saveLifecycleSettings(db: Queryable, patch: unknown): Promise<LifecycleSettings> {
  const current = await getLifecycleSettings(db);
  const merged = { ...current, ...(patch as object) } as Record<string, unknown>;
  for (const stage of LIFECYCLE_STAGES) if (merged[stage] === null) delete merged[stage];
  const settings = parseSettings('lifecycle', lifecycleSettingsSchema, merged);
  await validate(db, settings);
  await writeSettings(db, 'lifecycle', settings);
  return settings;
}

export const lifecycleSegmentsRequestSchema = z.object({
  method: z.enum(['periodic', 'dynamic']).default('periodic'),
  schedule: z.string().nullable().optional(),
  language: z.enum(['en', 'ru']).default('en'),
});
export type LifecycleSegmentsRequest = z.output<typeof lifecycleSegmentsRequestSchema>;

/** Creates (or updates) the segments lifecycle-current, lifecycle-refused and lifecycle-churned. */
export async function applyLifecycleSegments(segments: SegmentService, request: LifecycleSegmentsRequest): Promise<AppliedSegment[]> {
  const { db } = segments;
  const settings = await getLifecycleSettings(db);
  await validate(db, settings);
  const rules = lifecycleRules(settings);
  const drafts = LIFECYCLE_STAGES.map((stage) => ({
    id: `lifecycle-${stage}`,
    name: LIFECYCLE_NAMES[stage][request.language],
    description: `Lifecycle stage "${stage}" (docs/analytics.md); months = ${settings.months}`,
    rule: rules[stage],
    parameters: { months: settings.months },
  }));
  return applySegments(segments, drafts, { method: request.method, ...(request.schedule !== undefined ? { schedule: request.schedule } : {}) });
}

export interface LifecycleSummary {
  readonly asOf: string;
  readonly settings: LifecycleSettings;
  readonly rules: Record<LifecycleStage, unknown>;
  /** Partners each stage's rule selects on asOf. */
  readonly counts: Record<LifecycleStage, number>;
}

/** How many partners (of those the scope sees) each stage's rule selects on `asOf` (evaluated now, nothing stored), in one pass. */
export async function lifecycleSummary(db: Database, scope: PartnerScope, asOf?: string): Promise<LifecycleSummary> {
  const date = resolveAsOf(asOf);
  const settings = await getLifecycleSettings(db);
  const rules = lifecycleRules(settings);
  const values = compileValues({
    conditions: [],
    rules: LIFECYCLE_STAGES.map((stage) => ({ json: rules[stage], path: stage })),
    kind: 'partner',
    catalog: await loadRuleCatalog(db),
    dialect: db.dialect,
    asOf: date,
    parameters: { months: settings.months },
    invalid: (issues) => settingsInvalid('lifecycle', issues),
  });
  const sums = LIFECYCLE_STAGES.map((_, j) => `SUM(CASE WHEN v.q${j} IS TRUE THEN 1 ELSE 0 END) AS n${j}`).join(', ');
  const [row] = await db.query(sql`SELECT ${sql.raw(sums)} FROM (${sql.embed(values)}) v WHERE ${partnerInScope(scope, sql`v.id`)}`);
  const counts = Object.fromEntries(LIFECYCLE_STAGES.map((stage, j) => [stage, Number(row?.[`n${j}`] ?? 0)])) as Record<LifecycleStage, number>;
  return { asOf: date, settings, rules, counts };
}
