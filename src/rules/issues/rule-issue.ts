/**
 * What can be wrong with a rule, one tagged variant per code. Each issue carries the JSON
 * path of the bad node (`$.all[1].any[0].op`) and the facts a message needs; the message
 * text lives apart, per language (messages.en.ts), so the UI can show Russian.
 */
interface At<C extends string> {
  readonly code: C;
  /** JSON path of the bad node, `$` being the rule itself. */
  readonly path: string;
}

export type RuleIssue =
  | (At<'not_an_object'> & { readonly found: string })
  | (At<'unknown_node'> & { readonly keys: readonly string[] })
  | (At<'ambiguous_node'> & { readonly keys: readonly string[] })
  | (At<'unknown_key'> & { readonly key: string; readonly allowed: readonly string[] })
  | (At<'missing_field'> & { readonly field: string })
  | (At<'expected_list'> & { readonly found: string })
  | (At<'expected_name'> & { readonly found: string })
  | (At<'too_deep'> & { readonly max: number })
  | (At<'unknown_operator'> & { readonly op: string })
  | (At<'unknown_measure'> & { readonly measure: string })
  | (At<'unknown_attribute'> & { readonly attribute: string; readonly kind: string })
  | (At<'unknown_score'> & { readonly score: string })
  | (At<'unknown_segment'> & { readonly segment: string })
  | (At<'segment_kind_mismatch'> & { readonly segment: string; readonly expected: string; readonly actual: string })
  | (At<'segment_not_usable'> & { readonly segment: string })
  | (At<'segment_cycle'> & { readonly cycle: readonly string[] })
  | (At<'not_for_kind'> & { readonly what: 'measure' | 'score'; readonly kind: string })
  | (At<'operator_not_allowed'> & { readonly op: string; readonly subject: string; readonly allowed: readonly string[] })
  | (At<'invalid_value'> & { readonly expected: ExpectedValue; readonly found: string })
  | (At<'value_not_expected'> & { readonly op: string })
  | (At<'missing_value'> & { readonly op: string })
  | (At<'value_not_allowed'> & { readonly value: string; readonly allowed: readonly string[] })
  | (At<'inverted_range'> & { readonly low: string; readonly high: string })
  | (At<'invalid_period'> & { readonly reason: PeriodProblem })
  | (At<'period_not_allowed'> & { readonly measure: string })
  | (At<'unknown_where_key'> & { readonly key: string; readonly measure: string; readonly allowed: readonly string[] })
  | (At<'invalid_param'> & { readonly found: string })
  | (At<'missing_parameter'> & { readonly param: string });

export type RuleIssueCode = RuleIssue['code'];

/** What a value should have been, for `invalid_value`. */
export type ExpectedValue = 'text' | 'number' | 'date' | 'boolean' | 'role' | 'id' | 'ids' | 'list' | 'pair' | 'days' | 'period-count' | 'calendar-unit' | 'scalar' | 'where' | 'like-pattern';

export type PeriodProblem = 'shape' | 'several-units' | 'unknown-unit' | 'from-after-to' | 'empty-range';

/** A short printable form of any JSON value, for issue details. */
export function describeJson(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** Appends a property access to a JSON path: `.name`, or `["odd name"]` when not an identifier. */
export function pathKey(path: string, key: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

export const pathIndex = (path: string, index: number): string => `${path}[${index}]`;
