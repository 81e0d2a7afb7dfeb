import { AppError } from '../../errors/app-error.js';
import { loadRuleCatalog, type RuleCatalog } from '../../rules/catalog.js';
import { checkRule } from '../../rules/check-rule.js';
import { ruleInvalidError } from '../../rules/rule-error.js';
import { compileRule, type CompiledQuery } from '../../sql/compile/compile-rule.js';
import { explainMember as explainRule, type Explanation } from '../../sql/compile/explain.js';
import type { Database, Queryable } from '../../storage/database.js';
import { checkCustomSql, bindNamedParameters, runCustomSql } from './custom-sql.js';
import { compositionQuery } from './members.js';
import type { Segment, SegmentKind } from './segment.schema.js';

/**
 * Where segments meet the rule language: checking a definition on save, the SQL of a
 * segment's members, preview and explain. The rule language itself lives in src/rules and
 * src/sql/compile; this file only adapts segments to it.
 */

/** The catalog with this segment's definition as it is about to be saved (for cycles through it). */
function withSegment(catalog: RuleCatalog, segment: Segment): RuleCatalog {
  const segments = new Map(catalog.segments);
  segments.set(segment.id, {
    id: segment.id,
    kind: segment.kind,
    method: segment.method,
    rule: segment.rule,
    sql: segment.sql,
    parameters: segment.parameters as Record<string, never>,
  });
  return { ...catalog, segments };
}

/** Refuses a definition whose rule or custom SQL cannot run (RULE_INVALID / CUSTOM_SQL_*), with paths. */
export async function validateDefinition(db: Queryable, segment: Segment, options: { allowCustomSql?: boolean } = {}): Promise<void> {
  if (segment.sql !== null) {
    if (!options.allowCustomSql) throw new AppError('CUSTOM_SQL_FORBIDDEN');
    if (segment.method === 'dynamic') throw new AppError('CUSTOM_SQL_DYNAMIC', { id: segment.id });
    await checkCustomSql(bindNamedParameters(segment.sql, segment.parameters).sql);
    return;
  }
  if (segment.rule === null || segment.rule === undefined) return;
  const catalog = withSegment(await loadRuleCatalog(db), segment);
  const checked = checkRule(segment.rule, { kind: segment.kind, catalog, parameters: segment.parameters as Record<string, never>, segmentId: segment.id });
  if (!checked.ok) throw ruleInvalidError(checked.issues, segment.id);
}

/**
 * Ids of the segments a definition reads (inSegment, where.productSegment), from its JSON;
 * a `{"param": name}` in their place is read from the segment's parameters (one rule serves
 * many segments: seed 002's cumulative cells name their product segment that way).
 */
export function referencedSegmentIds(segment: Pick<Segment, 'rule'> & { readonly parameters?: Readonly<Record<string, unknown>> }): string[] {
  const found = new Set<string>();
  const resolve = (value: unknown): unknown => {
    const name = value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>).param : undefined;
    return typeof name === 'string' ? segment.parameters?.[name] : value;
  };
  const add = (value: unknown): void => {
    const resolved = resolve(value);
    for (const v of Array.isArray(resolved) ? resolved : [resolved]) {
      const id = resolve(v);
      if (typeof id === 'string') found.add(id);
    }
  };
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (node === null || typeof node !== 'object') return;
    const record = node as Record<string, unknown>;
    if ('inSegment' in record) add(record.inSegment);
    const where = record.where as Record<string, unknown> | undefined;
    if (where && typeof where === 'object' && 'productSegment' in where) add(where.productSegment);
    for (const value of Object.values(record)) walk(value);
  };
  walk(segment.rule);
  return [...found];
}

/** The SQL selecting a segment's members by its rule (not its stored list) as of a date. */
export async function membersQuery(db: Database, segment: Segment, asOf?: string): Promise<CompiledQuery | { ids: string[] }> {
  if (segment.sql !== null) return { ids: await runCustomSql(db, segment.sql, segment.parameters) };
  if (segment.rule === null || segment.rule === undefined) throw new AppError('SEGMENT_HAS_NO_RULE', { id: segment.id });
  const catalog = await loadRuleCatalog(db);
  return compileRule(segment.rule, {
    dialect: db.dialect,
    catalog,
    kind: segment.kind,
    parameters: segment.parameters as Record<string, never>,
    segmentId: segment.id,
    ...(asOf ? { asOf } : {}),
  });
}

export interface PreviewRequest {
  readonly kind: SegmentKind;
  readonly rule: unknown;
  readonly parameters: Readonly<Record<string, unknown>>;
  readonly asOf?: string;
}

/** A rule → how many match and the first ids (by id), nothing saved. */
export async function previewRule(db: Database, request: PreviewRequest, sampleSize: number): Promise<{ count: number; sampleIds: string[] }> {
  const catalog = await loadRuleCatalog(db);
  const query = compileRule(request.rule, {
    dialect: db.dialect,
    catalog,
    kind: request.kind,
    parameters: request.parameters as Record<string, never>,
    ...(request.asOf ? { asOf: request.asOf } : {}),
  });
  const [count] = await db.query<{ n: number }>(`SELECT COUNT(*) AS n FROM (${query.sql}) q`, query.params);
  const sample = await db.query<{ id: string }>(`SELECT id FROM (${query.sql}) q ORDER BY id LIMIT ${Math.trunc(sampleSize)}`, query.params);
  return { count: count?.n ?? 0, sampleIds: sample.map((r) => r.id) };
}

/**
 * Why a partner (or product) is or is not in a segment: whether it is a member now (stored
 * list, or the rule for a dynamic segment) and, when the segment has a rule, each condition
 * with the member's actual value and whether it held (which branch decided a group).
 */
export async function explainMember(db: Database, segment: Segment, memberId: string, asOf?: string): Promise<SegmentExplanation> {
  const table = segment.kind === 'product' ? 'products' : 'partners';
  const exists = await db.query(`SELECT 1 AS hit FROM ${table} WHERE id = $1`, [memberId]);
  if (!exists.length) throw new AppError('ENTITY_NOT_FOUND', { entity: segment.kind, id: memberId });
  let explanation: Explanation | null = null;
  if (segment.rule !== null && segment.rule !== undefined && segment.sql === null) {
    explanation = await explainRule(db, segment.rule, {
      catalog: await loadRuleCatalog(db),
      kind: segment.kind,
      parameters: segment.parameters as Record<string, never>,
      segmentId: segment.id,
      memberId,
      ...(asOf ? { asOf } : {}),
    });
  }
  let member: boolean;
  if (segment.method === 'dynamic') member = explanation?.matched ?? false;
  else {
    const query = await compositionQuery(db, segment, asOf);
    const rows = await db.query(`SELECT 1 AS hit FROM (${query.sql}) q WHERE id = $${query.params.length + 1}`, [...query.params, memberId]);
    member = rows.length > 0;
  }
  const note =
    segment.sql !== null
      ? 'custom SQL: membership comes from the query, which has no conditions to explain'
      : explanation === null
        ? 'no rule: members are added and removed by hand'
        : segment.method !== 'dynamic' && member !== explanation.matched
          ? member
            ? 'a member since the last generation (or added by hand); the rule no longer holds today, so the next generation removes it'
            : 'the rule holds today; the next generation (or check on create) adds it'
          : null;
  return {
    segmentId: segment.id,
    method: segment.method,
    memberId,
    asOf: explanation?.asOf ?? asOf ?? new Date().toISOString().slice(0, 10),
    member,
    ruleMatched: explanation?.matched ?? null,
    rule: explanation?.rule ?? null,
    note,
  };
}

export interface SegmentExplanation {
  readonly segmentId: string;
  readonly method: Segment['method'];
  readonly memberId: string;
  readonly asOf: string;
  /** Is it in the segment: the stored composition (as of asOf, from history) or, for dynamic segments, the rule. */
  readonly member: boolean;
  /** Does the rule hold for it on asOf (null without a rule). */
  readonly ruleMatched: boolean | null;
  readonly rule: Explanation['rule'] | null;
  readonly note: string | null;
}
