import type { PeriodExpr } from '../ast/period-node.js';
import type { RuleNode } from '../ast/rule-node.js';
import type { ValueNode } from '../ast/value-node.js';
import type { RuleIssue } from '../issues/rule-issue.js';
import { parsePeriod } from '../parse/parse-period.js';
import { parseValue } from '../parse/parse-value.js';
import { RuleTransformer } from './rule-transformer.js';

/** A segment's parameter values, by name (SPEC §3 "Parameters"). */
export type RuleParameters = Readonly<Record<string, unknown>>;

/**
 * Replaces every `{"param": name}` with the segment's value for it, so one rule serves many
 * segments (seed 002: a cumulative-discount table of 24 cells is 24 segments over one rule).
 * A parameter may stand for a value, a list item, a `where` value, a whole period or a
 * number or date inside one. Parameter values are plain JSON; they cannot name parameters.
 */
class FoldParameters extends RuleTransformer {
  constructor(
    private readonly parameters: RuleParameters,
    readonly issues: RuleIssue[],
  ) {
    super();
  }

  private lookup(name: string, path: string): unknown {
    if (!Object.hasOwn(this.parameters, name) || this.parameters[name] === undefined) {
      this.issues.push({ code: 'missing_parameter', path, param: name });
      return undefined;
    }
    return this.parameters[name];
  }

  protected override transformValue(node: ValueNode, path: string): ValueNode {
    if (node.kind !== 'param') return super.transformValue(node, path);
    const value = this.lookup(node.name, path);
    if (value === undefined) return node;
    return parseValue(value, path, this.issues, { allowParams: false }) ?? node;
  }

  protected override transformPeriod(node: PeriodExpr, path: string): PeriodExpr | undefined {
    if (node.kind !== 'param') return super.transformPeriod(node, path);
    const value = this.lookup(node.name, path);
    if (value === undefined) return node;
    // A parameter set to null means "no period": all time.
    if (value === null) return undefined;
    return parsePeriod(value, path, this.issues, { allowParams: false }) ?? node;
  }
}

export type FoldResult = { readonly ok: true; readonly rule: RuleNode } | { readonly ok: false; readonly issues: readonly RuleIssue[] };

/**
 * The rule with its parameters filled in; an issue for each parameter the segment does not
 * give (or gives in a shape that cannot stand where it is used).
 */
export function foldParameters(rule: RuleNode, parameters: RuleParameters): FoldResult {
  const pass = new FoldParameters(parameters, []);
  const folded = pass.transformRule(rule);
  return pass.issues.length ? { ok: false, issues: pass.issues } : { ok: true, rule: folded };
}
