/**
 * The left side of a compiled condition: what the partner (product) has, as SQL. The
 * predicate compares it with the rule's value; explain reads it to show the actual value.
 */
export type LeftSide =
  /**
   * One value. `nulls: 'complement'` (attributes): ne, notIn, notContains, notInHierarchy and
   * notFilled are exactly `not` of their twins, so they hold for an empty value.
   * `nulls: 'false'` (measures, scores): no value fails every comparison but notFilled.
   */
  | { readonly kind: 'scalar'; readonly sql: string; readonly type: 'text' | 'number' | 'date' | 'boolean'; readonly nulls: 'complement' | 'false' }
  /** numerator / denominator, with no value when the denominator is 0 (average check, average score). */
  | { readonly kind: 'ratio'; readonly numerator: string; readonly denominator: string }
  /** Partner roles: one boolean SQL expression per role (never null). */
  | { readonly kind: 'roles'; readonly roles: ReadonlyMap<string, string> }
  /** Segment membership: only the predicate itself. */
  | { readonly kind: 'membership' };

export interface CompiledCondition {
  readonly predicate: string;
  readonly left: LeftSide;
}
