/**
 * How the discounts that apply to one order line combine into its percent — the documented
 * deterministic rule (docs/sales-terms.md, "Combining discounts"):
 *
 * 1. `exclusive`: if any applicable discount is exclusive, the line gets only one: the exclusive
 *    discount with the highest priority (ties: the larger percent, then the smaller id).
 * 2. Otherwise one "main" discount is chosen:
 *    - if any `priority` discount applies, the one with the highest priority (ties: the larger
 *      percent, then the smaller id) — it displaces every `max` discount;
 *    - else the `max` discount with the largest percent (ties: the higher priority, then the
 *      smaller id).
 *    Every applicable `sum` discount is added on top of it (listed by priority, then id).
 * 3. The result is capped at 100 % (a line never costs less than nothing); markups (negative
 *    percents) take part like any other percent: `max` picks the one best for the customer.
 *
 * A partner who is in many segments simply meets many discounts: the rule above picks among
 * them, and the id tie-break makes the answer the same on every run and every engine.
 */

export const COMBINE_MODES = ['max', 'sum', 'priority', 'exclusive'] as const;
export type CombineMode = (typeof COMBINE_MODES)[number];

export interface Candidate {
  readonly id: string;
  readonly percent: number;
  readonly combine: CombineMode;
  readonly priority: number;
}

export interface Combined<C extends Candidate> {
  /** The line's percent from these discounts (≤ 100). */
  readonly percent: number;
  /** The discounts that make it: the main one first, then those added. */
  readonly applied: readonly C[];
  /** Discounts that applied to the line but lost (to an exclusive, priority or larger max discount). */
  readonly overridden: readonly C[];
}

export const MAX_PERCENT = 100;

/** Percents are kept to 4 decimals, like the database column; this also drops float noise (0.1 + 0.2). */
export const roundPercent = (p: number): number => Math.round(p * 10_000) / 10_000;

const byId = (a: Candidate, b: Candidate): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
const byPriorityThenPercent = (a: Candidate, b: Candidate): number => b.priority - a.priority || b.percent - a.percent || byId(a, b);
const byPercentThenPriority = (a: Candidate, b: Candidate): number => b.percent - a.percent || b.priority - a.priority || byId(a, b);

export function combineDiscounts<C extends Candidate>(candidates: readonly C[]): Combined<C> {
  const of = (mode: CombineMode): C[] => candidates.filter((c) => c.combine === mode);
  const exclusive = of('exclusive').sort(byPriorityThenPercent);
  let applied: C[];
  if (exclusive.length) {
    applied = [exclusive[0]!];
  } else {
    const priority = of('priority').sort(byPriorityThenPercent);
    const max = of('max').sort(byPercentThenPriority);
    const main = priority[0] ?? max[0];
    const sums = of('sum').sort((a, b) => b.priority - a.priority || byId(a, b));
    applied = [...(main ? [main] : []), ...sums];
  }
  const total = roundPercent(applied.reduce((sum, c) => sum + c.percent, 0));
  const chosen = new Set<C>(applied);
  return {
    percent: Math.min(MAX_PERCENT, total),
    applied,
    overridden: candidates.filter((c) => !chosen.has(c)).sort(byId),
  };
}
