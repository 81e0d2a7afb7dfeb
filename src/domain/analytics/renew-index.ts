import { z } from 'zod';
import { AppError } from '../../errors/app-error.js';
import { loadRuleCatalog } from '../../rules/catalog.js';
import { resolveAsOf } from '../../sql/compile/compile-rule.js';
import { sql } from '../../sql/sql.js';
import type { Queryable } from '../../sql/queryable.js';
import { partnerInScope } from '../access/partner-scope-sql.js';
import type { PartnerScope } from '../access/principal.js';
import type { Database } from '../../storage/database.js';
import type { RebuildResult } from '../segments/rebuild.js';
import { checkSchedule } from '../../scheduling/schedule.js';
import { rebuildScoreDependents } from './analytics-segments.js';
import { lastScoreRun, recordedScoreRun, replaceScores, type ScoreRun, type ScoreTrigger } from './score-runs.js';
import { parseSettings, readStoredSettings, settingsInvalid, writeSettings } from './settings.js';

/**
 * The renew index of seed 002 ("индекс привлекательности возобновления контакта"): for each
 * lead, the sum of a few 1–5 assessments kept as number properties of the partner — brand
 * strength, order attractiveness, refusal status by default — to rank refused leads and pick
 * whom to contact again. Stored as the score `renew.index`, usable in rules.
 *
 * A property the partner does not have counts 0; a partner with none of them has no index.
 */

export const RENEW_SCORE = 'renew.index';
export const DEFAULT_RENEW_PROPERTIES = ['brandStrength', 'orderAttractiveness', 'refusalStatus'] as const;

export const renewSettingsSchema = z
  .object({
    properties: z
      .array(z.string().min(1))
      .min(1)
      .max(20)
      .default([...DEFAULT_RENEW_PROPERTIES])
      .describe('Number properties of partners (1–5 assessments) whose sum is the index'),
    schedule: z.string().nullable().default(null).describe('Refresh on a schedule (cron, or "every N seconds"); null: on demand only'),
    rebuildSegments: z.boolean().default(true).describe('After a refresh, generate the periodic segments whose rules read renew.index'),
  })
  .strict();
export type RenewSettings = z.output<typeof renewSettingsSchema>;

/** A change of the renew-index settings: the fields to change. */
export const renewSettingsPatchSchema = z
  .object({
    properties: z.array(z.string().min(1)).min(1).max(20).optional(),
    schedule: z.string().nullable().optional(),
    rebuildSegments: z.boolean().optional(),
  })
  .strict();

export async function getRenewSettings(db: Queryable): Promise<RenewSettings> {
  return parseSettings('renew', renewSettingsSchema, (await readStoredSettings(db, 'renew')) ?? {});
}

/** Every chosen property must be a number property of partners. */
async function checkProperties(db: Queryable, properties: readonly string[]): Promise<void> {
  const defined = (await loadRuleCatalog(db)).properties.partner;
  for (const name of properties) {
    const type = defined.get(name);
    if (type === undefined) throw new AppError('RENEW_PROPERTY_INVALID', { name, reason: 'no partner has such a property (import it first)' });
    if (type !== 'number') throw new AppError('RENEW_PROPERTY_INVALID', { name, type, reason: `it is a ${type} property, not a number` });
  }
}

export async function saveRenewSettings(db: Queryable, patch: unknown): Promise<RenewSettings> {
  const merged = parseSettings('renew', renewSettingsSchema, { ...(await getRenewSettings(db)), ...(patch as object) });
  const unique = [...new Set(merged.properties)];
  if (unique.length !== merged.properties.length) throw settingsInvalid('renew', [{ path: 'properties', message: 'a property is listed twice' }]);
  if (merged.schedule) {
    const check = checkSchedule(merged.schedule);
    if (!check.ok) throw settingsInvalid('renew', [{ path: 'schedule', message: `not a valid schedule: ${check.reason}` }]);
  }
  await checkProperties(db, merged.properties);
  await writeSettings(db, 'renew', merged);
  return merged;
}

export interface RenewRefreshResult {
  readonly runId: number;
  readonly asOf: string;
  readonly properties: readonly string[];
  /** Partners with an index (at least one of the properties set). */
  readonly scored: number;
  /** Property values outside 1–5 that were summed as they are: worth a look in the source data. */
  readonly outOfRange: number;
  readonly durationMs: number;
  readonly segments: readonly RebuildResult[];
}

/** Recomputes `renew.index` for every partner and replaces the stored values in one transaction. */
export async function refreshRenewIndex(db: Database, options: { asOf?: string; trigger: ScoreTrigger }): Promise<RenewRefreshResult> {
  const asOf = resolveAsOf(options.asOf);
  const settings = await getRenewSettings(db);
  await checkProperties(db, settings.properties);
  const names = settings.properties;
  const select = sql`SELECT partner_id, '${sql.raw(RENEW_SCORE)}' AS score, SUM(value_number) AS value FROM partner_properties
    WHERE name IN (${sql.list(names)}) AND value_number IS NOT NULL GROUP BY partner_id`;
  let outOfRange = 0;
  const run = await recordedScoreRun(db, 'renew', options.trigger, asOf, settings, () =>
    db.transaction(async (tx) => {
      await replaceScores(tx, [RENEW_SCORE], select.text, select.params);
      const [odd] = await tx.query<{ n: number }>(sql`SELECT COUNT(*) AS n FROM partner_properties WHERE name IN (${sql.list(names)}) AND (value_number < 1 OR value_number > 5)`);
      outOfRange = Number(odd?.n ?? 0);
      const [count] = await tx.query<{ n: number }>(`SELECT COUNT(*) AS n FROM partner_scores WHERE score = '${RENEW_SCORE}'`);
      return Number(count?.n ?? 0);
    }),
  );
  const segments = settings.rebuildSegments ? await rebuildScoreDependents(db, [RENEW_SCORE]) : [];
  return { runId: run.runId, asOf, properties: names, scored: run.scored, outOfRange, durationMs: run.durationMs, segments };
}

export interface RenewStatus {
  readonly settings: RenewSettings;
  readonly lastRun: ScoreRun | null;
  readonly scored: number;
}

/** The settings, the last refresh, and how many of the partners the scope sees have an index. */
export async function renewStatus(db: Queryable, scope: PartnerScope): Promise<RenewStatus> {
  const [count] = await db.query<{ n: number }>(sql`SELECT COUNT(*) AS n FROM partner_scores s WHERE s.score = ${RENEW_SCORE} AND ${partnerInScope(scope, sql`s.partner_id`)}`);
  return { settings: await getRenewSettings(db), lastRun: await lastScoreRun(db, 'renew'), scored: Number(count?.n ?? 0) };
}
