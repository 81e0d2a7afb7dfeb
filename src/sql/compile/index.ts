/** The rule compiler: rules → SQL for DuckDB and PostgreSQL, members, explain, measure specs for planners. */
export { collectMeasureSpecs, compareIds, compileCheckedRule, compileRule, resolveAsOf, selectMembers, type CompiledQuery, type CompileOptions } from './compile-rule.js';
export { explainMember, type ExplainedCondition, type ExplainedGroup, type ExplainedNode, type Explanation, type ExplainValue } from './explain.js';
export { filterKeyOf, measureSpecOf, type MeasureSpec, type WhereFilter } from './measure-spec.js';
export { resolvePeriod, type DateRange } from './periods.js';
export {
  compileMemberChecks,
  createTemporaryTable,
  planBatch,
  selectBatchMembers,
  selectCheckedMembers,
  unpivotHits,
  type BatchPlan,
  type HitsQuery,
  type MemberSet,
  type NamedRule,
  type RuleSetOptions,
} from './rule-set.js';
