import type { ConditionNode, RuleNode } from '../../rules/ast/rule-node.js';
import { visitRule, type RuleVisitor } from '../../rules/ast/rule-visitor.js';
import { checkRule } from '../../rules/check-rule.js';
import { pathIndex, pathKey } from '../../rules/issues/rule-issue.js';
import { printRule, type RuleJson } from '../../rules/print-rule.js';
import { ruleInvalidError } from '../../rules/rule-error.js';
import type { Queryable, Row } from '../queryable.js';
import { resolveAsOf, type CompileOptions } from './compile-rule.js';
import type { LeftSide } from './left-side.js';
import { measureSpecOf } from './measure-spec.js';
import type { DateRange } from './periods.js';
import { RuleCompiler } from './rule-compiler.js';

/** A condition's left side as explain shows it: roles as a list, a measure with no value as null. */
export type ExplainValue = string | number | boolean | null | readonly string[];

export interface ExplainedCondition {
  readonly kind: ConditionNode['kind'];
  /** JSON path of the condition in the rule. */
  readonly path: string;
  /** The condition as JSON, parameters filled in. */
  readonly condition: RuleJson;
  /** For a measure: the dates it counted (settlements: the balance date is `to`). */
  readonly period?: DateRange;
  /** What the member actually has: the attribute's value, the measure's, the score, or membership. */
  readonly value: ExplainValue;
  readonly matched: boolean;
}

export interface ExplainedGroup {
  readonly kind: 'all' | 'any' | 'not';
  readonly path: string;
  readonly matched: boolean;
  readonly children: readonly ExplainedNode[];
}

export type ExplainedNode = ExplainedGroup | ExplainedCondition;

export interface Explanation {
  readonly memberId: string;
  readonly asOf: string;
  /** Whether the member satisfies the whole rule (is in a dynamic segment built from it). */
  readonly matched: boolean;
  readonly rule: ExplainedNode;
}

interface Located {
  readonly node: ConditionNode;
  readonly path: string;
}

const locate: RuleVisitor<Located[], string> = {
  all: (node, path) => node.rules.flatMap((r, i) => visitRule(r, locate, pathIndex(pathKey(path, 'all'), i))),
  any: (node, path) => node.rules.flatMap((r, i) => visitRule(r, locate, pathIndex(pathKey(path, 'any'), i))),
  not: (node, path) => visitRule(node.rule, locate, pathKey(path, 'not')),
  attr: (node, path) => [{ node, path }],
  measure: (node, path) => [{ node, path }],
  score: (node, path) => [{ node, path }],
  inSegment: (node, path) => [{ node, path }],
};

function decode(left: LeftSide, row: Row, i: number, matched: boolean): ExplainValue {
  switch (left.kind) {
    case 'scalar':
      return row[`v${i}`] ?? null;
    case 'ratio': {
      const denominator = Number(row[`d${i}`] ?? 0);
      return denominator > 0 ? Number(row[`v${i}`]) / denominator : null;
    }
    case 'roles':
      return [...left.roles.keys()].filter((_, j) => row[`r${i}_${j}`] === true);
    case 'membership':
      return matched;
  }
}

/**
 * Why a member is or is not selected by a rule (SPEC §6 "Explain"): every condition with
 * the member's actual value and whether it holds, and each all / any / not with its result,
 * evaluated in one query by the same compiler that selects members. Null when there is no
 * such partner (product).
 *
 * @example
 * await explainMember(db, { all: [{ attr: 'region', op: 'inHierarchy', value: 'perm' },
 *   { measure: 'sales.revenue', period: { current: 'quarter' }, op: 'gt', value: 10000 }] },
 *   { catalog, kind: 'partner', asOf: '2025-05-20', memberId: 'p1' })
 * // → { memberId: 'p1', asOf: '2025-05-20', matched: false, rule: { kind: 'all', matched: false, children: [
 * //      { kind: 'attr', path: '$.all[0]', value: 'perm-d', matched: true, … },
 * //      { kind: 'measure', path: '$.all[1]', value: 8200.5, period: { from: '2025-04-01', to: '2025-05-20' }, matched: false, … }] } }
 */
export async function explainMember(db: Queryable, input: unknown, options: Omit<CompileOptions, 'dialect'> & { readonly memberId: string }): Promise<Explanation | null> {
  const asOf = resolveAsOf(options.asOf);
  const checked = checkRule(input, options);
  if (!checked.ok) throw ruleInvalidError(checked.issues, options.segmentId);
  const conditions = visitRule(checked.rule, locate, '$');
  const compiler = new RuleCompiler({ dialect: db.dialect, catalog: options.catalog, asOf });
  const { sql, compiled } = compiler.explainSelect(
    conditions.map((c) => c.node),
    options.kind,
    options.memberId,
  );
  const query = compiler.params.finalize(sql);
  const [row] = await db.query(query.sql, query.params);
  if (!row) return null;
  const byPath = new Map<string, ExplainedCondition>();
  conditions.forEach(({ node, path }, i) => {
    const matched = row[`p${i}`] === true;
    byPath.set(path, {
      kind: node.kind,
      path,
      condition: printRule(node),
      ...(node.kind === 'measure' && node.measure !== 'registration.days' ? { period: measureSpecOf(node, asOf).range } : {}),
      value: decode(compiled[i]!.left, row, i, matched),
      matched,
    });
  });
  const build = (node: RuleNode, path: string): ExplainedNode => {
    switch (node.kind) {
      case 'all':
      case 'any': {
        const children = node.rules.map((r, i) => build(r, pathIndex(pathKey(path, node.kind), i)));
        const matched = node.kind === 'all' ? children.every((c) => c.matched) : children.some((c) => c.matched);
        return { kind: node.kind, path, matched, children };
      }
      case 'not': {
        const child = build(node.rule, pathKey(path, 'not'));
        return { kind: 'not', path, matched: !child.matched, children: [child] };
      }
      default:
        return byPath.get(path)!;
    }
  };
  const rule = build(checked.rule, '$');
  return { memberId: options.memberId, asOf, matched: rule.matched, rule };
}
