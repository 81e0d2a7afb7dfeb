import type { RuleNode } from './ast/rule-node.js';
import { ruleInputs, type RuleInput, type RuleInputKind } from './rule-inputs.js';

/**
 * What a partner's verdict under a rule can depend on, by the kind of change the dirty set
 * records (issue 20, docs/segments.md "Incremental refresh"): an incremental pass leaves alone
 * the segments whose rules read none of the kinds that changed — for the changed partners,
 * nothing they read is different, so neither is their verdict.
 *
 * - `partners`: the partner's own row — attributes, properties, registration, and whether it
 *   exists or is deleted. Every rule reads it: a new partner without facts may satisfy a rule
 *   (`not sales.revenue > 0`), a deleted one leaves every segment;
 * - `sales`, `interactions`, `deals`, `settlements`: that fact table's rows of the partner;
 * - `memberships`: the stored composition of a segment the rule reads (`inSegment`, or a
 *   product segment through `where.productSegment`) changed for the partner.
 *
 * Directories read for everyone (hierarchies, products) mark every partner, which evaluates
 * every rule: they need no kind here.
 */
export type ChangeKind = 'partners' | 'sales' | 'interactions' | 'deals' | 'settlements' | 'memberships';

export const CHANGE_KINDS: readonly ChangeKind[] = ['partners', 'sales', 'interactions', 'deals', 'settlements', 'memberships'];

export const isChangeKind = (value: string): value is ChangeKind => (CHANGE_KINDS as readonly string[]).includes(value);

/** The kinds a rule reads through another segment (`inSegment`): that segment's own reads, given by the caller. */
export interface RuleReadsContext {
  readonly segment: (segmentId: string) => ReadonlySet<ChangeKind>;
}

type InputOf<K extends RuleInputKind> = Extract<RuleInput, { input: K }>;

/** The kinds of change each thing a rule reads is recorded under; keyed on the input kinds, so a new one does not compile until it is placed. */
const KINDS_OF_INPUT: { readonly [K in RuleInputKind]: (input: InputOf<K>, ctx: RuleReadsContext) => readonly ChangeKind[] } = {
  // Properties are written with the partner's row, and marked with it.
  partner: () => ['partners'],
  property: () => ['partners'],
  fact: (input) => [input.fact],
  // Hierarchies and products are directories read for everyone (see ChangeKind).
  tree: () => [],
  products: () => [],
  // Scores are written by score refreshes, which no dirty set follows: such rules are never
  // patched (refresh class `full`); read as everything, in case one is.
  score: () => CHANGE_KINDS,
  // The other segment's stored composition, or its rule where it is evaluated in the same pass.
  segment: (input, ctx) => ['memberships', ...ctx.segment(input.segment)],
  // A product segment's composition changes in full passes, which mark its products' buyers.
  productSegment: () => ['memberships'],
};

const kindsOf = (input: RuleInput, ctx: RuleReadsContext): readonly ChangeKind[] => (KINDS_OF_INPUT[input.input] as (input: RuleInput, ctx: RuleReadsContext) => readonly ChangeKind[])(input, ctx);

/**
 * The kinds of change a checked rule's verdicts can depend on (always `partners`).
 *
 * @example
 * ruleReads(parse({ measure: 'sales.revenue', op: 'gt', value: 0 }), ctx)                  // → Set { 'partners', 'sales' }
 * ruleReads(parse({ all: [{ inSegment: 'vip' }, { measure: 'interactions.count', … }] }), ctx) // → Set { 'partners', 'memberships', …reads of vip, 'interactions' }
 */
export function ruleReads(rule: RuleNode, ctx: RuleReadsContext): Set<ChangeKind> {
  return new Set<ChangeKind>(['partners', ...ruleInputs(rule).flatMap((input) => kindsOf(input, ctx))]);
}
