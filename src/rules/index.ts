/**
 * The rule language of SPEC §3: parse and check a rule, fold its parameters, print it, and
 * evaluate it in memory (the reference). SQL compilation lives in src/sql/compile.
 */
export * from './ast/index.js';
export { createRuleCatalog, loadRuleCatalog, SEGMENT_METHODS, type RuleCatalog, type SegmentMethod, type SegmentRuleInfo } from './catalog.js';
export { checkRule, type CheckedRule, type CheckRuleOptions } from './check-rule.js';
export { issueMessageEn, MESSAGES_EN } from './issues/messages.en.js';
export type { RuleIssue, RuleIssueCode } from './issues/rule-issue.js';
export { MAX_RULE_DEPTH, parseRule, type ParseResult } from './parse/parse-rule.js';
export { printRule, type RuleJson } from './print-rule.js';
export { catalogOfWorld, ReferenceEvaluator, referenceMembers, type ReferenceOptions, type ReferenceValue } from './reference/evaluate.js';
export type * from './reference/world.js';
export { ruleInvalidError, ruleIssuesDetails, withMessages, type RuleIssueWithMessage } from './rule-error.js';
export { foldParameters, type RuleParameters } from './transform/fold-parameters.js';
export { RuleTransformer } from './transform/rule-transformer.js';
export { validateRule, type RuleContext } from './validate/validate-rule.js';
export { segmentReferences, type SegmentReference } from './validate/segment-references.js';
export { RULE_KINDS, resolveAttribute, type AttributeDef, type RuleKind } from './vocabulary/attributes.js';
export { MEASURE_NAMES, MEASURES, WHERE_KEYS, type MeasureName, type WhereKey } from './vocabulary/measures.js';
export { OPERATORS, OPERATORS_BY_TYPE, type Operator } from './vocabulary/operators.js';
export { RENEW_SCORES, RFM_SCORES, RFM_VALUE_SCORES, SCORES, ScoreRegistry, type ScoreDef } from './vocabulary/scores.js';
