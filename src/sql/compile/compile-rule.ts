import { AppError } from '../../errors/app-error.js';
import type { RuleNode } from '../../rules/ast/rule-node.js';
import { visitRule, type RuleVisitor } from '../../rules/ast/rule-visitor.js';
import { isIsoDate, todayIso } from '../../rules/calendar.js';
import type { RuleCatalog } from '../../rules/catalog.js';
import { checkRule } from '../../rules/check-rule.js';
import { ruleInvalidError } from '../../rules/rule-error.js';
import type { RuleParameters } from '../../rules/transform/fold-parameters.js';
import type { RuleKind } from '../../rules/vocabulary/attributes.js';
import type { Queryable, SqlValue } from '../queryable.js';
import type { Dialect } from '../dialect.js';
import { measureSpecOf, type MeasureSpec } from './measure-spec.js';
import { RuleCompiler } from './rule-compiler.js';

export interface CompileOptions {
  readonly dialect: Dialect;
  readonly catalog: RuleCatalog;
  /** Partner or product segment. */
  readonly kind: RuleKind;
  /** Evaluation date 'YYYY-MM-DD'; today (UTC) when absent. */
  readonly asOf?: string;
  /** The segment's parameter values, for `{"param": name}` in the rule. */
  readonly parameters?: RuleParameters;
  /** The segment the rule belongs to, so that a reference cycle through it is refused. */
  readonly segmentId?: string;
}

/** A query and its `$n` parameters. */
export interface CompiledQuery {
  readonly sql: string;
  readonly params: readonly SqlValue[];
}

/** The evaluation date, checked: 'YYYY-MM-DD', today (UTC) by default. */
export function resolveAsOf(asOf: string | undefined): string {
  if (asOf === undefined) return todayIso();
  if (!isIsoDate(asOf)) throw new AppError('VALIDATION_FAILED', { summary: `asOf must be a date YYYY-MM-DD, not "${asOf}"`, field: 'asOf' });
  return asOf;
}

/**
 * Compiles a rule (JSON as written) into a SELECT of the member ids (column `id`) on the
 * evaluation date. Throws AppError RULE_INVALID, with every issue and its path, when the
 * rule does not pass checkRule.
 *
 * @example
 * compileRule({ measure: 'sales.revenue', period: { current: 'quarter' }, op: 'gt', value: 10000 },
 *   { dialect: postgresDialect, catalog, kind: 'partner', asOf: '2025-05-20' })
 * // → { sql: 'SELECT t0.id AS id FROM partners t0 LEFT JOIN (SELECT t2.partner_id,
 * //      SUM(t2.revenue) FILTER (WHERE t2.date >= CAST($2 AS DATE)) AS c0 FROM sales t2
 * //      WHERE t2.date <= CAST($1 AS DATE) GROUP BY t2.partner_id) t1 ON t1.partner_id = t0.id
 * //      WHERE (COALESCE(t1.c0, 0) > CAST($3 AS NUMERIC(18,4))) IS TRUE',
 * //    params: ['2025-05-20', '2025-04-01', '10000'] }
 */
export function compileRule(input: unknown, options: CompileOptions): CompiledQuery {
  const asOf = resolveAsOf(options.asOf);
  const checked = checkRule(input, options);
  if (!checked.ok) throw ruleInvalidError(checked.issues, options.segmentId);
  return compileCheckedRule(checked.rule, { ...options, asOf });
}

/** Compiles a rule that already passed checkRule (parameters folded). */
export function compileCheckedRule(rule: RuleNode, options: { readonly dialect: Dialect; readonly catalog: RuleCatalog; readonly kind: RuleKind; readonly asOf: string }): CompiledQuery {
  const compiler = new RuleCompiler(options);
  return compiler.params.finalize(compiler.selectIds(rule, options.kind));
}

/** The member ids of a rule on the evaluation date, sorted (by code point, the same on every engine). */
export async function selectMembers(db: Queryable, input: unknown, options: Omit<CompileOptions, 'dialect'>): Promise<string[]> {
  const { sql, params } = compileRule(input, { ...options, dialect: db.dialect });
  const rows = await db.query<{ id: string }>(sql, params);
  return rows.map((r) => r.id).sort(compareIds);
}

/** Code-point order: engines sort text by their own collations, so ids are sorted here. */
export const compareIds = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

const specCollector: RuleVisitor<MeasureSpec[], string> = {
  all: (node, asOf) => node.rules.flatMap((r) => visitRule(r, specCollector, asOf)),
  any: (node, asOf) => node.rules.flatMap((r) => visitRule(r, specCollector, asOf)),
  not: (node, asOf) => visitRule(node.rule, specCollector, asOf),
  attr: () => [],
  score: () => [],
  inSegment: () => [],
  measure: (node, asOf) => (node.measure === 'registration.days' ? [] : [measureSpecOf(node, asOf)]),
};

/**
 * The distinct measure specs of a checked rule on asOf (by key): what a planner batching
 * many segments collects to compute each aggregate once.
 */
export function collectMeasureSpecs(rule: RuleNode, asOf: string): MeasureSpec[] {
  const byKey = new Map<string, MeasureSpec>();
  for (const spec of visitRule(rule, specCollector, asOf)) byKey.set(spec.key, spec);
  return [...byKey.values()];
}
