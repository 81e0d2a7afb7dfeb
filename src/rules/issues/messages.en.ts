import type { ExpectedValue, PeriodProblem, RuleIssue, RuleIssueCode } from './rule-issue.js';

type Messages = { readonly [C in RuleIssueCode]: (issue: Extract<RuleIssue, { code: C }>) => string };

const list = (items: readonly string[]): string => (items.length ? items.join(', ') : 'none');

const EXPECTED: Readonly<Record<ExpectedValue, string>> = {
  text: 'a text',
  number: 'a number (at most 4 decimal places)',
  date: 'a date written YYYY-MM-DD',
  boolean: 'true or false',
  role: 'a role',
  id: 'an id (text)',
  ids: 'an id or a list of ids',
  list: 'a list of values',
  pair: 'a list of two values [from, to]',
  days: 'a whole number of days from 0 to 366',
  'period-count': 'a whole number from 1 to 10000',
  'calendar-unit': '"month", "quarter" or "year"',
  scalar: 'a text, number, date or boolean',
  'like-pattern': 'a pattern with % (any text) and _ (one character); \\ makes the next character literal, and cannot end the pattern',
  where: 'an object of filters, e.g. {"productGroup": "tea"}',
};

const PERIOD: Readonly<Record<PeriodProblem, string>> = {
  shape: 'write {"last": {"days": N}}, {"from": "YYYY-MM-DD", "to": "YYYY-MM-DD"}, {"current": "month"} or {"previous": "quarter"}',
  'several-units': '"last" takes exactly one of days, months, years',
  'unknown-unit': '"last" counts days, months or years',
  'from-after-to': '"from" is after "to"',
  'empty-range': 'give "from", "to" or both',
};

/** English messages, by issue code. */
export const MESSAGES_EN: Messages = {
  not_an_object: (i) => `A rule must be a JSON object, not ${i.found}`,
  unknown_node: (i) => `A rule needs one of "all", "any", "not", "attr", "measure", "score" or "inSegment"; found ${i.keys.length ? list(i.keys.map((k) => `"${k}"`)) : 'an empty object'}`,
  ambiguous_node: (i) => `A rule node is one thing at a time; it has ${list(i.keys.map((k) => `"${k}"`))}`,
  unknown_key: (i) => `"${i.key}" is not expected here; this node takes ${list(i.allowed.map((k) => `"${k}"`))}`,
  missing_field: (i) => `"${i.field}" is missing`,
  expected_list: (i) => `Expected a list of rules, found ${i.found}`,
  expected_name: (i) => `Expected a name (text), found ${i.found}`,
  too_deep: (i) => `The rule is nested more than ${i.max} levels deep`,
  unknown_operator: (i) => `There is no operator "${i.op}"`,
  unknown_measure: (i) => `There is no measure "${i.measure}"`,
  unknown_attribute: (i) => `${i.kind === 'product' ? 'Products have' : 'Partners have'} no attribute "${i.attribute}"`,
  unknown_score: (i) => `There is no score "${i.score}"`,
  unknown_segment: (i) => `There is no segment "${i.segment}"`,
  segment_kind_mismatch: (i) => `Segment "${i.segment}" is a ${i.actual} segment; a ${i.expected} segment is needed here`,
  segment_not_usable: (i) => `Segment "${i.segment}" is dynamic and defined by custom SQL; rules can use it only once it is periodic or manual`,
  segment_cycle: (i) => `Segments refer to each other in a circle: ${i.cycle.join(' → ')}`,
  not_for_kind: (i) => `${i.what === 'measure' ? 'Measures' : 'Scores'} are about partners; a ${i.kind} segment cannot use them`,
  operator_not_allowed: (i) => `Operator "${i.op}" does not apply to ${i.subject}; use one of ${list(i.allowed)}`,
  invalid_value: (i) => `Expected ${EXPECTED[i.expected]}, found ${i.found}`,
  value_not_expected: (i) => `Operator "${i.op}" takes no value`,
  missing_value: (i) => `Operator "${i.op}" needs a value`,
  value_not_allowed: (i) => `${i.value} is not one of ${list(i.allowed)}`,
  inverted_range: (i) => `The range is empty: ${i.low} is above ${i.high}`,
  invalid_period: (i) => `Bad period: ${PERIOD[i.reason]}`,
  period_not_allowed: (i) => `Measure "${i.measure}" takes no period`,
  unknown_where_key: (i) => `Measure "${i.measure}" cannot be narrowed by "${i.key}"; ${i.allowed.length ? `use ${list(i.allowed)}` : 'it takes no "where"'}`,
  invalid_param: (i) => `A parameter is written {"param": "name"}, found ${i.found}`,
  missing_parameter: (i) => `The segment gives no value for parameter "${i.param}"`,
};

/** The English message of an issue. */
export function issueMessageEn(issue: RuleIssue): string {
  const format = MESSAGES_EN[issue.code] as (issue: RuleIssue) => string;
  return format(issue);
}
