import { AppError } from '../../errors/app-error.js';
import { loadRuleCatalog, type RuleCatalog } from '../../rules/catalog.js';
import { checkRule } from '../../rules/check-rule.js';
import { ruleInvalidError } from '../../rules/rule-error.js';
import type { Queryable } from '../../sql/queryable.js';
import { bindNamedParameters, checkCustomSql } from './custom-sql.js';
import type { Segment } from './segment.schema.js';

/**
 * Checking a segment's definition on save (its rule or custom SQL can run) and reading which
 * segments it uses. The rule language itself lives in src/rules and src/sql/compile.
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
    parameters: segment.parameters,
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
  const checked = checkRule(segment.rule, { kind: segment.kind, catalog, parameters: segment.parameters, segmentId: segment.id });
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
