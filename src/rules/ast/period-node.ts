import type { ParamNode, ValueNode } from './value-node.js';

/** Units of a sliding window: `{"last": {"months": 3}}`. */
export const SPAN_UNITS = ['days', 'months', 'years'] as const;
export type SpanUnit = (typeof SPAN_UNITS)[number];

/** Calendar units of `{"current": …}` and `{"previous": …}`. */
export const CALENDAR_UNITS = ['month', 'quarter', 'year'] as const;
export type CalendarUnit = (typeof CALENDAR_UNITS)[number];

/** `{"last": {"days": N}}`: the N days (months, years) up to and including the evaluation date. */
export interface LastPeriodNode {
  readonly kind: 'last';
  readonly unit: SpanUnit;
  readonly count: ValueNode;
}

/** `{"from": "YYYY-MM-DD", "to": "YYYY-MM-DD"}`, both inclusive; either may be left out. */
export interface RangePeriodNode {
  readonly kind: 'range';
  readonly from?: ValueNode;
  readonly to?: ValueNode;
}

/** `{"current": "month"}`: from the start of the month (quarter, year) to the evaluation date. */
export interface CurrentPeriodNode {
  readonly kind: 'current';
  readonly unit: ValueNode;
}

/** `{"previous": "month"}`: the whole month (quarter, year) before the current one. */
export interface PreviousPeriodNode {
  readonly kind: 'previous';
  readonly unit: ValueNode;
}

export type PeriodNode = LastPeriodNode | RangePeriodNode | CurrentPeriodNode | PreviousPeriodNode;
/** A period, or a parameter standing for a whole period. */
export type PeriodExpr = PeriodNode | ParamNode;

export const PeriodNode = Object.freeze({
  last: (unit: SpanUnit, count: ValueNode): LastPeriodNode => Object.freeze({ kind: 'last', unit, count }),
  range: (from: ValueNode | undefined, to: ValueNode | undefined): RangePeriodNode => Object.freeze({ kind: 'range', ...(from ? { from } : {}), ...(to ? { to } : {}) }),
  current: (unit: ValueNode): CurrentPeriodNode => Object.freeze({ kind: 'current', unit }),
  previous: (unit: ValueNode): PreviousPeriodNode => Object.freeze({ kind: 'previous', unit }),
});
