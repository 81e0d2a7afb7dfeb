import { AppError } from '../../errors/app-error.js';
import { isCondition, type ConditionNode, type RuleNode } from '../../rules/ast/rule-node.js';
import type { RuleCatalog } from '../../rules/catalog.js';
import { checkRule } from '../../rules/check-rule.js';
import { issueMessageEn } from '../../rules/issues/messages.en.js';
import type { RuleParameters } from '../../rules/transform/fold-parameters.js';
import type { RuleKind } from '../../rules/vocabulary/attributes.js';
import type { Dialect } from '../../sql/dialect.js';
import type { LeftSide } from '../../sql/compile/left-side.js';
import { RuleCompiler } from '../../sql/compile/rule-compiler.js';
import type { Row, SqlValue } from '../../sql/queryable.js';
import type { SettingsIssue } from './settings.js';

/**
 * The values rules compare — attributes, measures, scores — for many partners at once, with
 * the rule language's exact meaning (returns, purchases, periods, "no value"). Analytics read
 * RFM raw values and matrix axes this way, and reports the fields a segment's rule uses, so a
 * number in a report is the number a rule on it would see.
 */

/** A rule or condition as JSON and where it came from (for messages: `x.measure`, `window`). */
export interface SourcedRule {
  readonly json: unknown;
  readonly path: string;
}

export interface ValuesRequest {
  readonly conditions: readonly SourcedRule[];
  /** Only the members that satisfy this rule get a row (every partner when absent). */
  readonly filter?: SourcedRule;
  /** Whole rules whose result each row also gets (`q<j>`), sharing the fact scans. */
  readonly rules?: readonly SourcedRule[];
  /**
   * Only the members of this stored (periodic or manual) segment get a row, and only their
   * facts are read: a report on a segment of 200,000 partners then aggregates 200,000, not all.
   */
  readonly storedSegment?: string;
  /** Only these members get a row, and only their facts are read (a message's partners). */
  readonly memberIds?: readonly string[];
  readonly kind: RuleKind;
  readonly catalog: RuleCatalog;
  readonly dialect: Dialect;
  readonly asOf: string;
  readonly parameters?: RuleParameters;
  /** The error for rules that fail checkRule (default VALIDATION_FAILED with the issues). */
  readonly invalid?: (issues: SettingsIssue[]) => AppError;
}

/** A SELECT of `id`, `v<i>` (and `d<i>` for ratios), `p<i>` per condition, `q<j>` per rule; and how to read each value. */
export interface ValuesQuery {
  readonly sql: string;
  readonly params: SqlValue[];
  readonly lefts: readonly LeftSide[];
  readonly conditions: readonly ConditionNode[];
}

function check(rule: SourcedRule, request: ValuesRequest, issues: SettingsIssue[], mustBeCondition: boolean): RuleNode | null {
  const checked = checkRule(rule.json, { kind: request.kind, catalog: request.catalog, parameters: request.parameters ?? {} });
  if (!checked.ok) {
    for (const issue of checked.issues) issues.push({ path: `${rule.path}${issue.path.slice(1)}`, message: issueMessageEn(issue) });
    return null;
  }
  if (mustBeCondition && !isCondition(checked.rule)) {
    issues.push({ path: rule.path, message: 'a single condition ({"attr"…}, {"measure"…}, {"score"…}) is needed, not all / any / not' });
    return null;
  }
  return checked.rule;
}

export function compileValues(request: ValuesRequest): ValuesQuery {
  const issues: SettingsIssue[] = [];
  const conditions = request.conditions.map((c) => check(c, request, issues, true));
  const filter = request.filter ? check(request.filter, request, issues, false) : undefined;
  const rules = (request.rules ?? []).map((r) => check(r, request, issues, false));
  if (issues.length) {
    throw request.invalid?.(issues) ?? new AppError('VALIDATION_FAILED', { summary: issues.map((i) => `${i.path}: ${i.message}`).join('; '), issues });
  }
  const compiler = new RuleCompiler({ dialect: request.dialect, catalog: request.catalog, asOf: request.asOf });
  const nodes = conditions as ConditionNode[];
  const members = request.storedSegment
    ? `IN (SELECT sm.member_id FROM segment_members sm WHERE sm.segment_id = ${compiler.params.bind(request.storedSegment, 'text')})`
    : request.memberIds
      ? `IN (${request.memberIds.length ? request.memberIds.map((id) => compiler.params.bind(id, 'text')).join(', ') : 'NULL'})`
      : null;
  const { sql, compiled } = compiler.valuesSelect(nodes, request.kind, filter ?? undefined, rules as RuleNode[], members);
  const query = compiler.params.finalize(sql);
  return { sql: query.sql, params: query.params, lefts: compiled.map((c) => c.left), conditions: nodes };
}

/** The value of condition `i` in a row: a number, text, date, boolean, roles list, or null (no value). */
export function decodeValue(left: LeftSide, row: Row, i: number): SqlValue | readonly string[] {
  switch (left.kind) {
    case 'scalar':
      return row[`v${i}`] ?? null;
    case 'ratio': {
      const denominator = Number(row[`d${i}`] ?? 0);
      return denominator !== 0 ? Number(row[`v${i}`]) / denominator : null;
    }
    case 'roles':
      return [...left.roles.keys()].filter((_, j) => row[`r${i}_${j}`] === true);
    case 'membership':
      return row[`p${i}`] === true;
  }
}

/** SQL that is true when condition `i` of a values query has a value (a ratio: a non-zero divisor). */
export function hasValueSql(left: LeftSide, i: number, alias: string): string {
  switch (left.kind) {
    case 'scalar':
      return `${alias}.v${i} IS NOT NULL`;
    case 'ratio':
      return `COALESCE(${alias}.d${i}, 0) <> 0`;
    default:
      return 'TRUE';
  }
}
