/**
 * Measures: per-partner aggregates over the facts (1C's schemes "by sales", "by
 * interactions", "by settlements"). docs/rules.md defines each one exactly.
 */

/** The fact a measure reads, and so its date column and its `where` keys. */
export type MeasureSource = 'sales' | 'interactions' | 'settlements' | 'deals' | 'partner';

/** What a partner with no matching facts has: 0, or no value ("never"). */
export type WhenNoFacts = 'zero' | 'none';

export interface MeasureDef {
  readonly name: string;
  readonly source: MeasureSource;
  readonly whenNoFacts: WhenNoFacts;
  /** Whether `period` may be given. */
  readonly period: boolean;
  /** A whole number (counts, days) or a decimal amount. */
  readonly integer: boolean;
}

const m = (name: string, source: MeasureSource, whenNoFacts: WhenNoFacts, integer: boolean, period = true): MeasureDef => Object.freeze({ name, source, whenNoFacts, integer, period });

export const MEASURES = {
  'sales.revenue': m('sales.revenue', 'sales', 'zero', false),
  'sales.quantity': m('sales.quantity', 'sales', 'zero', false),
  'sales.cost': m('sales.cost', 'sales', 'zero', false),
  'sales.grossProfit': m('sales.grossProfit', 'sales', 'zero', false),
  'sales.documents': m('sales.documents', 'sales', 'zero', true),
  'sales.averageCheck': m('sales.averageCheck', 'sales', 'none', false),
  'sales.daysSinceLast': m('sales.daysSinceLast', 'sales', 'none', true),
  'sales.daysSinceFirst': m('sales.daysSinceFirst', 'sales', 'none', true),
  'interactions.count': m('interactions.count', 'interactions', 'zero', true),
  'interactions.daysSinceLast': m('interactions.daysSinceLast', 'interactions', 'none', true),
  'interactions.averageScore': m('interactions.averageScore', 'interactions', 'none', false),
  'settlements.receivable': m('settlements.receivable', 'settlements', 'zero', false),
  'settlements.payable': m('settlements.payable', 'settlements', 'zero', false),
  'settlements.overdueReceivable': m('settlements.overdueReceivable', 'settlements', 'zero', false),
  'settlements.maxDaysOverdue': m('settlements.maxDaysOverdue', 'settlements', 'zero', true),
  'deals.count': m('deals.count', 'deals', 'zero', true),
  'deals.wonAmount': m('deals.wonAmount', 'deals', 'zero', false),
  'deals.lostCount': m('deals.lostCount', 'deals', 'zero', true),
  'registration.days': m('registration.days', 'partner', 'none', true, false),
} as const satisfies Record<string, MeasureDef>;

export type MeasureName = keyof typeof MEASURES;
export const MEASURE_NAMES = Object.keys(MEASURES) as MeasureName[];
export const isMeasureName = (value: string): value is MeasureName => Object.hasOwn(MEASURES, value);

/** `where` keys of each fact, and what their values are. */
export const WHERE_KEYS = {
  sales: ['product', 'productGroup', 'productSegment', 'manager'],
  interactions: ['type', 'direction'],
  deals: ['type', 'outcome'],
  settlements: [],
  partner: [],
} as const satisfies Record<MeasureSource, readonly string[]>;

export type WhereKey = (typeof WHERE_KEYS)[MeasureSource][number];
export const whereKeysOf = (measure: MeasureName): readonly WhereKey[] => WHERE_KEYS[MEASURES[measure].source];
