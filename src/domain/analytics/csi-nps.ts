import { z } from 'zod';
import type { CsiNpsResult, SatisfactionRow } from './analytics.schema.js';
import { AppError } from '../../errors/app-error.js';
import { resolveAsOf } from '../../sql/compile/compile-rule.js';
import { sql, type Sql } from '../../sql/sql.js';
import type { SqlValue } from '../../sql/queryable.js';
import type { Database } from '../../storage/database.js';
import { partnerInScope } from '../access/partner-scope-sql.js';
import type { PartnerScope } from '../access/principal.js';
import { compositionQuery } from '../segments/membership-source.js';
import { getSegment } from '../segments/segments.repository.js';
import { resolveWindow } from './window.js';

/**
 * Satisfaction from survey interactions (seed 002, SPEC §4), each answer a score 0–10:
 *
 * - CSI = answers 8–10 ("attract") ÷ answers 1–3 ("detract"), as seed 002 defines it; a 0 is
 *   in neither group; no value when there is no 1–3 answer;
 * - NPS = % answers 9–10 (promoters) − % answers 0–6 (detractors), over all answers 0–10,
 *   from −100 to 100; no value without answers.
 *
 * Counted for the whole base, per segment (its current composition; a dynamic segment on the
 * period's end) and per manager (the partner's manager), over the period and by calendar quarter.
 */

export const DEFAULT_SURVEY_TYPES = ['survey'] as const;

export const csiNpsRequestSchema = z.object({
  from: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/)
    .optional()
    .describe('First day (default: the day after asOf − 12 months)'),
  to: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/)
    .optional()
    .describe('Last day (default asOf)'),
  asOf: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/)
    .optional()
    .describe('Evaluation date, default today'),
  types: z
    .array(z.string().min(1))
    .min(1)
    .default([...DEFAULT_SURVEY_TYPES])
    .describe('Interaction types that are survey answers'),
  segments: z.array(z.string().min(1)).default([]).describe('Also per each of these partner segments'),
  byManager: z.boolean().default(false).describe('Also per manager of the partner'),
});
export type CsiNpsRequest = z.input<typeof csiNpsRequestSchema>;

export interface SatisfactionCounts {
  readonly responses: number;
  /** 9–10 */
  readonly promoters: number;
  /** 7–8 */
  readonly passives: number;
  /** 0–6 */
  readonly detractors: number;
  /** CSI's "attract": 8–10 */
  readonly csiHigh: number;
  /** CSI's "detract": 1–3 */
  readonly csiLow: number;
  readonly scoreSum: number;
}

export type { CsiNpsResult, SatisfactionRow } from './analytics.schema.js';

const ZERO: SatisfactionCounts = { responses: 0, promoters: 0, passives: 0, detractors: 0, csiHigh: 0, csiLow: 0, scoreSum: 0 };

const add = (a: SatisfactionCounts, b: SatisfactionCounts): SatisfactionCounts => ({
  responses: a.responses + b.responses,
  promoters: a.promoters + b.promoters,
  passives: a.passives + b.passives,
  detractors: a.detractors + b.detractors,
  csiHigh: a.csiHigh + b.csiHigh,
  csiLow: a.csiLow + b.csiLow,
  scoreSum: a.scoreSum + b.scoreSum,
});

/** The indices of a group of answers. */
export function satisfactionIndices(c: SatisfactionCounts): { csi: number | null; nps: number | null; averageScore: number | null } {
  return {
    csi: c.csiLow > 0 ? c.csiHigh / c.csiLow : null,
    nps: c.responses > 0 ? (100 * (c.promoters - c.detractors)) / c.responses : null,
    averageScore: c.responses > 0 ? c.scoreSum / c.responses : null,
  };
}

interface CountRow {
  [key: string]: SqlValue;
  group_key: string | null;
  quarter: number;
  responses: number;
  promoters: number;
  passives: number;
  detractors: number;
  csi_high: number;
  csi_low: number;
  score_sum: number;
}

const COUNTS = `COUNT(*) AS responses,
  SUM(CASE WHEN i.score >= 9 THEN 1 ELSE 0 END) AS promoters,
  SUM(CASE WHEN i.score BETWEEN 7 AND 8 THEN 1 ELSE 0 END) AS passives,
  SUM(CASE WHEN i.score <= 6 THEN 1 ELSE 0 END) AS detractors,
  SUM(CASE WHEN i.score >= 8 THEN 1 ELSE 0 END) AS csi_high,
  SUM(CASE WHEN i.score BETWEEN 1 AND 3 THEN 1 ELSE 0 END) AS csi_low,
  SUM(i.score) AS score_sum`;

/** year × 10 + quarter of the answer's date: 20252 is 2025 Q2. */
const QUARTER = 'CAST(EXTRACT(YEAR FROM i.date) AS INTEGER) * 10 + CAST(EXTRACT(QUARTER FROM i.date) AS INTEGER)';

const countsOf = (r: CountRow): SatisfactionCounts => ({
  responses: Number(r.responses),
  promoters: Number(r.promoters ?? 0),
  passives: Number(r.passives ?? 0),
  detractors: Number(r.detractors ?? 0),
  csiHigh: Number(r.csi_high ?? 0),
  csiLow: Number(r.csi_low ?? 0),
  scoreSum: Number(r.score_sum ?? 0),
});

const quarterLabel = (q: number): string => `${Math.floor(q / 10)}-Q${q % 10}`;

/** The quarters a period touches, oldest first. */
function quartersOf(from: string, to: string): number[] {
  const quarters: number[] = [];
  let year = Number(from.slice(0, 4));
  let quarter = Math.floor((Number(from.slice(5, 7)) - 1) / 3) + 1;
  const last = Number(to.slice(0, 4)) * 10 + Math.floor((Number(to.slice(5, 7)) - 1) / 3) + 1;
  while (year * 10 + quarter <= last) {
    quarters.push(year * 10 + quarter);
    quarter = quarter === 4 ? 1 : quarter + 1;
    if (quarter === 1) year++;
  }
  return quarters;
}

/** The indices over the answers of the partners the scope sees ("all" is all of those). */
export async function csiNps(db: Database, scope: PartnerScope, input: CsiNpsRequest): Promise<CsiNpsResult> {
  const request = csiNpsRequestSchema.parse(input);
  const asOf = resolveAsOf(request.asOf);
  const defaults = resolveWindow({ last: { months: 12 } }, asOf);
  const from = request.from ?? defaults.from!;
  const to = request.to ?? asOf;
  if (from > to) throw new AppError('VALIDATION_FAILED', { summary: `from (${from}) is after to (${to})`, issues: [{ path: 'from', message: 'after to' }] });
  const quarters = quartersOf(from, to);
  const rows: SatisfactionRow[] = [];

  /** Answers in the period, from partners selected by `partnerFilter` (SQL over i.partner_id). */
  const group = async (groupKey: string, join: string, partnerFilter: Sql = sql.empty) =>
    db.query<CountRow>(
      sql`SELECT ${sql.raw(groupKey)} AS group_key, ${sql.raw(QUARTER)} AS quarter, ${sql.raw(COUNTS)}
       FROM interactions i ${sql.raw(join)}
       WHERE i.date >= CAST(${from} AS DATE) AND i.date <= CAST(${to} AS DATE) AND i.type IN (${sql.list(request.types)}) AND i.score IS NOT NULL
         AND ${partnerInScope(scope, sql`i.partner_id`)} ${partnerFilter}
       GROUP BY 1, 2`,
    );
  const emit = (scope: SatisfactionRow['scope'], key: string | null, name: string, counts: ReadonlyMap<number, SatisfactionCounts>) => {
    let total = ZERO;
    const perQuarter = quarters.map((q) => {
      const c = counts.get(q) ?? ZERO;
      total = add(total, c);
      return { scope, key, name, quarter: quarterLabel(q), ...c, ...satisfactionIndices(c) };
    });
    rows.push({ scope, key, name, quarter: 'total', ...total, ...satisfactionIndices(total) }, ...perQuarter);
  };
  const byQuarter = (result: readonly CountRow[]) => new Map(result.map((r) => [Number(r.quarter), countsOf(r)]));

  emit('all', null, 'All partners', byQuarter(await group('NULL', '')));

  for (const id of request.segments) {
    const segment = await getSegment(db, id);
    if (segment.kind !== 'partner') throw new AppError('REPORT_SEGMENT_KIND', { report: 'csi-nps', expected: 'partner', id, kind: segment.kind });
    const composition = await compositionQuery(db, segment, segment.method === 'dynamic' ? to : undefined);
    const result = await group('NULL', '', sql`AND i.partner_id IN (SELECT id FROM (${sql.embed(composition)}) s)`);
    emit('segment', segment.id, segment.name, byQuarter(result));
  }

  if (request.byManager) {
    const result = await group('p.manager_id', 'JOIN partners p ON p.id = i.partner_id');
    const names = new Map((await db.query<{ id: string; name: string }>('SELECT id, name FROM managers')).map((m) => [m.id, m.name]));
    const managers = new Map<string | null, CountRow[]>();
    for (const r of result) managers.set(r.group_key, [...(managers.get(r.group_key) ?? []), r]);
    const ordered = [...managers.keys()].sort((a, b) => (a === null ? 1 : b === null ? -1 : (names.get(a) ?? a).localeCompare(names.get(b) ?? b)));
    for (const key of ordered) emit('manager', key, key === null ? '(no manager)' : (names.get(key) ?? key), byQuarter(managers.get(key)!));
  }
  return { from, to, types: request.types, rows };
}
