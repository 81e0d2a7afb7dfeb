import { z } from 'zod';
import { AppError } from '../../errors/app-error.js';
import { loadRuleCatalog } from '../../rules/catalog.js';
import { resolveAsOf } from '../../sql/compile/compile-rule.js';
import type { Queryable } from '../../sql/queryable.js';
import { sqlTimestamp } from '../segments/segments.repository.js';
import { applySegments, type AppliedSegment, type AnalyticsSegmentMethod } from './analytics-segments.js';
import { compileValues, decodeValue, type SourcedRule } from './condition-values.js';
import { QUADRANT_POSITIONS, type QuadrantPosition } from './analytics-vocabulary.js';
import { settingsInvalid } from './settings.js';
import type { SegmentService } from '../segments/segments.service.js';
import { sql } from '../../sql/sql.js';
import { managerInScope } from '../access/partner-scope-sql.js';
import type { PartnerScope } from '../access/principal.js';

/**
 * A BCG-style matrix (seed 002): two axes — each a stored score, a number property or a
 * measure of the rule language — each with a threshold, give four quadrants with the user's
 * names (stars, cash cows, problem children, dogs). A partner is "high" on an axis when its
 * value is ≥ the threshold, "low" when it is below; a partner with no value on an axis is
 * not placed. Quadrants become rule segments; the scatter report shows every placed partner.
 */

const slug = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,39}$/, 'a slug: lower-case latin letters, digits, "-" and "_"');

const axisSourceSchema = z.union([
  z.object({ score: z.string().min(1).describe('A stored score, e.g. "rfm.monetary"') }).strict(),
  z.object({ property: z.string().min(1).describe('A number property of partners, e.g. "activity"') }).strict(),
  z
    .object({
      measure: z.string().min(1).describe('A measure of the rule language, e.g. "sales.revenue"'),
      period: z.record(z.string(), z.unknown()).optional(),
      where: z.record(z.string(), z.unknown()).optional(),
    })
    .strict(),
]);

const axisSchema = z
  .object({
    label: z.string().trim().min(1).max(100),
    source: axisSourceSchema,
    threshold: z.number().describe('High: a value ≥ threshold; low: below it'),
  })
  .strict();

const quadrantSchema = z.object({ key: slug, name: z.string().trim().min(1).max(100) }).strict();

export { QUADRANT_POSITIONS, type QuadrantPosition } from './analytics-vocabulary.js';

/** Seed 002's names: x is the client's activity, y its capacity. */
export const DEFAULT_QUADRANTS: Readonly<Record<QuadrantPosition, { key: string; name: string }>> = {
  highHigh: { key: 'stars', name: 'Stars' },
  highLow: { key: 'cash-cows', name: 'Cash cows' },
  lowHigh: { key: 'problem-children', name: 'Problem children' },
  lowLow: { key: 'dogs', name: 'Dogs' },
};

export const matrixInputSchema = z
  .object({
    name: z.string().trim().min(1).max(200),
    description: z.string().max(4000).default(''),
    x: axisSchema.describe('Horizontal axis (seed 002: activity)'),
    y: axisSchema.describe('Vertical axis (seed 002: capacity)'),
    filter: z.unknown().optional().describe('A rule: only partners it selects are placed (e.g. customers only)'),
    quadrants: z
      .object({ highHigh: quadrantSchema, highLow: quadrantSchema, lowHigh: quadrantSchema, lowLow: quadrantSchema })
      .default(DEFAULT_QUADRANTS)
      .describe('Key (segment id suffix) and name of each quadrant: highHigh = x and y high, highLow = x high and y low, …'),
  })
  .strict();
export type MatrixInput = z.output<typeof matrixInputSchema>;
export type MatrixAxis = MatrixInput['x'];

export interface Matrix extends MatrixInput {
  readonly id: string;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export const matrixIdSchema = slug;

/** The rule condition "value ≥ threshold" (or "< threshold") of an axis. */
export function axisCondition(axis: MatrixAxis, op: 'gte' | 'lt' | 'filled'): Record<string, unknown> {
  const value = op === 'filled' ? {} : { value: axis.threshold };
  const source = axis.source;
  if ('score' in source) return { score: source.score, op, ...value };
  if ('property' in source) return { attr: `properties.${source.property}`, op, ...value };
  return { measure: source.measure, ...(source.period ? { period: source.period } : {}), ...(source.where ? { where: source.where } : {}), op, ...value };
}

/** Whether a quadrant is the high side of the x axis (0) or of the y axis (1). */
const HIGH: Readonly<Record<QuadrantPosition, readonly [boolean, boolean]>> = {
  highHigh: [true, true],
  highLow: [true, false],
  lowHigh: [false, true],
  lowLow: [false, false],
};
const high = (position: QuadrantPosition, axis: 0 | 1): boolean => HIGH[position][axis];

/** The rule of one quadrant: the filter (if any) and a condition on each axis. */
export function quadrantRule(matrix: MatrixInput, position: QuadrantPosition): unknown {
  const conditions = [axisCondition(matrix.x, high(position, 0) ? 'gte' : 'lt'), axisCondition(matrix.y, high(position, 1) ? 'gte' : 'lt')];
  return { all: matrix.filter !== undefined ? [matrix.filter, ...conditions] : conditions };
}

/** The values query of a matrix: x and y (v0, v1), high or not (p0, p1), for the placed partners. */
async function matrixValues(db: Queryable, matrix: MatrixInput, asOf: string) {
  const placed: unknown[] = [axisCondition(matrix.x, 'filled'), axisCondition(matrix.y, 'filled')];
  const filter: SourcedRule = { json: { all: matrix.filter !== undefined ? [matrix.filter, ...placed] : placed }, path: 'filter' };
  return compileValues({
    conditions: [
      { json: axisCondition(matrix.x, 'gte'), path: 'x' },
      { json: axisCondition(matrix.y, 'gte'), path: 'y' },
    ],
    filter,
    kind: 'partner',
    catalog: await loadRuleCatalog(db),
    dialect: db.dialect,
    asOf,
    invalid: (issues) => settingsInvalid('matrix', issues),
  });
}

// ---- storage ---------------------------------------------------------------------------------

interface MatrixRow {
  [key: string]: string;
  id: string;
  name: string;
  definition: string;
  created_at: string;
  updated_at: string;
}

const fromRow = (row: MatrixRow): Matrix => ({
  ...(JSON.parse(row.definition) as MatrixInput),
  id: row.id,
  name: row.name,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

export async function listMatrices(db: Queryable): Promise<Matrix[]> {
  return (await db.query<MatrixRow>('SELECT * FROM analytics_matrices ORDER BY name, id')).map(fromRow);
}

export async function getMatrix(db: Queryable, id: string): Promise<Matrix> {
  const [row] = await db.query<MatrixRow>(sql`SELECT * FROM analytics_matrices WHERE id = ${id}`);
  if (!row) throw new AppError('MATRIX_NOT_FOUND', { id });
  return fromRow(row);
}

/** Creates or replaces a matrix; its axes and filter are checked as rules first. */
export async function saveMatrix(db: Queryable, id: string, input: MatrixInput): Promise<Matrix> {
  const keys = QUADRANT_POSITIONS.map((p) => input.quadrants[p].key);
  if (new Set(keys).size !== keys.length) throw settingsInvalid('matrix', [{ path: 'quadrants', message: 'each quadrant needs its own key' }]);
  await matrixValues(db, input, resolveAsOf(undefined));
  const now = sqlTimestamp();
  const definition = JSON.stringify(input);
  await db.run(
    sql`INSERT INTO analytics_matrices (id, name, definition, created_at, updated_at) VALUES (${id}, ${input.name}, ${definition}, CAST(${now} AS TIMESTAMP), CAST(${now} AS TIMESTAMP))
     ON CONFLICT (id) DO UPDATE SET name = excluded.name, definition = excluded.definition, updated_at = excluded.updated_at`,
  );
  return getMatrix(db, id);
}

export async function deleteMatrix(db: Queryable, id: string): Promise<void> {
  await getMatrix(db, id);
  await db.run(sql`DELETE FROM analytics_matrices WHERE id = ${id}`);
}

// ---- quadrants as segments, scatter ----------------------------------------------------------

export const matrixSegmentsRequestSchema = z.object({
  method: z.enum(['periodic', 'dynamic']).default('periodic'),
  schedule: z.string().nullable().optional(),
});

/** Creates (or updates) one rule segment per quadrant, id `<matrix>-<quadrant key>`. */
export async function applyMatrixSegments(segments: SegmentService, id: string, options: { method: AnalyticsSegmentMethod; schedule?: string | null | undefined }): Promise<AppliedSegment[]> {
  const { db } = segments;
  const matrix = await getMatrix(db, id);
  const drafts = QUADRANT_POSITIONS.map((position) => {
    const quadrant = matrix.quadrants[position];
    return {
      id: `${matrix.id}-${quadrant.key}`,
      name: `${matrix.name}: ${quadrant.name}`,
      description: `${matrix.x.label} ${high(position, 0) ? '≥' : '<'} ${matrix.x.threshold}, ${matrix.y.label} ${high(position, 1) ? '≥' : '<'} ${matrix.y.threshold}`,
      rule: quadrantRule(matrix, position),
    };
  });
  return applySegments(segments, drafts, { method: options.method, ...(options.schedule !== undefined ? { schedule: options.schedule } : {}) });
}

export interface ScatterPoint {
  readonly partnerId: string;
  readonly name: string;
  readonly x: number;
  readonly y: number;
  readonly quadrant: string;
}

export interface MatrixScatter {
  readonly matrix: Matrix;
  readonly asOf: string;
  /** Every placed partner, per quadrant. */
  readonly quadrants: readonly { position: QuadrantPosition; key: string; name: string; partners: number }[];
  readonly total: number;
  /** The first `limit` placed partners by id. */
  readonly points: readonly ScatterPoint[];
}

const positionOf = (xHigh: boolean, yHigh: boolean): QuadrantPosition => (xHigh ? (yHigh ? 'highHigh' : 'highLow') : yHigh ? 'lowHigh' : 'lowLow');

/** The scatter of a matrix on `asOf`: quadrant counts over every placed partner the scope sees, and points. */
export async function matrixScatter(db: Queryable, scope: PartnerScope, id: string, options: { asOf?: string; limit: number }): Promise<MatrixScatter> {
  const matrix = await getMatrix(db, id);
  const asOf = resolveAsOf(options.asOf);
  const values = await matrixValues(db, matrix, asOf);
  // One pass: the quadrant counts are window aggregates over every placed partner, before the limit.
  const quadrantCount = (x: boolean, y: boolean) => `SUM(CASE WHEN COALESCE(q.p0, FALSE) = ${x ? 'TRUE' : 'FALSE'} AND COALESCE(q.p1, FALSE) = ${y ? 'TRUE' : 'FALSE'} THEN 1 ELSE 0 END) OVER ()`;
  const counts = sql.raw(QUADRANT_POSITIONS.map((position, i) => `${quadrantCount(...HIGH[position])} AS quadrant_${i}`).join(', '));
  const rows = await db.query(
    sql`SELECT q.*, p.name AS partner_name, ${counts}
     FROM (${sql.embed(values)}) q JOIN partners p ON p.id = q.id WHERE ${managerInScope(scope, sql`p.manager_id`)} ORDER BY q.id LIMIT ${sql.raw(String(Math.trunc(options.limit)))}`,
  );
  const first = rows[0];
  const byPosition = new Map<QuadrantPosition, number>(QUADRANT_POSITIONS.map((position, i) => [position, first ? Number(first[`quadrant_${i}`] ?? 0) : 0]));
  const points = rows.map((row) => {
    const position = positionOf(row.p0 === true, row.p1 === true);
    return {
      partnerId: String(row.id),
      name: String(row.partner_name),
      x: Number(decodeValue(values.lefts[0]!, row, 0)),
      y: Number(decodeValue(values.lefts[1]!, row, 1)),
      quadrant: matrix.quadrants[position].key,
    };
  });
  const quadrants = QUADRANT_POSITIONS.map((position) => ({
    position,
    key: matrix.quadrants[position].key,
    name: matrix.quadrants[position].name,
    partners: byPosition.get(position) ?? 0,
  }));
  return { matrix, asOf, quadrants, total: quadrants.reduce((sum, q) => sum + q.partners, 0), points };
}
