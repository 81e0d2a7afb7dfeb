import type { RuleNode } from './ast/rule-node.js';
import type { RuleIssue } from './issues/rule-issue.js';
import { parseRule } from './parse/parse-rule.js';
import { foldParameters, type RuleParameters } from './transform/fold-parameters.js';
import { validateRule, type RuleContext } from './validate/validate-rule.js';

export interface CheckRuleOptions extends RuleContext {
  /** The segment's parameter values; `{"param": name}` in the rule is replaced by them. */
  readonly parameters?: RuleParameters;
}

export type CheckedRule =
  | {
      readonly ok: true;
      /** The rule as written, parameters still in it (what a segment stores). */
      readonly source: RuleNode;
      /** The rule with the parameters filled in (what compilers and evaluators run). */
      readonly rule: RuleNode;
    }
  | { readonly ok: false; readonly issues: readonly RuleIssue[] };

/**
 * Everything a rule must pass before it is saved or run: shape (parseRule), parameters
 * (foldParameters), names, types and cycles (validateRule). Each stage reports all of its
 * issues; a later stage runs only on what the earlier one accepted.
 *
 * @example
 * checkRule({ attr: 'regoin', op: 'eq', value: 'perm' }, { kind: 'partner', catalog })
 * // → { ok: false, issues: [{ code: 'unknown_attribute', path: '$.attr', attribute: 'regoin', kind: 'partner' }] }
 */
export function checkRule(input: unknown, options: CheckRuleOptions): CheckedRule {
  const parsed = parseRule(input);
  if (!parsed.ok) return parsed;
  const folded = foldParameters(parsed.rule, options.parameters ?? {});
  if (!folded.ok) return folded;
  const issues = validateRule(folded.rule, options);
  return issues.length ? { ok: false, issues } : { ok: true, source: parsed.rule, rule: folded.rule };
}
