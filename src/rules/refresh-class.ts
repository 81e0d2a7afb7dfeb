import type { PeriodNode } from './ast/period-node.js';
import type { RuleNode } from './ast/rule-node.js';
import { visitRule, type RuleVisitor } from './ast/rule-visitor.js';
import { plainValue } from './ast/value-node.js';

/**
 * How a stored segment's rule is kept current (issue 20, docs/rules.md "How each rule is kept
 * current"):
 *
 * - `incremental`: its verdict for a partner changes only when that partner's facts,
 *   attributes, properties or memberships change — refreshed for the partners an import or
 *   sync changed (the dirty set);
 * - `daily`: its verdict also moves with the date alone (days since, periods relative to the
 *   evaluation date, anniversaries, overdue debts): patched like an incremental rule on the day
 *   it was last evaluated in full, and evaluated in full by the daily pass when the date moves;
 * - `full`: it reads what no dirty set follows (scores, custom SQL segments): evaluated in full
 *   by the daily (and nightly full) pass only.
 */
export type RefreshClass = 'incremental' | 'daily' | 'full';

export interface RuleRefreshClass {
  readonly refresh: RefreshClass;
  /** Why it is not incremental (empty when it is), e.g. `sales.daysSinceLast`, `sales.revenue period last`. */
  readonly reasons: readonly string[];
}

/** What the classification needs to know outside the rule: the classes of the segments it reads. */
export interface RefreshClassContext {
  /** The evaluation date: a fixed period ending before it no longer moves. */
  readonly asOf: string;
  /** The class of a partner segment the rule reads (`inSegment`). */
  readonly segment: (segmentId: string) => RuleRefreshClass;
}

const RANK: Readonly<Record<RefreshClass, number>> = { incremental: 0, daily: 1, full: 2 };
/** The class of a rule reading things of these classes: the least incremental of them. */
export const weakest = (classes: readonly RefreshClass[]): RefreshClass => classes.reduce<RefreshClass>((a, b) => (RANK[b] > RANK[a] ? b : a), 'incremental');

interface Reason {
  readonly refresh: RefreshClass;
  readonly why: string;
}

/** Measures whose value moves with the evaluation date even when no fact changes. */
const MOVING_MEASURES = new Set(['sales.daysSinceLast', 'sales.daysSinceFirst', 'interactions.daysSinceLast', 'registration.days', 'settlements.overdueReceivable', 'settlements.maxDaysOverdue']);

/** Whether a (parameter-folded) period's window moves as the evaluation date moves. */
function periodMoves(period: PeriodNode, asOf: string): boolean {
  if (period.kind !== 'range') return true; // last N, current, previous: relative to the date
  // An open end, or one not yet reached, grows with the date; a window wholly past is fixed.
  return period.to === undefined || (plainValue(period.to) as string) >= asOf;
}

const visitor: RuleVisitor<Reason[], RefreshClassContext> = {
  all: (node, ctx) => node.rules.flatMap((r) => visitRule(r, visitor, ctx)),
  any: (node, ctx) => node.rules.flatMap((r) => visitRule(r, visitor, ctx)),
  not: (node, ctx) => visitRule(node.rule, visitor, ctx),
  attr: (node) => (node.op === 'anniversaryWithin' ? [{ refresh: 'daily', why: `${node.attr} anniversaryWithin` }] : []),
  // Scores are recomputed by score refreshes, for everyone at once (and RFM's recency moves with the date).
  score: (node) => [{ refresh: 'full', why: `score ${node.score}` }],
  inSegment: (node, ctx) => {
    const other = ctx.segment(node.segment);
    return other.reasons.map((why) => ({ refresh: other.refresh, why: `${node.segment}: ${why}` }));
  },
  measure: (node, ctx) => {
    const reasons: Reason[] = [];
    if (MOVING_MEASURES.has(node.measure)) reasons.push({ refresh: 'daily', why: node.measure });
    if (node.period && (node.period.kind === 'param' || periodMoves(node.period, ctx.asOf))) reasons.push({ refresh: 'daily', why: `${node.measure} period ${node.period.kind}` });
    return reasons;
  },
};

/**
 * The refresh class of a checked rule (parameters folded), with the reasons it is not incremental.
 *
 * @example
 * classifyRule(parse({ measure: 'sales.revenue', op: 'gt', value: 0 }), ctx)                    // → { refresh: 'incremental', reasons: [] }
 * classifyRule(parse({ measure: 'sales.revenue', period: { last: { days: 90 } }, … }), ctx)    // → { refresh: 'daily', reasons: ['sales.revenue period last'] }
 * classifyRule(parse({ score: 'rfm.r', op: 'gte', value: 4 }), ctx)                              // → { refresh: 'full', reasons: ['score rfm.r'] }
 */
export function classifyRule(rule: RuleNode, ctx: RefreshClassContext): RuleRefreshClass {
  const reasons = visitRule(rule, visitor, ctx);
  return { refresh: weakest(reasons.map((r) => r.refresh)), reasons: [...new Set(reasons.map((r) => r.why))] };
}
