import type { PeriodNode } from './ast/period-node.js';
import type { RuleNode } from './ast/rule-node.js';
import { visitRule, type RuleVisitor } from './ast/rule-visitor.js';
import { plainValue } from './ast/value-node.js';

/**
 * How a stored segment's rule is kept current (issue 20, docs/rules.md "Which rules refresh
 * incrementally"): a rule whose verdict for a partner changes only when that partner's facts
 * (or attributes, properties, memberships) change is `incremental` — refreshed for the partners
 * an import or sync changed. A rule whose verdict also moves with the date alone (days since,
 * periods relative to the evaluation date, anniversaries, overdue debts, scores) or reads
 * something refreshed only by a full pass (product segments, custom SQL segments) is `daily`:
 * evaluated in full by the daily pass.
 */
export type RefreshClass = 'incremental' | 'daily';

export interface RuleRefreshClass {
  readonly refresh: RefreshClass;
  /** Why it is daily (empty when incremental), e.g. `sales.daysSinceLast`, `period last`. */
  readonly reasons: readonly string[];
}

/** What the classification needs to know outside the rule: the classes of the segments it reads. */
export interface RefreshClassContext {
  /** The evaluation date: a fixed period ending before it no longer moves. */
  readonly asOf: string;
  /** The class of a partner segment the rule reads (`inSegment`). */
  readonly segment: (segmentId: string) => RuleRefreshClass;
}

/** Measures whose value moves with the evaluation date even when no fact changes. */
const MOVING_MEASURES = new Set(['sales.daysSinceLast', 'sales.daysSinceFirst', 'interactions.daysSinceLast', 'registration.days', 'settlements.overdueReceivable', 'settlements.maxDaysOverdue']);

/** Whether a (parameter-folded) period's window moves as the evaluation date moves. */
function periodMoves(period: PeriodNode, asOf: string): boolean {
  if (period.kind !== 'range') return true; // last N, current, previous: relative to the date
  // An open end, or one not yet reached, grows with the date; a window wholly past is fixed.
  return period.to === undefined || (plainValue(period.to) as string) >= asOf;
}

const visitor: RuleVisitor<string[], RefreshClassContext> = {
  all: (node, ctx) => node.rules.flatMap((r) => visitRule(r, visitor, ctx)),
  any: (node, ctx) => node.rules.flatMap((r) => visitRule(r, visitor, ctx)),
  not: (node, ctx) => visitRule(node.rule, visitor, ctx),
  attr: (node) => (node.op === 'anniversaryWithin' ? [`${node.attr} anniversaryWithin`] : []),
  score: (node) => [`score ${node.score}`],
  inSegment: (node, ctx) => ctx.segment(node.segment).reasons.map((r) => `${node.segment}: ${r}`),
  measure: (node, ctx) => {
    const reasons: string[] = [];
    if (MOVING_MEASURES.has(node.measure)) reasons.push(node.measure);
    if (node.period && (node.period.kind === 'param' || periodMoves(node.period, ctx.asOf))) reasons.push(`${node.measure} period ${node.period.kind}`);
    if (node.where.some((w) => w.key === 'productSegment')) reasons.push(`${node.measure} where productSegment`);
    return reasons;
  },
};

/**
 * The refresh class of a checked rule (parameters folded), with the reasons it is daily.
 *
 * @example
 * classifyRule(parse({ measure: 'sales.revenue', op: 'gt', value: 0 }), ctx)                    // → { refresh: 'incremental', reasons: [] }
 * classifyRule(parse({ measure: 'sales.revenue', period: { last: { days: 90 } }, … }), ctx)    // → { refresh: 'daily', reasons: ['sales.revenue period last'] }
 */
export function classifyRule(rule: RuleNode, ctx: RefreshClassContext): RuleRefreshClass {
  const reasons = [...new Set(visitRule(rule, visitor, ctx))];
  return { refresh: reasons.length ? 'daily' : 'incremental', reasons };
}
